"""Validation of each component kind and rule, from HTML posts and from JSON."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from engine.forms.components import FormSpec
from engine.forms.schema import validate_submission
from tests.engine.forms.factories import component, form, options, required, textfield


def post(spec: FormSpec, *pairs: tuple[str, str], **kwargs: Any) -> tuple[dict, dict]:
    return validate_submission(spec, MultiDict(list(pairs)), **kwargs)


def send(spec: FormSpec, data: dict[str, Any], **kwargs: Any) -> tuple[dict, dict]:
    return validate_submission(spec, data, source="json", **kwargs)


# --- text ------------------------------------------------------------------------------------

def test_textfield_value_is_stripped() -> None:
    clean, _ = post(form(textfield("tittel")), ("tittel", "  Brann  "))
    assert clean == {"tittel": "Brann"}


def test_required_textfield_rejects_blank() -> None:
    _, errors = post(form(textfield("tittel", **required())), ("tittel", "   "))
    assert "obligatorisk" in errors["tittel"][0]


def test_required_textfield_rejects_missing_input() -> None:
    _, errors = post(form(textfield("tittel", **required())))
    assert "tittel" in errors


def test_optional_textfield_accepts_blank() -> None:
    clean, errors = post(form(textfield("tittel")), ("tittel", ""))
    assert errors == {}
    assert clean == {"tittel": ""}


def test_min_length_rejects_short_text() -> None:
    _, errors = post(form(textfield("tittel", validate={"minLength": 3})), ("tittel", "ab"))
    assert errors["tittel"] == ["Skriv minst 3 tegn."]


def test_max_length_rejects_long_text() -> None:
    _, errors = post(form(textfield("tittel", validate={"maxLength": 3})), ("tittel", "abcd"))
    assert errors["tittel"] == ["Skriv høyst 3 tegn. Du skrev 4."]


def test_length_counts_characters_not_bytes() -> None:
    _, errors = post(form(textfield("navn", validate={"maxLength": 3})), ("navn", "Åsø"))
    assert errors == {}


def test_pattern_rejects_mismatch() -> None:
    spec = form(textfield("kode", validate={"pattern": "^[0-9]{4}$"}))
    _, errors = post(spec, ("kode", "12a4"))
    assert "format" in errors["kode"][0]


def test_pattern_accepts_match() -> None:
    spec = form(textfield("kode", validate={"pattern": "^[0-9]{4}$"}))
    _, errors = post(spec, ("kode", "1234"))
    assert errors == {}


@pytest.mark.parametrize(("pattern", "value"), [
    (r"^(x+x+)+y$", "x" * 5000), (r"^(a|aa)+$", "a" * 5000 + "!"),
    (r"^(\w+\s?)+$", "a" * 5000 + "!"),
])
def test_backtracking_pattern_times_out(pattern: str, value: str) -> None:
    spec = form(textfield("kode", validate={"pattern": pattern}))
    _, errors = post(spec, ("kode", value))
    assert "i tide" in errors["kode"][0]


@pytest.mark.parametrize("value", ["31.02.2027", "31/02/2027", "2027-02-29", "00.01.2027",
                                   "15.13.2027"])
def test_nonexistent_date_is_named(value: str) -> None:
    spec = form(component("datetime", "dag", subtype="date", dateLabel="Dag"))
    _, errors = post(spec, ("dag", value))
    assert errors["dag"] == [f"Datoen {value} finnes ikke. Sjekk dagen og måneden."]


def test_pattern_is_not_applied_to_blank() -> None:
    spec = form(textfield("kode", validate={"pattern": "^[0-9]{4}$"}))
    _, errors = post(spec, ("kode", ""))
    assert errors == {}


@pytest.mark.parametrize("address", ["ola@example.no", "kari.nordmann@kommune.example.no"])
def test_email_accepts_address(address: str) -> None:
    spec = form(textfield("epost", validate={"validationType": "email"}))
    assert post(spec, ("epost", address))[1] == {}


@pytest.mark.parametrize("address", ["ola", "ola@", "ola@example", "a b@example.no"])
def test_email_rejects_invalid_address(address: str) -> None:
    spec = form(textfield("epost", validate={"validationType": "email"}))
    assert "e-postadresse" in post(spec, ("epost", address))[1]["epost"][0]


@pytest.mark.parametrize("number", ["91234567", "912 34 567", "+47 912 34 567", "0047 91234567"])
def test_phone_accepts_number(number: str) -> None:
    spec = form(textfield("tlf", validate={"validationType": "phone"}))
    assert post(spec, ("tlf", number))[1] == {}


@pytest.mark.parametrize("number", ["1234", "telefon", "+0 123"])
def test_phone_rejects_invalid_number(number: str) -> None:
    spec = form(textfield("tlf", validate={"validationType": "phone"}))
    assert "telefonnummer" in post(spec, ("tlf", number))[1]["tlf"][0]


def test_textarea_keeps_line_breaks() -> None:
    clean, _ = post(form(component("textarea", "beskrivelse")),
                    ("beskrivelse", "linje 1\r\nlinje 2"))
    assert clean["beskrivelse"] == "linje 1\nlinje 2"


def test_text_with_control_character_is_rejected() -> None:
    _, errors = post(form(textfield("tittel")), ("tittel", "a\x00b"))
    assert "kontrolltegn" in errors["tittel"][0]


def test_json_text_must_be_a_string() -> None:
    _, errors = send(form(textfield("tittel")), {"tittel": 12})
    assert "tekst" in errors["tittel"][0]


# --- number ----------------------------------------------------------------------------------

def test_number_accepts_decimal_comma() -> None:
    clean, _ = post(form(component("number", "belop")), ("belop", "12,5"))
    assert clean == {"belop": 12.5}


def test_number_accepts_spaces_between_thousands() -> None:
    clean, _ = post(form(component("number", "belop")), ("belop", "1 250 000"))
    assert clean == {"belop": 1250000}


def test_number_accepts_no_break_spaces_between_thousands() -> None:
    clean, _ = post(form(component("number", "belop")), ("belop", "80\u00a0000\u00a0000"))
    assert clean == {"belop": 80_000_000}


def test_number_with_thousand_points_is_rejected() -> None:
    _, errors = post(form(component("number", "belop")), ("belop", "80.000.000"))
    [message] = errors["belop"]
    assert "80 000 000" in message
    assert "mellomrom" in message


def test_whole_number_is_stored_as_int() -> None:
    clean, _ = post(form(component("number", "antall")), ("antall", "3"))
    assert type(clean["antall"]) is int


def test_blank_number_is_none() -> None:
    clean, _ = post(form(component("number", "antall")), ("antall", ""))
    assert clean == {"antall": None}


def test_number_rejects_text() -> None:
    _, errors = post(form(component("number", "antall")), ("antall", "tre"))
    assert "tall" in errors["antall"][0]


def test_required_number_rejects_blank() -> None:
    _, errors = post(form(component("number", "antall", **required())), ("antall", ""))
    assert "obligatorisk" in errors["antall"][0]


def test_number_below_min_is_rejected() -> None:
    spec = form(component("number", "antall", validate={"min": 1}))
    assert post(spec, ("antall", "0"))[1]["antall"] == ["Skriv 1 eller mer."]


def test_number_above_max_is_rejected() -> None:
    spec = form(component("number", "antall", validate={"max": 10}))
    assert post(spec, ("antall", "10,5"))[1]["antall"] == ["Skriv 10 eller mindre."]


def test_number_at_max_is_accepted() -> None:
    spec = form(component("number", "antall", validate={"max": 10}))
    assert post(spec, ("antall", "10"))[1] == {}


def test_decimal_digits_limit_decimals() -> None:
    spec = form(component("number", "belop", decimalDigits=2))
    assert "2 desimaler" in post(spec, ("belop", "1,234"))[1]["belop"][0]


def test_zero_decimal_digits_asks_for_whole_number() -> None:
    spec = form(component("number", "antall", decimalDigits=0))
    assert post(spec, ("antall", "1,5"))[1]["antall"] == ["Skriv et heltall."]


def test_increment_rejects_value_between_steps() -> None:
    spec = form(component("number", "timer", increment="0.5"))
    message = post(spec, ("timer", "1,2"))[1]["timer"][0]
    assert "1 og 1,5" in message


def test_increment_accepts_step() -> None:
    spec = form(component("number", "timer", increment="0.5"))
    assert post(spec, ("timer", "1,5"))[1] == {}


def test_json_number_is_accepted() -> None:
    assert send(form(component("number", "antall")), {"antall": 4})[0] == {"antall": 4}


def test_json_boolean_is_not_a_number() -> None:
    assert "antall" in send(form(component("number", "antall")), {"antall": True})[1]


def test_serialize_to_string_keeps_text() -> None:
    spec = form(component("number", "belop", serializeToString=True))
    assert post(spec, ("belop", "12,50"))[0] == {"belop": "12.50"}


# --- date and time -----------------------------------------------------------------------------

def date_form(**settings: Any) -> FormSpec:
    return form(component("datetime", "frist", subtype="date", **settings))


@pytest.mark.parametrize("typed", ["05.03.2027", "5.3.2027", "2027-03-05", "5/3/2027",
                                   "05/03/2027"])
def test_date_is_stored_as_iso(typed: str) -> None:
    assert post(date_form(), ("frist", typed))[0] == {"frist": "2027-03-05"}


@pytest.mark.parametrize("typed", ["05.03/2027", "i morgen", "05.03.27", "2027/03/05"])
def test_invalid_date_is_rejected(typed: str) -> None:
    message = post(date_form(), ("frist", typed))[1]["frist"][0]
    assert message == "Skriv en gyldig dato på formen dd.mm.åååå."


def test_required_date_rejects_blank() -> None:
    assert "obligatorisk" in post(date_form(**required()), ("frist", ""))[1]["frist"][0]


def test_blank_date_is_none() -> None:
    assert post(date_form(), ("frist", ""))[0] == {"frist": None}


def test_passed_date_is_rejected_when_disallowed() -> None:
    spec = date_form(disallowPassedDates=True)
    _, errors = post(spec, ("frist", "03.01.2027"), today=date(2027, 1, 4))
    assert "senere dato" in errors["frist"][0]


def test_today_is_allowed_when_passed_dates_are_disallowed() -> None:
    spec = date_form(disallowPassedDates=True)
    assert post(spec, ("frist", "04.01.2027"), today=date(2027, 1, 4))[1] == {}


def test_json_date_accepts_iso() -> None:
    assert send(date_form(), {"frist": "2027-03-05"})[0] == {"frist": "2027-03-05"}


@pytest.mark.parametrize(("typed", "stored"), [("14:30", "14:30"), ("9.05", "09:05"),
                                               ("08:00:00", "08:00")])
def test_time_is_stored_as_hours_and_minutes(typed: str, stored: str) -> None:
    spec = form(component("datetime", "kl", subtype="time"))
    assert post(spec, ("kl", typed))[0] == {"kl": stored}


@pytest.mark.parametrize("typed", ["25:00", "12:60", "halv tre", "12:30:15"])
def test_invalid_time_is_rejected(typed: str) -> None:
    spec = form(component("datetime", "kl", subtype="time"))
    assert "klokkeslett" in post(spec, ("kl", typed))[1]["kl"][0]


def datetime_form(**settings: Any) -> FormSpec:
    return form(component("datetime", "mote", subtype="datetime", **settings))


def test_datetime_parts_are_combined_in_oslo_winter_time() -> None:
    clean, _ = post(datetime_form(), ("mote:date", "05.03.2027"), ("mote:time", "14:30"))
    assert clean == {"mote": "2027-03-05T14:30:00+01:00"}


def test_datetime_parts_are_combined_in_oslo_summer_time() -> None:
    clean, _ = post(datetime_form(), ("mote:date", "05.07.2027"), ("mote:time", "14:30"))
    assert clean == {"mote": "2027-07-05T14:30:00+02:00"}


def test_datetime_in_summer_time_gap_is_rejected() -> None:
    _, errors = post(datetime_form(), ("mote:date", "28.03.2027"), ("mote:time", "02:30"))
    assert "sommertid" in errors["mote"][0]


def test_datetime_with_date_only_is_rejected() -> None:
    _, errors = post(datetime_form(), ("mote:date", "05.03.2027"), ("mote:time", ""))
    assert errors["mote"] == ["Skriv både dato og klokkeslett."]


def test_datetime_with_slashed_date_is_accepted() -> None:
    clean, _ = post(datetime_form(), ("mote:date", "5/3/2027"), ("mote:time", "14:30"))
    assert clean == {"mote": "2027-03-05T14:30:00+01:00"}


def test_datetime_reports_bad_date_and_time_together() -> None:
    _, errors = post(datetime_form(), ("mote:date", "31.02.2027"), ("mote:time", "25:00"))
    messages = errors["mote"]
    assert len(messages) == 2
    assert messages[0] == "Datoen 31.02.2027 finnes ikke. Sjekk dagen og måneden."
    assert "klokkeslett" in messages[1]


def test_datetime_with_only_bad_time_reports_time() -> None:
    _, errors = post(datetime_form(), ("mote:date", "05.03.2027"), ("mote:time", "25:00"))
    assert len(errors["mote"]) == 1
    assert "klokkeslett" in errors["mote"][0]


def test_blank_datetime_is_none() -> None:
    clean, _ = post(datetime_form(), ("mote:date", ""), ("mote:time", ""))
    assert clean == {"mote": None}


def test_required_datetime_rejects_blank() -> None:
    _, errors = post(datetime_form(**required()), ("mote:date", ""), ("mote:time", ""))
    assert "obligatorisk" in errors["mote"][0]


def test_json_datetime_keeps_offset() -> None:
    clean, _ = send(datetime_form(), {"mote": "2027-03-05T14:30:00Z"})
    assert clean == {"mote": "2027-03-05T14:30:00+00:00"}


def test_json_datetime_without_offset_is_oslo_time() -> None:
    clean, _ = send(datetime_form(), {"mote": "2027-03-05T14:30"})
    assert clean == {"mote": "2027-03-05T14:30:00+01:00"}


def test_json_datetime_rejects_date_only() -> None:
    _, errors = send(datetime_form(), {"mote": "2027-03-05"})
    assert "ISO 8601" in errors["mote"][0]


# --- checkbox ----------------------------------------------------------------------------------

def test_checked_checkbox_is_true() -> None:
    assert post(form(component("checkbox", "samtykke")), ("samtykke", "true"))[0] == \
        {"samtykke": True}


def test_unchecked_checkbox_is_false() -> None:
    assert post(form(component("checkbox", "samtykke")))[0] == {"samtykke": False}


def test_required_checkbox_must_be_checked() -> None:
    _, errors = post(form(component("checkbox", "samtykke", **required())))
    assert errors["samtykke"] == ["Feltet er obligatorisk. Kryss av i boksen."]


def test_json_checkbox_rejects_string() -> None:
    _, errors = send(form(component("checkbox", "samtykke")), {"samtykke": "ja"})
    assert "samtykke" in errors


# --- radio, select, checklist, taglist ------------------------------------------------------------

@pytest.mark.parametrize("kind", ["radio", "select"])
def test_single_choice_accepts_option(kind: str) -> None:
    spec = form(component(kind, "svar", values=options("ja", "nei")))
    assert post(spec, ("svar", "nei"))[0] == {"svar": "nei"}


@pytest.mark.parametrize("kind", ["radio", "select"])
def test_single_choice_rejects_unknown_value(kind: str) -> None:
    spec = form(component(kind, "svar", values=options("ja", "nei")))
    assert post(spec, ("svar", "kanskje"))[1]["svar"] == ["Velg et av alternativene i listen."]


@pytest.mark.parametrize("kind", ["radio", "select"])
def test_required_single_choice_rejects_no_choice(kind: str) -> None:
    spec = form(component(kind, "svar", values=options("ja", "nei"), **required()))
    assert "Velg et av alternativene" in post(spec, ("svar", ""))[1]["svar"][0]


def test_select_with_no_choice_is_none() -> None:
    spec = form(component("select", "svar", values=options("ja", "nei")))
    assert post(spec, ("svar", ""))[0] == {"svar": None}


def test_numeric_option_value_keeps_its_type() -> None:
    spec = form(component("radio", "niva", values=[{"label": "Lav", "value": 1},
                                                   {"label": "Høy", "value": 3}]))
    assert post(spec, ("niva", "3"))[0] == {"niva": 3}


@pytest.mark.parametrize("kind", ["checklist", "taglist"])
def test_multiple_choice_returns_list(kind: str) -> None:
    spec = form(component(kind, "vedlegg", values=options("a", "b", "c")))
    assert post(spec, ("vedlegg", "a"), ("vedlegg", "c"))[0] == {"vedlegg": ["a", "c"]}


@pytest.mark.parametrize("kind", ["checklist", "taglist"])
def test_multiple_choice_rejects_unknown_value(kind: str) -> None:
    spec = form(component(kind, "vedlegg", values=options("a", "b")))
    assert "vedlegg" in post(spec, ("vedlegg", "a"), ("vedlegg", "z"))[1]


@pytest.mark.parametrize("kind", ["checklist", "taglist"])
def test_required_multiple_choice_rejects_none(kind: str) -> None:
    spec = form(component(kind, "vedlegg", values=options("a", "b"), **required()))
    assert "minst ett" in post(spec)[1]["vedlegg"][0]


def test_multiple_choice_drops_repeats() -> None:
    spec = form(component("checklist", "vedlegg", values=options("a", "b")))
    assert post(spec, ("vedlegg", "a"), ("vedlegg", "a"))[0] == {"vedlegg": ["a"]}


def test_json_multiple_choice_must_be_list() -> None:
    spec = form(component("checklist", "vedlegg", values=options("a", "b")))
    assert "liste" in send(spec, {"vedlegg": "a"})[1]["vedlegg"][0]


def test_json_multiple_choice_accepts_list() -> None:
    spec = form(component("taglist", "vedlegg", values=options("a", "b")))
    assert send(spec, {"vedlegg": ["b"]})[0] == {"vedlegg": ["b"]}


# --- values from the process -------------------------------------------------------------------

def units_form(**settings: Any) -> FormSpec:
    return form(component("select", "enhet", valuesKey="enheter", **settings))


UNITS = {"enheter": [{"label": "Skole", "value": "skole"}, {"label": "Helse", "value": "helse"}]}


def test_values_key_accepts_supplied_option() -> None:
    clean, _ = post(units_form(), ("enhet", "helse"), options=UNITS)
    assert clean == {"enhet": "helse"}


def test_values_key_rejects_value_outside_options() -> None:
    _, errors = post(units_form(), ("enhet", "teknisk"), options=UNITS)
    assert "enhet" in errors


def test_values_key_without_supplied_options_rejects_any_value() -> None:
    _, errors = post(units_form(), ("enhet", "helse"))
    assert "enhet" in errors


def test_values_key_accepts_plain_strings() -> None:
    clean, _ = post(units_form(), ("enhet", "a"), options={"enheter": ["a", "b"]})
    assert clean == {"enhet": "a"}


# --- defaults, disabled and read-only ----------------------------------------------------------

def test_json_missing_field_takes_default() -> None:
    clean, _ = send(form(textfield("status", defaultValue="ny")), {})
    assert clean == {"status": "ny"}


def test_disabled_field_is_not_stored() -> None:
    clean, _ = post(form(textfield("saksnr", disabled=True)), ("saksnr", "forfalsket"))
    assert clean == {}


def test_readonly_field_is_not_stored() -> None:
    clean, _ = send(form(textfield("saksnr", readonly=True)), {"saksnr": "forfalsket"})
    assert clean == {}


def test_readonly_required_field_is_not_enforced() -> None:
    _, errors = post(form(textfield("saksnr", readonly=True, **required())))
    assert errors == {}


def test_readonly_condition_locks_field_when_true() -> None:
    spec = form(component("checkbox", "laast"), textfield("notat", readonly="=laast"))
    clean, _ = post(spec, ("laast", "true"), ("notat", "endret"))
    assert "notat" not in clean


def test_readonly_condition_leaves_field_editable_when_false() -> None:
    spec = form(component("checkbox", "laast"), textfield("notat", readonly="=laast"))
    clean, _ = post(spec, ("notat", "endret"))
    assert clean["notat"] == "endret"
