"""The competence plan page: a unit's development needs from the employee conversations,
counted without names or free text.

GET parameters: `enhet` (a unit code) and `ar` (the year, this year in Oslo by default). A unit
leader sees the units they lead and those below them; the reader groups of the conversation
process (HR) see every unit. A unit's counts include the units below it, and only groups of
at least the minimum size are shown (engine/services/competence.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from engine.access import Principal, Rule, access
from engine.errors import DefinitionNotFound
from engine.models import Unit
from engine.runtime.timeexpr import OSLO
from engine.services.competence import NeedCounts, count_needs
from engine.web.auth import current_user
from engine.web.context import sloyfe_engine

if TYPE_CHECKING:
    from engine.engine import ProcessEngine

bp = Blueprint("competence_plan", __name__)

CONVERSATION_PROCESS = "medarbeidersamtale"
SUMMARY_FORM = "medarbeidersamtale-oppsummer"
NEEDS_FIELD = "utviklingsbehov"
# The years a user may ask for; outside them the page falls back to this year.
YEARS_BACK = 10


def _reads_conversations(principal: Principal, _args: Mapping[str, Any],
                         engine: ProcessEngine) -> bool:
    if principal.username is None:
        return False
    if principal.leads_unit:
        return True
    with engine.transaction(read_only=True):
        return engine.visibility.reads_every_case(principal.username, CONVERSATION_PROCESS)


COMPETENCE_READER = Rule("unit leader or reader of the conversations", _reads_conversations)


@dataclass(frozen=True)
class NeedRow:
    label: str
    count: int


def allowed_units(engine: ProcessEngine, username: str) -> list[Unit]:
    """Return the units whose counts `username` may read, by name."""
    units = engine.organisation.units()
    if engine.visibility.reads_every_case(username, CONVERSATION_PROCESS):
        return units
    led = {unit.id for unit in engine.organisation.led_units(username)}
    allowed: set[int] = set()
    for unit in units:
        current: Unit | None = unit
        while current is not None and current.id not in allowed:
            if current.id in led:
                allowed.add(unit.id)
                break
            current = current.parent
    return [unit for unit in units if unit.id in allowed]


def need_labels(engine: ProcessEngine) -> dict[str, str]:
    """Return the label of each development need category, as the summary form names them."""
    try:
        definition = engine.repository.latest(CONVERSATION_PROCESS)
        form = engine.forms.spec(engine.repository.form_for(definition, SUMMARY_FORM))
    except (DefinitionNotFound, LookupError):
        return {}
    for field in form.fields():
        if field.data_path == NEEDS_FIELD:
            return {str(option.value): option.label for option in field.values}
    return {}


def need_rows(counted: NeedCounts, labels: dict[str, str]) -> list[NeedRow]:
    """Return one row per published category, the most shared first. Categories that are
    not published have no row, so their names say nothing about a small group."""
    rows = [NeedRow(labels.get(category, category), count)
            for category, count in counted.counts.items()]
    return sorted(rows, key=lambda row: (-row.count, row.label))


def _year(text: str | None, this_year: int) -> int | None:
    if not text:
        return this_year
    if not text.strip().isdigit():
        return None
    year = int(text.strip())
    return year if this_year - YEARS_BACK <= year <= this_year + 1 else None


@bp.route("/kompetanseplan")
@access(COMPETENCE_READER)
def competence_plan() -> tuple[str, int]:
    user = current_user()
    engine = sloyfe_engine()
    this_year = engine.clock.now().astimezone(OSLO).year
    with engine.transaction(read_only=True):
        units = allowed_units(engine, user.username)
        years = list(range(this_year + 1, this_year - YEARS_BACK - 1, -1))
        page: dict[str, Any] = {"units": units, "years": years, "unit": None,
                                "year": this_year, "rows": [], "counted": None,
                                "error": None}

        year = _year(request.args.get("ar"), this_year)
        code = (request.args.get("enhet") or "").strip()
        if year is None:
            page["error"] = _("The year must be a year between %(first)s and %(last)s. "
                              "Choose a year in the list.", first=years[-1], last=years[0])
            return render_template("competence_plan.html", **page), 400
        page["year"] = year
        if not units:
            page["error"] = _("You lead no unit. Ask HR for the competence needs.")
            return render_template("competence_plan.html", **page), 200
        if not code:
            code = units[0].code
        unit = next((unit for unit in units if unit.code == code), None)
        if unit is None:
            page["error"] = _("You can only see the competence needs of the units you lead "
                              "and the units below them. Choose a unit in the list.")
            return render_template("competence_plan.html", **page), 403

        counted = count_needs(engine, unit.code, year)
        page.update(unit=unit, counted=counted,
                    rows=need_rows(counted, need_labels(engine)))
    return render_template("competence_plan.html", **page), 200
