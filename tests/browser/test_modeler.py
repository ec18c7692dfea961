"""The BPMN modeler in Chromium: the deviation process opened by a process owner, in bokmål,
under the site's Content Security Policy, exported again without losing an element, replaced by an
uploaded file and opened from a saved draft, with bpmnlint reporting in bokmål."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree
from playwright.sync_api import ConsoleMessage, Page, expect

from engine.engine import ProcessEngine
from tests.browser.test_accessibility import axe_page, violations  # noqa: F401 (fixture)
from tests.browser.test_deviation_journey import log_in
from tests.browser.test_modeler_viewport import MAKE_NOT_EXECUTABLE

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DEVIATION_BPMN = ROOT / "bpmn" / "avvik.bpmn"
DICTIONARY = ROOT / "engine" / "web" / "assets" / "modeler" / "nb.json"
MODELER_SCRIPT = "/static/dist/modeler.js"

# Runs in the page: the modeler that modeler.js started, reached through its exports.
SAVE_XML = """async (script) => {
  const module = await import(script);
  const handle = await module.modelerReady(document.querySelector('[data-sloyfe-modeler]'));
  return handle.saveXML();
}"""

# Runs in the page: a second, read-only diagram of the same file in a new element.
OPEN_VIEWER = """async (script) => {
  const module = await import(script);
  const source = document.querySelector('[data-sloyfe-modeler]');
  const root = document.createElement('div');
  root.dataset.mode = 'view';
  root.dataset.diagramUrl = source.dataset.diagramUrl;
  root.innerHTML = '<div data-modeler-canvas class="viewer-canvas"></div>';
  root.querySelector('[data-modeler-canvas]').style.height = '400px';
  document.body.append(root);
  const handle = await module.init(root);
  return {
    elements: root.querySelectorAll('[data-element-id]').length,
    palettes: root.querySelectorAll('.djs-palette').length,
    xml: await handle.saveXML(),
  };
}"""


def element_ids(xml: bytes) -> set[str]:
    return {str(value) for value in etree.fromstring(xml).xpath("//@id")}


def open_deviation_model(page: Page, live_server: str, console: list[str]) -> None:
    def keep(message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            console.append(message.text)

    page.on("console", keep)
    page.on("pageerror", lambda error: console.append(str(error)))
    log_in(page, live_server, "paal.prosesseier")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Prosesser").click()
    page.get_by_role("link", name="Avvikshåndtering", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prosessmodell: Avvikshåndtering")
    expect(page.locator('[data-element-id="VurderAvvik"]')).to_be_visible()


def test_modeler_opens_deviation_in_bokmal(js_page: Page, live_server: str) -> None:
    console: list[str] = []
    open_deviation_model(js_page, live_server, console)
    dictionary = json.loads(DICTIONARY.read_text(encoding="utf-8"))

    # diagram-js 15 names each palette entry in aria-label and sets no title.
    titles = js_page.locator(".djs-palette .entry").evaluate_all(
        "entries => entries.map(entry => entry.title || entry.getAttribute('aria-label'))")
    assert "Lag starthendelse" in titles
    assert "Lag oppgave" in titles
    assert [title for title in titles if title not in dictionary.values()] == []

    js_page.locator('[data-element-id="VurderAvvik"]').click()
    pad = js_page.locator(".djs-context-pad")
    expect(pad.locator('[data-action="append.end-event"]')).to_have_attribute(
        "title", "Legg til slutthendelse")
    pad.locator('[data-action="replace"]').click()
    replace_menu = js_page.locator(".djs-popup")
    expect(replace_menu.get_by_text("Tjenesteoppgave", exact=True)).to_be_visible()
    js_page.keyboard.press("Escape")

    panel = js_page.locator("[data-modeler-properties]")
    expect(panel.locator(".bio-properties-panel-header-type")).to_have_text("Brukeroppgave")
    expect(panel.get_by_text("Generelt", exact=True)).to_be_visible()
    panel.get_by_text("Tildeling", exact=True).click()
    expect(panel.get_by_label("Tildelt", exact=True)).to_be_visible()
    expect(panel.get_by_label("Aktuelle grupper", exact=True)).to_have_value(
        "behandler@${enhet}")
    # The field suggests the groups of Sløyfe from the datalist beside the panel.
    expect(panel.get_by_label("Aktuelle grupper", exact=True)).to_have_attribute(
        "list", "modeler-values-groups")
    expect(js_page.locator('#modeler-values-groups option[value="kvalitet"]')).to_have_count(1)
    expect(panel.get_by_label("Frist", exact=True)).to_have_value("${frist_vurdering}")

    assert console == []


def test_align_menu_within_policy(js_page: Page, live_server: str) -> None:
    console: list[str] = []
    open_deviation_model(js_page, live_server, console)

    js_page.locator('[data-element-id="VurderAvvik"]').click()
    js_page.locator('[data-element-id="Strakstiltak"]').click(modifiers=["Shift"])
    js_page.locator('.djs-context-pad [data-action="align-elements"]').click()

    expect(js_page.locator(".djs-popup-body [data-id]").first).to_be_visible()
    assert console == []


def test_export_keeps_every_element_id(js_page: Page, live_server: str) -> None:
    console: list[str] = []
    open_deviation_model(js_page, live_server, console)

    exported = js_page.evaluate(SAVE_XML, MODELER_SCRIPT)

    missing = element_ids(DEVIATION_BPMN.read_bytes()) - element_ids(exported.encode())
    assert missing == set()
    assert 'camunda:candidateGroups="behandler@${enhet}"' in exported
    assert console == []


def test_download_button_saves_diagram(js_page: Page, live_server: str) -> None:
    console: list[str] = []
    open_deviation_model(js_page, live_server, console)

    with js_page.expect_download() as started:
        js_page.get_by_role("link", name="Last ned .bpmn").click()
    download = started.value

    assert download.suggested_filename == "avvik.bpmn"
    assert download.url.startswith("blob:")
    assert "VurderAvvik" in Path(download.path()).read_text(encoding="utf-8")
    assert console == []


def test_view_mode_shows_without_palette(js_page: Page, live_server: str) -> None:
    console: list[str] = []
    open_deviation_model(js_page, live_server, console)

    viewer = js_page.evaluate(OPEN_VIEWER, MODELER_SCRIPT)

    assert viewer["elements"] > 0
    assert viewer["palettes"] == 0
    assert "VurderAvvik" in viewer["xml"]
    assert console == []


def test_process_list_passes_axe(axe_page: Page, live_server: str) -> None:  # noqa: F811
    log_in(axe_page, live_server, "paal.prosesseier")
    axe_page.goto(f"{live_server}/prosesser")
    expect(axe_page.get_by_role("heading", level=1)).to_have_text("Prosesser")
    assert violations(axe_page) == []


def test_modeler_with_problems_passes_axe(axe_page: Page, live_server: str) -> None:  # noqa: F811
    log_in(axe_page, live_server, "paal.prosesseier")
    axe_page.goto(f"{live_server}/prosesser/avvik/modell")
    expect(axe_page.locator('[data-element-id="VurderAvvik"]')).to_be_visible()
    axe_page.evaluate(MAKE_NOT_EXECUTABLE, MODELER_SCRIPT)

    axe_page.get_by_role("button", name="Valider").click()

    expect(axe_page.locator("[data-modeler-problems] li").first).to_be_visible()
    assert violations(axe_page) == []


def test_modeler_in_english(js_page: Page, live_server: str) -> None:
    console: list[str] = []
    open_deviation_model(js_page, live_server, console)

    js_page.get_by_role("button", name="English").click()

    expect(js_page.get_by_role("heading", level=1)).to_have_text("Process model: Avvikshåndtering")
    expect(js_page.locator('[data-element-id="VurderAvvik"]')).to_be_visible()
    start_event = js_page.locator('.djs-palette [data-action="create.start-event"]')
    expect(start_event).to_have_attribute("aria-label", "Create start event")
    assert console == []


def test_failed_load_shows_message(js_page: Page, live_server: str) -> None:
    js_page.route("**/prosesser/avvik/modell.bpmn",
                  lambda route: route.fulfill(status=500, body="feil"))
    log_in(js_page, live_server, "paal.prosesseier")
    js_page.goto(f"{live_server}/prosesser/avvik/modell")

    expect(js_page.get_by_role("alert")).to_have_text(
        "Prosessmodellen kunne ikke åpnes. Last inn siden på nytt, eller last ned .bpmn-filen "
        "og åpne den i Camunda Modeler.")


def test_upload_of_broken_file_keeps_canvas(js_page: Page, live_server: str) -> None:
    console: list[str] = []
    open_deviation_model(js_page, live_server, console)

    js_page.locator("[data-modeler-upload]").set_input_files(files=[{
        "name": "feil.bpmn", "mimeType": "application/xml", "buffer": b"<ikke bpmn"}])

    expect(js_page.get_by_role("alert")).to_contain_text(
        "Filen feil.bpmn kunne ikke åpnes som et BPMN-diagram")
    expect(js_page.get_by_role("alert")).to_contain_text("Diagrammet er ikke endret.")
    expect(js_page.locator('[data-element-id="VurderAvvik"]')).to_be_visible()
    exported = js_page.evaluate(SAVE_XML, MODELER_SCRIPT)
    missing = element_ids(DEVIATION_BPMN.read_bytes()) - element_ids(exported.encode())
    assert missing == set()
    assert console == []


def test_upload_replaces_diagram(js_page: Page, live_server: str) -> None:
    console: list[str] = []
    open_deviation_model(js_page, live_server, console)
    other = ROOT / "bpmn" / "forbedringsforslag.bpmn"

    js_page.locator("[data-modeler-upload]").set_input_files(str(other))

    expect(js_page.get_by_role("alert")).to_have_text(
        "Filen forbedringsforslag.bpmn beskriver prosessen forbedringsforslag, ikke avvik. "
        "Lagrer eller publiserer du den, endres prosessen forbedringsforslag. Vil du endre "
        "avvik, gir du prosessen i filen ID-en avvik.")
    expect(js_page.locator('[data-element-id="VurderAvvik"]')).to_have_count(0)
    expect(js_page.locator("[data-modeler-save-state]")).to_have_text("Ulagrede endringer")
    assert console == []


def test_upload_of_same_process(js_page: Page, live_server: str, tmp_path: Path) -> None:
    console: list[str] = []
    open_deviation_model(js_page, live_server, console)
    changed = tmp_path / "avvik-ny.bpmn"
    changed.write_text(DEVIATION_BPMN.read_text(encoding="utf-8").replace(
        'name="Vurder avvik"', 'name="Vurder avviket"'), encoding="utf-8")

    js_page.locator("[data-modeler-upload]").set_input_files(str(changed))

    expect(js_page.locator("[data-modeler-notice]")).to_have_text(
        "Filen avvik-ny.bpmn er åpnet. Lagre den som utkast eller publiser den for å "
        "beholde den.")
    expect(js_page.locator('[data-element-id="VurderAvvik"]')).to_contain_text("Vurder avviket")
    assert console == []


def test_draft_opens_in_modeler(js_page: Page, live_server: str,
                                demo_engine: ProcessEngine) -> None:
    changed = DEVIATION_BPMN.read_text(encoding="utf-8").replace(
        'name="Vurder avvik"', 'name="Vurder avviket"')
    draft_id = demo_engine.drafts.save("paal.prosesseier", changed, label="Nytt navn").id
    log_in(js_page, live_server, "paal.prosesseier")

    js_page.goto(f"{live_server}/prosesser/avvik/modell?utkast={draft_id}")

    expect(js_page.locator('[data-element-id="VurderAvvik"]')).to_contain_text("Vurder avviket")
    draft_link = js_page.locator("[data-modeler-drafts] a")
    expect(draft_link).to_have_attribute("aria-current", "page")
    expect(draft_link).to_contain_text("Nytt navn, av paal.prosesseier")


# Runs in the page: a task with neither name nor flows, which bpmnlint's recommended rules
# report as errors.
ADD_LOOSE_TASK = """async (script) => {
  const module = await import(script);
  const { modeler } = await module.modelerReady(document.querySelector('[data-sloyfe-modeler]'));
  const root = modeler.get('canvas').getRootElement();
  const shape = modeler.get('elementFactory').createShape({ type: 'bpmn:Task' });
  return modeler.get('modeling').createShape(shape, { x: 700, y: 600 }, root).id;
}"""


def test_bpmnlint_reports_in_bokmal(js_page: Page, live_server: str) -> None:
    console: list[str] = []
    open_deviation_model(js_page, live_server, console)
    button = js_page.locator(".bjsl-button")
    expect(button).to_have_attribute("title", "Vis eller skjul funn fra bpmnlint")
    expect(button).to_contain_text("0 feil")

    task_id = js_page.evaluate(ADD_LOOSE_TASK, MODELER_SCRIPT)

    # Disconnected and unnamed, and an implicit start and end as well.
    expect(button).to_contain_text("4 feil")
    issues = js_page.locator(f'.djs-overlays[data-container-id="{task_id}"] .bjsl-overlay')
    expect(issues).to_contain_text("Elementet er ikke koblet til noe")
    expect(issues).to_contain_text("Elementet mangler navn")
    assert console == []


# Runs in the page: whether leaving now would ask first (the beforeunload event is cancelled).
LEAVING_ASKS = """() => {
  const event = new Event('beforeunload', { cancelable: true });
  window.dispatchEvent(event);
  return event.defaultPrevented;
}"""


def test_unsaved_changes_warn_before_leaving(js_page: Page, live_server: str,
                                              demo_engine: ProcessEngine) -> None:
    console: list[str] = []
    open_deviation_model(js_page, live_server, console)
    assert js_page.evaluate(LEAVING_ASKS) is False

    task_id = js_page.evaluate(ADD_LOOSE_TASK, MODELER_SCRIPT)

    expect(js_page.locator("[data-modeler-save-state]")).to_have_text("Ulagrede endringer")
    assert js_page.evaluate(LEAVING_ASKS) is True

    js_page.get_by_role("button", name="Lagre utkast").click()

    expect(js_page.locator("[data-modeler-save-state]")).to_have_text("Alle endringer er lagret")
    expect(js_page.locator("[data-modeler-notice]")).to_have_text("Utkastet er lagret.")
    assert js_page.evaluate(LEAVING_ASKS) is False
    with demo_engine.transaction(read_only=True):
        drafts = demo_engine.drafts.drafts("paal.prosesseier", "avvik")
        assert len(drafts) == 1
        assert task_id in drafts[0].bpmn_xml
    assert js_page.url.endswith(f"?utkast={drafts[0].id}")
    assert console == []
