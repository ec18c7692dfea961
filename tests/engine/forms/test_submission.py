from __future__ import annotations

from werkzeug.datastructures import MultiDict

from engine.forms.components import FormSpec
from engine.forms.submission import (
    ListAction,
    apply_list_action,
    change_rows,
    parse_list_action,
    submitted_values,
)
from engine.forms.values import DateTimeParts
from tests.engine.forms.factories import component, form, options, textfield


def actions_form(**settings: object) -> FormSpec:
    return form(component("dynamiclist", path="tiltak", components=[
        textfield("tittel"),
        component("dynamiclist", path="oppgaver", components=[textfield("navn")]),
    ], **settings))


def test_submitted_values_nest_paths() -> None:
    spec = form(component("group", path="prosjekt", components=[textfield("navn")]))
    assert submitted_values(spec, MultiDict([("prosjekt.navn", "Skole")])) == \
        {"prosjekt": {"navn": "Skole"}}


def test_submitted_values_keep_invalid_text() -> None:
    spec = form(component("number", "antall"))
    assert submitted_values(spec, MultiDict([("antall", "tre")])) == {"antall": "tre"}


def test_submitted_values_ignore_unknown_names() -> None:
    spec = form(textfield("tittel"))
    assert submitted_values(spec, MultiDict([("tittel", "a"), ("annet", "b")])) == \
        {"tittel": "a"}


def test_submitted_values_record_unchecked_checkbox() -> None:
    spec = form(component("checkbox", "samtykke", defaultValue=True))
    assert submitted_values(spec, MultiDict()) == {"samtykke": False}


def test_submitted_values_collect_checklist() -> None:
    spec = form(component("checklist", "vedlegg", values=options("a", "b")))
    raw = MultiDict([("vedlegg", "a"), ("vedlegg", "b")])
    assert submitted_values(spec, raw) == {"vedlegg": ["a", "b"]}


def test_submitted_values_keep_datetime_parts() -> None:
    spec = form(component("datetime", "mote", subtype="datetime"))
    raw = MultiDict([("mote:date", "05.03.2027"), ("mote:time", "9")])
    assert submitted_values(spec, raw) == {"mote": DateTimeParts("05.03.2027", "9")}


def test_submitted_values_take_readonly_values_from_initial() -> None:
    spec = form(textfield("saksnr", readonly=True), textfield("tittel"))
    raw = MultiDict([("saksnr", "forfalsket"), ("tittel", "a")])
    assert submitted_values(spec, raw, initial={"saksnr": "2027/1"}) == \
        {"saksnr": "2027/1", "tittel": "a"}


def test_submitted_values_keep_blank_rows() -> None:
    raw = MultiDict([("tiltak[0].tittel", "a"), ("tiltak[1].tittel", "")])
    assert submitted_values(actions_form(), raw) == \
        {"tiltak": [{"tittel": "a", "oppgaver": []}, {"tittel": "", "oppgaver": []}]}


def test_submitted_values_count_row_markers() -> None:
    raw = MultiDict([("tiltak[0].tittel", "a"), ("tiltak[1]", "")])
    rows = submitted_values(actions_form(), raw)["tiltak"]
    assert [row["tittel"] for row in rows] == ["a", None]


def test_fixed_list_keeps_every_stored_row() -> None:
    spec = form(component("dynamiclist", path="hendelser", allowAddRemove=False, components=[
        textfield("tittel", readonly=True), textfield("aarsaker")]))
    raw = MultiDict([("hendelser[0].aarsaker", "x")])
    initial = {"hendelser": [{"tittel": "Fall"}, {"tittel": "Brann"}]}
    assert submitted_values(spec, raw, initial) == {"hendelser": [
        {"tittel": "Fall", "aarsaker": "x"}, {"tittel": "Brann", "aarsaker": None}]}


def test_added_rows_do_not_take_stored_row_count() -> None:
    raw = MultiDict([("tiltak[0].tittel", "a")])
    initial = {"tiltak": [{"tittel": "a"}, {"tittel": "b"}]}
    rows = submitted_values(actions_form(), raw, initial)["tiltak"]
    assert [row["tittel"] for row in rows] == ["a"]


def test_submitted_values_fill_row_gaps() -> None:
    raw = MultiDict([("tiltak[1].tittel", "b")])
    rows = submitted_values(actions_form(), raw)["tiltak"]
    assert [row["tittel"] for row in rows] == [None, "b"]


def test_submitted_values_accept_plain_dict() -> None:
    assert submitted_values(form(textfield("tittel")), {"tittel": "a"}) == {"tittel": "a"}


def test_parse_add_action() -> None:
    raw = MultiDict([("_action", "add:tiltak")])
    assert parse_list_action(raw, actions_form()) == ListAction("add", "tiltak")


def test_parse_remove_action() -> None:
    raw = MultiDict([("_action", "remove:tiltak:2")])
    assert parse_list_action(raw, actions_form()) == ListAction("remove", "tiltak", 2)


def test_parse_nested_add_action() -> None:
    raw = MultiDict([("_action", "add:tiltak[1].oppgaver")])
    assert parse_list_action(raw, actions_form()) == ListAction("add", "tiltak[1].oppgaver")


def test_plain_submit_is_no_list_action() -> None:
    assert parse_list_action(MultiDict([("_action", "submit")]), actions_form()) is None


def test_missing_action_is_no_list_action() -> None:
    assert parse_list_action(MultiDict(), actions_form()) is None


def test_action_for_unknown_list_is_ignored() -> None:
    assert parse_list_action(MultiDict([("_action", "add:annet")]), actions_form()) is None


def test_action_with_bad_index_is_ignored() -> None:
    raw = MultiDict([("_action", "remove:tiltak:x")])
    assert parse_list_action(raw, actions_form()) is None


def test_action_on_fixed_list_is_ignored() -> None:
    spec = actions_form(allowAddRemove=False)
    assert parse_list_action(MultiDict([("_action", "add:tiltak")]), spec) is None


def test_add_appends_blank_row() -> None:
    values = {"tiltak": [{"tittel": "a"}]}
    assert apply_list_action(values, ListAction("add", "tiltak")) == \
        {"tiltak": [{"tittel": "a"}, {}]}


def test_add_creates_missing_list() -> None:
    assert apply_list_action({}, ListAction("add", "tiltak")) == {"tiltak": [{}]}


def test_add_to_nested_list() -> None:
    values = {"tiltak": [{"tittel": "a", "oppgaver": []}]}
    changed = apply_list_action(values, ListAction("add", "tiltak[0].oppgaver"))
    assert changed["tiltak"][0]["oppgaver"] == [{}]


def test_remove_deletes_row() -> None:
    values = {"tiltak": [{"tittel": "a"}, {"tittel": "b"}]}
    assert apply_list_action(values, ListAction("remove", "tiltak", 0)) == \
        {"tiltak": [{"tittel": "b"}]}


def test_remove_past_end_changes_nothing() -> None:
    values = {"tiltak": [{"tittel": "a"}]}
    assert apply_list_action(values, ListAction("remove", "tiltak", 5)) == values


def test_apply_does_not_change_input() -> None:
    values = {"tiltak": [{"tittel": "a"}]}
    apply_list_action(values, ListAction("add", "tiltak"))
    assert values == {"tiltak": [{"tittel": "a"}]}


def test_change_rows_adds_one_to_posted_rows() -> None:
    raw = MultiDict([("tiltak[0].tittel", ""), ("_action", "add:tiltak")])
    change = change_rows(actions_form(), raw)
    assert change is not None
    assert change.values["tiltak"] == [{"tittel": "", "oppgaver": []}, {}]
    assert change.focus == "tiltak[1]"


def test_change_rows_is_none_for_submit() -> None:
    raw = MultiDict([("tiltak[0].tittel", "a"), ("_action", "submit")])
    assert change_rows(actions_form(), raw) is None


def test_change_rows_remove_focuses_following_row() -> None:
    raw = MultiDict([("tiltak[0].tittel", "a"), ("tiltak[1].tittel", "b"),
                     ("_action", "remove:tiltak:0")])
    change = change_rows(actions_form(), raw)
    assert change is not None
    assert change.values["tiltak"] == [{"tittel": "b", "oppgaver": []}]
    assert change.focus == "tiltak[0]"


def test_change_rows_remove_of_only_row_focuses_list() -> None:
    raw = MultiDict([("tiltak[0].tittel", "a"), ("_action", "remove:tiltak:0")])
    change = change_rows(actions_form(), raw)
    assert change is not None
    assert change.focus == "tiltak"
