"""Options of radio, select, checklist and taglist fields: static `values` or `valuesKey`.

A field with `"valuesKey": "brukere"` picks a person. Its custom property `brukerutvalg`
(form-js "Custom properties") declares whom it lists, counted from the case's unit, which
the process variable named by the property `brukerenhet` contains (default `enhet`):

- `enhet` (the default): the users whose home unit is the case's unit, and its leader;
- `enhet-og-over`: also the users and leaders of every unit above it;
- `enhet-og-under`: also the users and leaders of every unit below it;
- `kommune`: every unit.

Only personal accounts are listed: active users with a home unit who are not
administrator-only accounts (see `is_personal_account`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from engine.forms.components import ChoiceField, Option
from engine.i18n import gettext as _

if TYPE_CHECKING:
    from engine.engine import ProcessEngine
    from engine.models import Unit, User

_SCALARS = (str, int, float, bool)

PEOPLE_KEY = "brukere"
PEOPLE_SCOPE_PROPERTY = "brukerutvalg"
PEOPLE_UNIT_PROPERTY = "brukerenhet"
DEFAULT_UNIT_VARIABLE = "enhet"
PEOPLE_SCOPES = ("enhet", "enhet-og-over", "enhet-og-under", "kommune")
DEFAULT_PEOPLE_SCOPE = "enhet"


def parse_options(raw: Mapping[str, Any]) -> tuple[tuple[Option, ...], str | None, list[str]]:
    """Read `values` and `valuesKey` at deploy time; return (options, values key, problems)."""
    values_key = raw.get("valuesKey")
    if values_key is not None and (not isinstance(values_key, str) or not values_key.strip()):
        return (), None, [_("valuesKey must be the name of a process variable.")]
    if values_key:
        return (), values_key, _people_problems(raw, values_key)

    values = raw.get("values")
    if values is None:
        if raw.get("valuesExpression"):
            return (), None, [_("Options from an expression (valuesExpression) are not "
                                "supported. Use static values or valuesKey.")]
        return (), None, [_("The field has no options. Add static values, or set valuesKey "
                            "to take the options from a process variable.")]
    if not isinstance(values, list):
        return (), None, [_("The values of the field must be a list of options.")]
    if not values:
        return (), None, [_("The list of options is empty. Add at least one option.")]

    problems: list[str] = []
    options: list[Option] = []
    seen: set[str] = set()
    for entry in values:
        option = _option(entry)
        if option is None:
            problems.append(_("Each option needs a label and a value that is text or a number."))
            continue
        if _text(option.value) in seen:
            problems.append(_("The option value %(value)s appears more than once.",
                              value=option.value))
            continue
        seen.add(_text(option.value))
        options.append(option)
    return tuple(options), None, problems


def resolve_options(field: ChoiceField,
                    supplied: Mapping[str, list[Any]] | None) -> tuple[Option, ...]:
    """Return the field's options; a `valuesKey` field takes them from `supplied`, under
    `options_key(field)` when present, else under the valuesKey itself.

    A valuesKey that `supplied` lacks gives no options, so every non-blank value is rejected.
    """
    if field.values_key is None:
        return field.values
    supplied = supplied or {}
    key = options_key(field)
    entries = supplied.get(key) if key in supplied else supplied.get(field.values_key)
    entries = entries or []
    options = (_option(entry) for entry in entries)
    return tuple(option for option in options if option is not None)


def options_key(field: Any) -> str:
    """Return the key a field's choices are supplied under. Person pickers with different
    `brukerutvalg` or `brukerenhet` get different keys, because their lists differ."""
    key = field.values_key
    if key != PEOPLE_KEY:
        return key
    scope, unit_variable = people_settings(field)
    if (scope, unit_variable) == (DEFAULT_PEOPLE_SCOPE, DEFAULT_UNIT_VARIABLE):
        return key
    return f"{key}:{scope}:{unit_variable}"


def people_settings(field: Any) -> tuple[str, str]:
    """Return the scope of a person picker and the variable containing the case's unit."""
    properties = getattr(field, "properties", None) or {}
    scope = str(properties.get(PEOPLE_SCOPE_PROPERTY) or DEFAULT_PEOPLE_SCOPE).strip()
    unit_variable = str(properties.get(PEOPLE_UNIT_PROPERTY) or DEFAULT_UNIT_VARIABLE).strip()
    return scope, unit_variable


def people_options(engine: ProcessEngine, field: Any, variables: Mapping[str, Any]
                   ) -> list[dict[str, Any]]:
    """Return the personal accounts a person picker offers, by display name.

    Runs inside the caller's transaction. Without a known unit in the variables (a start
    form has no case yet) every personal account is listed.
    """
    scope, unit_variable = people_settings(field)
    organisation = engine.organisation
    unit = None
    if scope != "kommune":
        unit = organisation.find_unit(str(variables.get(unit_variable) or ""))
    users = organisation.users()
    if unit is not None:
        units = _scoped_units(unit, scope)
        unit_ids = {scoped.id for scoped in units}
        leader_ids = {scoped.leader_id for scoped in units if scoped.leader_id is not None}
        users = [user for user in users
                 if user.unit_id in unit_ids or user.id in leader_ids]
    personal = personal_account_ids(engine, users)
    return [{"label": user.display_name, "value": user.username}
            for user in users if user.id in personal]


def personal_account_ids(engine: ProcessEngine, users: list[User]) -> set[int]:
    """Return the ids of the users that are personal accounts: active, with a home unit,
    and not administrator-only. An administrator-only account has the administrator role
    and no other role, is in no group and leads no unit. It exists to run the system, so no
    case step should be given to it."""
    from engine.models import Membership, RoleAssignment, Unit

    session = engine.uow.session
    roles: dict[int, set[str]] = {}
    for user_id, role in session.execute(select(RoleAssignment.user_id, RoleAssignment.role)):
        roles.setdefault(user_id, set()).add(role)
    grouped = set(session.scalars(select(Membership.user_id)))
    leaders = set(session.scalars(select(Unit.leader_id).where(Unit.leader_id.is_not(None))))
    personal: set[int] = set()
    for user in users:
        if not user.active or user.unit_id is None:
            continue
        admin_only = (roles.get(user.id) == {"administrator"} and user.id not in grouped
                      and user.id not in leaders)
        if not admin_only:
            personal.add(user.id)
    return personal


def _scoped_units(unit: Unit, scope: str) -> list[Unit]:
    units = [unit]
    if scope == "enhet-og-over":
        current = unit.parent
        while current is not None:
            units.append(current)
            current = current.parent
    elif scope == "enhet-og-under":
        pending = list(unit.children)
        while pending:
            child = pending.pop()
            units.append(child)
            pending.extend(child.children)
    return units


def _people_problems(raw: Mapping[str, Any], values_key: str) -> list[str]:
    """Check the person picker properties at deploy time."""
    properties = raw.get("properties")
    if not isinstance(properties, Mapping):
        return []
    scope = properties.get(PEOPLE_SCOPE_PROPERTY)
    if scope is None:
        return []
    if values_key != PEOPLE_KEY:
        return [_("The property %(name)s only applies to fields with valuesKey %(key)s.",
                  name=PEOPLE_SCOPE_PROPERTY, key=PEOPLE_KEY)]
    if str(scope).strip() not in PEOPLE_SCOPES:
        return [_("The property %(name)s must be one of %(allowed)s, not %(value)s.",
                  name=PEOPLE_SCOPE_PROPERTY, allowed=", ".join(PEOPLE_SCOPES),
                  value=scope)]
    return []


def find_option(options: tuple[Option, ...], value: Any) -> Option | None:
    """Find the option for a submitted value; an HTML post gives every value as a string."""
    for option in options:
        if type(option.value) is type(value) and option.value == value:
            return option
    if isinstance(value, bool):
        return None
    text = _text(value)
    for option in options:
        if not isinstance(option.value, bool) and _text(option.value) == text:
            return option
    return None


def option_text(value: Any) -> str:
    """Spell an option value the way the HTML form posts it."""
    return _text(value)


def _option(entry: Any) -> Option | None:
    if isinstance(entry, Mapping):
        value = entry.get("value")
        label = entry.get("label")
        if not isinstance(value, _SCALARS) or value == "":
            return None
        return Option(label=str(label) if label not in (None, "") else _text(value), value=value)
    if isinstance(entry, _SCALARS):
        return Option(label=_text(entry), value=entry)
    return None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
