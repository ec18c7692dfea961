"""The one clock that the engine, the timers and the tests read."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Return the current time as an aware UTC datetime."""
        ...


class SystemClock:
    """Wall-clock time in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to, for tests and scripted CLI runs."""

    def __init__(self, start: datetime) -> None:
        self._now = to_utc(start)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = to_utc(moment)

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        step = delta if delta is not None else timedelta(**kwargs)
        with self._lock:
            self._now = self._now + step
            return self._now


def to_utc(moment: datetime) -> datetime:
    """Return `moment` in UTC; a naive value is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def clock_from_environment() -> Clock:
    """Return a FixedClock at SLOYFE_NOW (ISO 8601) when set, else the system clock."""
    fixed = os.environ.get("SLOYFE_NOW")
    if not fixed:
        return SystemClock()
    return FixedClock(parse_instant(fixed))


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 date or date-time; a value without offset is Europe/Oslo time."""
    from zoneinfo import ZoneInfo

    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("Europe/Oslo"))
    return value.astimezone(UTC)
