"""Log-in, log-out, the log-in requirement, the session cookie and CSRF."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from engine.app import create_app
from engine.engine import ProcessEngine
from tests.web.conftest import csrf_token


def test_login_succeeds_with_right_password(client: FlaskClient) -> None:
    response = client.post("/logg-inn", data={"brukernavn": "ola.ansatt", "passord": "demo"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Ola Olsen" in client.get("/").get_data(as_text=True)


def test_login_fails_with_norwegian_message(client: FlaskClient) -> None:
    response = client.post("/logg-inn", data={"brukernavn": "ola.ansatt", "passord": "feil"})
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "Feil brukernavn eller passord." in html
    assert 'value="ola.ansatt"' in html
    assert client.get("/").status_code == 302


def test_login_fails_for_unknown_user(client: FlaskClient) -> None:
    response = client.post("/logg-inn", data={"brukernavn": "ingen.slik", "passord": "demo"})

    assert "Feil brukernavn eller passord." in response.get_data(as_text=True)


def test_login_with_empty_fields_asks_for_both(client: FlaskClient) -> None:
    for data in ({"brukernavn": "", "passord": ""}, {"brukernavn": "ola.ansatt", "passord": ""},
                 {"brukernavn": " ", "passord": "demo"}):
        html = client.post("/logg-inn", data=data).get_data(as_text=True)

        assert "Skriv brukernavn og passord." in html, data
        assert "Feil brukernavn eller passord." not in html, data


def test_pages_redirect_to_login_with_next(client: FlaskClient) -> None:
    response = client.get("/oppgaver?visning=felles")

    assert response.status_code == 302
    assert response.headers["Location"] == "/logg-inn?next=/oppgaver?visning%3Dfelles"


def test_unknown_address_not_kept_as_next(client: FlaskClient) -> None:
    response = client.get("/finnes-ikke")

    assert response.headers["Location"] == "/logg-inn"


def test_english_login_address_redirects(client: FlaskClient) -> None:
    response = client.get("/login")

    assert response.status_code == 302
    assert response.headers["Location"] == "/logg-inn"


def test_english_login_address_keeps_next(client: FlaskClient) -> None:
    response = client.get("/login?next=/saker")

    assert response.headers["Location"] == "/logg-inn?next=/saker"


def test_login_from_english_address_ends_home(client: FlaskClient) -> None:
    client.get("/login")
    response = client.post("/logg-inn", data={"brukernavn": "ola.ansatt", "passord": "demo"},
                           follow_redirects=True)

    assert response.status_code == 200


def test_login_follows_local_next(client: FlaskClient) -> None:
    response = client.post("/logg-inn", data={"brukernavn": "ola.ansatt", "passord": "demo",
                                              "next": "/saker"})

    assert response.headers["Location"] == "/saker"


def test_login_ignores_next_to_other_site(client: FlaskClient) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example/",
                   "javascript:alert(1)"):
        response = client.post("/logg-inn", data={"brukernavn": "ola.ansatt",
                                                  "passord": "demo", "next": target})
        assert response.headers["Location"] == "/", target
        client.post("/logg-ut")


def test_logout_ends_session(login_as: Any) -> None:
    client = login_as("ola.ansatt")

    response = client.post("/logg-ut")

    assert response.headers["Location"] == "/logg-inn"
    assert client.get("/").status_code == 302


def test_logout_rejects_get(login_as: Any) -> None:
    client = login_as("ola.ansatt")

    assert client.get("/logg-ut").status_code == 405
    assert client.get("/").status_code == 200


def test_session_cookie_is_httponly_and_lax(client: FlaskClient) -> None:
    response = client.post("/logg-inn", data={"brukernavn": "ola.ansatt", "passord": "demo"})
    cookie = response.headers["Set-Cookie"]

    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_demo_users_listed_when_enabled(client: FlaskClient) -> None:
    html = client.get("/logg-inn").get_data(as_text=True)

    assert "Lise Johansen" in html
    assert "Leder – Eksempel sykehjem" in html
    assert "passordet «demo»" in html
    assert 'href="/logg-inn?brukernavn=lise.leder"' in html


def test_demo_link_fills_user_name(client: FlaskClient) -> None:
    html = client.get("/logg-inn?brukernavn=lise.leder").get_data(as_text=True)

    assert 'id="brukernavn" name="brukernavn" value="lise.leder"' in html


def test_demo_users_hidden_by_default(demo_engine: ProcessEngine,
                                      web_config: dict[str, Any]) -> None:
    app = create_app({**web_config, "SHOW_DEMO_USERS": False}, engine=demo_engine)

    html = app.test_client().get("/logg-inn").get_data(as_text=True)

    assert "Lise Johansen" not in html


def test_csrf_rejects_post_without_token(demo_engine: ProcessEngine,
                                         web_config: dict[str, Any]) -> None:
    app = create_app({**web_config, "WTF_CSRF_ENABLED": True}, engine=demo_engine)
    client = app.test_client()

    response = client.post("/logg-inn", data={"brukernavn": "ola.ansatt", "passord": "demo"})

    assert response.status_code == 400
    assert "Skjemaet er utløpt" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_csrf_accepts_post_with_token(demo_engine: ProcessEngine,
                                      web_config: dict[str, Any]) -> None:
    app = create_app({**web_config, "WTF_CSRF_ENABLED": True}, engine=demo_engine)
    client = app.test_client()
    token = csrf_token(client.get("/logg-inn").get_data(as_text=True))

    response = client.post("/logg-inn", data={"brukernavn": "ola.ansatt", "passord": "demo",
                                              "csrf_token": token})

    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_csrf_guards_logout(demo_engine: ProcessEngine, web_config: dict[str, Any]) -> None:
    app = create_app({**web_config, "WTF_CSRF_ENABLED": True}, engine=demo_engine)
    client = app.test_client()
    token = csrf_token(client.get("/logg-inn").get_data(as_text=True))
    client.post("/logg-inn", data={"brukernavn": "ola.ansatt", "passord": "demo",
                                   "csrf_token": token})

    assert client.post("/logg-ut").status_code == 400
    assert client.get("/").status_code == 200


def test_language_chosen_before_login_kept(client: FlaskClient) -> None:
    client.post("/sprak", data={"sprak": "en", "next": "/logg-inn"})
    client.post("/logg-inn", data={"brukernavn": "ola.ansatt", "passord": "demo"})

    html = client.get("/").get_data(as_text=True)

    assert '<html lang="en"' in html
