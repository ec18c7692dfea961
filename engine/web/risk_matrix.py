"""The risk matrix of a risk review: its events placed in the cells, before and after measures.

Only those who may read the case's handling (CASE_READER) see the page, since it shows what
the participants wrote. Each cell shows its level as text as well as colour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, abort, render_template
from flask_babel import gettext as _

from engine.access import CASE_READER, access
from engine.errors import InstanceNotFound
from engine.risk_matrix import InvalidMatrix, RiskMatrix, parse_matrix, review_variables
from engine.web.context import sloyfe_engine
from engine.web.presenters import case_summary

bp = Blueprint("risk_matrix", __name__)

PROCESS_KEY = "risikovurdering"


@dataclass(frozen=True)
class PlacedEvent:
    number: int
    title: str


@dataclass
class Cell:
    likelihood: int
    consequence: int
    level: str
    colour: str
    events: list[PlacedEvent] = field(default_factory=list)


@dataclass(frozen=True)
class GridRow:
    likelihood: int
    label: str
    cells: list[Cell]


@dataclass(frozen=True)
class EventRow:
    number: int
    title: str
    level: str
    residual_level: str | None


def is_risk_review(instance: Any) -> bool:
    return bool(instance.definition_key == PROCESS_KEY)


def build_grid(matrix: RiskMatrix, events: list[dict[str, Any]], prefix: str) -> list[GridRow]:
    """Lay out the matrix with the highest likelihood on top, as risk matrices are drawn.

    `prefix` is "" for the analysed risk and "rest_" for the residual risk. Events without
    a likelihood and consequence inside the matrix are left out.
    """
    rows = []
    for likelihood in range(matrix.likelihood_size, 0, -1):
        cells = []
        for consequence in range(1, matrix.consequence_size + 1):
            level = matrix.level(likelihood, consequence)
            cells.append(Cell(likelihood, consequence, level.name, level.colour))
        rows.append(GridRow(likelihood, matrix.likelihood_labels[likelihood - 1], cells))

    for event in events:
        placed_likelihood = _scale_value(event.get(f"{prefix}sannsynlighet"),
                                         matrix.likelihood_size)
        placed_consequence = _scale_value(event.get(f"{prefix}konsekvens"),
                                          matrix.consequence_size)
        if placed_likelihood is None or placed_consequence is None:
            continue
        row = rows[matrix.likelihood_size - placed_likelihood]
        row.cells[placed_consequence - 1].events.append(
            PlacedEvent(int(event.get("nr") or 0), str(event.get("tittel") or "")))
    return rows


def _scale_value(value: Any, size: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 1 <= value <= size else None


def _analysed(variables: dict[str, Any]) -> list[dict[str, Any]]:
    return [event for event in variables.get("hendelser") or []
            if isinstance(event, dict) and event.get("risikonivaa")]


@bp.route("/saker/<int:instance_id>/risikomatrise")
@access(CASE_READER)
def risk_matrix(instance_id: int) -> str:
    """Show the matrix of the round in progress, or of the last approved round."""
    engine = sloyfe_engine()
    with engine.transaction(read_only=True):
        try:
            instance = engine.runtime.instance(instance_id)
        except InstanceNotFound:
            abort(404)
        if not is_risk_review(instance):
            abort(404)
        case = case_summary(engine, instance)
        variables = review_variables(engine, instance_id)

    error = None
    matrix = None
    try:
        matrix = parse_matrix(variables.get("matrise") or {})
    except InvalidMatrix:
        error = _("The risk matrix of this review cannot be shown, because its matrix is "
                  "invalid. Ask an administrator to check the setting "
                  "risikovurdering.matrise.")
    events = _analysed(variables)
    residual = bool(variables.get("restrisiko_vurdert"))
    before = build_grid(matrix, events, "") if matrix else []
    after = build_grid(matrix, events, "rest_") if matrix and residual else []
    rows = [EventRow(int(event.get("nr") or 0), str(event.get("tittel") or ""),
                     str(event.get("risikonivaa")),
                     str(event.get("rest_risikonivaa")) if residual else None)
            for event in events]
    return render_template("risk_matrix.html", case=case, matrix=matrix, before=before,
                           after=after, events=rows, error=error,
                           consequence_labels=matrix.consequence_labels if matrix else ())
