"""API tokens: issued once, stored as a hash, refused when revoked or expired."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.engine import ProcessEngine
from engine.errors import InvalidInput, UserNotFound
from engine.models import ApiToken, AuditEvent
from engine.runtime.clock import FixedClock
from engine.services.tokens import TokenAlreadyRevoked, TokenNotFound


def audit_actions(engine: ProcessEngine) -> list[str]:
    with engine.transaction(read_only=True) as session:
        return [event.action for event in session.scalars(select(AuditEvent))]


def test_create_returns_secret_once(demo_engine: ProcessEngine) -> None:
    issued = demo_engine.tokens.create("Arkiv", ["instances:read"], "admin", "admin")

    assert issued.secret.startswith("slf_")
    assert len(issued.secret) == len("slf_") + 43
    assert issued.token.prefix == issued.secret[:12]


def test_create_stores_only_hash(demo_engine: ProcessEngine) -> None:
    issued = demo_engine.tokens.create("Arkiv", ["instances:read"], "admin", "admin")

    with demo_engine.transaction(read_only=True) as session:
        row = session.scalars(select(ApiToken)).one()
    assert row.token_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert issued.secret not in (row.name, row.prefix, row.token_hash)


def test_create_audits_creator(demo_engine: ProcessEngine) -> None:
    demo_engine.tokens.create("Arkiv", ["instances:read"], "admin", "paal.prosesseier")

    with demo_engine.transaction(read_only=True) as session:
        event = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "api_token_created")).one()
    assert event.actor == "paal.prosesseier"
    assert event.details["token_actor"] == "admin"


def test_create_rejects_unknown_scope(demo_engine: ProcessEngine) -> None:
    with pytest.raises(InvalidInput):
        demo_engine.tokens.create("Arkiv", ["instances:delete"], "admin", "admin")


def test_create_rejects_no_scope(demo_engine: ProcessEngine) -> None:
    with pytest.raises(InvalidInput):
        demo_engine.tokens.create("Arkiv", [], "admin", "admin")


def test_create_rejects_unknown_actor(demo_engine: ProcessEngine) -> None:
    with pytest.raises(UserNotFound):
        demo_engine.tokens.create("Arkiv", ["instances:read"], "arkivsystem", "admin")


def test_create_rejects_past_expiry(demo_engine: ProcessEngine, clock: FixedClock) -> None:
    with pytest.raises(InvalidInput):
        demo_engine.tokens.create("Arkiv", ["instances:read"], "admin", "admin",
                                  expires_at=clock.now() - timedelta(seconds=1))


def test_authenticate_finds_token(demo_engine: ProcessEngine) -> None:
    issued = demo_engine.tokens.create("Arkiv", ["instances:read"], "admin", "admin")

    token = demo_engine.tokens.authenticate(issued.secret)

    assert token is not None
    assert token.id == issued.token.id


def test_authenticate_rejects_wrong_secret(demo_engine: ProcessEngine) -> None:
    issued = demo_engine.tokens.create("Arkiv", ["instances:read"], "admin", "admin")

    assert demo_engine.tokens.authenticate(issued.secret[:-1] + "x") is None


def test_authenticate_rejects_foreign_format(demo_engine: ProcessEngine) -> None:
    assert demo_engine.tokens.authenticate("Basic YWRtaW46ZGVtbw==") is None


def test_authenticate_rejects_after_expiry(demo_engine: ProcessEngine,
                                           clock: FixedClock) -> None:
    issued = demo_engine.tokens.create("Arkiv", ["instances:read"], "admin", "admin",
                                       expires_at=clock.now() + timedelta(days=30))

    clock.advance(days=30)

    assert demo_engine.tokens.authenticate(issued.secret) is None


def test_authenticate_accepts_before_expiry(demo_engine: ProcessEngine,
                                            clock: FixedClock) -> None:
    issued = demo_engine.tokens.create("Arkiv", ["instances:read"], "admin", "admin",
                                       expires_at=clock.now() + timedelta(days=30))

    clock.advance(days=29, hours=23)

    assert demo_engine.tokens.authenticate(issued.secret) is not None


def test_authenticate_rejects_revoked(demo_engine: ProcessEngine) -> None:
    issued = demo_engine.tokens.create("Arkiv", ["instances:read"], "admin", "admin")

    demo_engine.tokens.revoke(issued.token.id, "admin")

    assert demo_engine.tokens.authenticate(issued.secret) is None


def test_last_used_written_once_a_minute(demo_engine: ProcessEngine,
                                         clock: FixedClock) -> None:
    issued = demo_engine.tokens.create("Arkiv", ["instances:read"], "admin", "admin")
    first_use = clock.now()
    demo_engine.tokens.authenticate(issued.secret)

    clock.advance(seconds=59)
    demo_engine.tokens.authenticate(issued.secret)
    after_59_seconds = demo_engine.tokens.list()[0].last_used_at
    clock.advance(seconds=1)
    demo_engine.tokens.authenticate(issued.secret)
    after_60_seconds = demo_engine.tokens.list()[0].last_used_at

    assert after_59_seconds == first_use
    assert after_60_seconds == clock.now()


def test_revoke_audits_actor(demo_engine: ProcessEngine) -> None:
    issued = demo_engine.tokens.create("Arkiv", ["instances:read"], "admin", "admin")

    demo_engine.tokens.revoke(issued.token.id, "cli")

    assert "api_token_revoked" in audit_actions(demo_engine)


def test_revoke_twice_is_conflict(demo_engine: ProcessEngine) -> None:
    issued = demo_engine.tokens.create("Arkiv", ["instances:read"], "admin", "admin")
    demo_engine.tokens.revoke(issued.token.id, "admin")

    with pytest.raises(TokenAlreadyRevoked):
        demo_engine.tokens.revoke(issued.token.id, "admin")


def test_revoke_unknown_token(demo_engine: ProcessEngine) -> None:
    with pytest.raises(TokenNotFound):
        demo_engine.tokens.revoke(999, "admin")


def test_summary_leaves_out_hash(demo_engine: ProcessEngine) -> None:
    issued = demo_engine.tokens.create("Arkiv", ["tasks:read", "instances:read"], "admin",
                                       "admin")

    summary = demo_engine.tokens.summary(issued.token)

    assert "token_hash" not in summary
    assert summary["scopes"] == ["instances:read", "tasks:read"]
    assert summary["valid"] is True
