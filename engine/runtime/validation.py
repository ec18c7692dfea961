"""Checks that a BPMN document can run here, before SpiffWorkflow parses it.

Each check yields a DefinitionProblem naming the file, line and element id in the user's
language, so a process owner can find and fix every problem in one pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from engine.errors import DefinitionProblem
from engine.i18n import N_
from engine.i18n import gettext as _
from engine.runtime import expressions, timeexpr
from engine.runtime.parser import CAMUNDA, element_properties

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
B = f"{{{BPMN_NS}}}"
NS = {"bpmn": BPMN_NS}

FLOW_NODE_TAGS = {
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "task", "userTask", "serviceTask", "sendTask", "receiveTask", "scriptTask", "manualTask",
    "businessRuleTask", "callActivity", "subProcess", "transaction", "adHocSubProcess",
    "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway",
    "complexGateway",
}
UNSUPPORTED_TAGS = {
    "complexGateway": "complex gateways",
    "businessRuleTask": "business rule tasks (DMN)",
    "adHocSubProcess": "ad hoc sub-processes",
}
UNSUPPORTED_EVENT_DEFINITIONS = {
    "compensateEventDefinition": "compensation events",
    "linkEventDefinition": "link events",
}

# Expression checker: raises with a reason, or returns None.
Checker = Callable[[str, str], None]


# Process properties that decide who may read the cases of a process.
CONFIDENTIAL_PROPERTY = "confidential"
READER_GROUPS_PROPERTY = "readerGroups"
# Groups whose members may change the process in the modeler and deploy new versions.
OWNER_GROUPS_PROPERTY = "ownerGroups"
RETENTION_PROPERTY = "retention"
RETENTION_ACTION_PROPERTY = "retentionAction"
RETENTION_ACTIONS = ("anonymise", "delete")


def reader_groups(value: str) -> list[str]:
    """Split a readerGroups or ownerGroups property into its group keys, in order, without
    duplicates."""
    keys = [key.strip() for key in value.split(",")]
    return list(dict.fromkeys(key for key in keys if key))


@dataclass
class DefinitionFacts:
    """The forms, topics and called processes a valid document names, for the repository to
    check against what is deployed."""

    process_id: str | None = None
    process_name: str | None = None
    start_form_ref: str | None = None
    form_refs: dict[str, str] = field(default_factory=dict)  # form id -> element id
    topics: dict[str, str] = field(default_factory=dict)  # topic -> element id
    called_processes: dict[str, str] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)  # camunda:properties of the process

    @property
    def confidential(self) -> bool:
        return self.properties.get(CONFIDENTIAL_PROPERTY, "").strip().lower() == "true"

    @property
    def reader_groups(self) -> list[str]:
        return reader_groups(self.properties.get(READER_GROUPS_PROPERTY, ""))

    @property
    def owner_groups(self) -> list[str]:
        return reader_groups(self.properties.get(OWNER_GROUPS_PROPERTY, ""))


class DocumentChecker:
    def __init__(self, root: etree._Element, file_name: str, check_expression: Checker) -> None:
        self.root = root
        self.file_name = file_name
        self.check_expression = check_expression
        self.problems: list[DefinitionProblem] = []
        self.facts = DefinitionFacts()

    def problem(self, text: str, node: etree._Element | None = None) -> None:
        line = node.sourceline if node is not None else None
        element_id = node.get("id") if node is not None else None
        self.problems.append(DefinitionProblem(self.file_name, text, line=line,
                                               element_id=element_id))

    def run(self) -> tuple[list[DefinitionProblem], DefinitionFacts]:
        if self.root.tag != B + "definitions":
            self.problem(_("This is not a BPMN 2.0 file: the root element must be "
                           "bpmn:definitions in the namespace %(ns)s. Export the diagram as "
                           "BPMN 2.0 XML from the modeler.", ns=BPMN_NS), self.root)
            return self.problems, self.facts

        executable = self._executable_processes()
        if not executable:
            return self.problems, self.facts

        self._check_unique_ids()
        for process in executable:
            self._check_process(process)
        main = executable[0]
        self.facts.process_id = main.get("id")
        self.facts.process_name = (main.get("name") or main.get("id") or "").strip()
        self.facts.properties = element_properties(main)
        self._check_reading_rules(main)
        self._check_retention(main)
        return self.problems, self.facts

    def _check_reading_rules(self, process: etree._Element) -> None:
        """Check the process properties that decide who may read its cases."""
        value = self.facts.properties.get(CONFIDENTIAL_PROPERTY)
        if value is not None and value.strip().lower() not in ("true", "false"):
            self.problem(_("The process property %(name)s must be true or false, not "
                           "%(value)s.", name=CONFIDENTIAL_PROPERTY, value=value), process)
        for name in (READER_GROUPS_PROPERTY, OWNER_GROUPS_PROPERTY):
            groups = self.facts.properties.get(name)
            if groups is not None and not reader_groups(groups):
                self.problem(_("The process property %(name)s names no group. Write the group "
                               "keys separated by commas, or remove the property.",
                               name=name), process)

    def _check_retention(self, process: etree._Element) -> None:
        """Check the process properties that set how long finished cases are kept."""
        period = self.facts.properties.get(RETENTION_PROPERTY)
        if period is not None:
            try:
                zero = timeexpr.parse_duration(period).is_zero()
            except timeexpr.TimeExpressionError:
                self.problem(_("The process property %(name)s must be an ISO 8601 duration "
                               "such as P5Y (five years) or P18M, not %(value)s.",
                               name=RETENTION_PROPERTY, value=period), process)
            else:
                if zero:
                    self.problem(_("The process property %(name)s must be longer than zero. "
                                   "Remove it to keep the cases.", name=RETENTION_PROPERTY),
                                 process)
        action = self.facts.properties.get(RETENTION_ACTION_PROPERTY)
        if action is not None and action.strip() not in RETENTION_ACTIONS:
            self.problem(_("The process property %(name)s must be anonymise or delete, not "
                           "%(value)s.", name=RETENTION_ACTION_PROPERTY, value=action), process)

    def _executable_processes(self) -> list[etree._Element]:
        processes = self.root.findall(B + "process")
        if not processes:
            self.problem(_("The file contains no process. Draw at least a start event, a "
                           "task and an end event."), self.root)
            return []
        executable = [p for p in processes if p.get("isExecutable", "true") == "true"]
        if not executable:
            for process in processes:
                self.problem(_("The process is not marked as executable "
                               "(isExecutable=\"false\"). Tick \"Executable\" in the modeler "
                               "for the process that should run."), process)
        for process in executable:
            if not process.get("id"):
                self.problem(_("The process has no id. Give it one, for example \"avvik\"."),
                             process)
        return [p for p in executable if p.get("id")]

    def _check_unique_ids(self) -> None:
        seen: dict[str, etree._Element] = {}
        for node in self.root.iter():
            if not isinstance(node.tag, str) or not node.tag.startswith(B):
                continue
            node_id = node.get("id")
            if not node_id:
                continue
            if node_id in seen:
                self.problem(_("The id %(id)s is used twice (also on line %(line)s). Every "
                               "element needs its own id.", id=node_id,
                               line=seen[node_id].sourceline), node)
            else:
                seen[node_id] = node

    def _check_process(self, process: etree._Element) -> None:
        nodes = {n.get("id"): n for n in process.iter()
                 if isinstance(n.tag, str) and n.tag.startswith(B)
                 and n.tag[len(B):] in FLOW_NODE_TAGS and n.get("id")}

        starts = [n for n in process if n.tag == B + "startEvent"]
        if not starts:
            self.problem(_("The process has no start event. Add one where the process "
                           "begins."), process)
        plain = [n for n in starts if not any(
            n.find(B + kind) is not None for kind in ("timerEventDefinition",
                                                      "messageEventDefinition"))]
        if len(plain) > 1:
            self.problem(_("The process has %(count)s plain start events; a manual start "
                           "could not tell which one to take. Keep one, or give the others a "
                           "timer or a message.", count=len(plain)), plain[1])

        for node in nodes.values():
            self._check_node(node, nodes)
        for flow in process.iter(B + "sequenceFlow"):
            self._check_flow(flow, nodes)

    def _check_node(self, node: etree._Element, nodes: dict[str, etree._Element]) -> None:
        tag = node.tag[len(B):]
        if tag in UNSUPPORTED_TAGS:
            self.problem(_("Sløyfe cannot run %(kind)s yet. Model the step in another way, "
                           "for example as a user task or an external service task.",
                           kind=UNSUPPORTED_TAGS[tag]), node)
        for name, kind in UNSUPPORTED_EVENT_DEFINITIONS.items():
            if node.find(B + name) is not None:
                self.problem(_("Sløyfe cannot run %(kind)s yet. Remove the event or model the "
                               "step in another way.", kind=kind), node)

        if tag == "userTask":
            self._check_user_task(node)
        elif tag in ("serviceTask", "sendTask"):
            self._check_external_task(node)
        elif tag == "scriptTask":
            self._check_script_task(node)
        elif tag == "startEvent":
            self._check_start_event(node)
        elif tag == "boundaryEvent":
            attached = node.get("attachedToRef")
            if not attached or attached not in nodes:
                self.problem(_("The boundary event is not attached to a task in this process "
                               "(attachedToRef=\"%(ref)s\").", ref=attached or ""), node)
        elif tag == "callActivity":
            called = node.get("calledElement")
            if not called:
                self.problem(_("The call activity does not name the process it calls "
                               "(calledElement)."), node)
            else:
                self.facts.called_processes[called] = node.get("id")
        elif tag in ("exclusiveGateway", "inclusiveGateway"):
            self._check_gateway(node)

        for timer in node.iter(B + "timerEventDefinition"):
            self._check_timer(node, timer)

    def _check_user_task(self, node: etree._Element) -> None:
        form_ref = (node.get(CAMUNDA + "formRef") or "").strip()
        if form_ref:
            self.facts.form_refs.setdefault(form_ref, node.get("id"))
        for attribute in ("assignee", "candidateGroups", "candidateUsers", "dueDate",
                          "followUpDate", "priority"):
            value = node.get(CAMUNDA + attribute)
            if value and "${" in value:
                for source in expressions.placeholders(value):
                    self._expression(source, node, attribute)
            elif value and attribute in ("dueDate", "followUpDate"):
                self._date_or_expression(value, node, attribute)
            elif value and attribute == "priority" and not value.strip().lstrip("-").isdigit():
                self.problem(_("camunda:priority must be a whole number or ${expression}, not "
                               "\"%(value)s\".", value=value), node)

        for name, source in element_properties(node).items():
            if name.startswith("validate.") and not name.endswith(".message"):
                self._expression(expressions.python_source(source), node, name)
            elif name == "title" and "${" in source:
                for part in expressions.placeholders(source):
                    self._expression(part, node, name)

        has_lane = bool(node.getparent() is not None and self._lane_of(node))
        if not any(node.get(CAMUNDA + a) for a in ("assignee", "candidateGroups",
                                                   "candidateUsers")) and not has_lane:
            self.problem(_("Nobody can take this task: it has no camunda:assignee, "
                           "camunda:candidateGroups or camunda:candidateUsers, and it lies in "
                           "no lane. Set one of them."), node)

    def _lane_of(self, node: etree._Element) -> bool:
        node_id = node.get("id")
        return bool(self.root.xpath(".//bpmn:lane/bpmn:flowNodeRef[normalize-space(text())=$id]",
                                    namespaces=NS, id=node_id))

    def _check_external_task(self, node: etree._Element) -> None:
        kind = node.get(CAMUNDA + "type")
        topic = (node.get(CAMUNDA + "topic") or "").strip()
        if kind == "external" and topic:
            self.facts.topics.setdefault(topic, node.get("id"))
            return
        if kind == "external":
            self.problem(_("The external service task names no topic. Set camunda:topic to "
                           "the name of a handler."), node)
            return
        java = [a for a in ("class", "delegateExpression", "expression")
                if node.get(CAMUNDA + a)]
        if java:
            self.problem(_("camunda:%(attribute)s calls Java code, which Sløyfe cannot run. "
                           "Use camunda:type=\"external\" with camunda:topic naming a handler.",
                           attribute=java[0]), node)
        else:
            self.problem(_("The service task does not say what should run. Set "
                           "camunda:type=\"external\" and camunda:topic to the name of a "
                           "handler."), node)

    def _check_script_task(self, node: etree._Element) -> None:
        script_format = (node.get("scriptFormat") or "python").strip().lower()
        if script_format not in ("python", "py", "text/x-python"):
            self.problem(_("The script is written in %(format)s; only Python scripts can run. "
                           "Set scriptFormat=\"python\" and write the script in Python.",
                           format=script_format), node)
            return
        script = node.find(B + "script")
        if script is None or not (script.text or "").strip():
            self.problem(_("The script task has no script. Write the Python code in the task "
                           "or remove the task."), node)
            return
        self._expression(script.text or "", node, "script", mode="exec")

    def _check_start_event(self, node: etree._Element) -> None:
        form_ref = (node.get(CAMUNDA + "formRef") or "").strip()
        parent = node.getparent()
        if form_ref and parent is not None and parent.tag == B + "process":
            self.facts.start_form_ref = self.facts.start_form_ref or form_ref
            self.facts.form_refs.setdefault(form_ref, node.get("id"))

    def _check_gateway(self, node: etree._Element) -> None:
        default = node.get("default")
        outgoing = [f for f in node.getparent().iter(B + "sequenceFlow")
                    if f.get("sourceRef") == node.get("id")]
        if len(outgoing) < 2:
            return
        for flow in outgoing:
            if flow.get("id") == default:
                continue
            if flow.find(B + "conditionExpression") is None:
                self.problem(_("The flow %(flow)s leaves a gateway with several paths but has "
                               "no condition and is not the default flow. Give it a condition "
                               "or mark it as the default flow.", flow=flow.get("id")), flow)

    def _check_flow(self, flow: etree._Element, nodes: dict[str, etree._Element]) -> None:
        for attribute in ("sourceRef", "targetRef"):
            ref = flow.get(attribute)
            if not ref or ref not in nodes:
                self.problem(_("The sequence flow points to an element that does not exist "
                               "(%(attribute)s=\"%(ref)s\"). Reconnect it in the modeler.",
                               attribute=attribute, ref=ref or ""), flow)
        condition = flow.find(B + "conditionExpression")
        if condition is not None:
            text = (condition.text or "").strip()
            if not text:
                self.problem(_("The condition of the flow is empty. Write a Python condition "
                               "such as beslutning == \"godta\", or remove it."), flow)
            else:
                self._expression(expressions.python_source(text), flow, "condition")

    def _check_timer(self, node: etree._Element, timer: etree._Element) -> None:
        parts = [child for child in timer
                 if child.tag in (B + "timeDate", B + "timeDuration", B + "timeCycle")]
        if len(parts) != 1 or not (parts[0].text or "").strip():
            self.problem(_("The timer needs exactly one of a date (timeDate), a duration "
                           "(timeDuration) or a cycle (timeCycle), for example PT72H."), node)
            return
        kind = parts[0].tag[len(B):]
        text = (parts[0].text or "").strip()
        if "${" in text:
            for source in expressions.placeholders(text):
                self._expression(source, node, kind)
            return
        written = timeexpr.literal(text)
        if written is not None:
            parse = {"timeDate": timeexpr.parse_instant, "timeDuration": timeexpr.parse_duration,
                     "timeCycle": timeexpr.parse_cycle}[kind]
            try:
                parse(written)
            except timeexpr.TimeExpressionError:
                self.problem(_(TIMER_HINTS[kind], value=written), node)
            return
        self._expression(text, node, kind)

    def _date_or_expression(self, value: str, node: etree._Element, attribute: str) -> None:
        written = timeexpr.literal(value)
        if written is not None:
            try:
                if written.upper().startswith("P"):
                    timeexpr.parse_duration(written)
                else:
                    timeexpr.parse_instant(written)
            except timeexpr.TimeExpressionError:
                self.problem(_("camunda:%(attribute)s \"%(value)s\" is neither an ISO 8601 "
                               "date nor a duration. Write for example 2027-03-05T12:00 or "
                               "P3D, or ${variable}.", attribute=attribute, value=value), node)
            return
        self._expression(value, node, attribute)

    def _expression(self, source: str, node: etree._Element, where: str,
                    mode: str = "eval") -> None:
        try:
            self.check_expression(source, mode)
        except ExpressionRejected as rejected:
            place = _(EXPRESSION_PLACES[where]) if where in EXPRESSION_PLACES else \
                f"camunda:{where}"
            self.problem(_("The expression in %(place)s cannot be used: %(reason)s",
                           place=place, reason=rejected.reason), node)


TIMER_HINTS = {
    "timeDate": N_("\"%(value)s\" is not an ISO 8601 date and time. Write for example "
                   "2027-03-05T09:00 (Norwegian time) or 2027-03-05T08:00Z."),
    "timeDuration": N_("\"%(value)s\" is not an ISO 8601 duration. Write for example PT72H "
                       "(72 hours), P3D (3 days) or P1M (one month)."),
    "timeCycle": N_("\"%(value)s\" is not an ISO 8601 repeating interval. Write for example "
                    "R3/PT24H (three times, a day apart) or R/2027-01-01T09:00/P1Y (every "
                    "year)."),
}

# The place of an expression, as the message names it.
EXPRESSION_PLACES = {
    "condition": N_("the condition"),
    "script": N_("the script"),
    "timeDate": N_("the timer date"),
    "timeDuration": N_("the timer duration"),
    "timeCycle": N_("the timer cycle"),
}


class ExpressionRejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_document(root: etree._Element, file_name: str,
                   check_expression: Checker) -> tuple[list[DefinitionProblem], DefinitionFacts]:
    return DocumentChecker(root, file_name, check_expression).run()

