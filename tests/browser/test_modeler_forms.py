"""The form editor in the modeler, in Chromium. A process owner adds a field to the deviation
process's assessment form and publishes it with the diagram. New cases show the field, and a
case started before keeps its form version. A broken .form file is refused in bokmål without
changing anything, and a deployed form downloads with its bytes unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from engine.engine import ProcessEngine
from tests.browser.test_accessibility import axe_page, violations  # noqa: F401 (fixture)
from tests.browser.test_deviation_journey import log_in
from tests.web.conftest import REPORT_DATA, open_task_id

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NEW_LABEL = "Merknad fra vurderingen"
FORM_DICTIONARY = ROOT / "engine" / "web" / "assets" / "modeler" / "forms-nb.json"

# Runs in the page: the texts of the form editor's properties panel that are still English,
# that is a key of forms-nb.json and not also a bokmål text. Field names in the panel header
# and text typed into expression editors are the user's own and are skipped.
ENGLISH_IN_PANEL = """(english) => {
  const panel = document.querySelector('[data-form-editor] .fjs-properties-container');
  const found = new Set();
  const walker = document.createTreeWalker(panel, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    if (element.closest('.bio-properties-panel-header-label, [contenteditable]')) {
      continue;
    }
    const texts = node.nodeType === Node.TEXT_NODE ? [ node.data ]
      : [ 'title', 'placeholder', 'aria-label' ].map((name) => node.getAttribute(name) || '');
    for (const text of texts) {
      if (english.includes(text.trim())) {
        found.add(text.trim());
      }
    }
  }
  return [ ...found ];
}"""


def watch_console(page: Page) -> list[str]:
    console: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            console.append(message.text)

    page.on("console", keep)
    page.on("pageerror", lambda error: console.append(str(error)))
    # A blocked style names the script line that wrote it, which Chromium's message does not.
    page.add_init_script("""document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP ${event.violatedDirective} ${event.sourceFile}:${event.lineNumber}`);
    });""")
    return console


def open_form_tab(page: Page, live_server: str) -> None:
    log_in(page, live_server, "paal.prosesseier")
    page.goto(f"{live_server}/prosesser/avvik/modell")
    expect(page.locator('[data-element-id="VurderAvvik"]')).to_be_visible()
    page.get_by_role("tab", name="Skjema").click()


def task_page_shows(page: Page, live_server: str, engine: ProcessEngine, case: int) -> bool:
    task_id = open_task_id(engine, case, "VurderAvvik")
    engine.tasks.claim(task_id, "lise.leder")
    page.goto(f"{live_server}/oppgaver/{task_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vurder avvik")
    return page.get_by_label(NEW_LABEL).count() == 1


def test_owner_adds_field_to_form(js_page: Page, live_server: str,
                                  demo_engine: ProcessEngine) -> None:
    page = js_page
    console = watch_console(page)
    old_case = demo_engine.runtime.start("avvik", "ola.ansatt", REPORT_DATA).instance_id
    open_form_tab(page, live_server)

    entry = page.locator('[data-forms-list] li[data-form-id="avvik-vurder"]')
    expect(entry).to_contain_text("Vurder avvik")
    expect(entry).to_contain_text("publisert versjon 1")
    entry.get_by_role("button", name="avvik-vurder").click()
    editor = page.locator("[data-form-editor]")
    expect(editor.locator(".fjs-form")).to_contain_text("Hva gjør enheten med avviket?")
    expect(editor.locator(".fjs-palette")).to_contain_text("Tekstfelt")

    editor.locator('.fjs-palette-field[data-field-type="textfield"]').press("Enter")
    # The preview field is disabled, so the click goes to the element around it.
    editor.locator(".fjs-form").get_by_text("Text field", exact=True).click(force=True)
    panel = editor.locator(".fjs-properties-container")
    panel.get_by_text("Generelt", exact=True).click()
    panel.get_by_label("Etikett for feltet", exact=True).fill(NEW_LABEL)
    panel.get_by_label("Nøkkel", exact=True).fill("merknad")
    panel.get_by_label("Nøkkel", exact=True).press("Tab")
    expect(editor.locator(".fjs-form")).to_contain_text(NEW_LABEL)
    expect(entry).to_contain_text("endret i dette utkastet")
    expect(page.locator("[data-modeler-save-state]")).to_have_text("Ulagrede endringer")

    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.locator("[data-modeler-notice]")).to_have_text("Utkastet er lagret.")
    page.locator("[data-modeler-publish]").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Endringsmerknad").fill("Saksbehandler kan skrive en merknad.")
    dialog.get_by_role("button", name="Publiser").click()
    expect(page.locator("[data-modeler-notice]")).to_contain_text("er publisert")
    assert console == []

    with demo_engine.transaction(read_only=True):
        assert demo_engine.repository.latest_form("avvik-vurder").version == 2
    new_case = demo_engine.runtime.start("avvik", "ola.ansatt", REPORT_DATA).instance_id
    page.get_by_role("button", name="Logg ut").click()
    log_in(page, live_server, "lise.leder")
    assert task_page_shows(page, live_server, demo_engine, new_case)
    assert not task_page_shows(page, live_server, demo_engine, old_case)


def test_broken_form_upload_is_refused(js_page: Page, live_server: str) -> None:
    page = js_page
    open_form_tab(page, live_server)

    page.get_by_label("Last opp .form").set_input_files({
        "name": "ødelagt.form", "mimeType": "application/json",
        "buffer": b'{"id": "avvik-vurder", "components": ['})

    problems = page.locator("[data-form-problems]")
    expect(problems).to_contain_text(
        "Fila ødelagt.form er ikke et skjema Sløyfe kan bruke, så ingenting ble endret.")
    expect(problems).to_contain_text("Fila er ikke gyldig JSON")
    expect(page.locator("[data-modeler-save-state]")).not_to_have_text("Ulagrede endringer")


def test_download_gives_deployed_bytes(js_page: Page, live_server: str, tmp_path: Path) -> None:
    page = js_page
    open_form_tab(page, live_server)
    page.locator('[data-forms-list] li[data-form-id="avvik-vurder"]').get_by_role(
        "button", name="avvik-vurder").click()

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Last ned .form").click()
    saved = tmp_path / "avvik-vurder.form"
    download_info.value.save_as(saved)

    assert download_info.value.suggested_filename == "avvik-vurder.form"
    assert saved.read_bytes() == (ROOT / "forms" / "avvik-vurder.form").read_bytes()


def test_form_tab_passes_axe(axe_page: Page, live_server: str) -> None:  # noqa: F811
    open_form_tab(axe_page, live_server)
    axe_page.locator('[data-forms-list] li[data-form-id="avvik-vurder"]').get_by_role(
        "button", name="avvik-vurder").click()
    expect(axe_page.locator("[data-form-editor] .fjs-form")).to_be_visible()

    assert violations(axe_page) == []


def test_validate_flags_removed_field(js_page: Page, live_server: str) -> None:
    page = js_page
    open_form_tab(page, live_server)
    schema = json.loads((ROOT / "forms" / "avvik-vurder.form").read_bytes())
    schema["components"] = [item for item in schema["components"]
                            if item.get("key") != "beslutning"]

    page.get_by_label("Last opp .form").set_input_files({
        "name": "uten-beslutning.form", "mimeType": "application/json",
        "buffer": json.dumps(schema).encode("utf-8")})
    expect(page.locator("[data-modeler-notice]")).to_contain_text(
        "Fila uten-beslutning.form er åpnet som skjemaet avvik-vurder.")
    page.get_by_role("button", name="Valider").click()

    expect(page.get_by_role("tab", name="Diagram")).to_have_attribute("aria-selected", "true")
    expect(page.locator("[data-modeler-problems]")).to_contain_text(
        "Betingelsen leser beslutning")


def test_new_form_is_offered_as_reference(js_page: Page, live_server: str) -> None:
    page = js_page
    open_form_tab(page, live_server)

    page.get_by_label("ID for et nytt skjema").fill("avvik-notat")
    page.get_by_role("button", name="Nytt skjema").click()

    expect(page.locator("[data-modeler-notice]")).to_contain_text("Skjemaet avvik-notat er laget.")
    expect(page.locator('[data-forms-list] li[data-form-id="avvik-notat"]')).to_contain_text(
        "brukes ikke i diagrammet")
    expect(page.locator('#modeler-values-forms option[value="avvik-notat"]')).to_have_count(1)
    expect(page.locator("[data-modeler-save-state]")).to_have_text("Ulagrede endringer")


def test_form_id_with_space_is_refused(js_page: Page, live_server: str) -> None:
    page = js_page
    open_form_tab(page, live_server)

    page.get_by_label("ID for et nytt skjema").fill("nytt skjema")
    page.get_by_role("button", name="Nytt skjema").click()

    expect(page.locator("[data-form-new-error]")).to_have_text(
        "Skriv en ID av bokstaver, sifre, - og _ som begynner med en bokstav, høyst 128 tegn.")
    expect(page.get_by_label("ID for et nytt skjema")).to_have_value("nytt skjema")


def test_draft_opens_its_form_copy(js_page: Page, live_server: str,
                                   demo_engine: ProcessEngine) -> None:
    page = js_page
    schema = json.loads((ROOT / "forms" / "avvik-vurder.form").read_bytes())
    schema["components"].append({"type": "textfield", "id": "Field_ny", "key": "merknad",
                                 "label": NEW_LABEL})
    bpmn = (ROOT / "bpmn" / "avvik.bpmn").read_text(encoding="utf-8")
    draft = demo_engine.drafts.save("paal.prosesseier", bpmn,
                                    {"avvik-vurder": json.dumps(schema, indent="\t")})
    log_in(page, live_server, "paal.prosesseier")
    page.goto(f"{live_server}/prosesser/avvik/modell?utkast={draft.id}")
    page.get_by_role("tab", name="Skjema").click()

    entry = page.locator('[data-forms-list] li[data-form-id="avvik-vurder"]')
    expect(entry).to_contain_text("endret i dette utkastet")
    entry.get_by_role("button", name="avvik-vurder").click()
    expect(page.locator("[data-form-editor] .fjs-form")).to_contain_text(NEW_LABEL)


def test_draft_new_form_requests_nothing(js_page: Page, live_server: str,
                                        demo_engine: ProcessEngine) -> None:
    page = js_page
    console = watch_console(page)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    bpmn = (ROOT / "bpmn" / "avvik.bpmn").read_text(encoding="utf-8")
    new_form = {"type": "default", "id": "avvik-notat", "components": []}
    draft = demo_engine.drafts.save("paal.prosesseier", bpmn, {"avvik-notat": new_form})
    log_in(page, live_server, "paal.prosesseier")
    page.goto(f"{live_server}/prosesser/avvik/modell?utkast={draft.id}")
    page.get_by_role("tab", name="Skjema").click()

    entry = page.locator('[data-forms-list] li[data-form-id="avvik-notat"]')
    expect(entry).to_contain_text("endret i dette utkastet")
    expect(page.locator('[data-forms-list] li[data-form-id="avvik-vurder"]')).to_contain_text(
        "publisert versjon")
    assert not [url for url in requested if url.endswith("/api/v1/forms/avvik-notat")]
    assert console == []


def test_form_panel_shows_no_english(js_page: Page, live_server: str) -> None:
    page = js_page
    dictionary = json.loads(FORM_DICTIONARY.read_text(encoding="utf-8"))
    english = sorted(set(dictionary) - set(dictionary.values()))
    open_form_tab(page, live_server)
    page.get_by_label("ID for et nytt skjema").fill("avvik-alle-typer")
    page.get_by_role("button", name="Nytt skjema").click()
    page.locator('[data-forms-list] li[data-form-id="avvik-alle-typer"] button').click()
    editor = page.locator("[data-form-editor]")
    palette = editor.locator(".fjs-palette-field")
    expect(palette.first).to_be_visible()
    types = palette.evaluate_all("(fields) => fields.map((field) => field.dataset.fieldType)")

    shown: dict[str, list[str]] = {}
    for index, field_type in enumerate(types):
        editor.locator(f'.fjs-palette-field[data-field-type="{field_type}"]').press("Enter")
        editor.locator(".fjs-form .fjs-element").nth(index).click(force=True)
        headers = editor.locator(".bio-properties-panel-group-header")
        for number in range(headers.count()):
            header = headers.nth(number)
            if "open" not in (header.get_attribute("class") or ""):
                header.click()
        # The options source select of choice fields names its sources.
        source = editor.locator("select[id$='valuesSource'], select[name='valuesSource']")
        if source.count():
            source.first.select_option(index=1)
        english_shown = page.evaluate(ENGLISH_IN_PANEL, english)
        if english_shown:
            shown[field_type] = english_shown

    assert types
    assert shown == {}


def test_latin1_form_upload_is_refused(js_page: Page, live_server: str) -> None:
    page = js_page
    open_form_tab(page, live_server)
    source = '{"id": "avvik-vurder", "components": [], "title": "Vurdering på stedet"}'

    page.get_by_label("Last opp .form").set_input_files({
        "name": "latin1.form", "mimeType": "application/json",
        "buffer": source.encode("latin-1")})

    expect(page.locator("[data-form-problems]")).to_have_text(
        "Fila latin1.form er ikke UTF-8-tekst, så ingenting ble endret. Lagre den som UTF-8 og "
        "last den opp igjen.")


def test_form_problem_opens_the_form(js_page: Page, live_server: str,
                                     demo_engine: ProcessEngine) -> None:
    page = js_page
    schema = json.loads((ROOT / "forms" / "avvik-vurder.form").read_bytes())
    schema["components"].append({"type": "textfield", "id": "Field_ny", "key": "merknad",
                                 "label": NEW_LABEL, "conditional": {"hide": "=merknad =="}})
    bpmn = (ROOT / "bpmn" / "avvik.bpmn").read_text(encoding="utf-8")
    draft = demo_engine.drafts.save("paal.prosesseier", bpmn, {"avvik-vurder": schema})
    log_in(page, live_server, "paal.prosesseier")
    page.goto(f"{live_server}/prosesser/avvik/modell?utkast={draft.id}")
    expect(page.locator('[data-element-id="VurderAvvik"]')).to_be_visible()

    page.get_by_role("button", name="Valider").click()
    problem = page.locator("[data-modeler-problems] li").filter(has_text="=merknad ==")
    expect(problem).to_contain_text("kan ikke tolkes")
    problem.get_by_role("button", name="skjemaet avvik-vurder").click()

    expect(page.get_by_role("tab", name="Skjema")).to_have_attribute("aria-selected", "true")
    expect(page.locator("[data-form-editor] .fjs-form")).to_contain_text(NEW_LABEL)
