"""Size limits of deployments: a request limit for all files, a file limit for each."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from engine.app import create_app
from engine.engine import ProcessEngine
from tests.api.conftest import assert_problem
from tests.api.test_definitions import DEFINITIONS, SIMPLE


def padded(size: int) -> bytes:
    """The simple process, padded with an XML comment to `size` bytes."""
    padding = size - len(SIMPLE) - len(b"\n<!--  -->")
    return SIMPLE + b"\n<!-- " + b"x" * padding + b" -->"


def deploy(client: FlaskClient, headers: dict[str, str], content: bytes) -> Any:
    return client.post(DEFINITIONS, data={"files": [(io.BytesIO(content), "enkel.bpmn")]},
                       content_type="multipart/form-data", headers=headers)


def test_bpmn_above_post_limit_deploys(client: FlaskClient,
                                       token_headers: Callable[..., dict[str, str]]) -> None:
    # Larger than the 1 MB that other posts may carry, smaller than MAX_DEFINITION_BYTES.
    response = deploy(client, token_headers("definitions:write"), padded(1536 * 1024))

    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["deployed"][0]["key"] == "enkel"


def test_bpmn_above_file_limit_gets_422(client: FlaskClient,
                                        token_headers: Callable[..., dict[str, str]]) -> None:
    response = deploy(client, token_headers("definitions:write"), padded(3 * 1024 * 1024))

    body = assert_problem(response, 422, "definition_invalid")
    assert "mer enn grensen på 2048 kB" in body["problems"][0]["message"]


def test_deployment_above_limit_gets_413(make_engine: Callable[..., ProcessEngine],
                                         demo_engine: ProcessEngine,
                                         api_config: dict[str, Any],
                                         token_headers: Callable[..., dict[str, str]]) -> None:
    app = create_app(api_config, engine=make_engine(MAX_DEPLOY_BYTES=100 * 1024))

    response = deploy(app.test_client(), token_headers("definitions:write"),
                      padded(500 * 1024))

    body = assert_problem(response, 413, "deployment_too_large")
    assert "100 kB" in body["detail"]
