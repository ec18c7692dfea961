"""Import of the organisation chart from a CSV file exported by an HR system.

Every row names a unit and, optionally, one user whose home unit it is. The import checks
every row first and applies nothing while any row has a problem; otherwise it applies all
changes in one transaction. See docs/organisasjon.md for the columns.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from engine.i18n import N_
from engine.i18n import gettext as _
from engine.models import Group, Membership, Unit, User
from engine.models.organisation import UNIT_KINDS
from engine.services.base import Service
from engine.services.organisation import EMAIL_PATTERN, split_scoped_group

# Column names of the header row, after lower-casing and dropping a "(...)" note.
COLUMNS = ("enhetskode", "enhetsnavn", "enhetstype", "overordnet", "brukernavn", "navn",
           "e-post", "leder", "grupper")
REQUIRED_COLUMNS = ("enhetskode",)
COLUMN_ALIASES = {"epost": "e-post", "e-postadresse": "e-post", "overordnet enhet": "overordnet"}
KIND_ALIASES = {"tjenesteområde": "tjenesteomraade"}
YES = ("ja", "j", "yes", "1")
NO = ("nei", "n", "no", "0", "")


@dataclass(frozen=True)
class Problem:
    """A reason the file cannot be imported; `line` is the line in the file (1 is the header)."""

    line: int
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "message": self.message}


@dataclass
class _UnitRow:
    code: str
    name: str
    kind: str
    parent: str
    line: int


@dataclass
class _UserRow:
    username: str
    name: str
    email: str
    unit: str
    leader: bool
    groups: list[str]
    line: int


@dataclass
class ImportResult:
    """The changes of an import, or those a dry run would make, and the problems that stop it."""

    dry_run: bool
    problems: list[Problem] = field(default_factory=list)
    units_created: list[str] = field(default_factory=list)
    units_updated: list[str] = field(default_factory=list)
    users_created: list[str] = field(default_factory=list)
    users_updated: list[str] = field(default_factory=list)
    users_activated: list[str] = field(default_factory=list)
    users_deactivated: list[str] = field(default_factory=list)
    leaders_set: list[str] = field(default_factory=list)
    memberships_added: list[str] = field(default_factory=list)

    @property
    def applied(self) -> bool:
        return not self.dry_run and not self.problems

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in CHANGE_LISTS}

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"dry_run": self.dry_run, "applied": self.applied,
                                "problems": [problem.to_dict() for problem in self.problems],
                                "counts": self.counts()}
        data.update({name: list(getattr(self, name)) for name in CHANGE_LISTS})
        return data


# The change lists of ImportResult with their labels for screens and the CLI.
CHANGE_LABELS = {
    "units_created": N_("Units created"),
    "units_updated": N_("Units changed"),
    "users_created": N_("Users created"),
    "users_updated": N_("Users changed"),
    "users_activated": N_("Users activated"),
    "users_deactivated": N_("Users deactivated"),
    "leaders_set": N_("Leaders set"),
    "memberships_added": N_("Group memberships added"),
}
CHANGE_LISTS = tuple(CHANGE_LABELS)


def _normalise_header(name: str) -> str:
    name = re.sub(r"\s*\(.*\)\s*$", "", name.strip().lower())
    return COLUMN_ALIASES.get(name, name)


def decode(content: bytes | str) -> str:
    """Decode the file as UTF-8 with or without a byte order mark; raise UnicodeDecodeError."""
    if isinstance(content, str):
        return content.removeprefix("\ufeff")
    return content.decode("utf-8-sig")


class OrganisationImportService(Service):
    def run(self, content: bytes | str, *, actor: str | None, dry_run: bool = False,
            deactivate_missing: bool = False) -> ImportResult:
        """Check the CSV file and, unless `dry_run` or a row has a problem, apply it.

        Users missing from the file are deactivated only with `deactivate_missing`, and the
        user named `actor` never is. Nothing is written while `problems` is not empty.
        """
        result = ImportResult(dry_run=dry_run)
        units, users = self._parse(content, result.problems)
        with self.transaction(read_only=dry_run or bool(result.problems)):
            self._validate(units, users, result.problems)
            if result.problems:
                result.problems.sort(key=lambda problem: problem.line)
                return result
            self._plan_and_apply(units, users, result, actor=actor,
                                 deactivate_missing=deactivate_missing)
            if not dry_run:
                self.audit("organisation_imported", actor,
                           deactivate_missing=deactivate_missing, counts=result.counts())
                self.engine.organisation.forget_profiles()
        return result

    # --- reading ---------------------------------------------------------------------------

    def _parse(self, content: bytes | str,
               problems: list[Problem]) -> tuple[dict[str, _UnitRow], list[_UserRow]]:
        try:
            text = decode(content)
        except UnicodeDecodeError:
            problems.append(Problem(1, _("The file is not UTF-8 text. Save it as CSV UTF-8 "
                                         "and upload it again.")))
            return {}, []
        first_line = text.split("\n", 1)[0]
        delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            problems.append(Problem(1, _("The file is empty. The first line must name the "
                                         "columns, for example enhetskode;enhetsnavn.")))
            return {}, []
        columns = [_normalise_header(cell) for cell in header]
        for position, name in enumerate(columns):
            if name and name not in COLUMNS:
                problems.append(Problem(1, _(
                    "The column %(column)s is unknown. Use the column names %(columns)s.",
                    column=header[position].strip(), columns=", ".join(COLUMNS))))
        for name in REQUIRED_COLUMNS:
            if name not in columns:
                problems.append(Problem(1, _("The column %(column)s is missing. Add it to the "
                                             "first line.", column=name)))
        if problems:
            return {}, []

        units: dict[str, _UnitRow] = {}
        users: list[_UserRow] = []
        previous_end = reader.line_num
        for cells in reader:
            line = previous_end + 1
            previous_end = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            row = {name: (cells[i].strip() if i < len(cells) else "")
                   for i, name in enumerate(columns) if name}
            self._read_row(row, line, units, users, problems)
        return units, users

    def _read_row(self, row: dict[str, str], line: int, units: dict[str, _UnitRow],
                  users: list[_UserRow], problems: list[Problem]) -> None:
        code = row.get("enhetskode", "")
        if not code:
            problems.append(Problem(line, _("The unit code (enhetskode) is empty. Fill in the "
                                            "code of the unit.")))
            return
        kind = row.get("enhetstype", "").lower()
        kind = KIND_ALIASES.get(kind, kind)
        if kind and kind not in UNIT_KINDS:
            problems.append(Problem(line, _(
                "The unit kind %(kind)s is unknown. Use one of %(kinds)s.",
                kind=row.get("enhetstype", ""), kinds=", ".join(UNIT_KINDS))))
        unit = _UnitRow(code, row.get("enhetsnavn", ""), kind, row.get("overordnet", ""), line)
        known = units.get(code)
        if known is None:
            units[code] = unit
        else:
            self._merge_unit(known, unit, problems)

        username = row.get("brukernavn", "")
        leader_text = row.get("leder", "").lower()
        if leader_text not in YES + NO:
            problems.append(Problem(line, _(
                "The leader column contains %(value)s. Write ja or nei.",
                value=row.get("leder", ""))))
        if not username:
            if row.get("navn") or row.get("e-post") or leader_text in YES or row.get("grupper"):
                problems.append(Problem(line, _("The row has user data but no user name "
                                                "(brukernavn). Fill in the user name.")))
            return
        email = row.get("e-post", "")
        if email and not EMAIL_PATTERN.match(email):
            problems.append(Problem(line, _(
                "The e-mail address %(email)s is invalid. Write it as name@example.no.",
                email=email)))
        groups = [key.strip() for key in row.get("grupper", "").split(",") if key.strip()]
        users.append(_UserRow(username, row.get("navn", ""), email, code,
                              leader_text in YES, groups, line))

    def _merge_unit(self, known: _UnitRow, unit: _UnitRow, problems: list[Problem]) -> None:
        """Fill in what an earlier row left empty; two different values are a problem."""
        for attribute, column in (("name", "enhetsnavn"), ("kind", "enhetstype"),
                                  ("parent", "overordnet")):
            value = getattr(unit, attribute)
            if not value:
                continue
            if not getattr(known, attribute):
                setattr(known, attribute, value)
            elif getattr(known, attribute) != value:
                problems.append(Problem(unit.line, _(
                    "The unit %(code)s has %(column)s %(value)s here but %(other)s on line "
                    "%(line)s. Write the same value on every line of the unit.",
                    code=unit.code, column=column, value=value, other=getattr(known, attribute),
                    line=known.line)))

    # --- checking --------------------------------------------------------------------------

    def _validate(self, units: dict[str, _UnitRow], users: list[_UserRow],
                  problems: list[Problem]) -> None:
        existing = {unit.code: unit for unit in self.session.scalars(select(Unit))}
        for unit in units.values():
            if unit.code in existing:
                continue
            if not unit.name:
                problems.append(Problem(unit.line, _(
                    "The unit %(code)s is new but has no name (enhetsnavn). Fill in its name.",
                    code=unit.code)))
            if not unit.kind:
                problems.append(Problem(unit.line, _(
                    "The unit %(code)s is new but has no kind (enhetstype). Use one of "
                    "%(kinds)s.", code=unit.code, kinds=", ".join(UNIT_KINDS))))
        parents = {code: (unit.parent.code if unit.parent else "")
                   for code, unit in existing.items()}
        for unit in units.values():
            if unit.parent and unit.parent not in units and unit.parent not in existing:
                problems.append(Problem(unit.line, _(
                    "The parent unit %(parent)s of %(code)s is unknown. Add a line for it or "
                    "correct the code.", parent=unit.parent, code=unit.code)))
            elif unit.parent == unit.code:
                problems.append(Problem(unit.line, _(
                    "The unit %(code)s is its own parent. Correct the column overordnet.",
                    code=unit.code)))
            if unit.parent or unit.code not in existing:
                parents[unit.code] = unit.parent
        self._check_cycles(units, parents, problems)
        self._check_users(users, units, existing, problems)

    def _check_cycles(self, units: dict[str, _UnitRow], parents: dict[str, str],
                      problems: list[Problem]) -> None:
        reported: set[str] = set()
        for unit in units.values():
            path = [unit.code]
            current = parents.get(unit.code, "")
            while current and current in parents and current not in path:
                path.append(current)
                current = parents.get(current, "")
            if current == unit.code and len(path) > 1 and unit.code not in reported:
                reported.update(path)
                problems.append(Problem(unit.line, _(
                    "The units %(path)s are each other's parents. Correct the column "
                    "overordnet so the tree has no loop.",
                    path=" → ".join([*path, unit.code]))))

    def _check_users(self, users: list[_UserRow], units: dict[str, _UnitRow],
                     existing: dict[str, Unit], problems: list[Problem]) -> None:
        known_users = {user.username: user for user in self.session.scalars(select(User))}
        groups = set(self.session.scalars(select(Group.key)))
        first_line: dict[str, int] = {}
        leaders: dict[str, _UserRow] = {}
        for user in users:
            if user.username in first_line:
                problems.append(Problem(user.line, _(
                    "The user %(user)s is also on line %(line)s. Keep one line per user.",
                    user=user.username, line=first_line[user.username])))
                continue
            first_line[user.username] = user.line
            if not user.name and user.username not in known_users:
                problems.append(Problem(user.line, _(
                    "The user %(user)s is new but has no name (navn). Fill in the name.",
                    user=user.username)))
            if user.leader:
                other = leaders.get(user.unit)
                if other is not None:
                    problems.append(Problem(user.line, _(
                        "The unit %(code)s has two leaders: %(first)s on line %(line)s and "
                        "%(second)s. Write ja in the leader column for one of them only.",
                        code=user.unit, first=other.username, line=other.line,
                        second=user.username)))
                else:
                    leaders[user.unit] = user
            for key in user.groups:
                if key in groups:
                    continue
                scoped = split_scoped_group(key)
                if scoped and (scoped[1] in units or scoped[1] in existing):
                    continue
                problems.append(Problem(user.line, _(
                    "The group %(group)s is unknown. Create it first, or write a group of a "
                    "unit as role@unit code.", group=key)))

    # --- applying --------------------------------------------------------------------------

    def _plan_and_apply(self, units: dict[str, _UnitRow], users: list[_UserRow],
                        result: ImportResult, *, actor: str | None,
                        deactivate_missing: bool) -> None:
        """Compare the file with the database and, unless a dry run, write the differences."""
        write = not result.dry_run
        existing = {unit.code: unit for unit in self.session.scalars(select(Unit))}
        for row in units.values():
            unit = existing.get(row.code)
            if unit is None:
                result.units_created.append(row.code)
                if write:
                    unit = Unit(code=row.code, name=row.name, kind=row.kind)
                    self.session.add(unit)
                    existing[row.code] = unit
                    self.audit("unit_created", actor, unit=row.code, source="import")
            else:
                changed = [name for name, value, old in (
                    ("name", row.name, unit.name), ("kind", row.kind, unit.kind),
                    ("parent", row.parent, unit.parent.code if unit.parent else ""))
                    if value and value != old]
                if changed:
                    result.units_updated.append(row.code)
                    if write:
                        unit.name = row.name or unit.name
                        unit.kind = row.kind or unit.kind
                        self.audit("unit_updated", actor, unit=row.code, fields=changed,
                                   source="import")
        if write:
            self.session.flush()
            for row in units.values():
                if row.parent:
                    existing[row.code].parent_id = existing[row.parent].id

        known_users = {user.username: user for user in self.session.scalars(select(User))}
        for user_row in users:
            self._apply_user(user_row, known_users, existing, result, actor=actor)
        if write:
            self.session.flush()
        for user_row in users:
            self._apply_leader_and_groups(user_row, known_users, existing, result, actor=actor)

        if deactivate_missing:
            listed = {row.username for row in users}
            for user in sorted(known_users.values(), key=lambda u: u.username):
                if user.username in listed or not user.active or user.username == actor:
                    continue
                result.users_deactivated.append(user.username)
                if write:
                    user.active = False
                    self.audit("user_deactivated", actor, user=user.username, source="import")
        if write:
            self.session.flush()

    def _apply_user(self, row: _UserRow, known_users: dict[str, User],
                    units: dict[str, Unit], result: ImportResult, *,
                    actor: str | None) -> None:
        write = not result.dry_run
        user = known_users.get(row.username)
        if user is None:
            result.users_created.append(row.username)
            if write:
                user = User(username=row.username, display_name=row.name,
                            email=row.email or None, unit_id=units[row.unit].id, active=True,
                            created_at=self.engine.clock.now())
                self.session.add(user)
                known_users[row.username] = user
                self.audit("user_created", actor, user=row.username, source="import")
            return
        home = user.unit.code if user.unit else ""
        changed = [name for name, value, old in (
            ("display_name", row.name, user.display_name), ("email", row.email, user.email or ""),
            ("unit", row.unit, home)) if value and value != old]
        if changed:
            result.users_updated.append(row.username)
            if write:
                user.display_name = row.name or user.display_name
                user.email = row.email or user.email
                user.unit_id = units[row.unit].id
                self.audit("user_updated", actor, user=row.username, fields=changed,
                           source="import")
        if not user.active:
            result.users_activated.append(row.username)
            if write:
                user.active = True
                self.audit("user_activated", actor, user=row.username, source="import")

    def _apply_leader_and_groups(self, row: _UserRow, known_users: dict[str, User],
                                 units: dict[str, Unit], result: ImportResult, *,
                                 actor: str | None) -> None:
        write = not result.dry_run
        user = known_users.get(row.username)
        unit = units.get(row.unit)
        if row.leader:
            current = unit.leader.username if unit is not None and unit.leader else None
            if current != row.username:
                result.leaders_set.append(f"{row.unit}: {row.username}")
                if write and unit is not None and user is not None:
                    unit.leader_id = user.id
                    self.audit("unit_leader_set", actor, unit=row.unit, leader=row.username,
                               source="import")
        for key in row.groups:
            group = self.session.scalar(select(Group).where(Group.key == key))
            if (group is not None and user is not None and user.id is not None
                    and self.session.get(Membership, (user.id, group.id)) is not None):
                continue
            result.memberships_added.append(f"{row.username}: {key}")
            if write and user is not None:
                if group is None:
                    role, code = split_scoped_group(key) or ("", "")
                    group = Group(key=key, name=f"{role} – {units[code].name}",
                                  unit_id=units[code].id)
                    self.session.add(group)
                    self.session.flush()
                self.session.add(Membership(user_id=user.id, group_id=group.id))
                self.audit("member_added", actor, group=key, user=row.username,
                           source="import")
