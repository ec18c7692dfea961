"""A test client on the real app and engine, with the demo municipality loaded."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.app import create_app
from engine.engine import ProcessEngine

# A deviation report as the start form posts it.
REPORT_FORM: dict[str, str] = {
    "tittel": "Feil medisin gitt på kveldsvakt",
    "hva_skjedde": "En beboer fikk tablettene til en annen beboer.",
    "tidspunkt:date": "04.01.2027",
    "tidspunkt:time": "08:30",
    "sted": "Avdeling 2",
    "enhet": "sykehjem",
    "kategori": "tjeneste",
    "alvorlighetsgrad": "Middels",
}

# The same report as the JSON API would send it, for starting cases without the UI.
REPORT_DATA: dict[str, Any] = {
    "tittel": "Feil medisin gitt på kveldsvakt",
    "hva_skjedde": "En beboer fikk tablettene til en annen beboer.",
    "tidspunkt": "2027-01-04T08:30:00+01:00",
    "sted": "Avdeling 2",
    "enhet": "sykehjem",
    "kategori": "tjeneste",
    "alvorlighetsgrad": "Middels",
    "personopplysninger": False,
    "personskade": False,
    "alvorlig_hendelse": False,
}

ACCEPT_FORM: dict[str, str] = {"beslutning": "godta", "alvorlighetsgrad": "Middels"}

# Two measures from the cause analysis, one for each handler of the nursing home.
MEASURES: list[dict[str, str]] = [
    {"tittel": "Innfør dobbeltkontroll", "ansvarlig": "fatima.ansatt", "frist": "2027-01-20"},
    {"tittel": "Oppdater rutinen", "ansvarlig": "lise.leder", "frist": "2027-01-25"},
]


@pytest.fixture
def web_config(test_config: dict[str, Any]) -> dict[str, Any]:
    return {**test_config, "TESTING": True, "WTF_CSRF_ENABLED": False, "SHOW_DEMO_USERS": True}


@pytest.fixture
def app(demo_engine: ProcessEngine, web_config: dict[str, Any]) -> Flask:
    return create_app(web_config, engine=demo_engine)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def login_as(app: Flask) -> Callable[[str], FlaskClient]:
    """Return a new client logged in as the given demo user."""

    def log_in(username: str) -> FlaskClient:
        client = app.test_client()
        response = client.post("/logg-inn", data={"brukernavn": username, "passord": "demo"})
        assert response.status_code == 302, f"log-in as {username} failed"
        return client

    return log_in


@pytest.fixture
def report(demo_engine: ProcessEngine) -> Callable[..., int]:
    """Start a deviation case as ola.ansatt through the engine; returns the instance id."""

    def start(**changes: Any) -> int:
        data = {**REPORT_DATA, **changes}
        return demo_engine.runtime.start("avvik", "ola.ansatt", data).instance_id

    return start


def handle_to_analysis(engine: ProcessEngine, instance_id: int) -> str:
    """Accept the case and do its immediate measures as lise.leder, who then has the cause
    analysis; returns the id of that task."""
    engine.tasks.complete(open_task_id(engine, instance_id, "VurderAvvik"), "lise.leder",
                          {"beslutning": "godta", "alvorlighetsgrad": "Middels"})
    engine.tasks.complete(open_task_id(engine, instance_id, "Strakstiltak"), "lise.leder",
                          {"strakstiltak": "Legevakt kontaktet."})
    return open_task_id(engine, instance_id, "AnalyserAarsak")


ANALYSIS_DATA: dict[str, Any] = {
    "aarsak": "Medisinene lå i feil dosett.",
    "faktisk_konsekvens": "Beboeren ble kvalm.",
    "potensiell_konsekvens": "Alvorlig forgiftning.",
}


def open_task_id(engine: ProcessEngine, instance_id: int, element_id: str) -> str:
    with engine.transaction(read_only=True):
        tasks = engine.tasks.open_tasks_of_instance(instance_id, element_id)
    assert len(tasks) == 1, f"expected one open {element_id}, found {len(tasks)}"
    return tasks[0].id


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)
