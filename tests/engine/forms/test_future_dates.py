"""The `disallowFutureDates` property of a date or date-time field: a past event is dated at
the latest today, and the field's example date lies in the past."""

from __future__ import annotations

from datetime import date
from typing import Any

import lxml.html
from werkzeug.datastructures import MultiDict

from engine.forms.components import FormSpec
from engine.forms.render import render_form
from engine.forms.schema import validate_submission
from engine.i18n import use_locale
from tests.engine.forms.factories import component, form

TODAY = date(2027, 1, 4)


def date_form(**settings: Any) -> FormSpec:
    return form(component("datetime", "lukket_dato", subtype="date", dateLabel="Dato lukket",
                          label="Dato lukket", **settings))


def moment_form(**settings: Any) -> FormSpec:
    return form(component("datetime", "meldt", subtype="datetime",
                          dateLabel="Når ble det meldt?", label="Når ble det meldt?",
                          **settings))


def post(spec: FormSpec, *pairs: tuple[str, str]) -> tuple[dict, dict]:
    return validate_submission(spec, MultiDict(list(pairs)), today=TODAY)


def hint_text(spec: FormSpec) -> str:
    with use_locale("nb"):
        html = str(render_form(spec, {}, None, action="/oppgaver/1", submit_label="Send inn"))
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    [hint] = root.xpath("//*[@data-field='description']")
    return hint.text_content()


def test_tomorrow_is_rejected() -> None:
    _, errors = post(date_form(disallowFutureDates=True), ("lukket_dato", "05.01.2027"))

    [message] = errors["lukket_dato"]
    assert "05.01.2027" in message
    assert "Dato lukket" in message


def test_today_is_accepted() -> None:
    clean, errors = post(date_form(disallowFutureDates=True), ("lukket_dato", "04.01.2027"))

    assert errors == {}
    assert clean == {"lukket_dato": "2027-01-04"}


def test_future_allowed_without_property() -> None:
    _, errors = post(date_form(), ("lukket_dato", "05.01.2028"))

    assert errors == {}


def test_datetime_counts_the_day_in_norway() -> None:
    spec = moment_form(disallowFutureDates=True)

    # 23:30 UTC on 4 January is 00:30 on 5 January in Norway.
    _, errors = validate_submission(spec, {"meldt": "2027-01-04T23:30:00+00:00"},
                                    source="json", today=TODAY)

    assert "meldt" in errors


def test_datetime_later_today_is_accepted() -> None:
    spec = moment_form(disallowFutureDates=True)

    _, errors = validate_submission(spec, {"meldt": "2027-01-04T22:30:00+01:00"},
                                    source="json", today=TODAY)

    assert errors == {}


def test_past_event_hint_has_past_example() -> None:
    assert "17.05.2025" in hint_text(date_form(disallowFutureDates=True))


def test_other_date_hint_is_unchanged() -> None:
    assert "17.05.2027" in hint_text(date_form())


def test_past_event_datetime_hint_has_past_example() -> None:
    assert "17.05.2025" in hint_text(moment_form(disallowFutureDates=True))
