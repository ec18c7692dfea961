"""The demo users listed on the log-in page when SHOW_DEMO_USERS is on."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from engine.engine import ProcessEngine
from engine.models import User
from engine.services.organisation import HANDLER_ROLE, split_scoped_group


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    description: str  # role and unit, for example "Leder – Eksempel sykehjem"


def demo_users(engine: ProcessEngine) -> list[DemoUser]:
    with engine.transaction(read_only=True):
        return [DemoUser(user.username, user.display_name, _describe(engine, user))
                for user in engine.organisation.users() if user.active]


def _describe(engine: ProcessEngine, user: User) -> str:
    organisation = engine.organisation
    led = organisation.led_units(user.username)
    if led:
        return _("Leader – %(units)s", units=", ".join(unit.name for unit in led))

    keys = organisation.group_keys(user.username)
    roles = []
    if "administrator" in keys:
        roles.append(_("Administrator"))
    if "prosesseier" in keys:
        roles.append(_("Process owner"))
    for key in sorted(keys):
        scoped = split_scoped_group(key)
        if scoped is None and key not in ("administrator", "prosesseier", "ansatt"):
            roles.append(organisation.describe_group(key))
    if any(scoped and scoped[0] == HANDLER_ROLE
           for scoped in map(split_scoped_group, keys)):
        roles.extend([_("Employee"), _("case handler")])
    if not roles:
        roles.append(_("Employee"))

    unit = user.unit.name if user.unit else ""
    return " – ".join(part for part in (", ".join(roles), unit) if part)
