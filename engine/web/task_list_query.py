"""The task list's query string: view, filters, sort order and page, so a list can be
bookmarked and shared.

    /oppgaver?visning=enhet&prosess=avvik&status=ikke-tildelt&enhet=sykehjem
             &frist=innen&dager=7&sorter=prioritet&side=<cursor>

Each parameter is optional. A value the list does not know gives a message in the user's
language instead of an error page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _

from engine.engine import ProcessEngine
from engine.errors import InvalidInput
from engine.services.task_filters import MAX_WITHIN_DAYS, TaskFilter

# The ?visning= values and the service's view of each.
VIEWS = {"mine": "mine", "felles": "group", "enhet": "unit"}
STATUSES = {"tildelt": "assigned", "ikke-tildelt": "unassigned"}
DUE_FILTERS = {"passert": "overdue", "innen": "within", "ingen": "none"}
SORTS = {"frist": "due", "prioritet": "priority"}
DEFAULT_WITHIN_DAYS = 7
PARAMETERS = ("visning", "prosess", "status", "enhet", "frist", "dager", "sorter")


@dataclass
class ListQuery:
    """A parsed query string; `errors` lists what was wrong with it, in words."""

    view: str = "mine"
    filters: TaskFilter = field(default_factory=TaskFilter)
    sort: str = "due"
    cursor: str | None = None
    # The parameters as given (without the page), to fill the filter form and build links.
    values: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def filtered(self) -> bool:
        return any(self.values.get(name) for name in ("prosess", "status", "enhet", "frist"))

    def link_arguments(self, **changes: str | None) -> dict[str, str]:
        """Return the arguments of this list's URL with `changes`. None leaves a parameter
        out."""
        arguments = {name: value for name, value in self.values.items() if value}
        for name, value in changes.items():
            if value is None:
                arguments.pop(name, None)
            else:
                arguments[name] = value
        return arguments


def parse_list_query(engine: ProcessEngine, arguments: Mapping[str, str]) -> ListQuery:
    """Read the task list's parameters; call inside a transaction (units are looked up)."""
    values = {name: arguments.get(name, "").strip()[:100] for name in PARAMETERS}
    query = ListQuery(values=values, cursor=arguments.get("side") or None)

    view = values["visning"] or "mine"
    if view in VIEWS:
        query.view = view
    else:
        query.errors.append(_("The list %(value)s does not exist. Choose My tasks, Shared "
                              "tasks or Unit tasks.", value=_shown(view)))

    process = values["prosess"] or None
    if process is not None and process not in process_keys(engine):
        query.errors.append(_("No process has the key %(value)s. Choose a process from the "
                              "list.", value=_shown(process)))
        process = None

    status = values["status"] or None
    if status is not None and status not in STATUSES:
        query.errors.append(_("The status %(value)s is not valid. Choose Assigned or Not "
                              "assigned.", value=_shown(status)))
        status = None

    unit_id = None
    if values["enhet"]:
        unit = engine.organisation.find_unit(values["enhet"])
        if unit is None:
            query.errors.append(_("No unit has the code %(value)s. Choose a unit from the "
                                  "list.", value=_shown(values["enhet"])))
        else:
            unit_id = unit.id

    due = values["frist"] or None
    within_days = None
    if due is not None and due not in DUE_FILTERS:
        query.errors.append(_("The deadline filter %(value)s is not valid. Choose deadline "
                              "passed, deadline within a number of days, or no deadline.",
                              value=_shown(due)))
        due = None
    if due == "innen":
        within_days = _days(values["dager"], query.errors)
        if within_days is None:
            due = None

    sort = values["sorter"] or "frist"
    if sort in SORTS:
        query.sort = SORTS[sort]
    else:
        query.errors.append(_("The sort order %(value)s is not valid. Sort by deadline or "
                              "priority.", value=_shown(sort)))

    try:
        query.filters = TaskFilter(process=process, status=STATUSES.get(status or ""),
                                   unit_id=unit_id, due=DUE_FILTERS.get(due or ""),
                                   within_days=within_days)
    except InvalidInput as invalid:  # the checks above should have caught it
        query.errors.append(str(invalid))
    return query


def process_keys(engine: ProcessEngine) -> dict[str, str]:
    """Return the deployed processes as key to name, sorted by name."""
    definitions = sorted(engine.repository.definitions(), key=lambda d: d.name.casefold())
    return {definition.key: definition.name for definition in definitions}


def _days(text: str, errors: list[str]) -> int | None:
    if not text:
        return DEFAULT_WITHIN_DAYS
    if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_WITHIN_DAYS:
        return int(text)
    errors.append(_("The number of days must be a whole number from 1 to %(max)s, not "
                    "%(value)s.", max=MAX_WITHIN_DAYS, value=_shown(text)))
    return None


def _shown(value: str) -> str:
    """Quote a rejected value for a message, cut to a readable length."""
    return "«" + (value if len(value) <= 40 else value[:40] + "…") + "»"
