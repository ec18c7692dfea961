"""Turn BPMN XML into runnable SpiffWorkflow specs, or a list of problems."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.data_spec import TaskDataReference
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.camunda.specs.multiinstance_task import (
    ParallelMultiInstanceTask,
    SequentialMultiInstanceTask,
)

from engine.errors import DefinitionInvalid, DefinitionProblem
from engine.i18n import gettext as _
from engine.runtime.parser import SloyfeParser
from engine.runtime.validation import Checker, DefinitionFacts, check_document
from engine.runtime.xml import parse_xml

log = logging.getLogger(__name__)

CAMUNDA_LOOPS = (ParallelMultiInstanceTask, SequentialMultiInstanceTask)


@dataclass
class CompiledProcess:
    process_id: str
    name: str
    spec: Any
    subprocess_specs: dict[str, Any]
    facts: DefinitionFacts
    root: etree._Element


# Returns the BPMN text and file name that define a process id, or None.
DocumentLoader = Callable[[str], "tuple[bytes | str, str] | None"]


def compile_bpmn(xml: bytes | str, file_name: str, *, max_bytes: int, check_expression: Checker,
                 load_called: DocumentLoader | None = None) -> CompiledProcess:
    """Validate and parse one BPMN document; raise DefinitionInvalid listing every problem.

    `load_called` finds the documents of processes that call activities name, directly or
    through other called processes.
    """
    root = parse_xml(xml, file_name, max_bytes)
    problems, facts = check_document(root, file_name, check_expression)
    if problems:
        raise DefinitionInvalid(file_name, problems)
    assert facts.process_id is not None

    parser = SloyfeParser()
    try:
        parser.add_bpmn_xml(root, file_name)
        _add_called_documents(parser, root, load_called, max_bytes)
        spec = parser.get_spec(facts.process_id)
        subprocess_specs = parser.get_subprocess_specs(facts.process_id,
                                                    require_call_activity_specs=False)
    except ValidationException as error:
        raise DefinitionInvalid(file_name, [_problem_from_library(error, root, file_name)]) \
            from None
    except DefinitionInvalid:
        raise
    except Exception as error:  # the library raises plain errors on some malformed models
        # The library's text is English and names Python internals, so it goes to the log only.
        log.warning("bpmn parse failed file=%s error=%s reason=%s", file_name,
                    type(error).__name__, error)
        raise DefinitionInvalid(file_name, [DefinitionProblem(file_name, _(
            "The diagram could not be read. Open it in the modeler, check the element "
            "connections and the values in the properties panel, and deploy again."
        ))]) from None

    missing = [name for name, sub in subprocess_specs.items() if sub is None]
    if missing:
        node = _node_calling(root, missing[0])
        raise DefinitionInvalid(file_name, [DefinitionProblem(file_name, _(
            "The call activity calls the process %(process)s, which is not deployed. Deploy "
            "it first.", process=missing[0]), line=node.sourceline if node is not None else None,
            element_id=node.get("id") if node is not None else None)])

    for process_spec in (spec, *[sub for sub in subprocess_specs.values() if sub is not None]):
        prepare_loop_tasks(process_spec)
    return CompiledProcess(facts.process_id, facts.process_name or facts.process_id, spec,
                           subprocess_specs, facts, root)


def prepare_loop_tasks(process_spec: Any) -> None:
    """Set up loop and multi-instance specs the way the library does when a loop first runs.

    The library connects a loop to the completion of its inner task, and points a Camunda
    collection loop's input at its output collection, only when the loop first runs, by
    changing the spec. An instance restored onto a freshly parsed spec would then append
    results to the collection instead of replacing each item, or not merge them at all.
    """
    for task_spec in process_spec.task_specs.values():
        if not isinstance(task_spec, LoopTask):
            continue
        if isinstance(task_spec, CAMUNDA_LOOPS) and task_spec.cardinality is None \
                and task_spec.data_output is not None:
            task_spec.data_input = TaskDataReference(task_spec.data_output.bpmn_id)
            if task_spec.output_item is not None:
                task_spec.input_item = TaskDataReference(task_spec.output_item.bpmn_id)
        inner = process_spec.task_specs.get(task_spec.task_spec)
        if inner is not None and not inner.completed_event.is_connected(task_spec.merge_child):
            inner.completed_event.connect(task_spec.merge_child)


def _add_called_documents(parser: SloyfeParser, root: etree._Element,
                          load_called: DocumentLoader | None, max_bytes: int) -> None:
    """Add the documents of every process reachable through call activities."""
    known = set(_process_ids(root))
    pending = set(_called_ids(root)) - known
    while pending and load_called is not None:
        process_id = pending.pop()
        document = load_called(process_id)
        known.add(process_id)
        if document is None:
            continue
        other_root = parse_xml(document[0], document[1], max_bytes)
        other_ids = set(_process_ids(other_root))
        if other_ids & (known - {process_id}):
            continue
        parser.add_bpmn_xml(other_root, document[1])
        known |= other_ids
        pending |= set(_called_ids(other_root)) - known


def _process_ids(root: etree._Element) -> list[str]:
    return [str(pid) for pid in root.xpath(".//*[local-name()='process']/@id")]


def _called_ids(root: etree._Element) -> list[str]:
    return [str(pid) for pid in root.xpath(".//*[local-name()='callActivity']/@calledElement")]


def _node_calling(root: etree._Element, process_id: str) -> etree._Element | None:
    matches = root.xpath(".//*[local-name()='callActivity'][@calledElement=$pid]", pid=process_id)
    return matches[0] if matches else None


def _problem_from_library(error: ValidationException, root: etree._Element,
                          file_name: str) -> DefinitionProblem:
    element_id = getattr(error, "id", "") or None
    line = None
    if element_id:
        matches = root.xpath(".//*[@id=$id]", id=element_id)
        if matches:
            line = matches[0].sourceline
    reason = str(error.args[0]) if error.args else str(error)
    return DefinitionProblem(file_name, _(
        "The element cannot run as modelled: %(reason)s. Correct it in the modeler and deploy "
        "again.", reason=reason), line=line, element_id=element_id)


class SpecCache:
    """Parsed specs per definition id, so an instance load does not parse XML each time."""

    def __init__(self, loader: Callable[[int], CompiledProcess], size: int = 256) -> None:
        self._loader = loader
        self._size = size
        self._items: OrderedDict[int, CompiledProcess] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, definition_id: int) -> CompiledProcess:
        with self._lock:
            compiled = self._items.get(definition_id)
            if compiled is not None:
                self._items.move_to_end(definition_id)
                return compiled
        compiled = self._loader(definition_id)
        self.put(definition_id, compiled)
        return compiled

    def put(self, definition_id: int, compiled: CompiledProcess) -> None:
        with self._lock:
            self._items[definition_id] = compiled
            self._items.move_to_end(definition_id)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
