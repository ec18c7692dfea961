"""A process owner changes the deviation process in the browser modeler: adds a task, sees
the validation error on it, fixes it with a picked group and publishes a new version that
new cases run on, while a case started before stays on its version."""

from __future__ import annotations

import re

import pytest
from lxml import etree
from playwright.sync_api import ConsoleMessage, Page, expect

from engine.engine import ProcessEngine
from tests.browser.test_deviation_journey import log_in
from tests.web.conftest import REPORT_DATA, open_task_id

pytestmark = pytest.mark.browser

MODELER_SCRIPT = "/static/dist/modeler.js"
NEW_TASK = "KontrollerMelding"

# Runs in the page: a user task without assignment inserted on the flow after the start event,
# through the modeling API of the modeler that modeler.js started.
ADD_TASK = """async ([script, id]) => {
  const module = await import(script);
  const { modeler } = await module.modelerReady(document.querySelector('[data-sloyfe-modeler]'));
  const registry = modeler.get('elementRegistry');
  const modeling = modeler.get('modeling');
  const start = registry.get('MeldAvvik');
  const flow = start.outgoing[0];
  const next = flow.target;
  const shape = modeler.get('elementFactory').createShape({ type: 'bpmn:UserTask' });
  const task = modeling.createShape(shape, { x: start.x + 18, y: start.y + 220 }, start.parent);
  modeling.updateProperties(task, { id, name: 'Kontroller melding' });
  modeling.reconnectEnd(flow, task, { x: task.x + task.width / 2, y: task.y });
  modeling.connect(task, next);
  return task.id;
}"""


def test_owner_publishes_changed_model(js_page: Page, live_server: str,
                                       demo_engine: ProcessEngine) -> None:
    page = js_page
    console: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            console.append(message.text)

    page.on("console", keep)
    page.on("pageerror", lambda error: console.append(str(error)))
    old_case = demo_engine.runtime.start("avvik", "ola.ansatt", REPORT_DATA).instance_id
    with demo_engine.transaction(read_only=True):
        old_definition = demo_engine.repository.latest("avvik")
        old_definition_id, old_version = old_definition.id, old_definition.version

    log_in(page, live_server, "paal.prosesseier")
    page.goto(f"{live_server}/prosesser/avvik/modell")
    expect(page.locator('[data-element-id="VurderAvvik"]')).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Prosessen har ingen lagrede utkast.")
           ).to_be_visible()

    assert page.evaluate(ADD_TASK, [MODELER_SCRIPT, NEW_TASK]) == NEW_TASK
    state = page.locator("[data-modeler-save-state]")
    expect(state).to_have_text("Ulagrede endringer")

    # The task has no assignment: an error marked on it and listed beside the canvas.
    page.get_by_role("button", name="Valider").click()
    task = page.locator(f'[data-element-id="{NEW_TASK}"]').first
    expect(task).to_have_class(re.compile("sloyfe-problem-error"))
    problem = page.locator(f'[data-modeler-problems] li[data-element-id="{NEW_TASK}"]')
    expect(problem).to_have_attribute("data-severity", "error")
    expect(problem).to_contain_text("Ingen kan ta denne oppgaven")
    summary = page.locator("[data-modeler-validation-summary]")
    expect(summary).to_have_attribute("data-state", "invalid")

    # Publishing is refused while the error remains, without asking for a change note.
    page.locator("[data-modeler-publish]").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Modellen har feil og ble ikke publisert. Rett feilene i listen over problemer og "
        "prøv igjen.")
    expect(page.get_by_role("dialog")).to_be_hidden()

    # The problem's button selects the task; the group list sets its candidate group.
    problem.get_by_role("button", name="Kontroller melding").click()
    expect(page.locator(".bio-properties-panel-header-label")).to_have_text("Kontroller melding")
    page.get_by_label("Aktuell gruppe", exact=True).fill("kvalitet")
    page.locator('[data-modeler-value="groups"]').get_by_role("button", name="Sett inn").click()
    page.locator("#modeler-value-forms").fill("avvik-evaluer")
    page.locator('[data-modeler-value="forms"]').get_by_role("button", name="Sett inn").click()

    page.get_by_role("button", name="Valider").click()
    expect(summary).to_have_attribute("data-state", "valid")
    expect(task).not_to_have_class(re.compile("sloyfe-problem-error"))

    page.locator("[data-modeler-publish]").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Endringsmerknad").fill("Kvalitet kontrollerer hver melding først.")
    dialog.get_by_role("button", name="Publiser").click()
    expect(page.locator("[data-modeler-notice]")).to_have_text(
        f"Versjon {old_version + 1} er publisert. Nye saker bruker den, og saker som er i gang, "
        "blir på sin versjon.")
    expect(state).to_have_text("Alle endringer er lagret")
    expect(page.locator("[data-modeler-version-note]")).to_have_text(
        f"Versjon {old_version + 1} av prosessen avvik, den nyeste publiserte versjonen.")
    expect(page.locator("[data-modeler-drafts] a")).to_have_count(1)
    assert "?utkast=" in page.url

    with demo_engine.transaction(read_only=True):
        newest = demo_engine.repository.latest("avvik")
        newest_id, newest_version, note = newest.id, newest.version, newest.change_note
        assert 'camunda:candidateGroups="kvalitet"' in newest.bpmn_xml
        new_task = etree.fromstring(newest.bpmn_xml.encode()).find(
            f".//{{http://www.omg.org/spec/BPMN/20100524/MODEL}}userTask[@id='{NEW_TASK}']")
        assert new_task.get("{http://camunda.org/schema/1.0/bpmn}formRef") == "avvik-evaluer"
    assert newest_version == old_version + 1
    assert note == "Kvalitet kontrollerer hver melding først."

    new_case = demo_engine.runtime.start("avvik", "ola.ansatt", REPORT_DATA).instance_id
    open_task_id(demo_engine, new_case, NEW_TASK)
    with demo_engine.transaction(read_only=True):
        assert demo_engine.runtime.instance(new_case).definition_id == newest_id
        assert demo_engine.runtime.instance(old_case).definition_id == old_definition_id
    # The case started before the publish finishes on the old version.
    old_task = open_task_id(demo_engine, old_case, "VurderAvvik")
    demo_engine.tasks.claim(old_task, "lise.leder")
    demo_engine.tasks.complete(old_task, "lise.leder", {
        "beslutning": "avvis", "alvorlighetsgrad": "Lav", "begrunnelse": "Ikke et avvik."})
    with demo_engine.transaction(read_only=True):
        finished = demo_engine.runtime.instance(old_case)
        assert finished.status == "completed"
        assert finished.definition_id == old_definition_id
    assert console == []
