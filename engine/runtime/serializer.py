"""Workflow state to and from JSON, without the process spec.

SpiffWorkflow's serializer stores every task spec of the diagram inside each instance. Sløyfe
keeps the BPMN XML once per definition version and parses it into a cached spec, so the stored
state holds only the task tree and data. Restoring takes the spec from the cache.
"""

from __future__ import annotations

import json
from datetime import date, time
from decimal import Decimal
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.event_definition import (
    TimerConditionalEventDefinitionConverter,
)
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG

from engine.runtime.specs import ClockCycle, ClockDuration, ClockTimeDate

STATE_VERSION_KEY = "serializer_version"


class StatelessSpecWorkflowConverter(BpmnWorkflowConverter):
    """Converts the workflow's task tree and data; the spec comes from the caller on restore."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], spec: Any = None,
                  subprocess_specs: Any = None) -> BpmnWorkflow:
        from uuid import UUID

        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _configure() -> BpmnWorkflowSerializer:
    config = dict(CAMUNDA_CONFIG)
    config[BpmnWorkflow] = StatelessSpecWorkflowConverter
    config[ClockTimeDate] = TimerConditionalEventDefinitionConverter
    config[ClockDuration] = TimerConditionalEventDefinitionConverter
    config[ClockCycle] = TimerConditionalEventDefinitionConverter
    registry = BpmnWorkflowSerializer.configure(config)
    registry.register(date, lambda v: {"value": v.isoformat()},
                      lambda v: date.fromisoformat(v["value"]), typename="date")
    registry.register(time, lambda v: {"value": v.isoformat()},
                      lambda v: time.fromisoformat(v["value"]), typename="time")
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]),
                      typename="Decimal")
    return BpmnWorkflowSerializer(registry)


class StateSerializer:
    def __init__(self) -> None:
        self._serializer = _configure()

    def dumps(self, workflow: BpmnWorkflow) -> str:
        registry = self._serializer.registry
        registry._encoder_mode = True
        try:
            dct = self._serializer.to_dict(workflow)
            dct[STATE_VERSION_KEY] = self._serializer.VERSION
            return json.dumps(dct, cls=self._serializer._encoder_cls, separators=(",", ":"),
                              ensure_ascii=False)
        finally:
            registry._encoder_mode = False

    def loads(self, state: str, spec: Any, subprocess_specs: dict[str, Any],
              script_engine: Any) -> BpmnWorkflow:
        dct = json.loads(state)
        version = dct.pop(STATE_VERSION_KEY, None)
        if version in MIGRATIONS:
            MIGRATIONS[version](dct)
        workflow = self._serializer.from_dict(dct, spec=spec, subprocess_specs=subprocess_specs)
        workflow.script_engine = script_engine
        return workflow
