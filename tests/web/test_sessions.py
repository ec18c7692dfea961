"""The session cookie: its flags, idle and absolute expiry, and a new session at log-in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from engine.app import create_app
from engine.engine import ProcessEngine
from engine.runtime.clock import FixedClock
from engine.web.sessions import LAST_SEEN_AT, LOGGED_IN_AT, SESSION_USER
from tests.web.conftest import csrf_token

IDLE_MESSAGE = "Du ble logget ut etter 60 minutter uten aktivitet. Logg inn igjen for å " \
               "fortsette."


def session_cookie(app: Flask, client: FlaskClient) -> str:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None, "no session cookie"
    return cookie.value


def test_cookie_flags_on_http(client: FlaskClient) -> None:
    response = client.post("/logg-inn", data={"brukernavn": "ola.ansatt", "passord": "demo"})
    cookie = response.headers["Set-Cookie"]

    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_cookie_secure_on_https(demo_engine: ProcessEngine,
                                web_config: dict[str, Any]) -> None:
    app = create_app({**web_config, "BASE_URL": "https://sloyfe.eksempel.kommune.no"},
                     engine=demo_engine)

    response = app.test_client().post("/logg-inn", data={"brukernavn": "ola.ansatt",
                                                         "passord": "demo"})
    cookie = response.headers["Set-Cookie"]

    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_idle_session_ends_with_message(login_as: Callable[[str], FlaskClient],
                                        clock: FixedClock) -> None:
    client = login_as("ola.ansatt")
    clock.advance(minutes=60)

    response = client.get("/saker")

    assert response.status_code == 302
    assert response.headers["Location"] == "/logg-inn?next=/saker"
    assert IDLE_MESSAGE in client.get("/logg-inn").get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_activity_keeps_session(login_as: Callable[[str], FlaskClient],
                                clock: FixedClock) -> None:
    client = login_as("ola.ansatt")
    for _hour in range(3):
        clock.advance(minutes=59)
        assert client.get("/").status_code == 200


def test_session_ends_after_lifetime(login_as: Callable[[str], FlaskClient],
                                     clock: FixedClock) -> None:
    client = login_as("ola.ansatt")
    for _step in range(9):
        clock.advance(minutes=50)
        assert client.get("/").status_code == 200
    clock.advance(minutes=30)

    response = client.get("/")
    page = client.get("/logg-inn").get_data(as_text=True)

    assert response.status_code == 302
    assert "Innloggingen din er utløpt. Logg inn igjen for å fortsette." in page


def test_idle_limit_follows_configuration(demo_engine: ProcessEngine,
                                          web_config: dict[str, Any],
                                          clock: FixedClock) -> None:
    app = create_app({**web_config, "SESSION_IDLE_MINUTES": 5}, engine=demo_engine)
    client = app.test_client()
    client.post("/logg-inn", data={"brukernavn": "ola.ansatt", "passord": "demo"})
    clock.advance(minutes=4)
    assert client.get("/").status_code == 200
    clock.advance(minutes=5)

    client.get("/")

    assert "etter 5 minutter uten aktivitet" in client.get("/logg-inn").get_data(as_text=True)


def test_idle_post_keeps_written_text(login_as: Callable[[str], FlaskClient],
                                      clock: FixedClock, demo_engine: ProcessEngine) -> None:
    client = login_as("ola.ansatt")
    clock.advance(hours=2)

    response = client.post("/start/avvik", data={"tittel": "Fall i gangen",
                                                 "hva_skjedde": "Beboeren <b>falt</b>."})
    html = response.get_data(as_text=True)

    assert response.status_code == 401
    assert "Du ble logget ut etter 60 minutter uten aktivitet" in html
    assert "Beboeren &lt;b&gt;falt&lt;/b&gt;." in html
    assert 'href="/logg-inn?next=/start/avvik"' in html
    with demo_engine.transaction(read_only=True):
        assert demo_engine.runtime.instances(started_by="ola.ansatt") == []


def test_session_without_times_counts_as_ended(client: FlaskClient) -> None:
    with client.session_transaction() as session:
        session[SESSION_USER] = "ola.ansatt"

    assert client.get("/").status_code == 302


def test_login_starts_new_session(demo_engine: ProcessEngine,
                                  web_config: dict[str, Any]) -> None:
    app = create_app({**web_config, "WTF_CSRF_ENABLED": True}, engine=demo_engine)
    client = app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    token = csrf_token(client.get("/logg-inn").get_data(as_text=True))
    before = session_cookie(app, client)

    client.post("/logg-inn", data={"brukernavn": "ola.ansatt", "passord": "demo",
                                   "csrf_token": token})

    with client.session_transaction() as session:
        assert "planted" not in session
        assert session[SESSION_USER] == "ola.ansatt"
        assert session[LOGGED_IN_AT] == session[LAST_SEEN_AT]
    assert session_cookie(app, client) != before
    assert csrf_token(client.get("/").get_data(as_text=True)) != token


def test_two_logins_get_different_sessions(app: Flask) -> None:
    cookies = set()
    for _login in range(2):
        client = app.test_client()
        client.post("/logg-inn", data={"brukernavn": "ola.ansatt", "passord": "demo"})
        cookies.add(session_cookie(app, client))

    assert len(cookies) == 2


def test_logout_clears_session(login_as: Callable[[str], FlaskClient]) -> None:
    client = login_as("ola.ansatt")

    client.post("/logg-ut")

    with client.session_transaction() as session:
        assert SESSION_USER not in session
        assert LOGGED_IN_AT not in session
        assert set(session) <= {"_flashes"}
