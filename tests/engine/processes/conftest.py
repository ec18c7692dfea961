from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.demo import load_organisation, load_processes
from engine.engine import ProcessEngine
from engine.runtime.clock import FixedClock
from tests.engine.processes.driver import ProcessDriver


@pytest.fixture
def processes() -> list[str] | None:
    """The diagrams in bpmn/ to deploy, or None for all of them.

    A test module that counts fired timers names its own process here: the other shipped
    processes start from yearly timers of their own, which would fire in the same window.
    """
    return None


@pytest.fixture(params=[False, True], ids=["one-engine", "restart-each-step"])
def driver(request: pytest.FixtureRequest, make_engine: Callable[..., ProcessEngine],
           clock: FixedClock, mail_config: dict[str, Any],
           processes: list[str] | None) -> ProcessDriver:
    """A driver on the demo municipality, once with one engine and once restarting per step."""
    setup = make_engine(**mail_config)
    load_organisation(setup)
    if processes is None:
        load_processes(setup)
    else:
        bpmn = Path(setup.config["BPMN_DIR"])
        setup.repository.deploy_paths([setup.config["FORMS_DIR"],
                                       *(bpmn / name for name in processes)])
    return ProcessDriver(make_engine, clock, restart=request.param, **mail_config)
