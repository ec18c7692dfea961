"""A diagram drawn in Camunda Modeler 5 for Camunda 7 (tests/data/camunda7/skjemaflyt.bpmn):
uploaded through the modeler page by a process owner as a new process, published with a
change note, started, its user task completed on the normal task pages, and the case shown
on the administrators' diagram."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree
from playwright.sync_api import ConsoleMessage, Page, expect

from engine.engine import ProcessEngine
from tests.browser.test_deviation_journey import log_in

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CAMUNDA_FILE = ROOT / "tests" / "data" / "camunda7" / "skjemaflyt.bpmn"


def canonical(xml: bytes) -> bytes:
    """Return `xml` in C14N form without the whitespace between elements."""
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    root = etree.fromstring(xml, parser)
    for node in root.iter():
        if node.tail is not None and not node.tail.strip():
            node.tail = None
    return etree.tostring(root, method="c14n")


def test_camunda_file_deploys_and_runs(js_page: Page, live_server: str,
                                       demo_engine: ProcessEngine) -> None:
    page = js_page
    console: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            console.append(message.text)

    page.on("console", keep)
    page.on("pageerror", lambda error: console.append(str(error)))
    log_in(page, live_server, "paal.prosesseier")
    page.goto(f"{live_server}/prosesser/avvik/modell")
    expect(page.locator('[data-element-id="VurderAvvik"]')).to_be_visible()

    page.locator("[data-modeler-upload]").set_input_files(str(CAMUNDA_FILE))
    expect(page.get_by_role("alert")).to_contain_text(
        "Filen skjemaflyt.bpmn beskriver prosessen Skjemaflyt, ikke avvik.")
    expect(page.locator('[data-element-id="Activity_0v8fj2n"]')).to_be_visible()

    # bpmn-js writes the file again rather than keeping its bytes: it indents with two spaces,
    # writes an empty element as <a/> instead of <a />, and drops the whitespace between
    # elements. The elements, attributes and namespaces stay the same, so the files are equal
    # after canonicalisation.
    with page.expect_download() as started:
        page.get_by_role("link", name="Last ned .bpmn").click()
    downloaded = Path(started.value.path()).read_bytes()
    assert canonical(downloaded) == canonical(CAMUNDA_FILE.read_bytes())

    page.locator("[data-modeler-publish]").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Endringsmerknad").fill("Hentet fra Camunda Modeler.")
    dialog.get_by_role("button", name="Publiser").click()
    expect(page.locator("[data-modeler-notice]")).to_contain_text("Versjon 1 er publisert.")
    with demo_engine.transaction(read_only=True):
        deployed = demo_engine.repository.latest("Skjemaflyt")
        deployed_xml, note = deployed.bpmn_xml, deployed.change_note
    assert note == "Hentet fra Camunda Modeler."
    assert canonical(deployed_xml.encode()) == canonical(CAMUNDA_FILE.read_bytes())

    # The process has no start form, so it starts through the API, as its users would.
    csrf = page.locator("[data-sloyfe-modeler]").get_attribute("data-csrf") or ""
    started_case = page.request.post(f"{live_server}/api/v1/instances",
                                     data={"process": "Skjemaflyt", "variables": {}},
                                     headers={"X-CSRFToken": csrf})
    assert started_case.status == 201
    instance_id = started_case.json()["instance_id"]
    page.get_by_role("button", name="Logg ut").click()

    log_in(page, live_server, "pia.personvern")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Felles oppgaver").click()
    row = page.get_by_role("row").filter(has_text="Vurder saken")
    row.get_by_role("button", name=re.compile("^Tildel meg")).click()
    expect(page.get_by_role("status")).to_contain_text("Oppgaven «Vurder saken» er tildelt deg.")
    page.get_by_role("button", name="Fullfør").click()

    expect(page.get_by_role("status")).to_contain_text("«Vurder saken» er fullført.")
    page.get_by_role("button", name="Logg ut").click()

    # The administrators' case page draws the deployed file in its read-only viewer.
    log_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/saker/{instance_id}")
    expect(page.locator("[data-sloyfe-modeler]")).to_have_attribute("data-markers-shown", "true")
    expect(page.locator('.djs-element[data-element-id="Activity_0v8fj2n"]')).to_be_visible()
    with demo_engine.transaction(read_only=True):
        status = demo_engine.runtime.instance(instance_id).status
        variables = demo_engine.runtime.variables(instance_id)
    assert status == "completed"
    # camunda:initiator on the start event names the variable that holds who started it.
    assert variables["startet_av"] == "paal.prosesseier"
    assert console == []
