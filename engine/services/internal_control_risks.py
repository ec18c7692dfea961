"""The risk picture of the internal-control report, read from the risk reviews.

A review counts when it ran at some time in the year. Its events are those of the round in
progress or of the last approved round, as engine.risk_matrix.review_variables reads them.
An event's risk is the residual risk once the risk owner has assessed it, else the analysed
risk. An event is a high risk without accepted measures when its analysed risk is above the
acceptance limit and the risk owner has not approved the round that contains it.

A review's status and whether its round was approved are read from the audit trail as they
stood at the report's instant, so a past year's report shows them at the end of that year.
NOTE: the events, their risk levels and the measures are the reviews' variables when the
report is made, because the history keeps no copy of them per instant. A report for a past
year therefore shows later rounds of the reviews that ran in that year.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select

from engine.models import AuditEvent, ProcessInstance, Unit
from engine.risk_matrix import (
    DEFAULT_MATRIX,
    SETTING,
    InvalidMatrix,
    RiskMatrix,
    merged_setting,
    parse_matrix,
    review_variables,
)

if TYPE_CHECKING:
    from engine.engine import ProcessEngine

PROCESS = "risikovurdering"


@dataclass(frozen=True)
class MatrixCell:
    likelihood: int
    consequence: int
    level: str
    colour: str
    count: int


@dataclass(frozen=True)
class MatrixRow:
    likelihood: int
    label: str
    cells: list[MatrixCell]


@dataclass(frozen=True)
class LevelCount:
    name: str
    colour: str
    acceptable: bool
    count: int


@dataclass(frozen=True)
class HighRisk:
    case_id: int
    review_title: str
    unit_name: str | None
    event_title: str
    level: str
    measures: int
    review_status: str


@dataclass(frozen=True)
class RiskSection:
    confidential: bool
    total: int
    by_status: list[tuple[str, int]] = field(default_factory=list)
    matrix: list[MatrixRow] = field(default_factory=list)
    consequence_labels: tuple[str, ...] = ()
    levels: list[LevelCount] = field(default_factory=list)
    events: int = 0
    # Events whose likelihood or consequence lies outside the matrix of the setting.
    unplaced: int = 0
    high_risks: list[HighRisk] = field(default_factory=list)


def risk_section(engine: ProcessEngine, unit_ids: frozenset[int] | None, begin: datetime,
                 end: datetime, as_of: datetime, confidential: bool) -> RiskSection:
    """Summarise the reviews that ran between `begin` and `end` in the units `unit_ids`, with
    each review's status and approval as they stood at `as_of`.

    Runs inside the caller's transaction.
    """
    query = (select(ProcessInstance.id, ProcessInstance.title, ProcessInstance.case_status,
                    Unit.name)
             .outerjoin(Unit, Unit.id == ProcessInstance.unit_id)
             .where(ProcessInstance.definition_key == PROCESS,
                    ProcessInstance.started_at < end,
                    or_(ProcessInstance.ended_at.is_(None), ProcessInstance.ended_at >= begin))
             .order_by(ProcessInstance.id))
    if unit_ids is not None:
        query = query.where(ProcessInstance.unit_id.in_(sorted(unit_ids)))
    if confidential:
        counted = engine.uow.session.scalar(select(func.count()).select_from(query.subquery()))
        return RiskSection(True, int(counted or 0))

    reviews = [(instance_id, title, _status_at(engine, instance_id, as_of, status), unit)
               for instance_id, title, status, unit in engine.uow.session.execute(query)]
    statuses = Counter(status or "" for _id, _title, status, _unit in reviews)
    matrix = setting_matrix(engine)
    placed: Counter[tuple[int, int]] = Counter()
    levels: Counter[str] = Counter()
    high: list[HighRisk] = []
    events = unplaced = 0

    for instance_id, title, status, unit_name in reviews:
        variables = review_variables(engine, instance_id)
        residual = bool(variables.get("restrisiko_vurdert"))
        approved = _round_approved(engine, instance_id, variables, as_of)
        measures = [measure for measure in variables.get("tiltak") or []
                    if isinstance(measure, dict)]
        for event in analysed_events(variables):
            events += 1
            prefix = "rest_" if residual else ""
            level = str(event.get(f"{prefix}risikonivaa") or event.get("risikonivaa"))
            levels[level] += 1
            cell = _cell(event, prefix, matrix)
            if cell is None:
                unplaced += 1
            else:
                placed[cell] += 1
            if _lacks_accepted_measures(event, approved):
                high.append(HighRisk(
                    instance_id, title or "", unit_name, str(event.get("tittel") or ""),
                    str(event.get("risikonivaa")),
                    sum(1 for measure in measures if measure.get("hendelse") == event.get("nr")),
                    status or ""))

    return RiskSection(
        False, len(reviews), sorted(statuses.items(), key=lambda item: (-item[1], item[0])),
        count_matrix(matrix, placed), matrix.consequence_labels,
        [LevelCount(level.name, level.colour, level.acceptable, levels[level.name])
         for level in reversed(matrix.levels)],
        events, unplaced, high)


def setting_matrix(engine: ProcessEngine) -> RiskMatrix:
    """Return the matrix of the setting, or the default matrix when the setting is invalid."""
    try:
        return parse_matrix(merged_setting(engine.repository.setting(SETTING)))
    except InvalidMatrix:
        return parse_matrix(DEFAULT_MATRIX)


def analysed_events(variables: dict[str, Any]) -> list[dict[str, Any]]:
    return [event for event in variables.get("hendelser") or []
            if isinstance(event, dict) and event.get("risikonivaa")]


def count_matrix(matrix: RiskMatrix, placed: Counter[tuple[int, int]]) -> list[MatrixRow]:
    """Lay out the counts with the highest likelihood on top, each cell with its level."""
    rows = []
    for likelihood in range(matrix.likelihood_size, 0, -1):
        cells = []
        for consequence in range(1, matrix.consequence_size + 1):
            level = matrix.level(likelihood, consequence)
            cells.append(MatrixCell(likelihood, consequence, level.name, level.colour,
                                    placed[(likelihood, consequence)]))
        rows.append(MatrixRow(likelihood, matrix.likelihood_labels[likelihood - 1], cells))
    return rows


def _cell(event: dict[str, Any], prefix: str, matrix: RiskMatrix) -> tuple[int, int] | None:
    likelihood = event.get(f"{prefix}sannsynlighet")
    consequence = event.get(f"{prefix}konsekvens")
    for value, size in ((likelihood, matrix.likelihood_size),
                        (consequence, matrix.consequence_size)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= size:
            return None
    return int(likelihood), int(consequence)  # type: ignore[arg-type]


def _status_at(engine: ProcessEngine, instance_id: int, as_of: datetime,
               current: str | None) -> str | None:
    """Return the case status of the last status_changed audit event up to `as_of`, or the
    current status when the trail records no change by then."""
    details = engine.uow.session.scalars(
        select(AuditEvent.details).where(AuditEvent.instance_id == instance_id,
                                         AuditEvent.action == "status_changed",
                                         AuditEvent.at <= as_of)
        .order_by(AuditEvent.id.desc()).limit(1)).first()
    status = (details or {}).get("status")
    return str(status) if status else current


def _round_approved(engine: ProcessEngine, instance_id: int, variables: dict[str, Any],
                    as_of: datetime) -> bool:
    """Return whether the risk owner had approved the measures and residual risk of the round
    the variables belong to by `as_of` (the audit event risk_review_approved of that round)."""
    current_round = variables.get("runde")
    if current_round is None or variables.get("godkjent_runde") != current_round:
        return False
    approvals = engine.uow.session.scalars(
        select(AuditEvent.details).where(AuditEvent.instance_id == instance_id,
                                         AuditEvent.action == "risk_review_approved",
                                         AuditEvent.at <= as_of))
    return any((details or {}).get("round") == current_round for details in approvals)


def _lacks_accepted_measures(event: dict[str, Any], approved: bool) -> bool:
    """Return whether an event above the acceptance limit still waits for the risk owner.

    An approved round counts as accepted even when the residual risk stays above the limit,
    because the risk owner then accepted that risk together with its measures.
    """
    return event.get("akseptabel") is False and not approved
