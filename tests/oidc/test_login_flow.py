"""Log-in through an Entra-style provider: linking, claims, sessions, state and PKCE."""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from engine.engine import ProcessEngine
from engine.models import AuditEvent, ExternalIdentity, LoginAttempt, User
from engine.runtime.clock import FixedClock
from tests.oidc.conftest import (
    ENTRA_PERSON,
    HANDLERS_GROUP_ID,
    PRIVACY_GROUP_ID,
    Browser,
    entra_settings,
    idporten_settings,
    session_username,
)
from tests.oidc.provider import LoopbackProvider

NORA = "nora.nilsen@eksempel.kommune.no"
NORA_OID = ENTRA_PERSON["oid"]
NOT_LINKED = "Kontoen din hos Microsoft er ikke koblet til en bruker i Sløyfe"
STATE_INVALID = "Innloggingen kunne ikke fullføres fordi den allerede er brukt"
PROVIDER_ERROR = "Microsoft meldte om en feil, så du er ikke logget inn."


def user_row(engine: ProcessEngine, username: str) -> User | None:
    with engine.transaction(read_only=True):
        return engine.organisation.find_user(username)


def unit_code(engine: ProcessEngine, username: str) -> str | None:
    with engine.transaction(read_only=True):
        user = engine.organisation.user(username)
        return user.unit.code if user.unit else None


def group_keys(engine: ProcessEngine, username: str) -> set[str]:
    with engine.transaction(read_only=True):
        return engine.organisation.group_keys(username)


def links(engine: ProcessEngine) -> list[tuple[str, str, str]]:
    with engine.transaction(read_only=True):
        rows = engine.identities.session.scalars(select(ExternalIdentity))
        return [(row.user.username, row.issuer, row.subject) for row in rows]


# --- a successful log-in -----------------------------------------------------------------------

def test_login_starts_session(app: Flask, browser: Browser) -> None:
    response = browser.log_in()

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert session_username(app, browser.client) == NORA
    assert browser.signed_in()
    assert "Nora Nilsen" in browser.client.get("/").get_data(as_text=True)


def test_login_returns_to_next_path(browser: Browser) -> None:
    response = browser.log_in(next_path="/saker")

    assert response.headers["Location"] == "/saker"


def test_login_ignores_next_to_other_site(browser: Browser) -> None:
    response = browser.log_in(next_path="//evil.example/")

    assert response.headers["Location"] == "/"


def test_first_login_creates_linked_user(browser: Browser, demo_engine: ProcessEngine,
                                         provider: LoopbackProvider) -> None:
    browser.log_in()
    user = user_row(demo_engine, NORA)

    assert user is not None
    assert user.display_name == "Nora Nilsen"
    assert user.email == NORA
    assert user.password_hash is None
    assert unit_code(demo_engine, NORA) == "sykehjem"
    assert "behandler@sykehjem" in group_keys(demo_engine, NORA)
    assert links(demo_engine) == [(NORA, provider.issuer, NORA_OID)]


def test_first_login_takes_unit_from_group(make_app: Callable[..., Flask],
                                           provider: LoopbackProvider,
                                           demo_engine: ProcessEngine) -> None:
    settings = entra_settings(provider, unit_claim="groups",
                              unit_map={PRIVACY_GROUP_ID: "hjemmetjenesten"})
    provider.claims.update(groups=[HANDLERS_GROUP_ID, PRIVACY_GROUP_ID])
    del provider.claims["preferred_username"]
    provider.claims["upn"] = "nora.nilsen@eksempel.kommune.no"
    settings["username_claim"] = ["preferred_username", "upn"]

    Browser(make_app(settings).test_client()).log_in()

    assert unit_code(demo_engine, NORA) == "hjemmetjenesten"
    assert group_keys(demo_engine, NORA) >= {"behandler@sykehjem", "personvernombud"}


def test_login_is_recorded_as_attempt(browser: Browser, demo_engine: ProcessEngine) -> None:
    browser.log_in()

    with demo_engine.transaction(read_only=True):
        attempts = list(demo_engine.logins.session.scalars(select(LoginAttempt)))
    assert [(a.username, a.success) for a in attempts] == [(NORA, True)]


def test_login_replaces_earlier_session(app: Flask, browser: Browser) -> None:
    with browser.client.session_transaction() as session:
        session["planted"] = "by someone else"

    browser.log_in()

    with browser.client.session_transaction() as session:
        assert "planted" not in session
        assert "oidc_pending" not in session


def test_idle_session_from_provider_ends(browser: Browser, clock: FixedClock) -> None:
    browser.log_in()
    clock.advance(minutes=60)

    response = browser.client.get("/saker")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/logg-inn")


def test_logout_ends_provider_session(browser: Browser) -> None:
    browser.log_in()

    response = browser.client.post("/logg-ut")

    assert response.headers["Location"] == "/logg-inn"
    assert not browser.signed_in()


# --- claims on later log-ins -------------------------------------------------------------------

def test_second_login_updates_claims(app: Flask, browser: Browser, demo_engine: ProcessEngine,
                                     provider: LoopbackProvider) -> None:
    browser.log_in()
    with demo_engine.transaction(read_only=True):
        before = demo_engine.organisation.profile(NORA)  # now cached for a few seconds
    provider.claims.update(name="Nora Nilsen Berg", department="Hjemmetjenesten",
                           groups=[PRIVACY_GROUP_ID], email="nora.berg@eksempel.kommune.no")

    Browser(app.test_client()).log_in()
    with demo_engine.transaction(read_only=True):
        after = demo_engine.organisation.profile(NORA)

    assert before is not None
    assert before.display_name == "Nora Nilsen"
    assert after is not None
    assert after.display_name == "Nora Nilsen Berg"
    assert "personvernombud" in after.group_keys
    assert "behandler@sykehjem" not in after.group_keys
    assert unit_code(demo_engine, NORA) == "hjemmetjenesten"
    assert user_row(demo_engine, NORA).email == "nora.berg@eksempel.kommune.no"  # type: ignore[union-attr]


def test_second_login_writes_audit(app: Flask, browser: Browser, demo_engine: ProcessEngine,
                                   provider: LoopbackProvider) -> None:
    browser.log_in()
    provider.claims.update(name="Nora Nilsen Berg", groups=[])

    Browser(app.test_client()).log_in()
    with demo_engine.transaction(read_only=True):
        events = list(demo_engine.organisation.session.scalars(
            select(AuditEvent).where(AuditEvent.actor == "oidc:entra").order_by(AuditEvent.id)))
    actions = [(event.action, event.details) for event in events]

    assert ("user_updated_from_provider", {"user": NORA, "provider": "entra",
                                           "fields": ["display_name"]}) in actions
    assert ("member_removed", {"group": "behandler@sykehjem", "user": NORA}) in actions
    assert all("Nora Nilsen Berg" not in str(details) for _action, details in actions)


def test_unchanged_login_writes_no_update(app: Flask, browser: Browser,
                                          demo_engine: ProcessEngine) -> None:
    browser.log_in()
    Browser(app.test_client()).log_in()

    with demo_engine.transaction(read_only=True):
        updates = list(demo_engine.organisation.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "user_updated_from_provider")))
    assert updates == []


def test_login_keeps_unmapped_memberships(app: Flask, browser: Browser,
                                          demo_engine: ProcessEngine,
                                          provider: LoopbackProvider) -> None:
    browser.log_in()
    demo_engine.organisation.create_group("kvalitetsutvalg", "Kvalitetsutvalget")
    demo_engine.organisation.add_member("kvalitetsutvalg", NORA)
    provider.claims["groups"] = []

    Browser(app.test_client()).log_in()
    keys = group_keys(demo_engine, NORA)

    assert "kvalitetsutvalg" in keys
    assert "behandler@sykehjem" not in keys


def test_login_ignores_unmapped_group_ids(browser: Browser, demo_engine: ProcessEngine,
                                          provider: LoopbackProvider) -> None:
    provider.claims["groups"] = ["an-unmapped-group", PRIVACY_GROUP_ID]

    browser.log_in()
    keys = group_keys(demo_engine, NORA)

    assert "personvernombud" in keys
    assert "an-unmapped-group" not in keys
    assert "behandler@sykehjem" not in keys


def test_unknown_unit_leaves_unit_unchanged(app: Flask, browser: Browser,
                                            demo_engine: ProcessEngine,
                                            provider: LoopbackProvider) -> None:
    browser.log_in()
    provider.claims["department"] = "Avdeling som ikke finnes"

    Browser(app.test_client()).log_in()

    assert unit_code(demo_engine, NORA) == "sykehjem"


# --- who may log in ----------------------------------------------------------------------------

def test_unknown_person_rejected_without_provisioning(make_app: Callable[..., Flask],
                                                     provider: LoopbackProvider,
                                                     demo_engine: ProcessEngine) -> None:
    browser = Browser(make_app(entra_settings(provider, provision_users=False)).test_client())

    response = browser.log_in()

    assert response.status_code == 403
    assert NOT_LINKED in response.get_data(as_text=True)
    assert not browser.signed_in()
    assert user_row(demo_engine, NORA) is None


def test_linked_user_logs_in_without_provisioning(make_app: Callable[..., Flask],
                                                  provider: LoopbackProvider,
                                                  demo_engine: ProcessEngine) -> None:
    app = make_app(entra_settings(provider, provision_users=False))
    demo_engine.identities.link("ola.ansatt", "entra", provider.issuer, NORA_OID)
    provider.claims.update(preferred_username="ola.olsen@eksempel.kommune.no", name="Ola Olsen")
    browser = Browser(app.test_client())

    browser.log_in()

    assert session_username(app, browser.client) == "ola.ansatt"
    assert user_row(demo_engine, "ola.olsen@eksempel.kommune.no") is None


def test_existing_user_name_not_taken_over(browser: Browser, demo_engine: ProcessEngine,
                                           provider: LoopbackProvider) -> None:
    provider.claims["preferred_username"] = "ola.ansatt"

    response = browser.log_in()
    html = response.get_data(as_text=True)

    assert response.status_code == 403
    assert "brukernavnet ola.ansatt tilhører en annen bruker" in html
    assert not browser.signed_in()
    assert links(demo_engine) == []


def test_deactivated_user_rejected(browser: Browser, demo_engine: ProcessEngine) -> None:
    browser.log_in()
    browser.client.post("/logg-ut")
    demo_engine.organisation.set_active(NORA, False, actor="admin")

    response = browser.log_in()

    assert response.status_code == 403
    assert "Brukeren din i Sløyfe er deaktivert" in response.get_data(as_text=True)
    assert not browser.signed_in()


def test_deactivation_ends_open_session(browser: Browser, demo_engine: ProcessEngine) -> None:
    browser.log_in()

    demo_engine.organisation.set_active(NORA, False, actor="admin")

    assert not browser.signed_in()


# --- state, nonce and PKCE ---------------------------------------------------------------------

def test_same_callback_twice_rejected(app: Flask, browser: Browser) -> None:
    callback = browser.visit_provider(browser.start("entra"))
    browser.return_to(callback)
    browser.client.post("/logg-ut")

    replay = browser.return_to(callback)

    assert replay.status_code == 400
    assert STATE_INVALID in replay.get_data(as_text=True)
    assert not browser.signed_in()


def test_replay_with_copied_cookie_rejected(app: Flask, browser: Browser,
                                           provider: LoopbackProvider) -> None:
    callback = browser.visit_provider(browser.start("entra"))
    cookie = browser.client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    browser.return_to(callback)
    copy = Browser(app.test_client())
    copy.client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie.value)

    replay = copy.return_to(callback)

    assert PROVIDER_ERROR in replay.get_data(as_text=True)
    assert provider.token_errors == ["invalid_grant"]
    assert not copy.signed_in()


def test_callback_from_other_browser_rejected(app: Flask, browser: Browser) -> None:
    callback = browser.visit_provider(browser.start("entra"))
    victim = Browser(app.test_client())

    response = victim.return_to(callback)

    assert response.status_code == 400
    assert STATE_INVALID in response.get_data(as_text=True)
    assert not victim.signed_in()


def test_callback_without_state_rejected(browser: Browser) -> None:
    callback = browser.visit_provider(browser.start("entra"))
    without_state = "&".join(part for part in callback.split("?", 1)[1].split("&")
                             if not part.startswith("state="))

    response = browser.client.get(f"/logg-inn/entra/tilbake?{without_state}")

    assert STATE_INVALID in response.get_data(as_text=True)
    assert not browser.signed_in()


def test_state_of_other_provider_rejected(make_app: Callable[..., Flask],
                                         provider: LoopbackProvider) -> None:
    app = make_app(entra_settings(provider), idporten_settings(provider))
    browser = Browser(app.test_client())
    callback = browser.visit_provider(browser.start("entra"))

    response = browser.client.get(callback.replace("/logg-inn/entra/", "/logg-inn/idporten/"))

    assert response.status_code == 400
    assert "Innloggingen kunne ikke fullføres" in response.get_data(as_text=True)
    assert not browser.signed_in()


def test_slow_login_rejected(browser: Browser, clock: FixedClock) -> None:
    callback = browser.visit_provider(browser.start("entra"))
    clock.advance(minutes=11)

    response = browser.return_to(callback)

    assert "Innloggingen tok for lang tid" in response.get_data(as_text=True)
    assert not browser.signed_in()


def test_authorization_request_carries_pkce_and_nonce(browser: Browser,
                                                      provider: LoopbackProvider) -> None:
    browser.log_in()
    sent = provider.authorize_requests[0]

    assert sent["code_challenge_method"] == "S256"
    assert len(sent["code_challenge"]) == 43
    assert len(sent["nonce"]) >= 32
    assert len(sent["state"]) >= 32
    assert sent["redirect_uri"] == "http://127.0.0.1:5000/logg-inn/entra/tilbake"


def test_token_request_sends_matching_verifier(browser: Browser,
                                               provider: LoopbackProvider) -> None:
    browser.log_in()
    challenge = provider.authorize_requests[0]["code_challenge"]
    verifier = provider.token_requests[0]["code_verifier"]
    digest = hashlib.sha256(verifier.encode("ascii")).digest()

    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii") == challenge
    assert provider.token_requests[0]["authorization"].startswith("Basic ")
    assert "client_secret" not in provider.token_requests[0]


def test_wrong_verifier_rejected_by_provider(browser: Browser,
                                            provider: LoopbackProvider) -> None:
    callback = browser.visit_provider(browser.start("entra"))
    for issued in provider.codes.values():
        issued.code_challenge = "a-challenge-for-another-verifier"

    response = browser.return_to(callback)

    assert response.status_code == 200
    assert PROVIDER_ERROR in response.get_data(as_text=True)
    assert provider.token_errors == ["invalid_grant"]
    assert not browser.signed_in()


# --- the log-in page ---------------------------------------------------------------------------

def test_login_page_has_button_per_provider(make_app: Callable[..., Flask],
                                            provider: LoopbackProvider) -> None:
    app = make_app(entra_settings(provider), idporten_settings(provider))

    html = app.test_client().get("/logg-inn").get_data(as_text=True)

    assert html.count('class="ds-button" data-variant="primary" href="/logg-inn/') == 2
    assert 'href="/logg-inn/entra">Logg inn med Microsoft</a>' in html
    assert 'href="/logg-inn/idporten">Logg inn med ID-porten</a>' in html
    assert "Logg inn med brukernavn og passord" in html


def test_login_page_button_keeps_next(app: Flask) -> None:
    html = app.test_client().get("/logg-inn?next=/saker").get_data(as_text=True)

    assert 'href="/logg-inn/entra?next=/saker"' in html


def test_login_page_without_providers(make_app: Callable[..., Flask]) -> None:
    html = make_app().test_client().get("/logg-inn").get_data(as_text=True)

    assert 'href="/logg-inn/' not in html
    assert "Logg inn med brukernavn og passord" not in html


def test_unknown_provider_shows_login_page(browser: Browser) -> None:
    response = browser.client.get("/logg-inn/finnes-ikke")

    assert response.status_code == 404
    assert "Denne innloggingsmåten er ikke satt opp" in response.get_data(as_text=True)


def test_unknown_provider_key_not_logged(browser: Browser,
                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)

    browser.client.get("/logg-inn/x%0Afake%20log%20line")
    browser.client.get("/logg-inn/x%0Afake%20log%20line/tilbake?state=abc&code=def")
    messages = [record.getMessage() for record in caplog.records]

    assert all("fake log line" not in message for message in messages)
    assert "oidc log-in not started provider=(not configured) code=provider_not_configured" \
        in messages


def test_signed_in_user_skips_provider(app: Flask, provider: LoopbackProvider) -> None:
    client = app.test_client()
    client.post("/logg-inn", data={"brukernavn": "admin", "passord": "demo"})

    response = client.get("/logg-inn/entra?next=/saker")

    assert response.status_code == 302
    assert response.headers["Location"] == "/saker"
    assert provider.authorize_requests == []
