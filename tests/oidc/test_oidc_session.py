"""The session after a provider log-in is the one a password log-in gets: cookie and limits."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from werkzeug.test import TestResponse

from engine.runtime.clock import FixedClock
from tests.oidc.conftest import Browser, entra_settings
from tests.oidc.provider import LoopbackProvider

HTTPS_BASE = "https://sloyfe.eksempel.kommune.no"


def cookie_attributes(response: TestResponse) -> list[str]:
    """Return the session cookie's attributes without its value and expiry date."""
    header = next(value for value in response.headers.getlist("Set-Cookie")
                  if value.startswith("sloyfe_session="))
    attributes = [part.strip() for part in header.split(";")[1:]]
    return sorted(re.sub(r"^Expires=.*", "Expires", part) for part in attributes)


def password_login(app: Flask) -> TestResponse:
    return app.test_client().post("/logg-inn", data={"brukernavn": "admin", "passord": "demo"})


def test_cookie_matches_password_login(app: Flask, browser: Browser) -> None:
    expected = cookie_attributes(password_login(app))

    response = browser.log_in()

    assert cookie_attributes(response) == expected
    assert "HttpOnly" in expected
    assert "SameSite=Lax" in expected
    assert "Expires" in expected


def test_cookie_secure_on_https(make_app: Callable[..., Flask],
                                provider: LoopbackProvider) -> None:
    app = make_app(entra_settings(provider), BASE_URL=HTTPS_BASE)
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    browser = Browser(client)
    expected = cookie_attributes(password_login(app))

    response = browser.log_in()

    assert cookie_attributes(response) == expected
    assert "Secure" in expected


def test_callback_address_uses_base_url(make_app: Callable[..., Flask],
                                        provider: LoopbackProvider) -> None:
    browser = Browser(make_app(entra_settings(provider), BASE_URL=HTTPS_BASE).test_client())

    authorize_url = browser.start("entra")

    query = parse_qs(urlsplit(authorize_url).query)
    assert query["redirect_uri"] == [HTTPS_BASE + "/logg-inn/entra/tilbake"]


def test_login_gives_new_cookie(app: Flask, browser: Browser) -> None:
    authorize_url = browser.start("entra")
    before = browser.client.get_cookie(app.config["SESSION_COOKIE_NAME"])

    browser.return_to(browser.visit_provider(authorize_url))
    after = browser.client.get_cookie(app.config["SESSION_COOKIE_NAME"])

    assert before is not None
    assert after is not None
    assert after.value != before.value


def test_two_logins_get_different_sessions(app: Flask, provider: LoopbackProvider) -> None:
    cookies = set()
    for _attempt in range(2):
        browser = Browser(app.test_client())
        browser.log_in()
        cookie = browser.client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        assert cookie is not None
        cookies.add(cookie.value)

    assert len(cookies) == 2


def test_session_ends_after_lifetime(browser: Browser, clock: FixedClock) -> None:
    browser.log_in()
    for _hour in range(7):
        clock.advance(minutes=50)
        assert browser.client.get("/").status_code == 200
    clock.advance(minutes=75)  # 8 hours and 5 minutes after the log-in, 25 minutes idle

    response = browser.client.get("/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/logg-inn")


def test_session_survives_activity(browser: Browser, clock: FixedClock) -> None:
    browser.log_in()
    clock.advance(minutes=50)
    browser.client.get("/")
    clock.advance(minutes=50)

    assert browser.signed_in()
