"""Accounts at OpenID Connect providers: linking them to users, and updating users from claims.

A log-in finds the user through the external_identity row for the token's issuer and subject.
An unknown identity gets a new user only when its provider provisions users; otherwise an
administrator links it first (`sloyfe user link`). Each log-in then copies the display name,
e-mail address, unit and mapped group memberships from the claims onto the user.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine.errors import GroupNotFound, InvalidInput, UnitNotFound
from engine.i18n import gettext as _
from engine.models import ExternalIdentity, Group, Membership, User
from engine.oidc.claims import ProviderIdentity
from engine.oidc.errors import IdentityNotLinked, ProvisioningRefused, UserDeactivated
from engine.services.base import Service

log = logging.getLogger(__name__)

# Column lengths of app_user; longer claim values are not stored.
USERNAME_LENGTH = 64
DISPLAY_NAME_LENGTH = 200
EMAIL_LENGTH = 254


def provider_actor(provider: str) -> str:
    """Return the audit actor for changes that a provider's claims make."""
    return f"oidc:{provider}"


class FirstLoginRaced(Exception):
    """Another log-in created the user or link between this log-in's checks and its insert."""


class IdentityService(Service):
    def log_in(self, identity: ProviderIdentity, provider_name: str,
               provision_users: bool) -> User:
        """Return the active user linked to `identity`, updated from its claims.

        Creates and links a new user when `provision_users` is set and no user is linked.
        Raises IdentityNotLinked, ProvisioningRefused or UserDeactivated (with `provider_name`,
        the provider's name, for the message); nothing is saved then.

        Two first log-ins at the same moment (two tabs, or two people with one user name) can
        both pass the checks, and the second insert then fails. That log-in is tried once more
        in a new transaction, which reads the rows the first one committed.
        """
        try:
            return self._log_in(identity, provider_name, provision_users)
        except (FirstLoginRaced, IntegrityError):
            if self.engine.uow.in_transaction():
                raise  # the caller's transaction is spoiled, so only the caller can retry
            log.info("oidc first log-in raced another, trying again provider=%s",
                     identity.provider)
            return self._log_in(identity, provider_name, provision_users)

    def _log_in(self, identity: ProviderIdentity, provider_name: str,
                provision_users: bool) -> User:
        with self.transaction():
            link = self.find(identity.issuer, identity.subject)
            if link is None:
                if not provision_users:
                    # An administrator needs the subject to link it; a hashed one is of no use
                    # to them and stays out of the log.
                    log.info("oidc identity not linked provider=%s subject=%s",
                             identity.provider,
                             "(hashed)" if identity.subject_hashed else identity.subject)
                    raise IdentityNotLinked(provider_name)
                link = self._provision(identity, provider_name)
            user = link.user
            if not user.active:
                raise UserDeactivated(provider_name, user.username)
            self._apply_claims(user, identity)
            link.last_login_at = self.engine.clock.now()
            return user

    def find(self, issuer: str, subject: str) -> ExternalIdentity | None:
        return self.session.scalar(select(ExternalIdentity).where(
            ExternalIdentity.issuer == issuer, ExternalIdentity.subject == subject))

    def link(self, username: str, provider: str, issuer: str, subject: str,
             actor: str | None = None) -> None:
        """Link the provider account (issuer, subject) to an existing user.

        `subject` is the stored form (hashed already where the provider hashes subjects).
        """
        with self.transaction():
            user = self.engine.organisation.user(username)
            existing = self.find(issuer, subject)
            if existing is not None:
                if existing.user_id == user.id:
                    return
                raise InvalidInput(_("that account is already linked to %(username)s",
                                     username=existing.user.username))
            self._add_link(user, provider, issuer, subject)
            self.engine.organisation.audit("identity_linked", actor, user=username,
                                           provider=provider)

    def unlink(self, username: str, provider: str, issuer: str,
               actor: str | None = None) -> int:
        """Remove the user's links to the provider's issuer; return how many were removed."""
        with self.transaction():
            user = self.engine.organisation.user(username)
            links = list(self.session.scalars(select(ExternalIdentity).where(
                ExternalIdentity.user_id == user.id, ExternalIdentity.issuer == issuer)))
            for link in links:
                self.session.delete(link)
            if links:
                self.session.flush()
                self.engine.organisation.audit("identity_unlinked", actor, user=username,
                                               provider=provider)
            return len(links)

    # --- first log-in ----------------------------------------------------------------------

    def _provision(self, identity: ProviderIdentity, provider_name: str) -> ExternalIdentity:
        username = identity.username
        if username is None:
            raise ProvisioningRefused(provider_name, _("your account has no user name"))
        if len(username) > USERNAME_LENGTH:
            raise ProvisioningRefused(provider_name, _(
                "the user name is longer than %(length)s characters", length=USERNAME_LENGTH))
        organisation = self.engine.organisation
        if organisation.find_user(username) is not None:
            # Never take over an existing user by name: only an administrator may link them.
            raise ProvisioningRefused(provider_name, _(
                "the user name %(username)s belongs to another user", username=username))
        email = identity.email if identity.email and len(identity.email) <= EMAIL_LENGTH \
            else None
        unit = organisation.find_unit(identity.unit_code)
        try:
            user = organisation.create_user(
                username, (identity.display_name or username)[:DISPLAY_NAME_LENGTH],
                email=email, unit=unit.code if unit else None,
                actor=provider_actor(identity.provider))
        except InvalidInput as taken:
            # create_user found the name taken, although find_user above did not.
            raise FirstLoginRaced() from taken
        log.info("oidc user provisioned provider=%s username=%s", identity.provider, username)
        return self._add_link(user, identity.provider, identity.issuer, identity.subject)

    def _add_link(self, user: User, provider: str, issuer: str,
                  subject: str) -> ExternalIdentity:
        # Two first log-ins of the same person at the same moment both insert this row. The
        # second fails on the unique (issuer, subject) constraint, and log_in tries it again.
        link = ExternalIdentity(user_id=user.id, issuer=issuer, subject=subject,
                                provider=provider, created_at=self.engine.clock.now())
        self.session.add(link)
        self.session.flush()
        link.user = user
        return link

    # --- every log-in ----------------------------------------------------------------------

    def _apply_claims(self, user: User, identity: ProviderIdentity) -> None:
        organisation = self.engine.organisation
        actor = provider_actor(identity.provider)
        changed = self._changed_fields(user, identity)
        if changed:
            organisation.audit("user_updated_from_provider", actor, user=user.username,
                               provider=identity.provider, fields=changed)
        if identity.group_keys is not None:
            self._sync_groups(user, identity.group_keys, identity.managed_groups, actor)
        # Task lists read the cached profile, which must show the new name, unit and groups.
        organisation.forget_profiles()

    def _changed_fields(self, user: User, identity: ProviderIdentity) -> list[str]:
        changed: list[str] = []
        name = identity.display_name
        if name is not None and len(name) <= DISPLAY_NAME_LENGTH and name != user.display_name:
            user.display_name = name
            changed.append("display_name")
        email = identity.email
        if email is not None and len(email) <= EMAIL_LENGTH and email != user.email:
            user.email = email
            changed.append("email")
        if identity.unit_code is not None:
            unit = self.engine.organisation.find_unit(identity.unit_code)
            if unit is None:
                log.warning("oidc unit not found provider=%s username=%s unit=%s",
                            identity.provider, user.username, identity.unit_code)
            elif unit.id != user.unit_id:
                user.unit_id = unit.id
                changed.append("unit")
        return changed

    def _sync_groups(self, user: User, wanted: frozenset[str], managed: frozenset[str],
                     actor: str) -> None:
        """Add the wanted memberships and end the managed ones that are no longer wanted.

        Memberships in groups outside `managed` were given some other way and stay.
        """
        organisation = self.engine.organisation
        current = set(self.session.scalars(
            select(Group.key).join(Membership, Membership.group_id == Group.id)
            .where(Membership.user_id == user.id, Group.key.in_(managed))))
        for key in sorted(wanted - current):
            try:
                organisation.add_member(key, user.username, actor=actor)
            except (GroupNotFound, UnitNotFound):
                log.warning("oidc mapped group not found username=%s group=%s",
                            user.username, key)
        for key in sorted(current - wanted):
            organisation.remove_member(key, user.username, actor=actor)
