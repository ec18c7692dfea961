"""Two versions of a small process with diagram layout, for the version history tests.

Version 1 runs start → Registrer → Vurder → slutt. Version 2 renames Vurder and gives it
another candidate group (changed), drops Registrer (removed) and puts Kontroller after
Vurder (added).
"""

from __future__ import annotations

from collections.abc import Callable

from engine.engine import ProcessEngine

KEY = "versjonstest"
OWNER = "paal.prosesseier"

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
          'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
          'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
          'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">\n')

# (id, BPMN tag, extra attributes) in the order the flows connect them.
FIRST = [("start", "startEvent", ""),
         ("registrer", "userTask", 'name="Registrer" camunda:candidateGroups="personvernombud"'),
         ("vurder", "userTask", 'name="Vurder" camunda:candidateGroups="personvernombud"'),
         ("slutt", "endEvent", "")]
SECOND = [("start", "startEvent", ""),
          ("vurder", "userTask", 'name="Vurder saken" camunda:candidateGroups="okonomi"'),
          ("kontroller", "userTask", 'name="Kontroller" camunda:candidateGroups="okonomi"'),
          ("slutt", "endEvent", "")]


def _bounds(index: int, tag: str) -> tuple[int, int, int, int]:
    x = 100 + index * 160
    return (x, 102, 36, 36) if tag.endswith("Event") else (x, 80, 100, 80)


def diagram(nodes: list[tuple[str, str, str]]) -> str:
    """Return a process that runs `nodes` in a row, with a shape and an edge for each."""
    body, shapes = [], []
    for index, (node_id, tag, extra) in enumerate(nodes):
        body.append(f'<bpmn:{tag} id="{node_id}" {extra} />')
        x, y, width, height = _bounds(index, tag)
        shapes.append(f'<bpmndi:BPMNShape id="{node_id}_di" bpmnElement="{node_id}">'
                      f'<dc:Bounds x="{x}" y="{y}" width="{width}" height="{height}" />'
                      '</bpmndi:BPMNShape>')
    for index, ((source, source_tag, _s), (target, target_tag, _t)) in enumerate(
            zip(nodes, nodes[1:], strict=False)):
        flow_id = f"flyt_{source}_{target}"
        body.append(f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" '
                    f'targetRef="{target}" />')
        x, y, width, height = _bounds(index, source_tag)
        end_x = _bounds(index + 1, target_tag)[0]
        shapes.append(f'<bpmndi:BPMNEdge id="{flow_id}_di" bpmnElement="{flow_id}">'
                      f'<di:waypoint x="{x + width}" y="120" /><di:waypoint x="{end_x}" y="120" />'
                      '</bpmndi:BPMNEdge>')
    return (HEADER + f'<bpmn:process id="{KEY}" name="Versjonstest" isExecutable="true">\n'
            + "\n".join(body) + "\n</bpmn:process>\n"
            + f'<bpmndi:BPMNDiagram id="tegning"><bpmndi:BPMNPlane id="flate" bpmnElement="{KEY}">'
            + "".join(shapes) + "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n"
            + "</bpmn:definitions>\n")


def deploy_two_versions(engine: ProcessEngine, *, cases_on_first: int = 0,
                        between: Callable[[], object] | None = None) -> None:
    """Deploy both versions as the process owner. In between, start `cases_on_first` cases
    on the first version and call `between` (to move the clock, say)."""
    draft = engine.drafts.save(OWNER, diagram(FIRST))
    engine.drafts.deploy(OWNER, draft.id, "Første versjon av versjonstesten")
    for _number in range(cases_on_first):
        engine.runtime.start(KEY, "ola.ansatt", {})
    if between is not None:
        between()
    engine.drafts.save(OWNER, diagram(SECOND), draft_id=draft.id)
    engine.drafts.deploy(OWNER, draft.id, "Kontroll etter vurdering; registrering fjernet")
