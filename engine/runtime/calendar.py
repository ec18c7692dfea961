"""The Norwegian business calendar: weekends and public holidays, Easter included.

Deadlines "in working days" count only Monday to Friday outside the public holidays of
Norway (holidays.Norway: New Year's Day, Maundy Thursday, Good Friday, Easter Sunday and
Monday, 1 May, Ascension Day, 17 May, Whit Sunday and Monday, 25 and 26 December).
Christmas Eve and New Year's Eve are ordinary working days by law, so they count too.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

# The value of the camunda property `kalender` (and of the deadline settings' "kalender")
# that makes whole days count as working days.
WORKING_DAYS = "virkedager"


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.Norway(years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def next_working_day(day: date) -> date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, count: int) -> date:
    """The date `count` working days after `start` (before it when `count` is negative)."""
    step = 1 if count >= 0 else -1
    day = start
    remaining = abs(count)
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def shift_to_working_day(moment: datetime) -> datetime:
    """Move a local wall-clock moment to the same time on the next working day, if needed."""
    day = next_working_day(moment.date())
    return moment.replace(year=day.year, month=day.month, day=day.day)
