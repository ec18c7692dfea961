from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from engine.forms.values import (
    DateTimeParts,
    NonexistentTime,
    format_date,
    format_number,
    format_time,
    local_datetime,
    parse_date,
    parse_datetime,
    parse_number,
    parse_time,
    split_datetime,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("05.03.2027", date(2027, 3, 5)),
    ("5.3.2027", date(2027, 3, 5)),
    ("5/3/2027", date(2027, 3, 5)),
    ("05/03/2027", date(2027, 3, 5)),
    (" 2027-03-05 ", date(2027, 3, 5)),
    ("29.02.2028", date(2028, 2, 29)),
])
def test_parse_date_accepts_norwegian_and_iso(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["29.02.2027", "2027-3-5", "05-03-2027", "", "05.03.27",
                                  "05/03.2027", "2027/03/05"])
def test_parse_date_rejects_other_forms(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize(("text", "expected"), [("14:30", time(14, 30)), ("7.05", time(7, 5)),
                                                ("23:59:00", time(23, 59))])
def test_parse_time_accepts_hours_and_minutes(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "1430", "14:3", "14:30:01"])
def test_parse_time_rejects_other_forms(text: str) -> None:
    with pytest.raises(ValueError):
        parse_time(text)


def test_local_datetime_uses_oslo_offset() -> None:
    assert local_datetime(date(2027, 1, 4), time(9, 0)).isoformat() == "2027-01-04T09:00:00+01:00"


def test_local_datetime_rejects_summer_time_gap() -> None:
    with pytest.raises(NonexistentTime):
        local_datetime(date(2027, 3, 28), time(2, 15))


def test_local_datetime_takes_first_of_repeated_hour() -> None:
    moment = local_datetime(date(2027, 10, 31), time(2, 30))
    assert moment.utcoffset().total_seconds() == 7200  # type: ignore[union-attr]


def test_parse_datetime_reads_norwegian_form() -> None:
    assert parse_datetime("05.03.2027 14:30").isoformat() == "2027-03-05T14:30:00+01:00"


def test_parse_datetime_keeps_given_offset() -> None:
    assert parse_datetime("2027-03-05T14:30+03:00").isoformat() == "2027-03-05T14:30:00+03:00"


@pytest.mark.parametrize(("text", "expected"), [
    ("12", Decimal("12")), ("12,5", Decimal("12.5")), ("-3.25", Decimal("-3.25")),
    ("1\u00a0000", Decimal("1000")), ("\u22124", Decimal("-4")),
    ("0.125", Decimal("0.125")), ("1000.500", Decimal("1000.5")), ("80,000", Decimal("80")),
    ("12.50", Decimal("12.5")),
])
def test_parse_number_reads_typed_numbers(text: str, expected: Decimal) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["1,2,3", "1e5", "NaN", "12 kr", "Infinity", "",
                                  "80.000", "-1.500", "80.000.000"])
def test_parse_number_rejects_other_text(text: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text)


def test_format_date_shows_norwegian_form() -> None:
    assert format_date("2027-03-05") == "05.03.2027"


def test_format_date_keeps_typed_text() -> None:
    assert format_date("5.3.27") == "5.3.27"


def test_format_time_pads_hours() -> None:
    assert format_time("9:05") == "09:05"


def test_split_datetime_converts_to_oslo() -> None:
    assert split_datetime("2027-03-05T13:30:00+00:00") == DateTimeParts("05.03.2027", "14:30")


def test_split_datetime_of_none_is_blank() -> None:
    assert split_datetime(None).is_blank


@pytest.mark.parametrize(("value", "expected"), [
    (1234.5, "1\u00a0234,5"), (12, "12"), (999, "999"), (1000, "1\u00a0000"),
    (Decimal("-1234567.25"), "-1\u00a0234\u00a0567,25"), (0.5, "0,5"), (-12, "-12"),
])
def test_format_number_groups_thousands(value: object, expected: str) -> None:
    assert format_number(value) == expected


@pytest.mark.parametrize("value", [1234.5, Decimal("-1234567.25"), 1000, 7])
def test_formatted_number_parses_back(value: object) -> None:
    assert parse_number(format_number(value)) == Decimal(str(value))


def test_format_number_keeps_typed_text() -> None:
    assert format_number("12.5") == "12.5"
