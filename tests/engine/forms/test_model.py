from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from engine.errors import DefinitionInvalid
from engine.forms.components import (
    CheckboxField,
    ChoiceField,
    DateTimeField,
    DynamicList,
    Group,
    Layout,
    NumberField,
    Text,
    TextField,
)
from engine.forms.model import MAX_FORM_BYTES, parse_form
from engine.i18n import use_locale
from tests.engine.forms.factories import component, document, form, options, textfield

FORMS_DIR = Path(__file__).resolve().parents[3] / "forms"


def problems_of(*components: dict[str, Any]) -> list[Any]:
    with pytest.raises(DefinitionInvalid) as raised:
        parse_form(document(*components), "broken.form")
    return raised.value.problems


def single_problem(*components: dict[str, Any]) -> Any:
    problems = problems_of(*components)
    assert len(problems) == 1, problems
    return problems[0]


# --- the component tree --------------------------------------------------------------------

def test_parse_reads_form_id() -> None:
    assert form(textfield("tittel")).id == "testskjema"


def test_parse_accepts_json_text() -> None:
    text = json.dumps(document(textfield("tittel")))
    assert parse_form(text, "a.form").fields()[0].key == "tittel"


def test_parse_accepts_bytes() -> None:
    data = json.dumps(document(textfield("tittel"))).encode("utf-8")
    assert parse_form(data, "a.form").fields()[0].key == "tittel"


@pytest.mark.parametrize(("raw", "kind"), [
    (component("textfield", "a"), TextField),
    (component("textarea", "a"), TextField),
    (component("number", "a"), NumberField),
    (component("datetime", "a", subtype="date"), DateTimeField),
    (component("checkbox", "a"), CheckboxField),
    (component("radio", "a", values=options("x")), ChoiceField),
    (component("select", "a", values=options("x"), searchable=True), ChoiceField),
    (component("checklist", "a", values=options("x")), ChoiceField),
    (component("taglist", "a", values=options("x")), ChoiceField),
])
def test_input_types_parse_to_fields(raw: dict[str, Any], kind: type) -> None:
    assert isinstance(form(raw).fields()[0], kind)


def test_text_component_keeps_markdown() -> None:
    parsed = form(component("text", text="**Les dette**"))
    assert isinstance(parsed.components[0], Text)
    assert parsed.components[0].text == "**Les dette**"


@pytest.mark.parametrize("kind", ["separator", "spacer"])
def test_layout_components_parse(kind: str) -> None:
    assert isinstance(form(component(kind)).components[0], Layout)


def test_buttons_are_dropped() -> None:
    assert form(component("button", action="submit", label="Send")).components == ()


def test_field_keeps_label_description_and_default() -> None:
    field = form(textfield("tittel", label="Tittel", description="Kort",
                           defaultValue="Ny sak")).fields()[0]
    assert (field.label, field.description, field.default) == ("Tittel", "Kort", "Ny sak")


def test_field_keeps_custom_properties() -> None:
    field = form(textfield("tittel", properties={"arkiv": "ja"})).fields()[0]
    assert field.properties == {"arkiv": "ja"}


def test_field_keeps_adorners() -> None:
    field = form(component("number", "belop", appearance={"prefixAdorner": "ca.",
                                                          "suffixAdorner": "kr"})).fields()[0]
    assert (field.prefix, field.suffix) == ("ca.", "kr")


def test_validate_block_is_read() -> None:
    field = form(textfield("tittel", validate={"required": True, "minLength": 3,
                                               "maxLength": 80, "pattern": "^[A-Z]",
                                               "validationType": "email"})).fields()[0]
    rules = field.rules
    assert (rules.required, rules.min_length, rules.max_length) == (True, 3, 80)
    assert (rules.pattern, rules.validation_type) == ("^[A-Z]", "email")


def test_number_settings_are_read() -> None:
    field = form(component("number", "antall", decimalDigits=2, increment="0.5",
                           validate={"min": 0, "max": 10})).fields()[0]
    assert isinstance(field, NumberField)
    assert (field.decimal_digits, field.increment) == (2, Decimal("0.5"))
    assert (field.rules.minimum, field.rules.maximum) == (0, 10)


def test_datetime_takes_label_from_date_label() -> None:
    field = form(component("datetime", "frist", label=None, subtype="date",
                           dateLabel="Frist")).fields()[0]
    assert field.label == "Frist"


def test_hide_condition_is_parsed() -> None:
    field = form(textfield("dpia", conditional={"hide": '=kind != "personvern"'})).fields()[0]
    assert field.hide is not None
    assert field.hide.is_true({"kind": "annet"}) is True


def test_group_path_nests_data_path() -> None:
    parsed = form(component("group", path="prosjekt", label="Prosjekt",
                            components=[textfield("navn")]))
    assert isinstance(parsed.components[0], Group)
    assert parsed.fields()[0].data_path == "prosjekt.navn"


def test_group_without_path_keeps_data_path() -> None:
    parsed = form(component("group", label="Del 1", components=[textfield("navn")]))
    assert parsed.fields()[0].data_path == "navn"


def test_dotted_key_is_a_nested_path() -> None:
    field = form(textfield("adresse.poststed")).fields()[0]
    assert field.key_path == ("adresse", "poststed")


def test_dynamic_list_fields_have_row_paths() -> None:
    parsed = form(component("dynamiclist", path="tiltak", isRepeating=True,
                            components=[textfield("tittel")]))
    assert isinstance(parsed.components[0], DynamicList)
    assert parsed.fields()[0].data_path == "tiltak[].tittel"


def test_nested_list_inside_group_with_path() -> None:
    parsed = form(component("group", path="plan", components=[
        component("dynamiclist", path="tiltak", components=[textfield("tittel")])]))
    assert parsed.fields()[0].data_path == "plan.tiltak[].tittel"


def test_fields_lists_every_input_in_order() -> None:
    parsed = form(textfield("a"), component("group", components=[textfield("b")]),
                  component("dynamiclist", path="c", components=[textfield("d")]))
    assert [field.data_path for field in parsed.fields()] == ["a", "b", "c[].d"]


def test_key_reused_inside_list_row() -> None:
    parsed = form(textfield("tittel"),
                  component("dynamiclist", path="tiltak", components=[textfield("tittel")]))
    assert len(parsed.fields()) == 2


def test_groups_may_share_a_path() -> None:
    parsed = form(component("group", path="p", components=[textfield("a")]),
                  component("group", path="p", components=[textfield("b")]))
    assert [field.data_path for field in parsed.fields()] == ["p.a", "p.b"]


@pytest.mark.parametrize("path", sorted(FORMS_DIR.glob("*.form")), ids=lambda path: path.name)
def test_project_forms_parse(path: Path) -> None:
    assert parse_form(path.read_bytes(), path.name).id


# --- deploy-time problems --------------------------------------------------------------------

def test_invalid_json_reports_line() -> None:
    with pytest.raises(DefinitionInvalid) as raised:
        parse_form('{\n  "id": "x",\n  "components": [,]\n}', "broken.form")
    assert raised.value.problems[0].line == 3


def test_invalid_json_says_json() -> None:
    with pytest.raises(DefinitionInvalid) as raised:
        parse_form("{", "broken.form")
    assert "JSON" in raised.value.problems[0].text


def test_missing_form_id_is_rejected() -> None:
    raw = document(textfield("a"))
    del raw["id"]
    with pytest.raises(DefinitionInvalid) as raised:
        parse_form(raw, "broken.form")
    assert "id" in raised.value.problems[0].text


def test_missing_components_is_rejected() -> None:
    with pytest.raises(DefinitionInvalid):
        parse_form({"id": "x"}, "broken.form")


def test_document_over_size_limit_is_rejected() -> None:
    padding = "x" * (MAX_FORM_BYTES + 1)
    with pytest.raises(DefinitionInvalid) as raised:
        parse_form(json.dumps(document(component("text", text=padding))), "big.form")
    assert str(MAX_FORM_BYTES) in raised.value.problems[0].text


def test_problem_names_file() -> None:
    assert single_problem(component("image")).file == "broken.form"


@pytest.mark.parametrize("kind", ["image", "iframe", "filepicker", "table", "expression"])
def test_unsupported_component_type_is_rejected(kind: str) -> None:
    problem = single_problem(component(kind, "a"))
    assert kind in problem.text


def test_html_component_is_rejected_as_markup() -> None:
    problem = single_problem(component("html", content="<b>x</b>"))
    assert "HTML" in problem.text


def test_unknown_component_type_is_rejected() -> None:
    assert "ukjent" in single_problem(component("fancy", "a")).text


def test_problem_carries_component_id() -> None:
    raw = component("image")
    assert single_problem(raw).element_id == raw["id"]


def test_problem_carries_line_of_component() -> None:
    text = json.dumps(document(textfield("a"), component("image", id="Bilde_1")), indent=2)
    with pytest.raises(DefinitionInvalid) as raised:
        parse_form(text, "broken.form")
    line = raised.value.problems[0].line
    assert line is not None
    assert '"Bilde_1"' in text.splitlines()[line - 1]


def test_input_without_key_is_rejected() -> None:
    assert "nøkkel" in single_problem(component("textfield", label="Tittel")).text


def test_invalid_key_is_rejected() -> None:
    assert "ugyldig" in single_problem(textfield("to ord")).text


def test_duplicate_key_is_rejected() -> None:
    problem = single_problem(textfield("tittel"), textfield("tittel", id="Andre"))
    assert problem.element_id == "Andre"


def test_duplicate_key_through_group_without_path_is_rejected() -> None:
    single_problem(textfield("tittel"),
                   component("group", components=[textfield("tittel", id="Inne")]))


def test_key_inside_value_of_other_field_is_rejected() -> None:
    single_problem(textfield("adresse"), textfield("adresse.poststed"))


def test_duplicate_key_in_one_list_row_is_rejected() -> None:
    single_problem(component("dynamiclist", path="tiltak",
                             components=[textfield("a"), textfield("a")]))


def test_dynamic_list_path_clashing_with_field_is_rejected() -> None:
    single_problem(textfield("tiltak"),
                   component("dynamiclist", path="tiltak", components=[textfield("a")]))


def test_dynamic_list_without_path_is_rejected() -> None:
    single_problem(component("dynamiclist", components=[textfield("a")]))


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("deep arrays", b'{"id":"f","components":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
     "for dypt"),
    ("NaN", b'{"id":"f","components":[{"type":"number","key":"n","validate":{"max":NaN}}]}',
     "JSON tillater ikke"),
    ("long integer", b'{"id":"f","components":[],"x":' + b"9" * 5000 + b"}",
     "JSON tillater ikke"),
    ("invalid UTF-8", b'{"id":"f\xff","components":[]}', "ikke UTF-8"),
    ("image", b"\x89PNG\r\n\x1a\n", "ikke UTF-8"),
])
def test_hostile_form_file_is_rejected(name: str, data: bytes, expected: str) -> None:
    with pytest.raises(DefinitionInvalid) as raised:
        parse_form(data, "fiendtlig.form")
    assert expected in raised.value.problems[0].text, name


def test_invalid_pattern_is_rejected() -> None:
    problem = single_problem(textfield("a", validate={"pattern": "([a-z"}))
    assert "regulært uttrykk" in problem.text


def test_min_length_above_max_length_is_rejected() -> None:
    single_problem(textfield("a", validate={"minLength": 10, "maxLength": 5}))


def test_min_above_max_is_rejected() -> None:
    single_problem(component("number", "a", validate={"min": 10, "max": 5}))


def test_negative_length_is_rejected() -> None:
    single_problem(textfield("a", validate={"minLength": -1}))


def test_non_numeric_min_is_rejected() -> None:
    single_problem(component("number", "a", validate={"min": "mange"}))


def test_zero_increment_is_rejected() -> None:
    single_problem(component("number", "a", increment="0"))


@pytest.mark.parametrize("kind", ["select", "radio", "checklist", "taglist"])
def test_choice_without_values_or_values_key_is_rejected(kind: str) -> None:
    assert "alternativer" in single_problem(component(kind, "a")).text


@pytest.mark.parametrize("kind", ["select", "radio", "checklist", "taglist"])
def test_choice_with_empty_values_is_rejected(kind: str) -> None:
    assert "tom" in single_problem(component(kind, "a", values=[])).text


def test_choice_with_values_key_is_accepted() -> None:
    field = form(component("select", "enhet", valuesKey="enheter")).fields()[0]
    assert isinstance(field, ChoiceField)
    assert field.values_key == "enheter"


def test_values_expression_is_rejected() -> None:
    single_problem(component("select", "a", valuesExpression="=liste"))


def test_duplicate_option_value_is_rejected() -> None:
    single_problem(component("radio", "a", values=options("x", "x")))


def test_option_without_value_is_rejected() -> None:
    single_problem(component("radio", "a", values=[{"label": "Ingen"}]))


def test_unparsable_condition_is_rejected() -> None:
    problem = single_problem(textfield("a", conditional={"hide": "=x =="}))
    assert "=x ==" in problem.text


def test_condition_without_equals_sign_is_rejected() -> None:
    single_problem(textfield("a", conditional={"hide": "x = 1"}))


def test_unparsable_readonly_condition_is_rejected() -> None:
    single_problem(textfield("a", readonly="=x y"))


def test_expression_label_is_rejected() -> None:
    single_problem(textfield("a", label='="Hei " + navn'))


def test_unknown_datetime_subtype_is_rejected() -> None:
    single_problem(component("datetime", "a", subtype="week"))


def test_duplicate_component_id_is_rejected() -> None:
    single_problem(textfield("a", id="Same"), textfield("b", id="Same"))


def test_every_problem_is_reported_at_once() -> None:
    problems = problems_of(component("image"), textfield("a", validate={"pattern": "("}),
                           component("radio", "b"))
    assert len(problems) == 3


def test_problem_is_in_english_under_en() -> None:
    with use_locale("en"):
        problem = single_problem(component("radio", "a"))
    assert "no options" in problem.text


def test_duplicate_key_without_id_has_line() -> None:
    text = ('{\n  "id": "f",\n  "components": [\n    {"type": "textfield", "key": "x"},\n'
            '    {"type": "textfield", "key": "x"}\n  ]\n}')
    with pytest.raises(DefinitionInvalid) as raised:
        parse_form(text, "f.form")
    assert raised.value.problems[0].line == 5


def test_iframe_without_id_has_line() -> None:
    text = '{\n  "id": "f",\n  "components": [\n    {"type": "iframe", "url": "https://x"}\n  ]\n}'
    with pytest.raises(DefinitionInvalid) as raised:
        parse_form(text, "f.form")
    assert raised.value.problems[0].line == 4


def test_repeated_id_points_at_second() -> None:
    text = ('{\n  "id": "f",\n  "components": [\n'
            '    {"type": "textfield", "id": "a", "key": "x"},\n'
            '    {"type": "textfield", "id": "a", "key": "y"}\n  ]\n}')
    with pytest.raises(DefinitionInvalid) as raised:
        parse_form(text, "f.form")
    assert raised.value.problems[0].line == 5
