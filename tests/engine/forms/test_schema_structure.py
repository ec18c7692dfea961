"""Validation across components: conditions, groups, dynamic lists, unknown keys, language."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from engine.forms.components import FormSpec
from engine.forms.schema import validate_submission
from engine.forms.submission import MAX_ROWS
from engine.i18n import use_locale
from tests.engine.forms.factories import component, form, options, required, textfield


def post(spec: FormSpec, *pairs: tuple[str, str], **kwargs: Any) -> tuple[dict, dict]:
    return validate_submission(spec, MultiDict(list(pairs)), **kwargs)


def send(spec: FormSpec, data: Any, **kwargs: Any) -> tuple[dict, dict]:
    return validate_submission(spec, data, source="json", **kwargs)


# --- conditional hide --------------------------------------------------------------------------

def privacy_form() -> FormSpec:
    return form(
        component("select", "kind", values=options("personvern", "annet")),
        component("textarea", "dpia", conditional={"hide": '=kind != "personvern"'},
                  **required()),
    )


def test_hidden_required_field_is_not_enforced() -> None:
    _, errors = post(privacy_form(), ("kind", "annet"), ("dpia", ""))
    assert errors == {}


def test_hidden_field_is_left_out_of_clean_data() -> None:
    clean, _ = post(privacy_form(), ("kind", "annet"), ("dpia", "sendt likevel"))
    assert clean == {"kind": "annet"}


def test_visible_required_field_is_enforced() -> None:
    _, errors = post(privacy_form(), ("kind", "personvern"), ("dpia", ""))
    assert "obligatorisk" in errors["dpia"][0]


def test_visible_field_is_stored() -> None:
    clean, _ = post(privacy_form(), ("kind", "personvern"), ("dpia", "Vurdert"))
    assert clean["dpia"] == "Vurdert"


def test_hidden_field_with_invalid_value_is_not_reported() -> None:
    spec = form(component("checkbox", "utsatt"),
                component("datetime", "frist", subtype="date",
                          conditional={"hide": "=not(utsatt)"}))
    _, errors = post(spec, ("frist", "ikke en dato"))
    assert errors == {}


def test_condition_reads_typed_number() -> None:
    spec = form(component("number", "antall"),
                textfield("forklaring", conditional={"hide": "=antall <= 3"}, **required()))
    _, errors = post(spec, ("antall", "5"), ("forklaring", ""))
    assert "forklaring" in errors


def test_condition_reads_checklist() -> None:
    spec = form(component("checklist", "vedlegg", values=options("dpia", "ros")),
                textfield("dpia_ref", **required(),
                          conditional={"hide": '=not(list contains(vedlegg, "dpia"))'}))
    _, errors = post(spec, ("vedlegg", "ros"))
    assert errors == {}


def test_condition_reads_context_variable() -> None:
    spec = form(textfield("begrunnelse", conditional={"hide": "=not(alvorlig)"}, **required()))
    _, errors = post(spec, ("begrunnelse", ""), context={"alvorlig": True})
    assert "begrunnelse" in errors


def test_submitted_value_overrides_context() -> None:
    spec = form(component("checkbox", "alvorlig"),
                textfield("begrunnelse", conditional={"hide": "=not(alvorlig)"}, **required()))
    _, errors = post(spec, ("begrunnelse", ""), context={"alvorlig": True})
    assert errors == {}


def test_hidden_group_hides_its_fields() -> None:
    spec = form(component("checkbox", "ekstern"),
                component("group", path="leverandor", conditional={"hide": "=not(ekstern)"},
                          components=[textfield("navn", **required())]))
    clean, errors = post(spec)
    assert errors == {}
    assert "leverandor" not in clean


def test_condition_in_row_reads_this() -> None:
    spec = form(component("dynamiclist", path="tiltak", components=[
        component("checkbox", "ferdig"),
        textfield("resultat", conditional={"hide": "=not(this.ferdig)"}, **required()),
    ]))
    _, errors = post(spec, ("tiltak[0].ferdig", "true"), ("tiltak[0].resultat", ""),
                     ("tiltak[1].resultat", "x"))
    assert list(errors) == ["tiltak[0].resultat"]


def test_json_hidden_field_is_dropped() -> None:
    clean, _ = send(privacy_form(), {"kind": "annet", "dpia": "x"})
    assert clean == {"kind": "annet"}


# --- groups ------------------------------------------------------------------------------------

def project_form() -> FormSpec:
    return form(component("group", path="prosjekt", label="Prosjekt", components=[
        textfield("navn", **required()), component("number", "budsjett")]))


def test_group_path_nests_clean_data() -> None:
    clean, _ = post(project_form(), ("prosjekt.navn", "Ny skole"), ("prosjekt.budsjett", "10"))
    assert clean == {"prosjekt": {"navn": "Ny skole", "budsjett": 10}}


def test_group_error_uses_nested_path() -> None:
    _, errors = post(project_form(), ("prosjekt.navn", ""))
    assert list(errors) == ["prosjekt.navn"]


def test_json_group_reads_nested_object() -> None:
    clean, _ = send(project_form(), {"prosjekt": {"navn": "Ny skole"}})
    assert clean == {"prosjekt": {"navn": "Ny skole", "budsjett": None}}


def test_dotted_key_nests_clean_data() -> None:
    clean, _ = post(form(textfield("adresse.poststed")), ("adresse.poststed", "Bodø"))
    assert clean == {"adresse": {"poststed": "Bodø"}}


def test_group_without_path_stores_at_top() -> None:
    spec = form(component("group", label="Del 1", components=[textfield("navn")]))
    assert post(spec, ("navn", "Kari"))[0] == {"navn": "Kari"}


# --- dynamic lists -----------------------------------------------------------------------------

def actions_form() -> FormSpec:
    return form(component("dynamiclist", path="tiltak", label="Tiltak", isRepeating=True,
                          components=[
                              textfield("tittel", **required()),
                              component("datetime", "frist", subtype="date", **required()),
                          ]))


def test_dynamic_list_rows_become_list_of_objects() -> None:
    clean, errors = post(actions_form(),
                         ("tiltak[0].tittel", "Rydd"), ("tiltak[0].frist", "01.02.2027"),
                         ("tiltak[1].tittel", "Mal"), ("tiltak[1].frist", "2027-03-01"))
    assert errors == {}
    assert clean == {"tiltak": [{"tittel": "Rydd", "frist": "2027-02-01"},
                                {"tittel": "Mal", "frist": "2027-03-01"}]}


def test_dynamic_list_error_names_row() -> None:
    _, errors = post(actions_form(),
                     ("tiltak[0].tittel", "Rydd"), ("tiltak[0].frist", "01.02.2027"),
                     ("tiltak[1].tittel", "Mal"), ("tiltak[1].frist", "32.13.2027"))
    assert list(errors) == ["tiltak[1].frist"]


def test_blank_trailing_rows_are_reported() -> None:
    _, errors = post(actions_form(),
                     ("tiltak[0].tittel", "Rydd"), ("tiltak[0].frist", "01.02.2027"),
                     ("tiltak[1].tittel", ""), ("tiltak[1].frist", ""),
                     ("tiltak[2].tittel", " "), ("tiltak[2].frist", ""))
    assert list(errors) == ["tiltak[1]", "tiltak[2]"]
    assert errors["tiltak[2]"] == ["Rad 3 er tom. Fyll den ut eller fjern raden."]


def test_blank_row_before_filled_row_is_reported() -> None:
    _, errors = post(actions_form(),
                     ("tiltak[0].tittel", ""), ("tiltak[0].frist", ""),
                     ("tiltak[1].tittel", "Mal"), ("tiltak[1].frist", "01.02.2027"))
    assert list(errors) == ["tiltak[0]"]


def test_partly_filled_row_reports_its_fields() -> None:
    _, errors = post(actions_form(),
                     ("tiltak[0].tittel", "Rydd"), ("tiltak[0].frist", "01.02.2027"),
                     ("tiltak[1].tittel", ""), ("tiltak[1].frist", "01.03.2027"))
    assert list(errors) == ["tiltak[1].tittel"]


def test_only_blank_rows_give_empty_list() -> None:
    clean, errors = post(actions_form(), ("tiltak[0]", ""), ("tiltak[0].tittel", ""),
                         ("tiltak[1]", ""), ("tiltak[1].tittel", ""))
    assert errors == {}
    assert clean == {"tiltak": []}


def test_row_marker_counts_row_without_inputs() -> None:
    spec = form(component("dynamiclist", path="svar", components=[
        textfield("merknad"),
        component("radio", "valg", values=options("ja", "nei"))]))
    _, errors = post(spec, ("svar[0]", ""), ("svar[0].merknad", "Sjekket"), ("svar[1]", ""))
    assert list(errors) == ["svar[1]"]


def fixed_list_form() -> FormSpec:
    return form(component("dynamiclist", path="hendelser", allowAddRemove=False, components=[
        textfield("tittel", readonly=True),
        component("textarea", "aarsaker", **required())]))


STORED_EVENTS = {"hendelser": [{"tittel": "Fall"}, {"tittel": "Brann"}, {"tittel": "Flom"}]}


def test_fixed_list_blank_row_reports_its_fields() -> None:
    _, errors = post(fixed_list_form(), ("hendelser[0].aarsaker", "Glatt gulv"),
                     ("hendelser[1].aarsaker", "Gammelt anlegg"), ("hendelser[2].aarsaker", ""),
                     context=STORED_EVENTS)
    assert list(errors) == ["hendelser[2].aarsaker"]


def test_fixed_list_keeps_stored_rows_missing_from_post() -> None:
    _, errors = post(fixed_list_form(), ("hendelser[0].aarsaker", "Glatt gulv"),
                     context=STORED_EVENTS)
    assert list(errors) == ["hendelser[1].aarsaker", "hendelser[2].aarsaker"]


def test_read_only_fixed_list_keeps_rows() -> None:
    spec = form(component("dynamiclist", path="prognoser", allowAddRemove=False,
                          components=[textfield("enhet", readonly=True)]))
    clean, errors = post(spec, context={"prognoser": [{"enhet": "Skole"}, {"enhet": "Vei"}]})
    assert errors == {}
    assert clean == {"prognoser": [{}, {}]}


def test_row_with_only_default_values_counts_as_blank() -> None:
    spec = form(component("dynamiclist", path="tiltak", components=[
        textfield("tittel", **required()),
        component("select", "status", values=options("ny", "ferdig"), defaultValue="ny")]))
    clean, errors = post(spec, ("tiltak[0].tittel", ""), ("tiltak[0].status", "ny"))
    assert errors == {}
    assert clean == {"tiltak": []}


def test_empty_dynamic_list_is_empty_list() -> None:
    assert post(actions_form())[0] == {"tiltak": []}


def test_nested_dynamic_list_errors_name_both_rows() -> None:
    spec = form(component("dynamiclist", path="tiltak", components=[
        textfield("tittel"),
        component("dynamiclist", path="oppgaver", components=[textfield("navn"),
                                                               component("number", "timer")]),
    ]))
    _, errors = post(spec, ("tiltak[0].tittel", "a"), ("tiltak[0].oppgaver[0].navn", "b"),
                     ("tiltak[0].oppgaver[0].timer", "mange"))
    assert list(errors) == ["tiltak[0].oppgaver[0].timer"]


def test_too_many_rows_are_rejected() -> None:
    index = MAX_ROWS + 5
    _, errors = post(actions_form(), (f"tiltak[{index}].tittel", "x"))
    assert "tiltak" in errors


def test_json_rows_are_validated() -> None:
    _, errors = send(actions_form(), {"tiltak": [{"tittel": "a", "frist": "2027-01-01"},
                                                 {"tittel": "", "frist": "2027-01-01"}]})
    assert list(errors) == ["tiltak[1].tittel"]


def test_json_blank_rows_are_reported() -> None:
    _, errors = send(actions_form(), {"tiltak": [{"tittel": "a", "frist": "2027-01-01"},
                                                 {}, {"tittel": None}]})
    assert list(errors) == ["tiltak[1]", "tiltak[2]"]


def test_json_only_blank_rows_give_empty_list() -> None:
    clean, errors = send(actions_form(), {"tiltak": [{}, {"tittel": ""}]})
    assert errors == {}
    assert clean == {"tiltak": []}


def test_json_list_must_be_list() -> None:
    _, errors = send(actions_form(), {"tiltak": {"tittel": "a"}})
    assert "liste" in errors["tiltak"][0]


def test_json_row_must_be_object() -> None:
    _, errors = send(actions_form(), {"tiltak": ["a", {"tittel": "b", "frist": "2027-01-01"}]})
    assert list(errors) == ["tiltak[0]"]


# --- unknown keys and the submission as a whole ------------------------------------------------

def test_unknown_html_keys_are_dropped() -> None:
    clean, _ = post(form(textfield("tittel")), ("tittel", "a"), ("is_admin", "true"),
                    ("csrf_token", "x"))
    assert clean == {"tittel": "a"}


def test_unknown_json_keys_are_dropped() -> None:
    clean, _ = send(form(textfield("tittel")), {"tittel": "a", "status": "godkjent"})
    assert clean == {"tittel": "a"}


def test_unknown_keys_in_rows_are_dropped() -> None:
    clean, _ = send(actions_form(), {"tiltak": [{"tittel": "a", "frist": "2027-01-01",
                                                 "ekstra": 1}]})
    assert clean == {"tiltak": [{"tittel": "a", "frist": "2027-01-01"}]}


def test_json_submission_must_be_object() -> None:
    _, errors = send(form(textfield("tittel")), ["tittel"])
    assert list(errors) == [""]


def test_unknown_source_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        validate_submission(form(textfield("tittel")), {}, source="xml")


def test_valid_submission_has_no_errors() -> None:
    clean, errors = post(privacy_form(), ("kind", "personvern"), ("dpia", "ok"))
    assert errors == {}
    assert clean == {"kind": "personvern", "dpia": "ok"}


# --- language ------------------------------------------------------------------------------

def test_messages_are_in_bokmal_by_default() -> None:
    _, errors = post(form(textfield("tittel", **required())))
    assert errors["tittel"] == ["Feltet er obligatorisk. Fyll det ut."]


def test_messages_are_in_english_under_en() -> None:
    with use_locale("en"):
        _, errors = post(form(textfield("tittel", **required())))
    assert errors["tittel"] == ["The field is required. Fill it in."]


def test_plural_message_in_english_uses_singular_for_one() -> None:
    with use_locale("en"):
        _, errors = post(form(textfield("tittel", validate={"minLength": 1})), ("tittel", " "))
    assert errors == {}


def test_date_message_in_english_under_en() -> None:
    spec = form(component("datetime", "frist", subtype="date"))
    with use_locale("en"):
        _, errors = post(spec, ("frist", "x"))
    assert errors["frist"] == ["Enter a valid date in the form dd.mm.yyyy."]
