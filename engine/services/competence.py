"""Development needs from the employee conversations, counted for a unit's competence plan.

Filing a conversation records an audit event `development_needs_filed` with the unit, the
year and the need categories, and without the case id (handlers/medarbeidersamtale.py). The
counts come from those events only, so they never read a confidential conversation. A
category that fewer people than the minimum group size share is hidden, so one person's
need cannot be singled out. The minimum is the key `minste_gruppe` of the setting
`medarbeidersamtale.kompetanseplan` (default 3).
"""

from __future__ import annotations

from collections import Counter
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
    """The counts one may show: categories with at least `minimum` people, and the names of
    the categories that some, but too few, people need."""

    conversations: int
    minimum: int
    counts: dict[str, int] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)


def minimum_group(engine: ProcessEngine) -> int:
    """Return the minimum group size from the setting; a missing or invalid value, or one
    below 2, gives the default."""
    value = (engine.repository.setting(SETTING) or {}).get("minste_gruppe")
    try:
        minimum = int(value)
    except (TypeError, ValueError):
        return DEFAULT_MINIMUM_GROUP
    return minimum if minimum >= 2 else DEFAULT_MINIMUM_GROUP


def count_needs(engine: ProcessEngine, unit_code: str, year: int,
                minimum: int | None = None) -> NeedCounts:
    """Count the development needs filed for `unit_code` in the conversations of `year`.

    Runs inside the caller's transaction. Conversations of a year are filed from 1 January
    of that year on, so older events are not read.
    NOTE: when every counted person shares a category, its count tells that each of them has
    that need. The minimum guards against small groups only.
    """
    minimum = minimum if minimum is not None else minimum_group(engine)
    since = datetime.combine(datetime(year, 1, 1).date(), time(0, 0), OSLO)
    rows = engine.uow.session.scalars(
        select(AuditEvent.details).where(AuditEvent.at >= since,
                                         AuditEvent.action == NEEDS_FILED))
    conversations = 0
    counter: Counter[str] = Counter()
    for details in rows:
        if not details or details.get("unit") != unit_code or details.get("year") != year:
            continue
        conversations += 1
        counter.update(set(str(category) for category in details.get("categories") or []))
    visible = {category: count for category, count in counter.items() if count >= minimum}
    hidden = {category for category, count in counter.items() if count < minimum}
    return NeedCounts(conversations, minimum, visible, hidden)
