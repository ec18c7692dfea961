from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from engine.demo import load_organisation, load_processes
from engine.engine import ProcessEngine
from engine.runtime.clock import FixedClock
from tests.engine.processes.driver import ProcessDriver


@pytest.fixture(params=[False, True], ids=["one-engine", "restart-each-step"])
def driver(request: pytest.FixtureRequest, make_engine: Callable[..., ProcessEngine],
           clock: FixedClock, mail_config: dict[str, Any]) -> ProcessDriver:
    """A driver on the demo municipality, once with one engine and once restarting per step."""
    setup = make_engine(**mail_config)
    load_organisation(setup)
    load_processes(setup)
    return ProcessDriver(make_engine, clock, restart=request.param, **mail_config)
