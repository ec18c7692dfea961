"""Units, users, groups and roles, and who counts as a candidate for a task."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from engine.errors import GroupNotFound, InvalidInput, UnitNotFound, UserNotFound
from engine.i18n import SUPPORTED_LOCALES
from engine.i18n import gettext as _
from engine.models import Group, Membership, RoleAssignment, Unit, User
from engine.models.organisation import ROLES, UNIT_KINDS
from engine.services.base import Service

# Group keys of the form "<role>@<unit code>" that follow from the unit tree without rows:
# the leader of a unit is its "leder" and one of its "behandler"s.
LEADER_ROLE = "leder"
HANDLER_ROLE = "behandler"

_hasher = PasswordHasher()

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


@lru_cache(maxsize=1)
def _unknown_user_hash() -> str:
    return _hasher.hash("not a password of anyone")


def _verify_quietly(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def scoped_group(role: str, unit_code: str) -> str:
    return f"{role}@{unit_code}"


def split_scoped_group(key: str) -> tuple[str, str] | None:
    if "@" not in key:
        return None
    role, unit_code = key.split("@", 1)
    return role, unit_code


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@dataclass(frozen=True)
class UserProfile:
    username: str
    user_id: int
    display_name: str
    locale: str
    active: bool
    roles: frozenset[str]
    group_keys: frozenset[str]
    led_unit_ids: frozenset[int]
    sessions_valid_after: datetime | None = None


class OrganisationService(Service):
    def __init__(self, engine: Any) -> None:
        super().__init__(engine)
        self._unit_ids: dict[str, int] = {}
        self._profiles: dict[str, tuple[float, UserProfile | None]] = {}

    def audit(self, action: str, actor: str | None, **details: Any) -> None:  # type: ignore[override]
        # Every change to the organisation is audited, so this is where remembered
        # profiles become stale.
        self.forget_profiles()
        super().audit(action, actor, **details)

    # --- units ---------------------------------------------------------------------------

    def create_unit(self, code: str, name: str, kind: str, parent: str | None = None,
                    actor: str | None = None) -> Unit:
        with self.transaction():
            if kind not in UNIT_KINDS:
                raise InvalidInput(_("the unit kind must be one of %(kinds)s",
                                     kinds=", ".join(UNIT_KINDS)))
            if self.session.scalar(select(Unit).where(Unit.code == code)) is not None:
                raise InvalidInput(_("a unit with the code %(code)s already exists", code=code))
            parent_unit = self.unit(parent) if parent else None
            unit = Unit(code=code, name=name, kind=kind,
                        parent_id=parent_unit.id if parent_unit else None)
            self.session.add(unit)
            self.session.flush()
            self.audit("unit_created", actor, unit=code)
            return unit

    def unit(self, code: str) -> Unit:
        unit = self.session.scalar(select(Unit).where(Unit.code == code))
        if unit is None:
            raise UnitNotFound(code)
        return unit

    def unit_id(self, code: str) -> int | None:
        """The id of the unit with `code`, remembered after the first look-up (units are
        never deleted, so a remembered id stays right)."""
        cached = self._unit_ids.get(code)
        if cached is not None:
            return cached
        unit = self.find_unit(code)
        if unit is None:
            return None
        self._unit_ids[code] = unit.id
        return unit.id

    def find_unit(self, code: str | None) -> Unit | None:
        if not code:
            return None
        return self.session.scalar(select(Unit).where(Unit.code == code))

    def units(self, kind: str | None = None) -> list[Unit]:
        query = select(Unit).order_by(Unit.name)
        if kind:
            query = query.where(Unit.kind == kind)
        return list(self.session.scalars(query))

    def led_units(self, username: str) -> list[Unit]:
        """The units whose leader `username` is, by name."""
        return list(self.session.scalars(
            select(Unit).join(User, Unit.leader_id == User.id)
            .where(User.username == username).order_by(Unit.name)))

    def set_leader(self, unit_code: str, username: str, actor: str | None = None) -> None:
        with self.transaction():
            unit = self.unit(unit_code)
            unit.leader_id = self.user(username).id
            self.audit("unit_leader_set", actor, unit=unit_code, leader=username)

    def update_unit(self, code: str, name: str, parent: str | None,
                    actor: str | None = None) -> None:
        """Rename a unit and move it under `parent` (None: to the top of the tree)."""
        with self.transaction():
            unit = self.unit(code)
            if not name.strip():
                raise InvalidInput(_("the unit needs a name"))
            parent_unit = self.unit(parent) if parent else None
            ancestor = parent_unit
            while ancestor is not None:
                if ancestor.id == unit.id:
                    raise InvalidInput(_("%(parent)s lies under %(code)s, so %(code)s cannot "
                                         "be moved under it", parent=parent, code=code))
                ancestor = ancestor.parent
            changed = [field for field, old, new in (
                ("name", unit.name, name.strip()),
                ("parent", unit.parent_id, parent_unit.id if parent_unit else None))
                if old != new]
            if changed:
                unit.name = name.strip()
                unit.parent_id = parent_unit.id if parent_unit else None
                self.audit("unit_updated", actor, unit=code, fields=changed)

    def member_counts(self) -> dict[int, int]:
        """Count the active users per home unit id."""
        rows = self.session.execute(select(User.unit_id, func.count()).where(
            User.active.is_(True), User.unit_id.is_not(None)).group_by(User.unit_id))
        return {unit_id: number for unit_id, number in rows if unit_id is not None}

    def parent_leader(self, unit: Unit) -> tuple[Unit, User] | None:
        """Return the nearest unit above `unit` that has a leader, with that leader."""
        current = unit.parent
        while current is not None:
            if current.leader is not None:
                return current, current.leader
            current = current.parent
        return None

    # --- users ---------------------------------------------------------------------------

    def create_user(self, username: str, display_name: str, *, email: str | None = None,
                    unit: str | None = None, password: str | None = None,
                    password_hash: str | None = None, actor: str | None = None) -> User:
        """Create a user; `password_hash` (from hash_password) skips hashing for bulk loads."""
        with self.transaction():
            if self.session.scalar(select(User).where(User.username == username)) is not None:
                raise InvalidInput(_("the user name %(username)s is taken", username=username))
            home = self.unit(unit) if unit else None
            user = User(username=username, display_name=display_name, email=email,
                        unit_id=home.id if home else None, active=True,
                        password_hash=password_hash or (hash_password(password) if password
                                                        else None),
                        created_at=self.engine.clock.now())
            self.session.add(user)
            self.session.flush()
            self.audit("user_created", actor, user=username)
            return user

    def user(self, username: str) -> User:
        user = self.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise UserNotFound(username)
        return user

    def find_user(self, username: str | None) -> User | None:
        if not username:
            return None
        return self.session.scalar(select(User).where(User.username == username))

    def users(self) -> list[User]:
        return list(self.session.scalars(select(User).order_by(User.display_name)))

    def check_password(self, username: str, password: str) -> User | None:
        with self.transaction(read_only=True):
            user = self.find_user(username)
            if user is None or not user.active or not user.password_hash:
                # Hash anyway, so an unknown user name takes as long to reject as a wrong
                # password and the timing does not tell which user names exist.
                _verify_quietly(_unknown_user_hash(), password)
                return None
            if not _verify_quietly(user.password_hash, password):
                return None
            return user

    def set_locale(self, username: str, locale: str, actor: str | None = None) -> None:
        """Save the language the user sees the screens in: "nb" or "en"."""
        with self.transaction():
            if locale not in SUPPORTED_LOCALES:
                raise InvalidInput(_("the language must be one of %(locales)s",
                                     locales=", ".join(SUPPORTED_LOCALES)))
            self.user(username).locale = locale
            self.audit("locale_set", actor, user=username, locale=locale)

    def set_active(self, username: str, active: bool, actor: str | None = None) -> None:
        """Allow or stop log-ins of a user; a deactivated user keeps their history."""
        with self.transaction():
            user = self.user(username)
            if user.active != active:
                user.active = active
                self.audit("user_activated" if active else "user_deactivated", actor,
                           user=username)

    def update_user(self, username: str, display_name: str, email: str | None,
                    unit: str | None, actor: str | None = None) -> None:
        """Change a user's name, e-mail address and home unit."""
        with self.transaction():
            user = self.user(username)
            if not display_name.strip():
                raise InvalidInput(_("the user needs a name"))
            email = (email or "").strip() or None
            if email is not None and not EMAIL_PATTERN.match(email):
                raise InvalidInput(_("the e-mail address %(email)s is invalid", email=email))
            home = self.unit(unit) if unit else None
            changed = [field for field, old, new in (
                ("display_name", user.display_name, display_name.strip()),
                ("email", user.email, email), ("unit", user.unit_id, home.id if home else None))
                if old != new]
            if changed:
                user.display_name = display_name.strip()
                user.email = email
                user.unit_id = home.id if home else None
                self.audit("user_updated", actor, user=username, fields=changed)

    def set_password(self, username: str, password: str, actor: str | None = None) -> None:
        """Set the local password; the user's sessions from before end."""
        with self.transaction():
            user = self.user(username)
            user.password_hash = hash_password(password)
            user.sessions_valid_after = self.engine.clock.now()
            self.audit("password_set", actor, user=username)

    def end_sessions(self, username: str, actor: str | None = None) -> None:
        """End every session of the user that logged in before now, in every web worker.

        Other workers see it within ORGANISATION_CACHE_SECONDS, as with any profile change.
        """
        with self.transaction():
            self.user(username).sessions_valid_after = self.engine.clock.now()
            self.audit("sessions_ended", actor, user=username)

    # --- groups and roles ----------------------------------------------------------------

    def create_group(self, key: str, name: str, unit: str | None = None,
                     actor: str | None = None) -> Group:
        with self.transaction():
            if self.session.scalar(select(Group).where(Group.key == key)) is not None:
                raise InvalidInput(_("a group with the key %(key)s already exists", key=key))
            scope = self.unit(unit) if unit else None
            group = Group(key=key, name=name, unit_id=scope.id if scope else None)
            self.session.add(group)
            self.session.flush()
            self.audit("group_created", actor, group=key)
            return group

    def group(self, key: str) -> Group:
        group = self.session.scalar(select(Group).where(Group.key == key))
        if group is None:
            raise GroupNotFound(key)
        return group

    def add_member(self, group_key: str, username: str, actor: str | None = None) -> None:
        with self.transaction():
            group = self.session.scalar(select(Group).where(Group.key == group_key))
            if group is None:
                scoped = split_scoped_group(group_key)
                if scoped is None:
                    raise GroupNotFound(group_key)
                unit = self.unit(scoped[1])
                group = Group(key=group_key, name=f"{scoped[0]} – {unit.name}", unit_id=unit.id)
                self.session.add(group)
                self.session.flush()
            user = self.user(username)
            if self.session.get(Membership, (user.id, group.id)) is None:
                self.session.add(Membership(user_id=user.id, group_id=group.id))
                self.audit("member_added", actor, group=group_key, user=username)

    def remove_member(self, group_key: str, username: str, actor: str | None = None) -> None:
        """End a membership given with add_member; leading a unit is not a membership."""
        with self.transaction():
            group = self.session.scalar(select(Group).where(Group.key == group_key))
            if group is None:
                return
            membership = self.session.get(Membership, (self.user(username).id, group.id))
            if membership is not None:
                self.session.delete(membership)
                self.session.flush()
                self.audit("member_removed", actor, group=group_key, user=username)

    def grant_role(self, username: str, role: str, unit: str | None = None,
                   actor: str | None = None) -> None:
        with self.transaction():
            if role not in ROLES:
                raise InvalidInput(_("the role must be one of %(roles)s", roles=", ".join(ROLES)))
            user = self.user(username)
            scope = self.unit(unit) if unit else None
            exists = self.session.scalar(select(RoleAssignment).where(
                RoleAssignment.user_id == user.id, RoleAssignment.role == role,
                RoleAssignment.unit_id == (scope.id if scope else None)))
            if exists is None:
                self.session.add(RoleAssignment(user_id=user.id, role=role,
                                                unit_id=scope.id if scope else None))
                self.audit("role_granted", actor, user=username, role=role)

    def revoke_role(self, username: str, role: str, unit: str | None = None,
                    actor: str | None = None) -> None:
        with self.transaction():
            user = self.user(username)
            scope = self.unit(unit) if unit else None
            assignment = self.session.scalar(select(RoleAssignment).where(
                RoleAssignment.user_id == user.id, RoleAssignment.role == role,
                RoleAssignment.unit_id == (scope.id if scope else None)))
            if assignment is not None:
                self.session.delete(assignment)
                self.session.flush()
                self.audit("role_revoked", actor, user=username, role=role)

    def profile(self, username: str) -> UserProfile | None:
        """The user's name, roles, groups and led units, remembered for a few seconds.

        Task lists and access checks ask for these on every request. A change made through
        this service is seen at once in this process; one made by another process (a CLI
        command, another web worker) within ORGANISATION_CACHE_SECONDS.
        """
        now = time.monotonic()
        cached = self._profiles.get(username)
        if cached is not None and cached[0] > now:
            return cached[1]
        profile = self._load_profile(username)
        ttl = float(self.engine.config.get("ORGANISATION_CACHE_SECONDS", 5))
        if ttl > 0:
            self._profiles[username] = (now + ttl, profile)
        return profile

    def _load_profile(self, username: str) -> UserProfile | None:
        user = self.find_user(username)
        if user is None:
            return None
        roles = frozenset(self.session.scalars(select(RoleAssignment.role).where(
            RoleAssignment.user_id == user.id)))
        groups = set(self.session.scalars(
            select(Group.key).join(Membership, Membership.group_id == Group.id)
            .where(Membership.user_id == user.id)))
        led = list(self.session.execute(select(Unit.id, Unit.code).where(
            Unit.leader_id == user.id)))
        for _unit_id, code in led:
            groups.add(scoped_group(LEADER_ROLE, code))
            groups.add(scoped_group(HANDLER_ROLE, code))
        groups.update(roles)
        return UserProfile(username=user.username, user_id=user.id,
                           display_name=user.display_name, locale=user.locale,
                           active=user.active, roles=roles, group_keys=frozenset(groups),
                           led_unit_ids=frozenset(unit_id for unit_id, _code in led),
                           sessions_valid_after=user.sessions_valid_after)

    def forget_profiles(self) -> None:
        """Drop remembered profiles after a change to users, groups, roles or leaders."""
        self._profiles.clear()

    def roles(self, username: str) -> set[str]:
        profile = self.profile(username)
        return set(profile.roles) if profile else set()

    def has_role(self, username: str, role: str) -> bool:
        profile = self.profile(username)
        return profile is not None and role in profile.roles

    def group_keys(self, username: str) -> set[str]:
        """Every candidate-group key the user belongs to, explicit or through leading a unit."""
        profile = self.profile(username)
        return set(profile.group_keys) if profile else set()

    def members(self, group_key: str) -> list[User]:
        """The users behind a candidate-group key, including implicit leaders."""
        users: dict[int, User] = {}
        group = self.session.scalar(select(Group).where(Group.key == group_key))
        if group is not None:
            for user in self.session.scalars(
                    select(User).join(Membership, Membership.user_id == User.id)
                    .where(Membership.group_id == group.id)):
                users[user.id] = user
        scoped = split_scoped_group(group_key)
        if scoped and scoped[0] in (LEADER_ROLE, HANDLER_ROLE):
            unit = self.find_unit(scoped[1])
            if unit is not None and unit.leader is not None:
                users[unit.leader.id] = unit.leader
        for user in self.session.scalars(
                select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
                .where(RoleAssignment.role == group_key)):
            users[user.id] = user
        return [user for user in users.values() if user.active]

    def describe_group(self, group_key: str) -> str:
        """A readable name for a group key, for messages and task lists."""
        scoped = split_scoped_group(group_key)
        if scoped:
            unit = self.find_unit(scoped[1])
            role_names = {LEADER_ROLE: _("leader"), HANDLER_ROLE: _("case handlers")}
            if unit is not None:
                return f"{role_names.get(scoped[0], scoped[0])}, {unit.name}"
        group = self.session.scalar(select(Group).where(Group.key == group_key))
        if group is not None:
            return group.name
        return group_key

    def unit_summary(self, unit: Unit) -> dict[str, Any]:
        return {"code": unit.code, "name": unit.name, "kind": unit.kind,
                "parent": unit.parent.code if unit.parent else None,
                "leader": unit.leader.username if unit.leader else None}

    def user_summary(self, user: User) -> dict[str, Any]:
        return {"username": user.username, "display_name": user.display_name,
                "email": user.email, "unit": user.unit.code if user.unit else None,
                "active": user.active, "roles": sorted(self.roles(user.username)),
                "groups": sorted(self.group_keys(user.username))}

    def display_names(self, usernames: Iterable[str]) -> dict[str, str]:
        names = [name for name in set(usernames) if name]
        if not names:
            return {}
        rows = self.session.execute(select(User.username, User.display_name)
                                    .where(User.username.in_(names)))
        return {username: display for username, display in rows}
