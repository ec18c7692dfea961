"""Sløyfe's BPMN dialect on top of SpiffWorkflow's Camunda parser.

Reads the Camunda 7 attributes that Camunda Modeler and bpmn-js write: assignment, due dates,
priority and formRef on user tasks, formRef on start events, external topics on service tasks,
camunda:properties on every element, and lanes as candidate groups.
"""

from __future__ import annotations

from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.event_parsers import (
    BoundaryEventParser,
    EndEventParser,
    IntermediateCatchEventParser,
    IntermediateThrowEventParser,
    ReceiveTaskParser,
    StartEventParser,
)
from SpiffWorkflow.bpmn.parser.task_parsers import ConditionalGatewayParser, GatewayParser
from SpiffWorkflow.bpmn.parser.util import BPMN_MODEL_NS, first
from SpiffWorkflow.bpmn.specs.defaults import (
    BoundaryEvent,
    EndEvent,
    ExclusiveGateway,
    InclusiveGateway,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    NoneTask,
    ParallelGateway,
    ReceiveTask,
    StartEvent,
)
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.camunda.parser.CamundaParser import NSMAP, CamundaParser
from SpiffWorkflow.camunda.parser.event_parsers import CamundaEventDefinitionParser
from SpiffWorkflow.camunda.parser.task_spec import (
    CAMUNDA_MODEL_NS,
    CamundaTaskParser,
    ScriptTaskParser,
)
from SpiffWorkflow.camunda.parser.task_spec import UserTaskParser as CamundaUserTaskParser

from engine.runtime.specs import (
    ClockCycle,
    ClockDuration,
    ClockTimeDate,
    ExternalServiceTask,
    UserTask,
)

CAMUNDA = f"{{{CAMUNDA_MODEL_NS}}}"


def element_properties(node: etree._Element) -> dict[str, str]:
    """Return the camunda:properties written directly on `node`."""
    properties: dict[str, str] = {}
    for prop in node.xpath("./bpmn:extensionElements/camunda:properties/camunda:property",
                           namespaces=NSMAP):
        name = prop.get("name")
        if name:
            properties[name] = prop.get("value", "")
    return properties


class PropertiesMixin:
    node: etree._Element

    def parse_extensions(self, node: etree._Element | None = None) -> dict[str, str]:
        return element_properties(node if node is not None else self.node)


class ClockTimerMixin(CamundaEventDefinitionParser):
    """Creates timer definitions that read the engine clock; literals stay as written."""

    def parse_timer_event(self, event: etree._Element) -> Any:
        description = self.get_event_description(event)
        name = self.node.get("name", self.node.get("id"))
        time_date = first(self.xpath(".//bpmn:timeDate"))
        if time_date is not None:
            return ClockTimeDate(name, (time_date.text or "").strip(), description=description)
        time_duration = first(self.xpath(".//bpmn:timeDuration"))
        if time_duration is not None:
            return ClockDuration(name, (time_duration.text or "").strip(), description=description)
        time_cycle = first(self.xpath(".//bpmn:timeCycle"))
        if time_cycle is not None:
            return ClockCycle(name, (time_cycle.text or "").strip(), description=description)
        self.raise_validation_exception("Unknown Time Specification")


class SloyfeStartEventParser(PropertiesMixin, ClockTimerMixin, StartEventParser):
    def create_task(self) -> Any:
        task = StartEventParser.create_task(self)
        parent = self.node.getparent()
        if parent is None or parent.tag != f"{{{BPMN_MODEL_NS}}}process":
            return task
        # A process's timer and message starts are handled outside the instance: the
        # scheduler fires a timer start from a row of its own, and a correlated message
        # starts the instance. Inside the instance such a start event starts at once, and
        # the engine cancels the start events that did not trigger the instance.
        if isinstance(task.event_definition, TimerEventDefinition):
            task.start_timer = task.event_definition
            task.event_definition = NoneEventDefinition()
        elif isinstance(task.event_definition, MessageEventDefinition):
            task.start_message = task.event_definition.name
            task.event_definition = NoneEventDefinition()
        return task


class SloyfeEndEventParser(PropertiesMixin, ClockTimerMixin, EndEventParser):
    def create_task(self) -> Any:
        return EndEventParser.create_task(self)


class SloyfeIntermediateCatchEventParser(PropertiesMixin, ClockTimerMixin,
                                         IntermediateCatchEventParser):
    def create_task(self) -> Any:
        return IntermediateCatchEventParser.create_task(self)


class SloyfeIntermediateThrowEventParser(PropertiesMixin, ClockTimerMixin,
                                         IntermediateThrowEventParser):
    def create_task(self) -> Any:
        return IntermediateThrowEventParser.create_task(self)


class SloyfeBoundaryEventParser(PropertiesMixin, ClockTimerMixin, BoundaryEventParser):
    def create_task(self) -> Any:
        return BoundaryEventParser.create_task(self)


class SloyfeReceiveTaskParser(PropertiesMixin, ClockTimerMixin, ReceiveTaskParser):
    def create_task(self) -> Any:
        return ReceiveTaskParser.create_task(self)


class SloyfeUserTaskParser(PropertiesMixin, CamundaUserTaskParser):
    def create_task(self) -> Any:
        def camunda(name: str) -> str | None:
            value = self.node.get(CAMUNDA + name)
            return value.strip() if value and value.strip() else None

        lane_groups = self.process_parser.parser.lane_groups.get(self.bpmn_id)
        return self.spec_class(
            self.spec, self.bpmn_id, form=self.get_form(),
            assignee=camunda("assignee"),
            candidate_groups=camunda("candidateGroups"),
            candidate_users=camunda("candidateUsers"),
            due_date=camunda("dueDate"),
            follow_up_date=camunda("followUpDate"),
            priority=camunda("priority"),
            form_ref=camunda("formRef"),
            lane_groups=lane_groups,
            **self.bpmn_attributes,
        )


class ExternalTaskParser(PropertiesMixin, CamundaTaskParser):
    """Service and send tasks with camunda:type="external"; other kinds fail validation first."""

    def create_task(self) -> Any:
        topic = self.node.get(CAMUNDA + "topic")
        if self.node.get(CAMUNDA + "type") != "external" or not topic:
            self.raise_validation_exception(
                "Only external service tasks (camunda:type=\"external\") are supported")
        return ExternalServiceTask(self.spec, self.bpmn_id, topic=topic.strip(),
                                   **self.bpmn_attributes)


class SloyfeTaskParser(PropertiesMixin, CamundaTaskParser):
    pass


class SloyfeScriptTaskParser(PropertiesMixin, ScriptTaskParser):
    pass


class SloyfeGatewayParser(PropertiesMixin, GatewayParser):
    pass


class SloyfeConditionalGatewayParser(PropertiesMixin, ConditionalGatewayParser):
    pass


class SloyfeParser(CamundaParser):
    OVERRIDE_PARSER_CLASSES = dict(CamundaParser.OVERRIDE_PARSER_CLASSES)
    OVERRIDE_PARSER_CLASSES.update({
        full_tag("userTask"): (SloyfeUserTaskParser, UserTask),
        full_tag("serviceTask"): (ExternalTaskParser, ExternalServiceTask),
        full_tag("sendTask"): (ExternalTaskParser, ExternalServiceTask),
        full_tag("startEvent"): (SloyfeStartEventParser, StartEvent),
        full_tag("endEvent"): (SloyfeEndEventParser, EndEvent),
        full_tag("intermediateCatchEvent"): (SloyfeIntermediateCatchEventParser,
                                             IntermediateCatchEvent),
        full_tag("intermediateThrowEvent"): (SloyfeIntermediateThrowEventParser,
                                             IntermediateThrowEvent),
        full_tag("boundaryEvent"): (SloyfeBoundaryEventParser, BoundaryEvent),
        full_tag("receiveTask"): (SloyfeReceiveTaskParser, ReceiveTask),
        full_tag("task"): (SloyfeTaskParser, NoneTask),
        # Camunda runs a manual task straight through; nobody completes it in a task list.
        full_tag("manualTask"): (SloyfeTaskParser, NoneTask),
        full_tag("scriptTask"): (SloyfeScriptTaskParser, CamundaParser.OVERRIDE_PARSER_CLASSES[
            full_tag("scriptTask")][1]),
        full_tag("exclusiveGateway"): (SloyfeConditionalGatewayParser, ExclusiveGateway),
        full_tag("inclusiveGateway"): (SloyfeConditionalGatewayParser, InclusiveGateway),
        full_tag("parallelGateway"): (SloyfeGatewayParser, ParallelGateway),
    })

    def __init__(self) -> None:
        super().__init__()
        self.lane_groups: dict[str, str] = {}

    def add_bpmn_xml(self, bpmn: Any, filename: str | None = None) -> None:
        self.lane_groups.update(lane_candidate_groups(bpmn))
        super().add_bpmn_xml(bpmn, filename)


def lane_candidate_groups(root: etree._Element) -> dict[str, str]:
    """Map flow node id to the candidate groups of its lane.

    A lane names its groups in a camunda property `candidateGroups`; without one, the lane's
    name is taken as the group key. The innermost lane wins for nested lane sets.
    """
    groups: dict[str, str] = {}
    lanes = root.xpath(".//bpmn:lane", namespaces=NSMAP)
    lanes.sort(key=lambda lane: len(list(lane.iterancestors())))
    for lane in lanes:
        value = element_properties(lane).get("candidateGroups") or (lane.get("name") or "").strip()
        if not value:
            continue
        for ref in lane.xpath("./bpmn:flowNodeRef", namespaces=NSMAP):
            if ref.text:
                groups[ref.text.strip()] = value
    return groups
