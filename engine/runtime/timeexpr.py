"""ISO 8601 instants, durations and repeating intervals as timers and due dates use them.

Date parts of a duration (years, months, weeks, days) are added in Europe/Oslo wall-clock time,
so "P1D" from 09:00 is 09:00 the next day, also across a daylight-saving change. Time parts
(hours, minutes, seconds) are exact elapsed time, so "PT72H" is always 72 hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from engine.runtime import calendar

OSLO = ZoneInfo("Europe/Oslo")

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?$",
    re.IGNORECASE,
)


class TimeExpressionError(ValueError):
    """The text is not an ISO 8601 instant, duration or repeating interval."""


@dataclass(frozen=True)
class Duration:
    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: float = 0.0

    def add_to(self, start: datetime, working_days: bool = False) -> datetime:
        """Return `start` plus this duration (date part in Oslo wall time, time part exact).

        With `working_days`, days and weeks count Norwegian working days (a week is five),
        and a date reached through years or months moves on to the next working day.
        """
        local = start.astimezone(OSLO)
        if working_days:
            wall = local.replace(tzinfo=None) + relativedelta(years=self.years,
                                                              months=self.months)
            if self.years or self.months:
                wall = calendar.shift_to_working_day(wall)
            day = calendar.add_working_days(wall.date(), self.weeks * 5 + self.days)
            local = _localize(wall.replace(year=day.year, month=day.month, day=day.day))
        else:
            delta = relativedelta(years=self.years, months=self.months, weeks=self.weeks,
                                  days=self.days)
            if delta:
                local = _localize(local.replace(tzinfo=None) + delta)
        exact = timedelta(hours=self.hours, minutes=self.minutes, seconds=self.seconds)
        return local.astimezone(UTC) + exact

    def subtract_from(self, end: datetime, working_days: bool = False) -> datetime:
        """Return `end` minus this duration, the reverse of add_to."""
        local = end.astimezone(OSLO)
        exact = timedelta(hours=self.hours, minutes=self.minutes, seconds=self.seconds)
        local = (local.astimezone(UTC) - exact).astimezone(OSLO)
        wall = local.replace(tzinfo=None) - relativedelta(years=self.years, months=self.months)
        if working_days:
            day = calendar.add_working_days(wall.date(), -(self.weeks * 5 + self.days))
            wall = wall.replace(year=day.year, month=day.month, day=day.day)
        else:
            wall = wall - relativedelta(weeks=self.weeks, days=self.days)
        if wall != local.replace(tzinfo=None):
            local = _localize(wall)
        return local.astimezone(UTC)

    def is_zero(self) -> bool:
        return not any((self.years, self.months, self.weeks, self.days, self.hours, self.minutes,
                        self.seconds))


@dataclass(frozen=True)
class Cycle:
    """A repeating interval R[n]/start/duration; `repetitions` is None for unbounded."""

    repetitions: int | None
    start: datetime | None
    period: Duration

    def first_due(self, now: datetime) -> datetime:
        if self.start is not None:
            return self.start
        return self.period.add_to(now)


def _localize(wall: datetime) -> datetime:
    """Attach Oslo time to a wall-clock value; a time skipped by DST moves forward an hour."""
    aware = wall.replace(tzinfo=OSLO, fold=0)
    roundtrip = aware.astimezone(UTC).astimezone(OSLO).replace(tzinfo=None)
    if roundtrip != wall:
        aware = (wall + timedelta(hours=1)).replace(tzinfo=OSLO)
    return aware


def parse_duration(text: str) -> Duration:
    match = _DURATION.match(text.strip())
    if not match:
        raise TimeExpressionError(text)
    parts = {name: value for name, value in match.groupdict().items() if value is not None}
    seconds = float(parts.pop("seconds", "0").replace(",", "."))
    return Duration(seconds=seconds, **{name: int(value) for name, value in parts.items()})


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 date or date-time; without an offset it is Europe/Oslo time."""
    raw = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            return datetime.combine(date.fromisoformat(raw), time(0, 0), OSLO).astimezone(
                UTC)
        value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise TimeExpressionError(text) from None
    if value.tzinfo is None:
        value = _localize(value)
    return value.astimezone(UTC)


def parse_cycle(text: str) -> Cycle:
    parts = text.strip().split("/")
    if len(parts) not in (2, 3) or not parts[0].upper().startswith("R"):
        raise TimeExpressionError(text)
    count = parts[0][1:]
    if count and not count.isdigit():
        raise TimeExpressionError(text)
    repetitions = int(count) if count else None
    if len(parts) == 2:
        return Cycle(repetitions, None, parse_duration(parts[1]))
    return Cycle(repetitions, parse_instant(parts[1]), parse_duration(parts[2]))


def literal(text: str) -> str | None:
    """Return the ISO 8601 literal that `text` spells, without surrounding quotes, or None.

    Diagrams written for SpiffWorkflow quote literals ("PT72H") because it evaluates every
    timer as Python; Camunda Modeler writes them bare (PT72H). Both mean the same here.
    """
    raw = text.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        inner = raw[1:-1].strip()
        if looks_like_literal(inner):
            return inner
    return raw if looks_like_literal(raw) else None


def looks_like_literal(text: str) -> bool:
    """True when `text` is meant as an ISO 8601 literal rather than a Python expression.

    Anything starting like a duration (P and a digit or T), a repeating interval (R, digits,
    slash) or a date (yyyy-mm-dd) counts, so a mistyped literal such as PT72X is reported as a
    bad duration instead of being read as a variable name.
    """
    raw = text.strip()
    return bool(re.match(r"(R\d*/)|(P[\dT])|(\d{4}-\d{2}-\d{2})", raw, re.IGNORECASE))


def end_of_day(day: date) -> datetime:
    """The last minute of `day` in Oslo, in UTC (23:59, shown as such to users)."""
    return _localize(datetime.combine(day, time(23, 59))).astimezone(UTC)


def to_utc_instant(value: object) -> datetime:
    """Turn a due-date value from a process (datetime, date or ISO text) into UTC."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return _localize(value).astimezone(UTC)
        return value.astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), OSLO).astimezone(UTC)
    if isinstance(value, str):
        return parse_instant(value)
    raise TimeExpressionError(repr(value))
