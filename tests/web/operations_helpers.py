"""Small processes and a parser of the Prometheus text format, for the operations tests."""

from __future__ import annotations

import re

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">\n')

# One user task for admin, due a day after it opens, then the end.
ONE_TASK = HEADER + """<bpmn:process id="enkel" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gjor" />
  <bpmn:userTask id="gjor" name="Gjør det" camunda:assignee="admin" camunda:dueDate="P1D" />
  <bpmn:sequenceFlow id="f2" sourceRef="gjor" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
</bpmn:process></bpmn:definitions>"""

# A one-hour wait, then a user task.
WAIT_AN_HOUR = HEADER + """<bpmn:process id="vent" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="pause" />
  <bpmn:intermediateCatchEvent id="pause"><bpmn:timerEventDefinition>
    <bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
  </bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="pause" targetRef="etter" />
  <bpmn:userTask id="etter" name="Etter pausen" camunda:candidateUsers="admin" />
</bpmn:process></bpmn:definitions>"""

# A service task whose handler (registered by the test) fails for good, opening an incident.
NO_HANDLER = HEADER + """<bpmn:process id="feiler" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="kall" />
  <bpmn:serviceTask id="kall" name="Kall" camunda:type="external"
                    camunda:topic="test.feiler" />
  <bpmn:sequenceFlow id="f2" sourceRef="kall" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
</bpmn:process></bpmn:definitions>"""

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse_exposition(text: str) -> Samples:
    """Return every sample of an exposition text by (name, labels); fails on a bad line."""
    samples: Samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        assert match is not None, f"not a sample line: {line!r}"
        name, labels, value = match.groups()
        label_set = frozenset(LABEL.findall(labels or ""))
        samples[(name, label_set)] = float(value)
    return samples


def sample(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def failing_handler(_context: object) -> None:
    from engine.runtime.handlers import HandlerError

    raise HandlerError("the test handler always fails", retry=False)
