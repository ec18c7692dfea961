"""IdentityService when two first log-ins of one person or user name meet."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.engine import ProcessEngine
from engine.models import ExternalIdentity, User
from engine.oidc.claims import ProviderIdentity
from engine.oidc.errors import ProvisioningRefused
from engine.services.identities import IdentityService
from engine.services.organisation import OrganisationService

ISSUER = "https://login.microsoftonline.com/00000000-0000-0000-0000-0000000000aa/v2.0"


def identity(subject: str, username: str = "nora.nilsen") -> ProviderIdentity:
    return ProviderIdentity(
        provider="entra", issuer=ISSUER, subject=subject, subject_hashed=False,
        username=username, display_name="Nora Nilsen", email=None, unit_code="sykehjem",
        group_keys=None, managed_groups=frozenset())


def count(engine: ProcessEngine, model: Any) -> int:
    with engine.transaction(read_only=True):
        return int(engine.identities.session.scalar(select(func.count()).select_from(model)))


@pytest.fixture
def stale_checks(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Make the next look-up of the link and of the user name miss, as a look-up made just
    before another log-in committed would."""

    def install() -> None:
        for owner, name in ((IdentityService, "find"), (OrganisationService, "find_user")):
            original = getattr(owner, name)
            missed: list[bool] = []

            def stale(self: Any, *args: Any, _original: Any = original,
                      _missed: list[bool] = missed) -> Any:
                if not _missed:
                    _missed.append(True)
                    return None
                return _original(self, *args)

            monkeypatch.setattr(owner, name, stale)

    return install


def test_raced_first_login_retried(demo_engine: ProcessEngine,
                                   stale_checks: Callable[[], None],
                                   caplog: pytest.LogCaptureFixture) -> None:
    demo_engine.identities.log_in(identity("oid-nora"), "Microsoft", provision_users=True)
    stale_checks()
    caplog.set_level(logging.INFO, logger="engine.services.identities")

    user = demo_engine.identities.log_in(identity("oid-nora"), "Microsoft",
                                         provision_users=True)

    assert user.username == "nora.nilsen"
    assert count(demo_engine, ExternalIdentity) == 1
    assert "oidc first log-in raced another, trying again provider=entra" in caplog.messages


def test_raced_user_name_rejected(demo_engine: ProcessEngine,
                                 stale_checks: Callable[[], None]) -> None:
    demo_engine.identities.log_in(identity("oid-nora"), "Microsoft", provision_users=True)
    users_before = count(demo_engine, User)
    stale_checks()

    with pytest.raises(ProvisioningRefused):
        demo_engine.identities.log_in(identity("oid-other-nora"), "Microsoft",
                                      provision_users=True)

    assert count(demo_engine, User) == users_before
    assert count(demo_engine, ExternalIdentity) == 1
