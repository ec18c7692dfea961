"""The task page's facts: process and step, the step's instructions as safe Markdown, and the
case's history as handlers read it."""

from __future__ import annotations

from typing import Any

from engine.engine import ProcessEngine
from tests.web.conftest import open_task_id

INSTRUCTIONS = """Les **rutinen** før du svarer.

- Sjekk [rutinen](https://kommune.example/rutine)
- Ring melderen

<script>alert(1)</script>"""

ONE_TASK = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
<bpmn:process id="sjekk" name="Sjekkliste" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sjekk_rutine" />
  <bpmn:userTask id="sjekk_rutine" name="Sjekk rutinen" camunda:candidateUsers="lise.leder">
    <bpmn:documentation>{INSTRUCTIONS.replace("<", "&lt;")}</bpmn:documentation>
  </bpmn:userTask>
  <bpmn:sequenceFlow id="f2" sourceRef="sjekk_rutine" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
</bpmn:process></bpmn:definitions>""".encode()


def test_task_page_names_process_and_step(login_as: Any, report: Any,
                                          demo_engine: ProcessEngine) -> None:
    task_id = open_task_id(demo_engine, report(), "VurderAvvik")

    html = login_as("lise.leder").get(f"/oppgaver/{task_id}").get_data(as_text=True)

    assert "<dt>Prosess</dt>\n<dd>Avvikshåndtering</dd>" in html
    assert "<dt>Steg</dt>\n<dd>Vurder avvik</dd>" in html


def test_instructions_render_as_markdown(login_as: Any, demo_engine: ProcessEngine) -> None:
    demo_engine.repository.deploy([("sjekk.bpmn", ONE_TASK)])
    instance_id = demo_engine.runtime.start("sjekk", "lise.leder", {}).instance_id
    task_id = open_task_id(demo_engine, instance_id, "sjekk_rutine")

    html = login_as("lise.leder").get(f"/oppgaver/{task_id}").get_data(as_text=True)

    assert "<p>Les <strong>rutinen</strong> før du svarer.</p>" in html
    assert '<li>Sjekk <a class="ds-link" href="https://kommune.example/rutine">' in html
    assert "<li>Ring melderen</li>" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_history_names_who_did_what(login_as: Any, report: Any,
                                    demo_engine: ProcessEngine) -> None:
    task_id = open_task_id(demo_engine, report(), "VurderAvvik")
    demo_engine.tasks.claim(task_id, "lise.leder")
    demo_engine.tasks.delegate(task_id, "fatima.ansatt", "lise.leder")

    html = login_as("fatima.ansatt").get(f"/oppgaver/{task_id}").get_data(as_text=True)

    assert "Ola Olsen registrerte saken." in html
    assert "Ny oppgave: Vurder avvik." in html
    assert "Lise Johansen tok oppgaven «Vurder avvik»." in html
    assert "Lise Johansen delegerte oppgaven «Vurder avvik» til Fatima Ali." in html
