"""A provider that misbehaves or cannot be reached: a clear page, a log line, no session."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from engine.engine import ProcessEngine
from engine.models import LoginAttempt
from engine.runtime.clock import FixedClock
from tests.oidc.conftest import Browser, entra_settings
from tests.oidc.provider import (
    ACCESS_DENIED,
    EXPIRED,
    MISSING_NONCE,
    TOKEN_ERROR_500,
    UNSIGNED,
    WRONG_AUDIENCE,
    WRONG_ISSUER,
    WRONG_KEY,
    WRONG_NONCE,
    LoopbackProvider,
    generate_key,
)

NOT_VERIFIED = ("Sløyfe kunne ikke bekrefte svaret fra Microsoft, så du er ikke logget inn. "
                "Start innloggingen på nytt. Skjer det igjen, si fra til IT-avdelingen.")
CANCELLED = ("Innloggingen hos Microsoft ble avbrutt eller avvist, så du er ikke logget inn. "
             "Prøv igjen, eller velg en annen måte å logge inn på.")
REPORTED_ERROR = ("Microsoft meldte om en feil, så du er ikke logget inn. Prøv igjen om noen "
                  "minutter. Skjer det igjen, si fra til IT-avdelingen.")
UNREACHABLE = ("Sløyfe fikk ikke kontakt med Microsoft, så du er ikke logget inn. Prøv igjen "
               "om noen minutter. Skjer det igjen, si fra til IT-avdelingen.")

# misbehaviour, status of the page, its message, the logged code, and a word of the logged
# reason (for the ID token checks).
MISBEHAVIOURS = [
    (WRONG_KEY, 403, NOT_VERIFIED, "id_token_invalid", "bad_signature"),
    (UNSIGNED, 403, NOT_VERIFIED, "id_token_invalid", "none"),
    (WRONG_AUDIENCE, 403, NOT_VERIFIED, "id_token_invalid", "aud"),
    (WRONG_ISSUER, 403, NOT_VERIFIED, "id_token_invalid", "iss"),
    (EXPIRED, 403, NOT_VERIFIED, "id_token_invalid", "expired"),
    (WRONG_NONCE, 403, NOT_VERIFIED, "id_token_invalid", "nonce"),
    (MISSING_NONCE, 403, NOT_VERIFIED, "id_token_invalid", "nonce"),
    (ACCESS_DENIED, 403, CANCELLED, "provider_login_cancelled", None),
    (TOKEN_ERROR_500, 200, REPORTED_ERROR, "provider_reported_error", None),
]
CASE_IDS = [case[0] for case in MISBEHAVIOURS]


def failure_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records
            if record.getMessage().startswith("oidc log-in failed")]


def page_text(response: object) -> str:
    return response.get_data(as_text=True)  # type: ignore[attr-defined]


def attempts(engine: ProcessEngine) -> list[tuple[str | None, bool]]:
    with engine.transaction(read_only=True):
        rows = engine.logins.session.scalars(select(LoginAttempt).order_by(LoginAttempt.id))
        return [(row.username, row.success) for row in rows]


@pytest.fixture
def log_records(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO)
    return caplog


@pytest.mark.parametrize(("misbehaviour", "status", "message", "code", "reason"),
                         MISBEHAVIOURS, ids=CASE_IDS)
def test_misbehaviour_shows_message(browser: Browser, provider: LoopbackProvider,
                                    misbehaviour: str, status: int, message: str, code: str,
                                    reason: str | None) -> None:
    provider.misbehaviour = misbehaviour

    response = browser.log_in()
    html = page_text(response)

    assert response.status_code == status
    assert message in html
    assert "Traceback" not in html
    assert 'name="passord"' in html
    assert not browser.signed_in()


@pytest.mark.parametrize(("misbehaviour", "status", "message", "code", "reason"),
                         MISBEHAVIOURS, ids=CASE_IDS)
def test_misbehaviour_is_logged(browser: Browser, provider: LoopbackProvider,
                                log_records: pytest.LogCaptureFixture, misbehaviour: str,
                                status: int, message: str, code: str,
                                reason: str | None) -> None:
    provider.misbehaviour = misbehaviour

    response = browser.log_in()
    lines = failure_lines(log_records)

    assert len(lines) == 1
    assert f"provider=entra code={code}" in lines[0].getMessage()
    assert lines[0].request_id == response.headers["X-Request-Id"]  # type: ignore[attr-defined]
    assert not any(record.levelno >= logging.ERROR for record in log_records.records)


@pytest.mark.parametrize(("misbehaviour", "reason"),
                         [(case[0], case[4]) for case in MISBEHAVIOURS if case[4]],
                         ids=[case[0] for case in MISBEHAVIOURS if case[4]])
def test_rejected_token_logs_reason(browser: Browser, provider: LoopbackProvider,
                                    log_records: pytest.LogCaptureFixture, misbehaviour: str,
                                    reason: str) -> None:
    provider.misbehaviour = misbehaviour

    browser.log_in()
    rejections = [record.getMessage() for record in log_records.records
                  if record.getMessage().startswith("oidc id token rejected")]

    assert len(rejections) == 1
    assert reason in rejections[0]


def test_token_endpoint_status_logged(browser: Browser, provider: LoopbackProvider,
                                      log_records: pytest.LogCaptureFixture) -> None:
    provider.misbehaviour = TOKEN_ERROR_500

    browser.log_in()
    messages = [record.getMessage() for record in log_records.records]

    assert "oidc token request failed provider=entra error=HTTPError status=500" in messages


def test_misbehaviour_recorded_as_failure(browser: Browser, provider: LoopbackProvider,
                                          demo_engine: ProcessEngine) -> None:
    provider.misbehaviour = WRONG_AUDIENCE

    browser.log_in()

    assert attempts(demo_engine) == [(None, False)]


def test_token_expired_while_waiting(browser: Browser, clock: FixedClock) -> None:
    callback = browser.visit_provider(browser.start("entra"))
    clock.advance(minutes=7)  # past the token's five minutes and the minute of leeway

    response = browser.return_to(callback)

    assert response.status_code == 403
    assert NOT_VERIFIED in page_text(response)
    assert not browser.signed_in()


def test_token_within_leeway_accepted(browser: Browser, clock: FixedClock) -> None:
    callback = browser.visit_provider(browser.start("entra"))
    clock.advance(seconds=330)  # 30 seconds past exp, inside the minute of leeway

    browser.return_to(callback)

    assert browser.signed_in()


def test_other_provider_error_reported(browser: Browser,
                                       log_records: pytest.LogCaptureFixture) -> None:
    callback = browser.visit_provider(browser.start("entra"))
    state = callback.split("state=", 1)[1].split("&", 1)[0]

    response = browser.client.get(
        f"/logg-inn/entra/tilbake?state={state}&error=temporarily_unavailable"
        "&error_description=Pr%C3%B8v+igjen")

    assert response.status_code == 200
    assert REPORTED_ERROR in page_text(response)
    assert any("error=temporarily_unavailable" in record.getMessage()
               for record in log_records.records)
    assert not browser.signed_in()


def test_error_text_not_logged_verbatim(browser: Browser,
                                        log_records: pytest.LogCaptureFixture) -> None:
    callback = browser.visit_provider(browser.start("entra"))
    state = callback.split("state=", 1)[1].split("&", 1)[0]

    browser.client.get(f"/logg-inn/entra/tilbake?state={state}&error=%0Afake+log+line")
    messages = " ".join(record.getMessage() for record in log_records.records)

    assert "fake log line" not in messages
    assert "error=(not a code)" in messages


def test_callback_without_code_reported(browser: Browser) -> None:
    callback = browser.visit_provider(browser.start("entra"))
    state = callback.split("state=", 1)[1].split("&", 1)[0]

    response = browser.client.get(f"/logg-inn/entra/tilbake?state={state}")

    assert REPORTED_ERROR in page_text(response)
    assert not browser.signed_in()


# --- a provider that cannot be reached ---------------------------------------------------------

def test_unreachable_provider_at_start(browser: Browser, provider: LoopbackProvider,
                                       log_records: pytest.LogCaptureFixture) -> None:
    provider.stop()

    response = browser.client.get("/logg-inn/entra")
    html = page_text(response)

    assert response.status_code == 200
    assert UNREACHABLE in html
    assert 'name="passord"' in html
    assert any("oidc provider unreachable provider=entra" in record.getMessage()
               for record in log_records.records)


def test_unreachable_provider_at_callback(browser: Browser, provider: LoopbackProvider,
                                          demo_engine: ProcessEngine) -> None:
    callback = browser.visit_provider(browser.start("entra"))
    provider.stop()

    response = browser.return_to(callback)

    assert response.status_code == 200
    assert UNREACHABLE in page_text(response)
    assert not browser.signed_in()
    assert attempts(demo_engine) == [(None, False)]


def test_discovery_naming_other_issuer_rejected(make_app: Callable[..., Flask],
                                               provider: LoopbackProvider) -> None:
    settings = entra_settings(provider, issuer="http://127.0.0.1:1/expected-issuer",
                              discovery_url=provider.issuer
                              + "/.well-known/openid-configuration")
    browser = Browser(make_app(settings).test_client())

    response = browser.client.get("/logg-inn/entra")

    assert response.status_code == 200
    assert REPORTED_ERROR in page_text(response)


def test_rotated_signing_key_fetched(app: Flask, browser: Browser,
                                     provider: LoopbackProvider) -> None:
    browser.log_in()
    browser.client.post("/logg-ut")
    provider.signing_key = generate_key("signing-2")

    browser.log_in()

    assert browser.signed_in()
