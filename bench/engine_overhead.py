"""Engine overhead: completions per second through TaskService on SQLite, against plain
in-memory SpiffWorkflow running the same BPMN in the same process.

    .venv/bin/python -m bench.engine_overhead [--completions 300]
"""

from __future__ import annotations

import argparse
import time

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.util.task import TaskState

from bench.common import LOOP, database, make_engine
from engine.demo import load_organisation


def plain_spiffworkflow(completions: int) -> float:
    """Completions per second of the library alone: no database, no serializing, no sandbox."""
    parser = CamundaParser()
    parser.add_bpmn_xml(etree.fromstring(LOOP.encode()), "loop.bpmn")
    workflow = BpmnWorkflow(parser.get_spec("loop"), parser.get_subprocess_specs("loop"))
    workflow.do_engine_steps()
    started = time.perf_counter()
    for _index in range(completions):
        task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
        task.data.update({"ferdig": False})
        task.run()
        workflow.do_engine_steps()
    return completions / (time.perf_counter() - started)


def task_service(completions: int) -> float:
    """Completions per second through TaskService: one transaction each, state saved."""
    with database("sqlite") as url:
        engine = make_engine(url)
        try:
            load_organisation(engine)
            engine.repository.deploy([("loop.bpmn", LOOP.encode())])
            instance_id = engine.runtime.start("loop", "admin", {"ferdig": False}).instance_id
            with engine.transaction(read_only=True):
                task_id = engine.tasks.open_tasks_of_instance(instance_id)[0].id
            started = time.perf_counter()
            for _index in range(completions):
                result = engine.tasks.complete(task_id, "admin", {"ferdig": False})
                task_id = result["open_tasks"][0]["id"]
            return completions / (time.perf_counter() - started)
        finally:
            engine.close()


def main() -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--completions", type=int, default=300)
    arguments = parser.parse_args()

    plain = plain_spiffworkflow(arguments.completions)
    ours = task_service(arguments.completions)
    print(f"plain SpiffWorkflow in memory: {plain:8.1f} completions/s")
    print(f"TaskService on SQLite:         {ours:8.1f} completions/s")
    print(f"ratio (target at least 0.5):   {ours / plain:8.2f}")
    return {"plain": plain, "ours": ours, "ratio": ours / plain}


if __name__ == "__main__":
    main()
