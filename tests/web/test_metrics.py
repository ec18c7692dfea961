"""/metrics: who may read it, and that its counts follow what happens in the engine."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from engine.app import create_app
from engine.demo import load_organisation
from engine.engine import ProcessEngine
from engine.runtime.clock import FixedClock
from tests.web.operations_helpers import (
    NO_HANDLER,
    ONE_TASK,
    WAIT_AN_HOUR,
    Samples,
    failing_handler,
    parse_exposition,
    sample,
)

SCRAPER_TOKEN = "prometheus-scraper-secret-1234"


@pytest.fixture
def ops_engine(engine: ProcessEngine) -> ProcessEngine:
    load_organisation(engine)
    engine.handlers.register("test.feiler", failing_handler)
    engine.repository.deploy([("enkel.bpmn", ONE_TASK.encode()),
                              ("vent.bpmn", WAIT_AN_HOUR.encode()),
                              ("feiler.bpmn", NO_HANDLER.encode())])
    return engine


@pytest.fixture
def ops_app(ops_engine: ProcessEngine, web_config: dict[str, Any]) -> Flask:
    return create_app({**web_config, "METRICS_BEARER_TOKEN": SCRAPER_TOKEN}, engine=ops_engine)


@pytest.fixture
def scrape(ops_app: Flask) -> Callable[[], Samples]:
    def read() -> Samples:
        response = ops_app.test_client().get(
            "/metrics", headers={"Authorization": f"Bearer {SCRAPER_TOKEN}"})
        assert response.status_code == 200, response.get_data(as_text=True)
        return parse_exposition(response.get_data(as_text=True))
    return read


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


# --- access ----------------------------------------------------------------------------------

def test_metrics_without_token_is_401(ops_app: Flask) -> None:
    response = ops_app.test_client().get("/metrics")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "krever et token" in response.get_data(as_text=True)


def test_metrics_with_unknown_token_is_401(ops_app: Flask) -> None:
    response = ops_app.test_client().get("/metrics", headers=bearer("not-the-token"))

    assert response.status_code == 401


def test_metrics_with_basic_scheme_is_401(ops_app: Flask) -> None:
    response = ops_app.test_client().get(
        "/metrics", headers={"Authorization": f"Basic {SCRAPER_TOKEN}"})

    assert response.status_code == 401


def test_metrics_scraper_token_reads(ops_app: Flask) -> None:
    response = ops_app.test_client().get("/metrics", headers=bearer(SCRAPER_TOKEN))

    assert response.status_code == 200
    assert response.content_type == "text/plain; version=0.0.4; charset=utf-8"


def test_metrics_closed_without_configured_scraper_token(
        ops_engine: ProcessEngine, web_config: dict[str, Any]) -> None:
    app = create_app({**web_config, "METRICS_BEARER_TOKEN": ""}, engine=ops_engine)
    client = app.test_client()

    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401


def test_metrics_administrator_token_with_scope_reads(ops_app: Flask,
                                                      ops_engine: ProcessEngine) -> None:
    issued = ops_engine.tokens.create("Prometheus", ["metrics:read"], "admin", "admin")

    response = ops_app.test_client().get("/metrics", headers=bearer(issued.secret))

    assert response.status_code == 200


def test_metrics_administrator_token_without_scope_is_401(ops_app: Flask,
                                                          ops_engine: ProcessEngine) -> None:
    issued = ops_engine.tokens.create("Integrasjon", ["tasks:read", "instances:read"], "admin",
                                      "admin")

    response = ops_app.test_client().get("/metrics", headers=bearer(issued.secret))

    assert response.status_code == 401


def test_metrics_scope_token_of_employee_is_401(ops_app: Flask,
                                                ops_engine: ProcessEngine) -> None:
    issued = ops_engine.tokens.create("Ola sin", ["metrics:read"], "ola.ansatt", "admin")

    response = ops_app.test_client().get("/metrics", headers=bearer(issued.secret))

    assert response.status_code == 401


def test_metrics_revoked_token_is_401(ops_app: Flask, ops_engine: ProcessEngine) -> None:
    issued = ops_engine.tokens.create("Prometheus", ["metrics:read"], "admin", "admin")
    ops_engine.tokens.revoke(issued.token.id, "admin")

    response = ops_app.test_client().get("/metrics", headers=bearer(issued.secret))

    assert response.status_code == 401


def test_metrics_signed_in_administrator_without_token_is_403(ops_app: Flask) -> None:
    client = ops_app.test_client()
    login = client.post("/logg-inn", data={"brukernavn": "admin", "passord": "demo"})
    assert login.status_code == 302

    response = client.get("/metrics")

    assert response.status_code == 403


# --- content ---------------------------------------------------------------------------------

def test_metrics_lists_every_family(scrape: Callable[[], Samples], ops_app: Flask) -> None:
    text = ops_app.test_client().get("/metrics", headers=bearer(SCRAPER_TOKEN)).get_data(
        as_text=True)

    for name, kind in (("sloyfe_instances_started_total", "counter"),
                       ("sloyfe_instances_completed_total", "counter"),
                       ("sloyfe_tasks_open", "gauge"), ("sloyfe_tasks_overdue", "gauge"),
                       ("sloyfe_incidents_open", "gauge"), ("sloyfe_timers_due", "gauge"),
                       ("sloyfe_timers_late", "gauge"),
                       ("sloyfe_scheduler_last_poll_timestamp_seconds", "gauge"),
                       ("sloyfe_http_request_duration_seconds", "histogram")):
        assert f"# TYPE {name} {kind}\n" in text, name


def test_counters_move_as_case_starts_and_completes(
        ops_engine: ProcessEngine, scrape: Callable[[], Samples]) -> None:
    instance_id = ops_engine.runtime.start("enkel", "admin", {}).instance_id
    started = scrape()
    with ops_engine.transaction(read_only=True):
        (task,) = ops_engine.tasks.open_tasks_of_instance(instance_id, "gjor")
    ops_engine.tasks.complete(task.id, "admin", {})
    completed = scrape()

    assert sample(started, "sloyfe_instances_started_total", process="enkel") == 1
    assert sample(started, "sloyfe_instances_completed_total", process="enkel") == 0
    assert sample(started, "sloyfe_tasks_open", process="enkel") == 1
    assert sample(completed, "sloyfe_instances_started_total", process="enkel") == 1
    assert sample(completed, "sloyfe_instances_completed_total", process="enkel") == 1
    assert sample(completed, "sloyfe_tasks_open", process="enkel") == 0


def test_overdue_task_counted(ops_engine: ProcessEngine, clock: FixedClock,
                              scrape: Callable[[], Samples]) -> None:
    ops_engine.runtime.start("enkel", "admin", {})
    on_time = scrape()
    clock.advance(timedelta(days=1, minutes=1))
    overdue = scrape()

    assert sample(on_time, "sloyfe_tasks_overdue", process="enkel") == 0
    assert sample(overdue, "sloyfe_tasks_overdue", process="enkel") == 1
    assert sample(overdue, "sloyfe_tasks_open", process="enkel") == 1


def test_late_timer_counted(ops_engine: ProcessEngine, clock: FixedClock,
                            scrape: Callable[[], Samples]) -> None:
    ops_engine.runtime.start("vent", "admin", {})
    waiting = scrape()
    clock.advance(timedelta(hours=1, minutes=1))
    due = scrape()
    clock.advance(timedelta(minutes=5))  # METRICS_TIMER_LATE_SECONDS is 300 by default
    late = scrape()
    ops_engine.management.run_due()
    fired = scrape()

    assert sample(waiting, "sloyfe_timers_due") == 0
    assert sample(due, "sloyfe_timers_due") == 1
    assert sample(due, "sloyfe_timers_late") == 0
    assert sample(late, "sloyfe_timers_due") == 1
    assert sample(late, "sloyfe_timers_late") == 1
    assert sample(fired, "sloyfe_timers_due") == 0
    assert sample(fired, "sloyfe_timers_late") == 0


def test_late_threshold_is_a_setting(make_engine: Callable[..., ProcessEngine],
                                     clock: FixedClock, web_config: dict[str, Any]) -> None:
    engine = make_engine(METRICS_TIMER_LATE_SECONDS=30)
    load_organisation(engine)
    engine.repository.deploy([("vent.bpmn", WAIT_AN_HOUR.encode())])
    app = create_app({**web_config, "METRICS_BEARER_TOKEN": SCRAPER_TOKEN}, engine=engine)
    engine.runtime.start("vent", "admin", {})
    clock.advance(timedelta(hours=1, minutes=1))

    response = app.test_client().get("/metrics", headers=bearer(SCRAPER_TOKEN))
    samples = parse_exposition(response.get_data(as_text=True))

    assert sample(samples, "sloyfe_timers_late") == 1


def test_open_incident_counted(ops_engine: ProcessEngine, scrape: Callable[[], Samples]) -> None:
    ops_engine.runtime.start("feiler", "admin", {})
    ops_engine.management.run_due()

    samples = scrape()

    assert sample(samples, "sloyfe_incidents_open", process="feiler") == 1
    assert sample(samples, "sloyfe_incidents_open", process="enkel") is None


def test_histogram_counts_request(ops_app: Flask, scrape: Callable[[], Samples]) -> None:
    client = ops_app.test_client()
    client.get("/healthz")
    client.get("/healthz")

    samples = scrape()

    assert sample(samples, "sloyfe_http_request_duration_seconds_count",
                  method="GET", route="/healthz") == 2
    assert sample(samples, "sloyfe_http_request_duration_seconds_bucket",
                  method="GET", route="/healthz", le="+Inf") == 2


def test_histogram_labels_route_template(ops_app: Flask, ops_engine: ProcessEngine,
                                         scrape: Callable[[], Samples]) -> None:
    client = ops_app.test_client()
    client.post("/logg-inn", data={"brukernavn": "admin", "passord": "demo"})
    client.get("/saker/12345")

    samples = scrape()

    assert sample(samples, "sloyfe_http_request_duration_seconds_count",
                  method="GET", route="/saker/<int:instance_id>") == 1
