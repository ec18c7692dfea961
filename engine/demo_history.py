"""A year of demo history: real cases run through the engine's services with the clock moved.

On a fresh database, `load_demo` sets a FixedClock back to the start of the history window.
There it creates the demo organisation and deploys bpmn/ and forms/, so the yearly start timers
fire inside the window. Then it plays the scenarios of `engine.demo_history_cases` forward to
"now". Every step goes through the runtime, task and management services as a user or the
scheduler would: cases start with start-form data, tasks are claimed and completed with form
values that pass validation, and timers, jobs and notifications fire when the clock reaches
their due time. Steps planned after "now" never happen, so recent cases stay open and some
tasks pass their deadlines.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from engine.errors import EngineError
from engine.mail import Mailer
from engine.models import Job, Notification, ProcessDefinition, ProcessInstance, Task, Timer, User
from engine.runtime.clock import FixedClock
from engine.runtime.timeexpr import OSLO

if TYPE_CHECKING:
    from engine.engine import ProcessEngine

log = logging.getLogger(__name__)

DEFAULT_MONTHS = 12
DEFAULT_SEED = 2026

# A scenario is a generator that performs one step each time it resumes and then yields when
# it wants to resume: a datetime, or a timedelta counted from the clock at that moment.
Wait = datetime | timedelta
Scenario = Generator[Wait, None, None]


@dataclass
class HistoryReport:
    start: datetime
    end: datetime
    seconds: float = 0.0
    started: Counter[str] = field(default_factory=Counter)
    completed_tasks: int = 0
    timers_fired: int = 0
    failed_steps: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(),
                "seconds": round(self.seconds, 1), "started": dict(self.started),
                "completed_tasks": self.completed_tasks, "timers_fired": self.timers_fired,
                "failed_steps": list(self.failed_steps), "skipped": list(self.skipped)}


class Simulation:
    """Runs scenarios in time order on one engine whose clock it moves."""

    def __init__(self, engine: ProcessEngine, clock: FixedClock, end: datetime,
                 seed: int) -> None:
        self.engine = engine
        self.clock = clock
        self.start = clock.now()
        self.end = end
        self.random = random.Random(seed)
        self.report = HistoryReport(self.start, end)
        self._queue: list[tuple[datetime, int, Scenario]] = []
        self._order = itertools.count()

    # --- running --------------------------------------------------------------------------

    def schedule(self, when: datetime, scenario: Scenario) -> None:
        heapq.heappush(self._queue, (when, next(self._order), scenario))

    def run(self) -> None:
        while self._queue:
            when, _order, scenario = heapq.heappop(self._queue)
            if when > self.end:
                scenario.close()  # the step lies after "now", so the case stays where it is
                continue
            self.advance_to(when)
            try:
                wait = next(scenario)
            except StopIteration:
                continue
            except (EngineError, LookupError, ValueError) as error:
                # A rejected step leaves its case as it is, and the other scenarios go on.
                self.report.failed_steps.append(f"{type(error).__name__}: {error}")
                log.warning("demo history step failed error=%s", error)
                continue
            resume = wait if isinstance(wait, datetime) else self.clock.now() + wait
            self.schedule(max(resume, self.clock.now()), scenario)
        self.advance_to(self.end)

    def advance_to(self, target: datetime) -> None:
        """Move the clock to `target`, stopping at each due time of a timer, job or
        notification on the way so that each fires when it is due."""
        management = self.engine.management
        self.report.timers_fired += management.run_due().timers_fired
        while True:
            due = self._next_due(target)
            if due is None:
                break
            self.clock.set(due)
            self.report.timers_fired += management.run_due().timers_fired
        if target > self.clock.now():
            self.clock.set(target)
            self.report.timers_fired += management.run_due().timers_fired

    def _next_due(self, target: datetime) -> datetime | None:
        now = self.clock.now()
        with self.engine.transaction(read_only=True):
            session = self.engine.uow.session
            times = [session.scalar(select(func.min(Timer.due_at)).where(
                         Timer.due_at > now, Timer.due_at <= target)),
                     session.scalar(select(func.min(Job.due_at)).where(
                         Job.status == "pending", Job.due_at > now, Job.due_at <= target)),
                     session.scalar(select(func.min(Notification.due_at)).where(
                         Notification.status == "pending", Notification.due_at > now,
                         Notification.due_at <= target))]
        found = [moment for moment in times if moment is not None]
        return min(found) if found else None

    # --- what scenarios call ----------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock.now()

    def start_case(self, key: str, actor: str, data: Mapping[str, Any]) -> int:
        instance_id = self.engine.runtime.start(key, actor, dict(data)).instance_id
        self.report.started[key] += 1
        return instance_id

    def open_tasks(self, instance_id: int, element_id: str | None = None) -> list[Task]:
        with self.engine.transaction(read_only=True):
            tasks = self.engine.tasks.open_tasks_of_instance(instance_id, element_id)
        return sorted(tasks, key=lambda task: (task.created_at, task.name))

    def has_task(self, instance_id: int, element_id: str) -> bool:
        return bool(self.open_tasks(instance_id, element_id))

    def complete(self, instance_id: int, element_id: str, data: Mapping[str, Any],
                 user: str | None = None) -> bool:
        """Claim and complete the open task `element_id` of a case as its performer.

        Returns False, and logs it, when the case has no such open task.
        """
        tasks = self.open_tasks(instance_id, element_id)
        if not tasks:
            self.report.skipped.append(f"{instance_id}:{element_id}")
            log.info("demo history found no open task instance_id=%s element_id=%s",
                     instance_id, element_id)
            return False
        self.complete_task(tasks[0], data, user)
        return True

    def complete_task(self, task: Task, data: Mapping[str, Any],
                      user: str | None = None) -> None:
        performer = user or self.performer(task)
        if task.assignee is None:
            self.engine.tasks.claim(task.id, performer)
        self.engine.tasks.complete(task.id, performer, dict(data))
        self.report.completed_tasks += 1

    def performer(self, task: Task) -> str:
        """Return the user who does a task: its assignee, else its first candidate user, else
        the leader of the unit a scoped group names, else the first member of its group."""
        if task.assignee:
            return task.assignee
        if task.candidate_users:
            return task.candidate_users[0]
        organisation = self.engine.organisation
        with self.engine.transaction(read_only=True):
            for group in task.candidate_groups or []:
                role, _sep, unit_code = group.partition("@")
                unit = organisation.find_unit(unit_code) if unit_code else None
                if role in ("leder", "behandler") and unit is not None and unit.leader:
                    return unit.leader.username
                members = organisation.members(group)
                if members:
                    return members[0].username
        raise LookupError(f"no user can do task {task.id} ({task.element_id})")

    def variables(self, instance_id: int) -> dict[str, Any]:
        return self.engine.runtime.variables(instance_id)

    def instances(self, key: str, since: datetime) -> list[ProcessInstance]:
        with self.engine.transaction(read_only=True):
            return list(self.engine.uow.session.scalars(
                select(ProcessInstance).where(ProcessInstance.definition_key == key,
                                              ProcessInstance.started_at >= since)
                .order_by(ProcessInstance.id)))

    def is_deployed(self, key: str) -> bool:
        with self.engine.transaction(read_only=True):
            return self.engine.uow.session.scalar(
                select(ProcessDefinition.id).where(ProcessDefinition.key == key,
                                                   ProcessDefinition.active.is_(True))
                .limit(1)) is not None

    # --- dates in the words forms use --------------------------------------------------------

    def local(self, moment: datetime | None = None) -> datetime:
        return (moment or self.clock.now()).astimezone(OSLO)

    def date_text(self, moment: datetime | None = None, days: float = 0) -> str:
        return (self.local(moment) + timedelta(days=days)).date().isoformat()

    def datetime_text(self, moment: datetime | None = None, hours: float = 0) -> str:
        return (self.local(moment) + timedelta(hours=hours)).replace(
            second=0, microsecond=0).isoformat()

    def working_time(self, after: timedelta, hour_from: int = 8, hour_to: int = 15) -> datetime:
        """Return a moment at least `after` from now, moved to a weekday between the given
        Oslo hours, so that people act in office hours."""
        moment = self.local(self.clock.now() + after)
        if moment.hour >= hour_to:
            moment = moment + timedelta(days=1)
        while moment.weekday() >= 5:
            moment = moment + timedelta(days=1)
        hour = self.random.randint(hour_from, hour_to - 1)
        return moment.replace(hour=hour, minute=self.random.choice((0, 10, 20, 30, 40, 50)),
                              second=0, microsecond=0)


def is_fresh(engine: ProcessEngine) -> bool:
    """Return whether the database has neither users nor process instances yet."""
    with engine.transaction(read_only=True):
        session = engine.uow.session
        return (session.scalar(select(User.id).limit(1)) is None
                and session.scalar(select(ProcessInstance.id).limit(1)) is None)


def load_demo(engine: ProcessEngine, months: int = DEFAULT_MONTHS,
              seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Load the demo municipality and, on a fresh database, `months` of history before now.

    A database that already has users keeps what it has: a second load creates nothing and
    only deploys changed definitions.
    """
    from engine.demo import load_organisation, load_processes

    history = None
    users = 0
    deployed: list[dict] = []
    if months > 0 and is_fresh(engine):
        history, users, deployed = generate_history(engine, months, seed)
    users += load_organisation(engine)
    # After a history, the definitions it deployed are the ones this load published.
    deployed = deployed or load_processes(engine)
    return {"users_created": users, "deployed": deployed,
            "history": history.to_dict() if history else None}


def generate_history(engine: ProcessEngine, months: int = DEFAULT_MONTHS,
                     seed: int = DEFAULT_SEED) -> tuple[HistoryReport, int, list[dict]]:
    """Create the demo organisation and processes `months` before now and play the history
    forward to now.

    Returns the report, the number of users created and the definitions deployed.
    """
    from engine.demo import load_organisation, load_processes
    from engine.demo_history_cases import SCENARIOS

    began = time.monotonic()
    real_clock = engine.clock
    real_mailer = engine.mailer
    end = real_clock.now()
    clock = FixedClock(end - timedelta(days=round(months * 365 / 12)))
    engine.set_clock(clock)
    # The history's reminders must not reach a real mail server, so they are logged instead.
    engine.mailer = Mailer({})
    try:
        users = load_organisation(engine)
        deployed = load_processes(engine)
        simulation = Simulation(engine, clock, end, seed)
        for make_scenario in SCENARIOS:
            plan_scenarios(simulation, make_scenario)
        simulation.run()
    finally:
        engine.set_clock(real_clock)
        engine.mailer = real_mailer
    report = simulation.report
    # Count every case, including those the yearly timers and other cases started.
    with engine.transaction(read_only=True):
        rows = engine.uow.session.execute(
            select(ProcessInstance.definition_key, func.count(ProcessInstance.id))
            .group_by(ProcessInstance.definition_key)).all()
    report.started = Counter({key: count for key, count in rows})
    report.seconds = time.monotonic() - began
    log.info("demo history generated start=%s end=%s cases=%s tasks_completed=%s "
             "timers_fired=%s failed_steps=%s seconds=%.1f", report.start.isoformat(),
             report.end.isoformat(), sum(report.started.values()), report.completed_tasks,
             report.timers_fired, len(report.failed_steps), report.seconds)
    return report, users, deployed


def plan_scenarios(simulation: Simulation,
                   make_scenarios: Callable[[Simulation], list[tuple[datetime, Scenario]]]
                   ) -> None:
    for when, scenario in make_scenarios(simulation):
        simulation.schedule(when, scenario)
