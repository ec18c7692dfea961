"""Property-based calls to every documented operation, generated from the OpenAPI document.

Schemathesis calls the app in-process through WSGI, as the administrator's token with every
scope. Each operation gets a few requests that fit the schema, a few that break it, and, for
operations on one case, task, process or incident, a few with the ids of real ones. The
checks are that no response is a server error and that every response has a documented
status, content type and schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from engine.engine import ProcessEngine
from engine.services.tokens import SCOPES
from tests.api.conftest import open_task_id

# Examples per operation: enough to reach each operation's validation and not-found paths,
# while the whole run stays short enough for `make test`.
MAX_EXAMPLES = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def real_ids(engine: ProcessEngine, report: Callable[..., int]) -> dict[str, Any]:
    instance_id = report()
    return {"instance_id": instance_id, "key": "avvik",
            "task_id": open_task_id(engine, instance_id, "VurderAvvik")}


def test_every_operation_conforms_to_schema(
        app: Flask, demo_engine: ProcessEngine, report: Callable[..., int],
        token_headers: Callable[..., dict[str, str]]) -> None:
    # NOTE: schemathesis.pytest.from_fixture would give one test per operation, but with
    # schemathesis 4.32 and pytest 9.2 it fails (Function has no _nodeid), so one test runs
    # every operation and lists the failures together.
    headers = token_headers(*SCOPES, actor="admin")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    ids = real_ids(demo_engine, report)
    failures = []

    for operation in operations:
        names = {parameter.name for parameter in operation.path_parameters}
        strategies = {"positive": operation.as_strategy(GenerationMode.POSITIVE),
                      "negative": operation.as_strategy(GenerationMode.NEGATIVE)}
        if names and names <= ids.keys():
            strategies["real ids"] = operation.as_strategy(
                path_parameters={name: ids[name] for name in names})

        for kind, strategy in strategies.items():
            @given(case=strategy)
            @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
                      suppress_health_check=list(HealthCheck), database=None)
            def call(case: schemathesis.Case) -> None:
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                call()
            except Exception as error:  # noqa: BLE001 - every failure is reported below
                failures.append(f"{operation.label} ({kind}): {error}")

    assert len(operations) >= 14
    assert failures == []
