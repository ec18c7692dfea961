"""Ending sessions early: a log-out, a new password or an operator ends every copy of them."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from engine.cli import main
from engine.engine import ProcessEngine
from engine.runtime.clock import FixedClock

ENDED_MESSAGE = "Du er logget ut, i denne nettleseren eller en annen."


def copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """A second client that carries the same session cookie, as a stolen copy would."""
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    assert cookie is not None, "no session cookie"
    thief = app.test_client()
    thief.set_cookie(name, cookie.value)
    return thief


def test_copied_cookie_works_before_logout(app: Flask,
                                           login_as: Callable[[str], FlaskClient]) -> None:
    copy = copy_of(app, login_as("ola.ansatt"))

    assert copy.get("/saker").status_code == 200


def test_logout_ends_copied_cookie(app: Flask, login_as: Callable[[str], FlaskClient],
                                   clock: FixedClock) -> None:
    client = login_as("ola.ansatt")
    copy = copy_of(app, client)
    clock.advance(seconds=1)

    client.post("/logg-ut")
    response = copy.get("/saker")

    assert response.status_code == 302
    assert response.headers["Location"] == "/logg-inn?next=/saker"
    assert ENDED_MESSAGE in copy.get("/logg-inn").get_data(as_text=True)


def test_logout_ends_other_browsers(login_as: Callable[[str], FlaskClient],
                                    clock: FixedClock) -> None:
    laptop = login_as("ola.ansatt")
    phone = login_as("ola.ansatt")
    clock.advance(seconds=1)

    laptop.post("/logg-ut")

    assert phone.get("/saker").status_code == 302


def test_logout_keeps_other_users(login_as: Callable[[str], FlaskClient],
                                  clock: FixedClock) -> None:
    reporter = login_as("ola.ansatt")
    leader = login_as("lise.leder")
    clock.advance(seconds=1)

    reporter.post("/logg-ut")

    assert leader.get("/saker").status_code == 200


def test_login_after_logout_works(login_as: Callable[[str], FlaskClient],
                                  clock: FixedClock) -> None:
    login_as("ola.ansatt").post("/logg-ut")
    clock.advance(seconds=1)

    again = login_as("ola.ansatt")

    assert again.get("/saker").status_code == 200


def test_new_password_ends_sessions(demo_engine: ProcessEngine,
                                    login_as: Callable[[str], FlaskClient],
                                    clock: FixedClock) -> None:
    client = login_as("ola.ansatt")
    clock.advance(seconds=1)

    demo_engine.organisation.set_password("ola.ansatt", "et nytt passord", actor="admin")

    assert client.get("/saker").status_code == 302


def test_operator_ends_sessions(demo_engine: ProcessEngine,
                                login_as: Callable[[str], FlaskClient],
                                clock: FixedClock, database_url: str) -> None:
    client = login_as("ola.ansatt")
    clock.advance(seconds=1)

    result = CliRunner().invoke(main, ["user", "end-sessions", "ola.ansatt"], env={
        "SLOYFE_DATABASE_URL": database_url, "SLOYFE_SMTP_HOST": "",
        "SLOYFE_NOW": "2027-01-04T09:30"})
    demo_engine.organisation.forget_profiles()

    assert result.exit_code == 0, result.output
    assert "ola.ansatt" in result.output
    assert client.get("/saker").status_code == 302
