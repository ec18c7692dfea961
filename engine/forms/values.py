"""Parse what people type into dates, times and numbers, and format stored values for display.

Stored forms: a date is "2027-03-05", a time "14:30", a date-time ISO 8601 with the offset
("2027-03-05T14:30:00+01:00"). Users type and read dates as dd.mm.åååå and times as HH:MM,
and a date-time without an offset is Norwegian local time (Europe/Oslo).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from engine.runtime.clock import clock_from_environment

OSLO = ZoneInfo("Europe/Oslo")

# Day first, with dots or slashes: 5.3.2027, 05.03.2027, 5/3/2027. The separators must match.
_NORWEGIAN_DATE = re.compile(r"(\d{1,2})([./])(\d{1,2})\2(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})(?::(\d{2}))?")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
# Spaces people put between thousands, including no-break and narrow no-break space.
_DIGIT_GROUPING = re.compile(r"[ \u00a0\u202f]")
# A point followed by one group of three digits, as in 80.000, which Norwegian writers use as
# a thousand separator. Read as a decimal point it would silently store 80.
_POINT_AS_GROUPING = re.compile(r"[+-]?[1-9]\d{0,2}\.\d{3}")


@dataclass(frozen=True)
class DateTimeParts:
    """The date and time text of a date-time field, as typed into its two inputs."""

    date: str = ""
    time: str = ""

    @property
    def is_blank(self) -> bool:
        return not self.date.strip() and not self.time.strip()


class NonexistentTime(ValueError):
    """A local time skipped by the change to summer time, such as 02:30 on the last Sunday
    of March in Norway."""


class NonexistentDate(ValueError):
    """A date written in a valid form that no calendar has, such as 31.02.2027."""


def parse_date(text: str) -> date:
    """Parse dd.mm.åååå, d.m.åååå, d/m/åååå or åååå-mm-dd, or raise ValueError
    (NonexistentDate when the form is right but the day does not exist)."""
    text = text.strip()
    match = _NORWEGIAN_DATE.fullmatch(text)
    if match:
        day, month, year = (int(match.group(number)) for number in (1, 3, 4))
        return _calendar_date(year, month, day, text)
    match = _ISO_DATE.fullmatch(text)
    if match:
        year, month, day = (int(group) for group in match.groups())
        return _calendar_date(year, month, day, text)
    raise ValueError(text)


def _calendar_date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise NonexistentDate(text) from None


def parse_time(text: str) -> time:
    """Parse HH:MM or HH.MM, with optional :00 seconds, or raise ValueError."""
    match = _TIME.fullmatch(text.strip())
    if not match:
        raise ValueError(text)
    hour, minute = int(match.group(1)), int(match.group(2))
    if match.group(3) not in (None, "00"):
        raise ValueError(text)
    return time(hour, minute)


def local_datetime(day: date, clock_time: time) -> datetime:
    """Combine a date and a time on the wall clock in Norway into an aware datetime.

    A time that occurs twice when summer time ends is taken as the first (summer time).
    """
    moment = datetime.combine(day, clock_time, tzinfo=OSLO)
    round_trip = moment.astimezone(UTC).astimezone(OSLO)
    if round_trip.replace(tzinfo=None) != moment.replace(tzinfo=None):
        raise NonexistentTime(f"{day} {clock_time}")
    return moment


def parse_datetime(text: str) -> datetime:
    """Parse ISO 8601 or "dd.mm.åååå HH:MM". A value without offset is Norwegian time."""
    text = text.strip()
    parts = text.split()
    if len(parts) == 2 and _NORWEGIAN_DATE.fullmatch(parts[0]):
        return local_datetime(parse_date(parts[0]), parse_time(parts[1]))
    if not _ISO_DATE.match(text) or len(text) <= 10:
        raise ValueError(text)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return local_datetime(moment.date(), moment.time().replace(microsecond=0))
    return moment


def store_datetime(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def parse_number(text: str) -> Decimal:
    """Parse a number typed by a person: decimal comma or point, spaces between thousands.

    Text such as 80.000, where the point may separate thousands, raises ValueError. The
    person then writes 80 000 for eighty thousand or 80,000 for eighty.
    """
    cleaned = _DIGIT_GROUPING.sub("", text.strip()).replace("\u2212", "-")
    if _POINT_AS_GROUPING.fullmatch(cleaned):
        raise ValueError(text)
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not _NUMBER.fullmatch(cleaned):
        raise ValueError(text)
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None


def today_in_norway() -> date:
    return clock_from_environment().now().astimezone(OSLO).date()


# --- display -----------------------------------------------------------------------------------

def format_date(value: Any) -> str:
    """Show a stored date as dd.mm.åååå. Text that is not an ISO date is shown as it is."""
    if isinstance(value, datetime):
        value = value.astimezone(OSLO).date()
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return parse_date(value).strftime("%d.%m.%Y")
        except ValueError:
            return value
    return "" if value is None else str(value)


def format_time(value: Any) -> str:
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, str) and _TIME.fullmatch(value.strip()):
        try:
            return parse_time(value).strftime("%H:%M")
        except ValueError:
            return value
    return "" if value is None else str(value)


def split_datetime(value: Any) -> DateTimeParts:
    """Split a stored date-time into the date and time a person in Norway reads."""
    if isinstance(value, DateTimeParts):
        return value
    moment = value if isinstance(value, datetime) else None
    if isinstance(value, str) and value.strip():
        try:
            moment = parse_datetime(value)
        except ValueError:
            return DateTimeParts(date=value)
    if moment is None:
        return DateTimeParts()
    if moment.tzinfo is not None:
        moment = moment.astimezone(OSLO)
    return DateTimeParts(date=moment.strftime("%d.%m.%Y"), time=moment.strftime("%H:%M"))


def format_number(value: Any) -> str:
    """Show a stored number the Norwegian way, as 1 234,5. Text typed by a person is kept as
    it is."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, (int, float, Decimal)):
        text = format(Decimal(str(value)), "f")
        sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
        whole, _point, fraction = digits.partition(".")
        # Thousands are grouped with a no-break space, so "1 234,5" never wraps.
        groups = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        grouped = "\u00a0".join([whole, *groups])
        return sign + grouped + ("," + fraction if fraction else "")
    return str(value)
