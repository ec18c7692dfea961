"""The yearly report on internal control (kommuneloven § 25-2), computed from the cases.

Nothing is typed in for it. Each section reads what its process already stores:

- deviations (`avvik`): the case rows (unit, status, start data) and the submitted data of
  the assessment, and the task rows of the measures (GjennomforTiltak);
- the risk picture (`risikovurdering`): the case status and the analysed events of each review;
- political decisions (`politisk-vedtak`): the decision points of each case, the status
  changes and status reports in the audit trail, and the open tasks of each point;
- improvement suggestions (`forbedringsforslag`): the case status.

A section of a confidential process (property `confidential`) holds only the number of cases,
so the report never reads such a case. The report names no person: measures and decision
points carry their unit, not their owner. The web page and the downloadable files render the
same InternalControlReport.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from engine.errors import InvalidInput, UnitNotFound
from engine.i18n import gettext as _
from engine.models import ProcessDefinition, ProcessInstance, Unit
from engine.services.annual_wheel_timers import year_bounds
from engine.services.base import Service
from engine.services.internal_control_decisions import DecisionSection, decision_section
from engine.services.internal_control_deviations import DeviationSection, deviation_section
from engine.services.internal_control_risks import RiskSection, risk_section

MIN_YEAR = 2000
MAX_YEAR = 2100
MUNICIPALITY = "kommune"

DEVIATIONS = "avvik"
RISK_REVIEWS = "risikovurdering"
DECISIONS = "politisk-vedtak"
SUGGESTIONS = "forbedringsforslag"
REPORTED_PROCESSES = (DEVIATIONS, RISK_REVIEWS, DECISIONS, SUGGESTIONS)


@dataclass(frozen=True)
class ReportScope:
    """The part of the organisation a report covers: the municipality, a service area or a
    unit, each with the units below it."""

    level: str
    unit_code: str | None
    unit_name: str | None
    # None: every unit, and cases without a unit.
    unit_ids: frozenset[int] | None


@dataclass(frozen=True)
class UnitNode:
    """A unit of the scope's tree with its depth below the scope's top unit."""

    code: str
    name: str
    kind: str
    depth: int
    parent_code: str | None


@dataclass(frozen=True)
class UnitCount:
    """The deviations of a unit: its own cases, and those of the unit and every unit below
    it, this year and the year before."""

    node: UnitNode
    own: int
    total: int
    previous_total: int


@dataclass(frozen=True)
class StatusCount:
    status: str
    count: int


@dataclass(frozen=True)
class SuggestionSection:
    confidential: bool
    total: int
    by_status: list[StatusCount] = field(default_factory=list)


@dataclass(frozen=True)
class ConfidentialCount:
    """The number of cases of a confidential process in the scope and year, and nothing else."""

    process_name: str
    count: int


@dataclass(frozen=True)
class InternalControlReport:
    year: int
    scope: ReportScope
    # The instant the open measures and decision points are counted at: the end of the
    # year, or now for the running year.
    as_of: datetime
    generated_at: datetime
    units: list[UnitNode]
    deviations: DeviationSection
    deviation_units: list[UnitCount]
    risks: RiskSection
    decisions: DecisionSection
    suggestions: SuggestionSection
    confidential: list[ConfidentialCount]


class InternalControlService(Service):

    def report(self, year: int, unit_code: str | None = None) -> InternalControlReport:
        """Compute the report of `year` for the municipality, or for the unit `unit_code` and
        the units below it.

        The caller checks that the viewer may see the scope. Raises InvalidInput for a year
        outside MIN_YEAR..MAX_YEAR and UnitNotFound for an unknown unit code.
        """
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise InvalidInput(_("the year must be from %(min)s to %(max)s", min=MIN_YEAR,
                                 max=MAX_YEAR))
        now = self.engine.clock.now()
        begin, end = year_bounds(year)
        as_of = min(now, end)
        with self.transaction(read_only=True):
            units = self.engine.organisation.units()
            scope = self._scope(unit_code, units)
            nodes = unit_tree(units, scope)
            confidential = self.engine.visibility.is_confidential
            deviations = deviation_section(self.engine, scope.unit_ids, year, as_of,
                                           confidential(DEVIATIONS))
            risks = risk_section(self.engine, scope.unit_ids, begin, end, as_of,
                                 confidential(RISK_REVIEWS))
            decisions = decision_section(self.engine, scope.unit_ids, begin, end, as_of,
                                         confidential(DECISIONS))
            suggestions = self._suggestions(scope.unit_ids, begin, end,
                                            confidential(SUGGESTIONS))
            hidden = self._confidential_counts(scope.unit_ids, begin, end)
        return InternalControlReport(year, scope, as_of, now, nodes, deviations,
                                     unit_counts(nodes, deviations), risks, decisions,
                                     suggestions, hidden)

    # --- scope ---------------------------------------------------------------------------

    def _scope(self, unit_code: str | None, units: list[Unit]) -> ReportScope:
        if not unit_code:
            top = next((unit for unit in units if unit.kind == MUNICIPALITY), None)
            return ReportScope(MUNICIPALITY, top.code if top else None,
                               top.name if top else None, None)
        unit = next((unit for unit in units if unit.code == unit_code), None)
        if unit is None:
            raise UnitNotFound(unit_code)
        if unit.parent_id is None:
            return ReportScope(unit.kind, unit.code, unit.name, None)
        return ReportScope(unit.kind, unit.code, unit.name,
                           frozenset(subtree_ids(units, unit.id)))

    # --- improvement suggestions and confidential processes --------------------------------

    def _started_in(self, key: str, unit_ids: frozenset[int] | None, begin: datetime,
                    end: datetime) -> Any:
        query = (select(ProcessInstance.case_status, func.count())
                 .where(ProcessInstance.definition_key == key,
                        ProcessInstance.started_at >= begin, ProcessInstance.started_at < end)
                 .group_by(ProcessInstance.case_status))
        if unit_ids is not None:
            query = query.where(ProcessInstance.unit_id.in_(sorted(unit_ids)))
        return self.session.execute(query)

    def _suggestions(self, unit_ids: frozenset[int] | None, begin: datetime, end: datetime,
                     confidential: bool) -> SuggestionSection:
        counts = {status or _("No status"): count for status, count
                  in self._started_in(SUGGESTIONS, unit_ids, begin, end)}
        total = sum(counts.values())
        if confidential:
            return SuggestionSection(True, total)
        rows = [StatusCount(status, count) for status, count in sorted(
            counts.items(), key=lambda item: (-item[1], item[0]))]
        return SuggestionSection(False, total, rows)

    def _confidential_counts(self, unit_ids: frozenset[int] | None, begin: datetime,
                             end: datetime) -> list[ConfidentialCount]:
        """Count the cases started in the year of each confidential process that the report
        has no section for."""
        keys = sorted(self.engine.visibility.rules().confidential - set(REPORTED_PROCESSES))
        if not keys:
            return []
        names = dict(self.session.execute(
            select(ProcessDefinition.key, ProcessDefinition.name)
            .where(ProcessDefinition.key.in_(keys))
            .order_by(ProcessDefinition.version)).all())
        query = (select(ProcessInstance.definition_key, func.count())
                 .where(ProcessInstance.definition_key.in_(keys),
                        ProcessInstance.started_at >= begin, ProcessInstance.started_at < end)
                 .group_by(ProcessInstance.definition_key))
        if unit_ids is not None:
            query = query.where(ProcessInstance.unit_id.in_(sorted(unit_ids)))
        counts = dict(self.session.execute(query).all())
        return [ConfidentialCount(names.get(key, key), int(counts.get(key, 0)))
                for key in keys]


def unit_counts(nodes: list[UnitNode], deviations: DeviationSection) -> list[UnitCount]:
    """Sum the deviations of each unit of the tree with those of the units below it."""
    if deviations.confidential:
        return []
    children: dict[str, list[str]] = {}
    for node in nodes:
        if node.parent_code is not None:
            children.setdefault(node.parent_code, []).append(node.code)

    def summed(code: str, index: int) -> int:
        own = deviations.by_unit.get(code, (0, 0))[index]
        return own + sum(summed(child, index) for child in children.get(code, []))

    return [UnitCount(node, deviations.by_unit.get(node.code, (0, 0))[0], summed(node.code, 0),
                      summed(node.code, 1)) for node in nodes]


def subtree_ids(units: list[Unit], top_id: int) -> set[int]:
    """Return the id of `top_id` and of every unit below it."""
    children: dict[int | None, list[int]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit.id)
    found: set[int] = set()
    pending = [top_id]
    while pending:
        current = pending.pop()
        if current in found:
            continue
        found.add(current)
        pending += children.get(current, [])
    return found


def unit_tree(units: list[Unit], scope: ReportScope) -> list[UnitNode]:
    """List the scope's units depth first, each service area followed by its units."""
    by_id = {unit.id: unit for unit in units}
    children: dict[int | None, list[Unit]] = {}
    for unit in sorted(units, key=lambda unit: unit.name):
        children.setdefault(unit.parent_id, []).append(unit)
    if scope.unit_code:
        roots = [unit for unit in units if unit.code == scope.unit_code]
    else:
        roots = children.get(None, [])

    nodes: list[UnitNode] = []
    seen: set[int] = set()

    def walk(unit: Unit, depth: int) -> None:
        if unit.id in seen:
            return
        seen.add(unit.id)
        parent = by_id.get(unit.parent_id) if unit.parent_id is not None else None
        nodes.append(UnitNode(unit.code, unit.name, unit.kind, depth,
                              parent.code if parent else None))
        for child in children.get(unit.id, []):
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)
    return nodes
