"""Step cost against history length: one user task with a reminder timer, in a loop.

    .venv/bin/python -m bench.step_cost [--loops 10000] [--backend sqlite|postgresql]

Prints the median cost of one completion and the stored state size at loops 10, 100, 1,000
and 10,000 (up to --loops). Plain SpiffWorkflow keeps all history in its task tree; Sløyfe
prunes finished history from the live state, so the cost should stay flat.
"""

from __future__ import annotations

import argparse

from bench.common import LOOP_WITH_TIMER, database, make_engine, median, timed
from engine.demo import load_organisation
from engine.models import ProcessInstance

CHECKPOINTS = (10, 100, 1_000, 10_000)
SAMPLE = 20


def run(loops: int, backend: str) -> list[dict[str, float]]:
    results = []
    with database(backend) as url:
        engine = make_engine(url)
        try:
            load_organisation(engine)
            engine.repository.deploy([("loop.bpmn", LOOP_WITH_TIMER.encode())])
            instance_id = engine.runtime.start("loop", "admin", {"ferdig": False}).instance_id
            with engine.transaction(read_only=True):
                state = {"task": engine.tasks.open_tasks_of_instance(instance_id)[0].id}

            def complete() -> None:
                result = engine.tasks.complete(state["task"], "admin", {"ferdig": False})
                state["task"] = result["open_tasks"][0]["id"]

            done = 0
            for checkpoint in (c for c in CHECKPOINTS if c <= loops):
                while done < checkpoint - SAMPLE:
                    complete()
                    done += 1
                durations = timed(complete, SAMPLE)
                done += SAMPLE
                with engine.transaction(read_only=True):
                    size = len(engine.uow.session.get(ProcessInstance, instance_id).state)
                results.append({"loop": checkpoint, "ms": median(durations) * 1000,
                                "state_bytes": size})
                print(f"loop {checkpoint:>6}: {median(durations) * 1000:6.2f} ms per step, "
                      f"state {size:>6} bytes", flush=True)
        finally:
            engine.close()
    first, last = results[0], results[-1]
    print(f"cost at loop {last['loop']} / loop {first['loop']}: "
          f"{last['ms'] / first['ms']:.2f} (target at most 1.2 at loop 1,000)")
    return results


def main() -> list[dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loops", type=int, default=10_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    arguments = parser.parse_args()
    return run(arguments.loops, arguments.backend)


if __name__ == "__main__":
    main()
