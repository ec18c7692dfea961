"""Development needs from the employee conversations, counted for a unit's competence plan.

Filing a conversation records an audit event `development_needs_filed` with the unit, the
year and the need categories, and without the case id (handlers/medarbeidersamtale.py). The
counts come from those events only, so they never read a confidential conversation.

A unit's counts cover the unit and every unit below it. So that no one's needs can be worked
out, from one page or by comparing the pages of a unit, the units above it and the units
below it, each number is built from disjoint groups of people:

- Going up the tree from the bottom, each unit pools its own conversations with what its
  child units did not publish. A pool of a need is published when at least the minimum
  number of people in it share the need and at least one person in it does not. Otherwise
  the pool passes on to the unit above.
- A unit's count of a need is the sum of the pools published in it and below it. The
  difference between two levels is therefore a published pool or nothing, never a hidden
  one. The number of conversations is pooled in the same way, without the second rule.
- Needs that are not published anywhere in the unit's part of the tree are left out, with
  no name, so the page never lists the needs of a group that is too small.

The minimum is the key `minste_gruppe` of the setting `medarbeidersamtale.kompetanseplan`
(default 3). A published number can therefore be lower than the real one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import select

from engine.models import AuditEvent
from engine.runtime.timeexpr import OSLO

if TYPE_CHECKING:
    from engine.engine import ProcessEngine

NEEDS_FILED = "development_needs_filed"
SETTING = "medarbeidersamtale.kompetanseplan"
DEFAULT_MINIMUM_GROUP = 3


@dataclass(frozen=True)
class NeedCounts:
    """The counts one may show for a unit and its subunits in a year. `conversations` is
    None while fewer than `minimum` conversations are filed in every pool."""

    conversations: int | None
    minimum: int
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class _Pooled:
    """The counts a unit publishes and the pools it passes on to the unit above, per need."""

    published: Counter[str] = field(default_factory=Counter)
    pending: Counter[str] = field(default_factory=Counter)
    pending_people: Counter[str] = field(default_factory=Counter)
    conversations: int = 0
    pending_conversations: int = 0


def minimum_group(engine: ProcessEngine) -> int:
    """Return the minimum group size from the setting; a missing or invalid value, or one
    below 2, gives the default."""
    value = (engine.repository.setting(SETTING) or {}).get("minste_gruppe")
    try:
        minimum = int(value)
    except (TypeError, ValueError):
        return DEFAULT_MINIMUM_GROUP
    return minimum if minimum >= 2 else DEFAULT_MINIMUM_GROUP


def filed_needs(engine: ProcessEngine, year: int) -> dict[str, list[set[str]]]:
    """Return the need categories of each conversation filed for `year`, by unit code.

    Runs inside the caller's transaction. Conversations of a year are filed from 1 January
    of that year on, so older events are not read.
    """
    since = datetime.combine(datetime(year, 1, 1).date(), time(0, 0), OSLO)
    rows = engine.uow.session.scalars(
        select(AuditEvent.details).where(AuditEvent.at >= since,
                                         AuditEvent.action == NEEDS_FILED))
    by_unit: dict[str, list[set[str]]] = defaultdict(list)
    for details in rows:
        if not details or details.get("year") != year or not details.get("unit"):
            continue
        categories = {str(category) for category in details.get("categories") or []}
        by_unit[str(details["unit"])].append(categories)
    return by_unit


def count_needs(engine: ProcessEngine, unit_code: str, year: int,
                minimum: int | None = None) -> NeedCounts:
    """Count the development needs filed for `unit_code` and the units below it in the
    conversations of `year`, publishing only pooled groups as the module describes.

    Runs inside the caller's transaction.
    NOTE: the counts of a year grow while its conversations are filed, so someone who
    compares the page before and after one known conversation is filed can see that
    conversation's needs once its pool is published.
    """
    minimum = minimum if minimum is not None else minimum_group(engine)
    filed = filed_needs(engine, year)
    children: dict[str | None, list[str]] = defaultdict(list)
    for unit in engine.organisation.units():
        children[unit.parent.code if unit.parent else None].append(unit.code)
    categories = set().union(*(needs for rows in filed.values() for needs in rows))
    pooled = _pool(unit_code, children, filed, categories, minimum)
    return NeedCounts(pooled.conversations or None, minimum,
                      {category: count for category, count in pooled.published.items()
                       if count > 0})


def _pool(code: str, children: dict[str | None, list[str]],
          filed: dict[str, list[set[str]]], categories: set[str], minimum: int) -> _Pooled:
    own = filed.get(code, [])
    below = [_pool(child, children, filed, categories, minimum)
             for child in children.get(code, [])]
    result = _Pooled()

    result.conversations = sum(child.conversations for child in below)
    pending = len(own) + sum(child.pending_conversations for child in below)
    if pending >= minimum:
        result.conversations += pending
    else:
        result.pending_conversations = pending

    for category in categories:
        result.published[category] = sum(child.published[category] for child in below)
        count = (sum(1 for needs in own if category in needs)
                 + sum(child.pending[category] for child in below))
        people = len(own) + sum(child.pending_people[category] for child in below)
        # A pool where everyone shares the need would tell each person's need.
        if minimum <= count < people:
            result.published[category] += count
        else:
            result.pending[category] = count
            result.pending_people[category] = people
    return result
