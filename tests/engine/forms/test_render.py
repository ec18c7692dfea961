from __future__ import annotations

from typing import Any

import lxml.html
import pytest
from lxml.html import HtmlElement
from werkzeug.datastructures import MultiDict

from engine.forms.components import FormSpec
from engine.forms.render import render_form
from engine.forms.schema import validate_submission
from engine.forms.submission import change_rows
from engine.i18n import use_locale
from tests.engine.forms.factories import component, form, options, required, textfield


def render(spec: FormSpec, values: Any = None, errors: dict[str, list[str]] | None = None,
           **kwargs: Any) -> str:
    settings = {"action": "/oppgaver/1", "submit_label": "Send inn", **kwargs}
    return str(render_form(spec, values if values is not None else {}, errors, **settings))


def tree(html: str) -> HtmlElement:
    return lxml.html.fragment_fromstring(html, create_parent="div")


def one(root: HtmlElement, xpath: str) -> HtmlElement:
    found = root.xpath(xpath)
    assert len(found) == 1, f"{xpath} matched {len(found)} elements"
    return found[0]


def full_form() -> FormSpec:
    return form(
        component("text", text="Fyll ut **alle** feltene."),
        textfield("tittel", description="Kort tittel", **required(minLength=3)),
        component("textarea", "beskrivelse"),
        component("number", "belop", appearance={"suffixAdorner": "kr"}),
        component("datetime", "frist", subtype="date"),
        component("datetime", "kl", subtype="time"),
        component("datetime", "mote", subtype="datetime"),
        component("checkbox", "samtykke", **required()),
        component("radio", "svar", values=options("ja", "nei"), **required()),
        component("select", "kind", values=options("personvern", "annet")),
        component("checklist", "vedlegg", values=options("a", "b")),
        component("taglist", "emner", values=options("x", "y")),
        component("group", path="prosjekt", label="Prosjekt", components=[textfield("navn")]),
        component("dynamiclist", path="tiltak", label="Tiltak",
                  components=[textfield("tittel", **required()), textfield("merknad")]),
        component("separator"),
        component("spacer"),
        component("button", action="submit", label="Send"),
    )


ALL_INVALID = MultiDict([("tittel", "ab"), ("belop", "mye"), ("frist", "x"), ("kl", "x"),
                         ("mote:date", "x"), ("mote:time", "x"), ("svar", ""),
                         ("tiltak[0].tittel", ""), ("tiltak[0].merknad", "haster"),
                         ("tiltak[1].tittel", "b")])


def invalid_page() -> HtmlElement:
    spec = full_form()
    _, errors = validate_submission(spec, ALL_INVALID)
    return tree(render(spec, ALL_INVALID, errors))


# --- structure and accessibility ----------------------------------------------------------------

def test_every_control_has_a_label() -> None:
    root = invalid_page()
    controls = root.xpath("//input[not(@type='hidden')][not(@aria-hidden)] | //select | "
                          "//textarea")
    unlabelled = [control.get("id") for control in controls
                  if not root.xpath(f"//label[@for='{control.get('id')}']")]
    assert unlabelled == []


def test_ids_are_unique() -> None:
    ids = invalid_page().xpath("//@id")
    assert len(ids) == len(set(ids))


def test_described_by_points_at_existing_elements() -> None:
    root = invalid_page()
    ids = set(root.xpath("//@id"))
    referenced = {target for value in root.xpath("//@aria-describedby")
                  for target in value.split()}
    assert referenced - ids == set()


def test_description_is_linked() -> None:
    root = tree(render(full_form()))
    field = one(root, "//input[@name='tittel']")
    hint = one(root, f"//*[@id='{field.get('aria-describedby')}']")
    assert hint.text_content() == "Kort tittel"


def test_error_is_linked_and_marked_invalid() -> None:
    root = invalid_page()
    field = one(root, "//input[@name='tittel']")
    assert field.get("aria-invalid") == "true"
    assert "field-tittel:error" in field.get("aria-describedby").split()


def test_valid_field_is_not_marked_invalid() -> None:
    root = invalid_page()
    assert one(root, "//textarea[@name='beskrivelse']").get("aria-invalid") is None


def test_error_message_stands_at_field() -> None:
    root = invalid_page()
    message = one(root, "//*[@id='field-tittel:error']")
    assert "ds-validation-message" in message.get("class")
    assert message.text_content().strip() == "Skriv minst 3 tegn."


def test_radio_group_is_fieldset_with_legend() -> None:
    root = tree(render(full_form()))
    fieldset = one(root, "//input[@name='svar'][1]/ancestor::fieldset[1]")
    assert "Svar" in one(fieldset, "./legend").text_content()


def test_checklist_is_fieldset_with_legend() -> None:
    root = tree(render(full_form()))
    fieldset = one(root, "//input[@name='vedlegg'][1]/ancestor::fieldset[1]")
    assert "Vedlegg" in one(fieldset, "./legend").text_content()


def test_taglist_renders_as_checkboxes() -> None:
    root = tree(render(full_form()))
    assert len(root.xpath("//input[@type='checkbox'][@name='emner']")) == 2


def test_required_label_says_obligatory() -> None:
    root = tree(render(full_form()))
    assert "(obligatorisk)" in one(root, "//label[@for='field-tittel']").text_content()


def test_optional_label_says_nothing_extra() -> None:
    root = tree(render(full_form()))
    assert one(root, "//label[@for='field-beskrivelse']").text_content() == "Beskrivelse"


def test_required_label_in_english_under_en() -> None:
    with use_locale("en"):
        root = tree(render(full_form()))
    assert "(required)" in one(root, "//label[@for='field-tittel']").text_content()


def test_adorner_is_rendered_and_described() -> None:
    root = tree(render(full_form()))
    field = one(root, "//input[@name='belop']")
    suffix = one(root, "//*[@id='field-belop:suffix']")
    assert suffix.text_content() == "kr"
    assert "field-belop:suffix" in field.get("aria-describedby").split()


def test_number_input_asks_for_decimal_keyboard() -> None:
    root = tree(render(full_form()))
    assert one(root, "//input[@name='belop']").get("inputmode") == "decimal"


def test_form_uses_post_and_action() -> None:
    root = tree(render(full_form()))
    element = one(root, "//form")
    assert (element.get("method"), element.get("action")) == ("post", "/oppgaver/1")


def test_csrf_token_is_included() -> None:
    root = tree(render(full_form(), csrf_token="abc"))
    assert one(root, "//input[@name='csrf_token']").get("value") == "abc"


def test_submit_button_has_label() -> None:
    root = tree(render(full_form()))
    button = one(root, "//button[@data-variant='primary']")
    assert button.text_content() == "Send inn"


def test_form_has_no_script() -> None:
    html = render(full_form(), ALL_INVALID)
    assert "<script" not in html
    assert not tree(html).xpath("//@*[starts-with(name(), 'on')]")


def test_designsystemet_classes_are_used() -> None:
    root = invalid_page()
    assert root.xpath("//*[contains(@class, 'ds-field')]")
    assert root.xpath("//input[contains(@class, 'ds-input')]")
    assert root.xpath("//label[contains(@class, 'ds-label')]")
    assert root.xpath("//fieldset[contains(@class, 'ds-fieldset')]")


# --- error summary -----------------------------------------------------------------------------

def test_error_summary_is_absent_without_errors() -> None:
    assert not tree(render(full_form())).xpath("//*[contains(@class, 'ds-error-summary')]")


def test_error_summary_is_an_alert() -> None:
    summary = one(invalid_page(), "//*[contains(@class, 'ds-error-summary')]")
    assert summary.get("role") == "alert"
    assert summary.get("tabindex") == "-1"


def test_error_summary_comes_before_fields() -> None:
    root = invalid_page()
    first = root.xpath("//*[contains(@class, 'ds-error-summary')] | //input[@name='tittel']")
    assert "ds-error-summary" in first[0].get("class", "")


def test_error_summary_links_to_each_invalid_field() -> None:
    _, errors = validate_submission(full_form(), ALL_INVALID)
    root = invalid_page()
    ids = set(root.xpath("//@id"))
    targets = [link.get("href")[1:] for link in
               root.xpath("//*[contains(@class, 'ds-error-summary')]//a")]
    assert len(errors) == 8
    # The date-time field has two messages, one for its date and one for its time.
    assert len(targets) == sum(len(messages) for messages in errors.values()) == 9
    assert set(targets) <= ids


def test_error_summary_links_row_field_with_row_number() -> None:
    root = invalid_page()
    link = one(root, "//a[@href='#field-tiltak[0].tittel']")
    assert link.text_content().startswith("Tittel i rad 1:")


def test_error_summary_links_radio_to_first_option() -> None:
    root = invalid_page()
    one(root, "//a[@href='#field-svar:0']")


def test_error_without_field_is_listed_without_link() -> None:
    root = tree(render(form(textfield("tittel")), {}, {"": ["Noe gikk galt."]}))
    item = one(root, "//*[contains(@class, 'ds-error-summary')]//li")
    assert item.text_content() == "Noe gikk galt."


def test_error_summary_heading_counts_errors() -> None:
    root = tree(render(form(textfield("a"), textfield("b")), {}, {"a": ["x"], "b": ["y"]}))
    assert one(root, "//h2").text_content() == "Skjemaet har 2 feil"


# --- values ----------------------------------------------------------------------------------

def test_posted_values_are_kept_on_rerender() -> None:
    root = invalid_page()
    assert one(root, "//input[@name='tittel']").get("value") == "ab"
    assert one(root, "//input[@name='belop']").get("value") == "mye"
    assert one(root, "//input[@name='frist']").get("value") == "x"


def test_script_in_value_is_escaped() -> None:
    html = render(form(textfield("tittel")), {"tittel": '<script>alert("x")</script>'})
    assert "<script>" not in html
    assert one(tree(html), "//input[@name='tittel']").get("value") == \
        '<script>alert("x")</script>'


def test_script_in_textarea_is_escaped() -> None:
    html = render(form(component("textarea", "tekst")), {"tekst": "</textarea><script>"})
    assert "<script>" not in html


def test_markup_in_label_and_option_is_escaped() -> None:
    spec = form(component("radio", "svar", label="<b>Svar</b>",
                          values=[{"label": "<i>Ja</i>", "value": "ja"}]))
    html = render(spec)
    assert "<b>" not in html
    assert "<i>" not in html


def test_markup_in_error_message_is_escaped() -> None:
    html = render(form(textfield("tittel")), {}, {"tittel": ["<img src=x>"]})
    assert "<img" not in html


def test_stored_date_is_shown_norwegian() -> None:
    root = tree(render(full_form(), {"frist": "2027-03-05"}))
    assert one(root, "//input[@name='frist']").get("value") == "05.03.2027"


def test_stored_datetime_shown_in_oslo_time() -> None:
    root = tree(render(full_form(), {"mote": "2027-07-05T12:30:00+00:00"}))
    assert one(root, "//input[@name='mote:date']").get("value") == "05.07.2027"
    assert one(root, "//input[@name='mote:time']").get("value") == "14:30"


def test_stored_time_is_shown_as_hours_and_minutes() -> None:
    root = tree(render(full_form(), {"kl": "09:05"}))
    assert one(root, "//input[@name='kl']").get("value") == "09:05"


def test_stored_number_uses_decimal_comma() -> None:
    root = tree(render(full_form(), {"belop": 12.5}))
    assert one(root, "//input[@name='belop']").get("value") == "12,5"


def test_stored_choice_is_selected() -> None:
    root = tree(render(full_form(), {"kind": "annet", "svar": "nei", "vedlegg": ["b"]}))
    assert one(root, "//option[@selected]").get("value") == "annet"
    assert one(root, "//input[@name='svar'][@checked]").get("value") == "nei"
    assert one(root, "//input[@name='vedlegg'][@checked]").get("value") == "b"


def test_checked_checkbox_is_checked() -> None:
    root = tree(render(full_form(), {"samtykke": True}))
    assert one(root, "//input[@name='samtykke']").get("checked") is not None


def test_default_value_fills_empty_form() -> None:
    root = tree(render(form(textfield("status", defaultValue="Ny"))))
    assert one(root, "//input[@name='status']").get("value") == "Ny"


def test_values_key_options_are_rendered() -> None:
    spec = form(component("select", "enhet", valuesKey="enheter"))
    root = tree(render(spec, options={"enheter": [{"label": "Skole", "value": "skole"}]}))
    assert one(root, "//option[@value='skole']").text_content() == "Skole"


def test_disabled_field_is_disabled() -> None:
    root = tree(render(form(textfield("saksnr", disabled=True))))
    assert one(root, "//input[@name='saksnr']").get("disabled") is not None


def test_readonly_field_is_text_not_input() -> None:
    root = tree(render(form(textfield("saksnr", readonly=True)), {"saksnr": "2027/1"}))
    assert not root.xpath("//input[@name='saksnr']")
    assert one(root, "//dl[@class='sloyfe-read-only']/dt").text_content() == "Saksnr"
    assert one(root, "//dl[@class='sloyfe-read-only']/dd").text_content() == "2027/1"


def test_readonly_date_is_norwegian_without_hint() -> None:
    spec = form(component("datetime", "frist", subtype="date", readonly=True))
    root = tree(render(spec, {"frist": "2027-03-05"}))
    assert one(root, "//dl[@class='sloyfe-read-only']/dd").text_content() == "05.03.2027"
    assert not root.xpath("//input")
    assert "dd.mm.åååå" not in root.text_content()


def test_readonly_select_shows_option_label() -> None:
    spec = form(component("select", "kind", values=options("personvern"), readonly=True))
    root = tree(render(spec, {"kind": "personvern"}))
    assert one(root, "//dd").text_content() == "Personvern"
    assert not root.xpath("//select")


def test_readonly_field_keeps_description() -> None:
    spec = form(textfield("saksnr", readonly=True, description="Fra arkivet"))
    root = tree(render(spec, {"saksnr": "2027/1"}))
    assert "Fra arkivet" in one(root, "//*[@data-field='description']").text_content()


def test_conditionally_readonly_field_is_text_when_true() -> None:
    spec = form(component("checkbox", "laast"),
                textfield("saksnr", readonly="=laast"))
    locked = tree(render(spec, {"laast": True, "saksnr": "1"}))
    open_ = tree(render(spec, {"laast": False, "saksnr": "1"}))
    assert not locked.xpath("//input[@name='saksnr']")
    assert open_.xpath("//input[@name='saksnr']")


def test_text_component_renders_markdown() -> None:
    root = tree(render(full_form()))
    assert one(root, "//*[contains(@class, 'sloyfe-text')]//strong").text == "alle"


# --- conditions and lists ----------------------------------------------------------------------

def test_conditional_field_is_rendered_inside_marked_wrapper() -> None:
    spec = form(component("select", "kind", values=options("personvern", "annet")),
                component("textarea", "dpia", conditional={"hide": '=kind != "personvern"'}))
    root = tree(render(spec, {"kind": "annet"}))
    wrapper = one(root, "//textarea[@name='dpia']/ancestor::div[@data-hide-when]")
    assert wrapper.get("data-hide-when") == '=kind != "personvern"'


def test_conditional_required_field_says_when_shown() -> None:
    spec = form(component("checkbox", "brudd"),
                component("textarea", "beskrivelse", conditional={"hide": "=not(brudd)"},
                          **required()))
    root = tree(render(spec))
    label = one(root, "//label[@for='field-beskrivelse']").text_content()
    assert "(obligatorisk når feltet vises)" in label


def test_field_in_conditional_group_says_when_shown() -> None:
    spec = form(component("checkbox", "brudd"),
                component("group", label="Brudd", conditional={"hide": "=not(brudd)"},
                          components=[textfield("sted", **required())]))
    label = one(tree(render(spec)), "//label[@for='field-sted']").text_content()
    assert "(obligatorisk når feltet vises)" in label


def test_unconditional_required_field_says_required() -> None:
    label = one(tree(render(form(textfield("tittel", **required())))),
                "//label[@for='field-tittel']").text_content()
    assert label.endswith("(obligatorisk)")


def test_unconditional_field_has_no_wrapper() -> None:
    root = tree(render(form(textfield("tittel"))))
    assert not root.xpath("//*[@data-hide-when]")


def list_form(**settings: Any) -> FormSpec:
    return form(component("dynamiclist", path="tiltak", label="Tiltak",
                          components=[textfield("tittel")], **settings))


def row_inputs(root: HtmlElement) -> list[HtmlElement]:
    return root.xpath("//input[contains(@name, 'tiltak')][not(@type='hidden')]")


def posted_inputs(root: HtmlElement) -> list[HtmlElement]:
    """Return what a browser posts for the list: its inputs and the hidden row markers."""
    return root.xpath("//input[contains(@name, 'tiltak')]")


def test_list_renders_stored_rows_only() -> None:
    root = tree(render(list_form(), {"tiltak": [{"tittel": "a"}, {"tittel": "b"}]}))
    values = [element.get("value") for element in row_inputs(root)]
    assert values == ["a", "b"]


def test_list_rows_are_fieldsets_with_row_legend() -> None:
    root = tree(render(list_form(), {"tiltak": [{"tittel": "a"}, {"tittel": "b"}]}))
    legends = [legend.text_content() for legend in root.xpath("//fieldset/fieldset/legend")]
    assert legends == ["Rad 1", "Rad 2"]


def test_emptied_list_shows_default_repetitions() -> None:
    root = tree(render(list_form(), {"tiltak": []}))
    assert len(row_inputs(root)) == 1


def test_list_without_default_repetitions_shows_no_rows() -> None:
    root = tree(render(list_form(defaultRepetitions=0), {"tiltak": []}))
    assert row_inputs(root) == []


def press(spec: FormSpec, root: HtmlElement, action: str) -> tuple[HtmlElement, str]:
    """Post the page's row inputs with a row button, and render the page that comes back."""
    posted = MultiDict([(element.get("name"), element.get("value") or "")
                        for element in posted_inputs(root)] + [("_action", action)])
    change = change_rows(spec, posted)
    assert change is not None
    return tree(render(spec, change.values, focus=change.focus)), change.focus


def test_each_add_press_adds_one_row() -> None:
    spec = list_form()
    page = tree(render(spec, {}))
    counts = [len(row_inputs(page))]
    for _ in range(3):
        page, _focus = press(spec, page, "add:tiltak")
        counts.append(len(row_inputs(page)))
    assert counts == [1, 2, 3, 4]


def test_add_row_focuses_new_row() -> None:
    spec = list_form()
    page, focus = press(spec, tree(render(spec, {"tiltak": [{"tittel": "a"}]})), "add:tiltak")
    assert focus == "tiltak[1]"
    assert [element.get("name") for element in page.xpath("//*[@autofocus]")] == \
        ["tiltak[1].tittel"]


def test_remove_row_focuses_next_row() -> None:
    spec = list_form()
    start = tree(render(spec, {"tiltak": [{"tittel": "a"}, {"tittel": "b"}, {"tittel": "c"}]}))
    page, _focus = press(spec, start, "remove:tiltak:1")
    assert [element.get("value") for element in row_inputs(page)] == ["a", "c"]
    assert one(page, "//*[@autofocus]").get("value") == "c"


def test_remove_last_row_focuses_row_before() -> None:
    spec = list_form()
    start = tree(render(spec, {"tiltak": [{"tittel": "a"}, {"tittel": "b"}]}))
    page, _focus = press(spec, start, "remove:tiltak:1")
    assert one(page, "//*[@autofocus]").get("value") == "a"


def test_remove_only_row_focuses_add_button_without_rows() -> None:
    spec = list_form(defaultRepetitions=0)
    page, _focus = press(spec, tree(render(spec, {"tiltak": [{"tittel": "a"}]})),
                         "remove:tiltak:0")
    assert one(page, "//*[@autofocus]").get("value") == "add:tiltak"


def test_focus_skips_read_only_field_in_row() -> None:
    spec = form(component("dynamiclist", path="tiltak", components=[
        textfield("tittel", readonly=True), textfield("notat")]))
    root = tree(render(spec, {"tiltak": [{"tittel": "a"}]}, focus="tiltak[0]"))
    assert one(root, "//*[@autofocus]").get("name") == "tiltak[0].notat"


def test_no_autofocus_without_row_change() -> None:
    root = tree(render(list_form(), {"tiltak": [{"tittel": "a"}]}))
    assert not root.xpath("//*[@autofocus]")


def test_list_has_add_button() -> None:
    root = tree(render(list_form(), {"tiltak": [{"tittel": "a"}]}))
    button = one(root, "//button[@value='add:tiltak']")
    assert (button.get("name"), button.text_content()) == ("_action", "Legg til rad")


def test_list_has_remove_button_per_existing_row() -> None:
    root = tree(render(list_form(), {"tiltak": [{"tittel": "a"}, {"tittel": "b"}]}))
    buttons = root.xpath("//button[starts-with(@value, 'remove')]")
    values = [button.get("value") for button in buttons]
    assert values == ["remove:tiltak:0", "remove:tiltak:1"]


def test_remove_button_names_its_row() -> None:
    root = tree(render(list_form(), {"tiltak": [{"tittel": "a"}]}))
    assert one(root, "//button[@value='remove:tiltak:0']").text_content() == "Fjern rad 1"


def test_empty_list_starts_with_default_repetitions() -> None:
    root = tree(render(list_form(defaultRepetitions=2)))
    assert len(row_inputs(root)) == 2


def test_fixed_list_has_no_add_or_remove() -> None:
    root = tree(render(list_form(allowAddRemove=False), {"tiltak": [{"tittel": "a"}]}))
    assert not root.xpath("//button[@name='_action'][@value!='submit']")


def test_nested_list_uses_row_paths() -> None:
    spec = form(component("dynamiclist", path="tiltak", components=[
        component("dynamiclist", path="oppgaver", components=[textfield("navn")])]))
    root = tree(render(spec, {"tiltak": [{"oppgaver": [{"navn": "x"}]}]}))
    assert one(root, "//input[@value='x']").get("name") == "tiltak[0].oppgaver[0].navn"
    one(root, "//button[@value='add:tiltak[0].oppgaver']")


def test_enter_key_submits_instead_of_row_button() -> None:
    root = tree(render(list_form(), {"tiltak": [{"tittel": "a"}]}))
    first = root.xpath("//button[@type='submit']")[0]
    assert first.get("value") == "submit"


# --- read-only -------------------------------------------------------------------------------

def summary_of(spec: FormSpec, values: dict[str, Any], **kwargs: Any) -> HtmlElement:
    return tree(render(spec, values, read_only=True, **kwargs))


def terms(root: HtmlElement) -> dict[str, str]:
    return {dt.text_content(): dt.getnext().text_content().strip()
            for dt in root.xpath("/div/dl/dt")}


def test_read_only_is_definition_list_without_inputs() -> None:
    root = summary_of(full_form(), {"tittel": "Brann"})
    assert root.xpath("//dl")
    assert not root.xpath("//input | //form")


def test_read_only_shows_dates_norwegian() -> None:
    root = summary_of(full_form(), {"frist": "2027-03-05", "mote": "2027-03-05T13:30:00Z"})
    shown = terms(root)
    assert shown["Frist"] == "05.03.2027"
    assert shown["Mote"] == "05.03.2027 14:30"


def test_read_only_shows_option_labels() -> None:
    shown = terms(summary_of(full_form(), {"kind": "annet", "vedlegg": ["a", "b"]}))
    assert (shown["Kind"], shown["Vedlegg"]) == ("Annet", "A, B")


def test_read_only_shows_checkbox_as_yes_or_no() -> None:
    assert terms(summary_of(full_form(), {"samtykke": True}))["Samtykke"] == "Ja"


def test_read_only_marks_empty_value() -> None:
    assert terms(summary_of(full_form(), {}))["Beskrivelse"] == "Ikke fylt ut"


def test_read_only_leaves_out_hidden_field() -> None:
    spec = form(component("select", "kind", values=options("personvern", "annet")),
                component("textarea", "dpia", conditional={"hide": '=kind != "personvern"'}))
    assert "Dpia" not in terms(summary_of(spec, {"kind": "annet", "dpia": "x"}))


def test_read_only_lists_rows() -> None:
    root = summary_of(list_form(), {"tiltak": [{"tittel": "a"}, {"tittel": "b"}]})
    assert len(root.xpath("//ol/li/dl")) == 2


def test_read_only_escapes_values() -> None:
    html = render(form(textfield("tittel")), {"tittel": "<script>x</script>"}, read_only=True)
    assert "<script>" not in html


def test_read_only_keeps_line_breaks() -> None:
    root = summary_of(form(component("textarea", "tekst")), {"tekst": "a\nb"})
    assert len(root.xpath("//dd/br")) == 1


@pytest.mark.parametrize("locale", ["nb", "en"])
def test_render_works_in_each_locale(locale: str) -> None:
    with use_locale(locale):
        assert "<form" in render(full_form(), ALL_INVALID)


def test_read_only_leaves_out_missing_display_field() -> None:
    spec = form(textfield("tittel", readonly=True), textfield("notat"))
    shown = terms(summary_of(spec, {"notat": "Gjort."}))
    assert "Tittel" not in shown
    assert shown["Notat"] == "Gjort."


def test_read_only_shows_stored_display_field() -> None:
    spec = form(textfield("tittel", readonly=True))
    assert terms(summary_of(spec, {"tittel": "Rutine"}))["Tittel"] == "Rutine"
