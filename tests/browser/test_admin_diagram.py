"""The administrators' instance page in Chromium: an incident marked on the diagram, under the
site's Content Security Policy."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from engine.engine import ProcessEngine
from tests.browser.test_accessibility import axe_page, violations  # noqa: F401 (fixture)
from tests.browser.test_accessibility import log_in as accessibility_log_in
from tests.browser.test_deviation_journey import log_in
from tests.web.conftest import REPORT_DATA
from tests.web.operations_helpers import failing_handler

pytestmark = pytest.mark.browser

# A service task whose handler fails for good, with the diagram shapes bpmn-js needs to draw it.
FAILING_WITH_SHAPES = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
    xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="feiler" name="Feiler" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="kall" />
    <bpmn:serviceTask id="kall" name="Kall" camunda:type="external" camunda:topic="test.feiler" />
    <bpmn:sequenceFlow id="f2" sourceRef="kall" targetRef="slutt" />
    <bpmn:endEvent id="slutt" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram">
    <bpmndi:BPMNPlane id="plane" bpmnElement="feiler">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start">
        <dc:Bounds x="100" y="100" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="kall_di" bpmnElement="kall">
        <dc:Bounds x="200" y="78" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="slutt_di" bpmnElement="slutt">
        <dc:Bounds x="370" y="100" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1">
        <di:waypoint x="136" y="118" /><di:waypoint x="200" y="118" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2">
        <di:waypoint x="300" y="118" /><di:waypoint x="370" y="118" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>"""


def test_incident_marked_on_diagram(js_page: Page, live_server: str,
                                    demo_engine: ProcessEngine) -> None:
    demo_engine.handlers.register("test.feiler", failing_handler)
    demo_engine.repository.deploy([("feiler.bpmn", FAILING_WITH_SHAPES.encode())])
    instance_id = demo_engine.runtime.start("feiler", "admin", {}).instance_id
    demo_engine.management.run_due()
    console: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning") or "Content Security Policy" in message.text:
            console.append(message.text)

    js_page.on("console", keep)
    js_page.on("pageerror", lambda error: console.append(str(error)))
    log_in(js_page, live_server, "admin")
    js_page.get_by_role("link", name="Administrasjon").click()
    js_page.get_by_role("link", name=str(instance_id), exact=True).click()

    root = js_page.locator("[data-sloyfe-modeler]")
    expect(root).to_have_attribute("data-markers-shown", "true")
    service_task = js_page.locator('.djs-element[data-element-id="kall"]')
    expect(service_task).to_have_class(
        re.compile(r"\bsloyfe-marker-incident\b"))
    expect(js_page.locator(".sloyfe-badge-incident")).to_have_count(1)
    expect(js_page.locator("[data-incidents] td", has_text="the test handler always fails")
           ).to_be_visible()
    assert console == []


def test_admin_pages_pass_axe(axe_page: Page, live_server: str,  # noqa: F811
                              demo_engine: ProcessEngine) -> None:
    instance_id = demo_engine.runtime.start("avvik", "ola.ansatt", REPORT_DATA).instance_id
    accessibility_log_in(axe_page, live_server, "admin")

    axe_page.goto(f"{live_server}/admin/saker")
    list_violations = violations(axe_page)
    axe_page.goto(f"{live_server}/admin/saker/{instance_id}")
    expect(axe_page.locator("[data-sloyfe-modeler]")).to_have_attribute(
        "data-markers-shown", "true")
    instance_violations = violations(axe_page)

    assert list_violations == []
    assert instance_violations == []
