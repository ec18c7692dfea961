"""GET /api/v1/instances/<id>/variables: personal-data values hidden from an administrator who
is not entitled to the case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from engine.engine import ProcessEngine
from tests.api.conftest import SessionCaller
from tests.web.conftest import REPORT_DATA


@pytest.fixture
def case(demo_engine: ProcessEngine) -> int:
    return demo_engine.runtime.start("avvik", "ola.ansatt", REPORT_DATA).instance_id


def variables_as(session_of: Callable[[str], SessionCaller], username: str,
                 instance_id: int) -> dict[str, Any]:
    response = session_of(username).get(f"/api/v1/instances/{instance_id}/variables")
    assert response.status_code == 200
    return response.get_json()


def test_admin_gets_masked_value(session_of: Callable[[str], SessionCaller],
                                 case: int) -> None:
    body = variables_as(session_of, "admin", case)

    assert body["variables"]["hva_skjedde"] == "***"
    assert "hva_skjedde" in body["hidden"]
    assert body["variables"]["tittel"] == REPORT_DATA["tittel"]


def test_leader_gets_every_value(session_of: Callable[[str], SessionCaller],
                                 case: int) -> None:
    body = variables_as(session_of, "lise.leder", case)

    assert body["variables"]["hva_skjedde"] == REPORT_DATA["hva_skjedde"]
    assert body["hidden"] == []
