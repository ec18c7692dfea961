"""A post larger than MAX_CONTENT_LENGTH gets the 413 page in bokmål, and nothing is saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from engine.app import create_app
from engine.engine import ProcessEngine
from tests.web.conftest import REPORT_FORM, csrf_token, open_task_id

TOO_LARGE = "Det du sendte, er for stort. Gjør teksten kortere og prøv igjen."
# Twice the default limit of 1 MB.
LARGE_TEXT = "x" * (2 * 1024 * 1024)


def started_cases(engine: ProcessEngine) -> int:
    with engine.transaction(read_only=True):
        return len(engine.runtime.instances(started_by="ola.ansatt"))


def test_large_report_is_refused(login_as: Callable[[str], FlaskClient],
                                 demo_engine: ProcessEngine) -> None:
    client = login_as("ola.ansatt")

    response = client.post("/start/avvik", data={**REPORT_FORM, "hva_skjedde": LARGE_TEXT})
    html = response.get_data(as_text=True)

    assert response.status_code == 413
    assert TOO_LARGE in html
    assert LARGE_TEXT[:1000] not in html
    assert started_cases(demo_engine) == 0


def test_report_under_limit_is_saved(login_as: Callable[[str], FlaskClient],
                                     demo_engine: ProcessEngine) -> None:
    client = login_as("ola.ansatt")

    response = client.post("/start/avvik", data=REPORT_FORM)

    assert response.status_code == 302
    assert started_cases(demo_engine) == 1


def test_large_task_post_changes_nothing(login_as: Callable[[str], FlaskClient],
                                         demo_engine: ProcessEngine,
                                         report: Callable[..., int]) -> None:
    task_id = open_task_id(demo_engine, report(), "VurderAvvik")
    demo_engine.tasks.claim(task_id, "lise.leder")
    client = login_as("lise.leder")

    response = client.post(f"/oppgaver/{task_id}", data={"beslutning": "godta",
                                                        "alvorlighetsgrad": "Middels",
                                                        "kommentar": LARGE_TEXT})

    assert response.status_code == 413
    assert TOO_LARGE in response.get_data(as_text=True)
    with demo_engine.transaction(read_only=True):
        assert demo_engine.tasks.get(task_id).state == "open"


def test_large_post_refused_with_csrf_on(demo_engine: ProcessEngine,
                                         web_config: dict[str, Any]) -> None:
    app = create_app({**web_config, "WTF_CSRF_ENABLED": True}, engine=demo_engine)
    client = app.test_client()
    token = csrf_token(client.get("/logg-inn").get_data(as_text=True))
    client.post("/logg-inn", data={"brukernavn": "ola.ansatt", "passord": "demo",
                                   "csrf_token": token})
    token = csrf_token(client.get("/start/avvik").get_data(as_text=True))

    response = client.post("/start/avvik", data={**REPORT_FORM, "csrf_token": token,
                                                 "hva_skjedde": LARGE_TEXT})

    assert response.status_code == 413
    assert TOO_LARGE in response.get_data(as_text=True)
    assert started_cases(demo_engine) == 0


def test_large_post_without_session_gets_413(client: FlaskClient) -> None:
    response = client.post("/start/avvik", data={"hva_skjedde": LARGE_TEXT})

    assert response.status_code == 413
    assert TOO_LARGE in response.get_data(as_text=True)
