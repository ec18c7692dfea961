"""The counts per status on /admin/saker stop at ADMIN_COUNT_LIMIT (3 here)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from engine.engine import ProcessEngine
from tests.web.operations_helpers import ONE_TASK, WAIT_AN_HOUR

LIMIT = 3


@pytest.fixture
def test_config(test_config: dict[str, Any]) -> dict[str, Any]:
    return {**test_config, "ADMIN_COUNT_LIMIT": LIMIT}


@pytest.fixture
def admin(app: Any, demo_engine: ProcessEngine,
          login_as: Callable[[str], FlaskClient]) -> FlaskClient:
    demo_engine.repository.deploy([("enkel.bpmn", ONE_TASK.encode()),
                                   ("vent.bpmn", WAIT_AN_HOUR.encode())])
    return login_as("admin")


def start(engine: ProcessEngine, key: str, times: int) -> list[int]:
    return [engine.runtime.start(key, "admin", {}).instance_id for _ in range(times)]


def shown(html: str, status: str) -> str:
    match = re.search(rf'data-count="{status}"[^>]*>([^<]*)<', html)
    assert match, f"no count for {status}"
    return match.group(1)


def test_count_at_limit_is_exact(demo_engine: ProcessEngine, admin: FlaskClient) -> None:
    start(demo_engine, "enkel", LIMIT)

    html = admin.get("/admin/saker").get_data(as_text=True)

    assert shown(html, "alle") == "3"
    assert shown(html, "aktiv") == "3"
    assert "data-counts-capped" not in html


def test_total_over_limit(demo_engine: ProcessEngine, admin: FlaskClient) -> None:
    start(demo_engine, "enkel", 2)
    start(demo_engine, "vent", 2)

    html = admin.get("/admin/saker").get_data(as_text=True)

    assert shown(html, "alle") == "over 3"
    assert shown(html, "aktiv") == "over 3"
    assert shown(html, "venter") == "2"
    assert "data-counts-capped" in html


def test_status_over_limit(demo_engine: ProcessEngine, admin: FlaskClient) -> None:
    for instance_id in start(demo_engine, "enkel", LIMIT + 1):
        demo_engine.admin.suspend(instance_id, "admin", "Venter på svar.")

    html = admin.get("/admin/saker?status=pause").get_data(as_text=True)

    assert shown(html, "pause") == "over 3"
    assert shown(html, "aktiv") == "0"


@pytest.fixture
def two_processes(demo_engine: ProcessEngine, admin: FlaskClient) -> FlaskClient:
    """Start two instances of enkel and more than LIMIT of vent, which waits for a timer."""
    start(demo_engine, "enkel", 2)
    start(demo_engine, "vent", LIMIT + 1)
    return admin


def test_filtered_counts_capped(two_processes: FlaskClient) -> None:
    html = two_processes.get("/admin/saker?prosess=vent&status=venter").get_data(as_text=True)

    assert shown(html, "venter") == "over 3"
    assert shown(html, "alle") == "over 3"


def test_filtered_counts_exact(two_processes: FlaskClient) -> None:
    html = two_processes.get("/admin/saker?prosess=enkel").get_data(as_text=True)

    assert shown(html, "alle") == "2"
    assert shown(html, "venter") == "0"


def test_capped_list_pages_on(demo_engine: ProcessEngine, admin: FlaskClient) -> None:
    started = start(demo_engine, "vent", LIMIT + 2)

    first = admin.get("/admin/saker?antall=3").get_data(as_text=True)
    cursor = re.search(r'side=(\d+)" rel="next"', first)
    assert cursor
    second = admin.get(f"/admin/saker?antall=3&side={cursor.group(1)}").get_data(as_text=True)

    assert re.findall(r'data-instance="(\d+)"', first + second) == [
        str(instance_id) for instance_id in reversed(started)]
