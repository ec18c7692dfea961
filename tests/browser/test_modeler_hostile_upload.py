"""Hostile .bpmn files uploaded through the modeler page in Chromium. A file with a DOCTYPE
(external entity, entity expansion) or over the size limit is refused in the browser; a
diagram whose condition or script tries to leave the sandbox opens, but validation marks the
elements and publishing refuses it. Each time the user reads why in bokmål, nothing is
deployed and the server keeps answering."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from sqlalchemy import func, select

from engine.engine import ProcessEngine
from engine.models import ProcessDefinition
from tests.browser.test_deviation_journey import log_in

pytestmark = pytest.mark.browser

NAMESPACES = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
              'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
              'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
              'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
              'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"')


def diagram(name: str = "Fiendtlig", prolog: str = "", script: str = "x = 1",
            condition: str = "True", documentation: str = "") -> str:
    """Return a drawable process: start, script task, gateway, and two ends."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{prolog}<bpmn:definitions {NAMESPACES} id="d" targetNamespace="t">
  <bpmn:process id="fiendtlig" name="{name}" isExecutable="true">
    <bpmn:documentation>{documentation}</bpmn:documentation>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="skript" />
    <bpmn:scriptTask id="skript" name="Regn ut" scriptFormat="python">
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="skript" targetRef="valg" />
    <bpmn:exclusiveGateway id="valg" default="f4" />
    <bpmn:sequenceFlow id="f3" name="Rømning" sourceRef="valg" targetRef="slutt1">
      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="valg" targetRef="slutt2" />
    <bpmn:endEvent id="slutt1" />
    <bpmn:endEvent id="slutt2" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram">
    <bpmndi:BPMNPlane id="plane" bpmnElement="fiendtlig">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start">
        <dc:Bounds x="100" y="100" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="skript_di" bpmnElement="skript">
        <dc:Bounds x="200" y="78" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="valg_di" bpmnElement="valg" isMarkerVisible="true">
        <dc:Bounds x="360" y="93" width="50" height="50" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="slutt1_di" bpmnElement="slutt1">
        <dc:Bounds x="480" y="100" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="slutt2_di" bpmnElement="slutt2">
        <dc:Bounds x="480" y="200" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1">
        <di:waypoint x="136" y="118" /><di:waypoint x="200" y="118" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2">
        <di:waypoint x="300" y="118" /><di:waypoint x="360" y="118" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f3_di" bpmnElement="f3">
        <di:waypoint x="410" y="118" /><di:waypoint x="480" y="118" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f4_di" bpmnElement="f4">
        <di:waypoint x="385" y="143" /><di:waypoint x="385" y="218" />
        <di:waypoint x="480" y="218" /></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


EXTERNAL_ENTITY = diagram(
    name="&passwd;",
    prolog='<!DOCTYPE bpmn:definitions [<!ENTITY passwd SYSTEM "file:///etc/passwd">]>\n')
ENTITY_BOMB = diagram(name="&lol4;", prolog="""<!DOCTYPE bpmn:definitions [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
""")
DOCTYPE_REASON = ("filen har en DOCTYPE-deklarasjon eller entiteter, som Sløyfe ikke tar imot. "
                  "Lagre filen på nytt uten dem")


def open_deviation(page: Page, live_server: str, console: list[str]) -> None:
    def keep(message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            console.append(message.text)

    page.on("console", keep)
    page.on("pageerror", lambda error: console.append(str(error)))
    log_in(page, live_server, "paal.prosesseier")
    page.goto(f"{live_server}/prosesser/avvik/modell")
    expect(page.locator('[data-element-id="VurderAvvik"]')).to_be_visible()


def upload(page: Page, name: str, content: str) -> None:
    page.locator("[data-modeler-upload]").set_input_files(files=[{
        "name": name, "mimeType": "application/xml", "buffer": content.encode("utf-8")}])


def definition_count(engine: ProcessEngine) -> int:
    with engine.transaction(read_only=True):
        return int(engine.uow.session.scalar(
            select(func.count()).select_from(ProcessDefinition)) or 0)


def assert_server_answers(page: Page) -> None:
    """Validate the diagram on the canvas, which needs the server to answer."""
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("[data-modeler-validation-summary]")).to_have_attribute(
        "data-state", re.compile(r"^(valid|invalid)$"))


@pytest.mark.parametrize("content", [EXTERNAL_ENTITY, ENTITY_BOMB],
                         ids=["external-entity", "entity-bomb"])
def test_doctype_upload_is_refused(js_page: Page, live_server: str,
                                   demo_engine: ProcessEngine, content: str) -> None:
    console: list[str] = []
    open_deviation(js_page, live_server, console)
    before = definition_count(demo_engine)

    upload(js_page, "fiendtlig.bpmn", content)

    expect(js_page.get_by_role("alert")).to_have_text(
        f"Filen fiendtlig.bpmn kunne ikke åpnes som et BPMN-diagram: {DOCTYPE_REASON}. "
        "Diagrammet er ikke endret.")
    expect(js_page.locator('[data-element-id="VurderAvvik"]')).to_be_visible()
    expect(js_page.locator('[data-element-id="skript"]')).to_have_count(0)
    expect(js_page.locator("[data-modeler-save-state]")).not_to_have_text("Ulagrede endringer")
    assert_server_answers(js_page)
    assert definition_count(demo_engine) == before
    assert console == []


@pytest.mark.parametrize("content", [EXTERNAL_ENTITY, ENTITY_BOMB],
                         ids=["external-entity", "entity-bomb"])
def test_doctype_refused_by_server_too(js_page: Page, live_server: str,
                                       demo_engine: ProcessEngine, content: str) -> None:
    """A caller that skips the page's check gets a problem in bokmål, and no deploy."""
    console: list[str] = []
    open_deviation(js_page, live_server, console)
    before = definition_count(demo_engine)
    csrf = js_page.locator("[data-sloyfe-modeler]").get_attribute("data-csrf") or ""
    headers = {"X-CSRFToken": csrf}

    checked = js_page.request.post(f"{live_server}/api/v1/definitions/validate",
                                   data={"bpmn_xml": content}, headers=headers)
    saved = js_page.request.post(f"{live_server}/api/v1/drafts",
                                 data={"bpmn_xml": content, "process": "avvik"}, headers=headers)
    deployed = js_page.request.post(f"{live_server}/api/v1/drafts/{saved.json()['id']}/deploy",
                                    data={"change_note": "Fiendtlig"}, headers=headers)

    assert [error["kind"] for error in checked.json()["errors"]] == ["xml"]
    assert "DOCTYPE" in checked.json()["errors"][0]["message"]
    assert "root:" not in checked.text()
    assert deployed.status == 422
    assert definition_count(demo_engine) == before
    assert_server_answers(js_page)
    assert console == []


def test_oversized_upload_is_refused(js_page: Page, live_server: str,
                                     demo_engine: ProcessEngine) -> None:
    console: list[str] = []
    open_deviation(js_page, live_server, console)
    before = definition_count(demo_engine)
    large = diagram(documentation="x" * (1024 * 1024))

    upload(js_page, "stor.bpmn", large)

    size = -(-len(large.encode()) // 1024)
    expect(js_page.get_by_role("alert")).to_have_text(
        f"Filen stor.bpmn kunne ikke åpnes som et BPMN-diagram: filen er på {size} kB, og et "
        "prosessdiagram kan være på høyst 1024 kB. Diagrammet er ikke endret.")
    expect(js_page.locator('[data-element-id="VurderAvvik"]')).to_be_visible()
    assert_server_answers(js_page)
    assert definition_count(demo_engine) == before
    assert console == []


SANDBOX_ESCAPES = {
    "skript": "x = ().__class__.__bases__[0].__subclasses__()",
    "f3": "__import__('os').system('touch {marker}')",
}


def test_sandbox_escape_is_not_published(js_page: Page, live_server: str,
                                         demo_engine: ProcessEngine, tmp_path: Path) -> None:
    console: list[str] = []
    open_deviation(js_page, live_server, console)
    before = definition_count(demo_engine)
    marker = tmp_path / "escaped"
    escape = diagram(script=SANDBOX_ESCAPES["skript"],
                     condition=SANDBOX_ESCAPES["f3"].format(marker=marker))

    upload(js_page, "fiendtlig.bpmn", escape)
    expect(js_page.locator('[data-element-id="skript"]').first).to_be_visible()
    js_page.get_by_role("button", name="Valider").click()

    summary = js_page.locator("[data-modeler-validation-summary]")
    expect(summary).to_have_attribute("data-state", "invalid")
    for element_id in SANDBOX_ESCAPES:
        problem = js_page.locator(f'[data-modeler-problems] li[data-element-id="{element_id}"]')
        expect(problem).to_contain_text("det bryter en regel i sandkassen på linje 1")
        expect(js_page.locator(f'.djs-element[data-element-id="{element_id}"]').first
               ).to_have_class(re.compile(r"\bsloyfe-problem-error\b"))

    js_page.locator("[data-modeler-publish]").click()
    expect(js_page.locator("[data-modeler-status]")).to_have_text(
        "Modellen har feil og ble ikke publisert. Rett feilene i listen over problemer og "
        "prøv igjen.")
    expect(js_page.get_by_role("dialog")).to_be_hidden()
    assert definition_count(demo_engine) == before
    assert not marker.exists()
    assert console == []
