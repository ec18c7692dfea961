"""Task-list query and page latency with 100,000 open tasks and 50,000 users.

    .venv/bin/python -m bench.task_list [--backend sqlite|postgresql] [--tasks 100000]
        [--users 50000] [--repeat 200]

The data is bulk-inserted with SQLAlchemy Core, not run through the engine. The municipality
has 8 service areas with 30 units each and a leader per unit and area. The users are spread
over the units, with a few case handlers per unit in its handler group. There are 20
municipality-wide groups, five processes, and as many completed tasks as open ones. Of the
open tasks, 55 % are assigned (most to the unit's case handlers), 15 % have no deadline, and
the deadlines spread from ten days ago to thirty days ahead.

Each view (mine, felles, enhet for a unit leader, a service-area leader and the
kommunedirektør) is measured with and without filters, on its first page and on the page
after it. The query figure is QueryService.task_list alone, inside a read-only transaction;
the page figure is GET /oppgaver through the Flask test client with a signed-in user.
"""

from __future__ import annotations

import argparse
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select

from bench.common import LOOP, START, database, make_engine, percentile, timed
from engine.engine import ProcessEngine
from engine.models import (
    Group,
    Membership,
    ProcessDefinition,
    ProcessInstance,
    Task,
    TaskCandidate,
    Unit,
    User,
)
from engine.services.organisation import hash_password
from engine.services.task_filters import TaskFilter

AREAS = 8
UNITS_PER_AREA = 30
HANDLERS_PER_UNIT = 5
SHARED_GROUPS = 20
SHARED_GROUP_MEMBERS = 10
PROCESSES = ("avvik", "risiko", "budsjett", "vedtak", "samtale")
PRIORITIES = (100, 80, 50, 50, 50, 30, 10)
TARGET_MS = 20.0
BATCH = 5_000


@dataclass
class Municipality:
    """The ids the benchmark needs after loading: units, users and who is in which group."""

    top_unit: int
    areas: list[int]
    leaf_units: list[int]
    unit_codes: dict[int, str]
    leaders: dict[int, str]  # unit id to the leader's user name
    handlers: dict[int, list[str]]  # leaf unit id to its case handlers' user names
    users_by_unit: dict[int, list[str]]
    shared_groups: list[str]


def load(engine: ProcessEngine, tasks: int, users: int, seed: int = 7) -> Municipality:
    """Bulk-insert the organisation, the processes and the tasks."""
    rng = random.Random(seed)
    for key in PROCESSES:
        engine.repository.deploy([(f"{key}.bpmn", LOOP.replace('id="loop"', f'id="{key}"')
                                   .encode())], actor="bench")
    with engine.db.begin() as connection:
        town = _load_organisation(connection, rng, users)
        _load_tasks(connection, rng, town, tasks)
    return town


def _load_organisation(connection: Any, rng: random.Random, users: int) -> Municipality:
    unit_rows = [{"id": 1, "code": "kommune", "name": "Kommunen", "kind": "kommune",
                  "parent_id": None}]
    areas, leaves = [], []
    next_id = 2
    for area in range(AREAS):
        area_id = next_id
        next_id += 1
        areas.append(area_id)
        unit_rows.append({"id": area_id, "code": f"omraade-{area}", "name": f"Område {area}",
                          "kind": "tjenesteomraade", "parent_id": 1})
        for unit in range(UNITS_PER_AREA):
            leaves.append(next_id)
            unit_rows.append({"id": next_id, "code": f"enhet-{area}-{unit}",
                              "name": f"Enhet {area}-{unit}", "kind": "enhet",
                              "parent_id": area_id})
            next_id += 1
    connection.execute(insert(Unit), unit_rows)
    codes = {row["id"]: row["code"] for row in unit_rows}

    # Leaders first (one per unit), then everyone else spread over the units, the larger
    # units taking more people.
    weights = [rng.uniform(0.3, 3.0) for _unit in leaves]
    user_rows, leaders = [], {}
    users_by_unit: dict[int, list[str]] = {unit: [] for unit in leaves}
    for index in range(users):
        username = f"bruker{index:06d}"
        if index < len(unit_rows):
            unit_id = unit_rows[index]["id"]
            leaders[unit_id] = username
        else:
            unit_id = rng.choices(leaves, weights)[0]
            users_by_unit[unit_id].append(username)
        user_rows.append({"id": index + 1, "username": username,
                          "display_name": f"Bruker {index}", "unit_id": unit_id,
                          "active": True, "locale": "nb"})
    for batch in _batches(user_rows):
        connection.execute(insert(User), batch)
    ids = {row["username"]: row["id"] for row in user_rows}
    for unit_id, username in leaders.items():
        connection.execute(Unit.__table__.update().where(Unit.id == unit_id)
                           .values(leader_id=ids[username]))

    group_rows, memberships = [], []
    handlers = {}
    for unit_id in leaves:
        group_id = len(group_rows) + 1
        group_rows.append({"id": group_id, "key": f"behandler@{codes[unit_id]}",
                           "name": f"Behandlere {codes[unit_id]}", "unit_id": unit_id})
        handlers[unit_id] = users_by_unit[unit_id][:HANDLERS_PER_UNIT]
        memberships += [{"user_id": ids[name], "group_id": group_id}
                        for name in handlers[unit_id]]
    shared = []
    for index in range(SHARED_GROUPS):
        group_id = len(group_rows) + 1
        shared.append(f"fellesgruppe-{index}")
        group_rows.append({"id": group_id, "key": shared[-1], "name": f"Felles {index}",
                           "unit_id": None})
        members = rng.sample(sorted(ids), SHARED_GROUP_MEMBERS)
        memberships += [{"user_id": ids[name], "group_id": group_id} for name in members]
    connection.execute(insert(Group), group_rows)
    connection.execute(insert(Membership), _unique(memberships))
    return Municipality(1, areas, leaves, codes, leaders, handlers, users_by_unit, shared)


def _unique(rows: list[dict[str, int]]) -> list[dict[str, int]]:
    return list({(row["user_id"], row["group_id"]): row for row in rows}.values())


def _load_tasks(connection: Any, rng: random.Random, town: Municipality, count: int) -> None:
    definition_ids = dict(connection.execute(select(ProcessDefinition.key,
                                                    ProcessDefinition.id)).all())
    weights = [rng.uniform(0.3, 3.0) for _unit in town.leaf_units]
    instance_id = 0
    for state, total in (("open", count), ("completed", count)):
        instances, tasks, candidates = [], [], []
        for _index in range(total):
            instance_id += 1
            unit_id = rng.choices(town.leaf_units, weights)[0]
            key = rng.choice(PROCESSES)
            created = START - timedelta(minutes=rng.randint(0, 60 * 24 * 60))
            instances.append({"id": instance_id, "definition_id": definition_ids[key],
                              "definition_key": key, "business_key": f"SAK-{instance_id}",
                              "title": f"Sak {instance_id}", "status": "running",
                              "started_by": rng.choice(town.users_by_unit[unit_id] or ["x"]),
                              "unit_id": unit_id, "started_at": created, "state": "{}",
                              "version": 1})
            task = _task_row(rng, town, state, unit_id, key, instance_id, created)
            tasks.append(task)
            candidates.append({"task_id": task["id"], "kind": "group",
                               "value": f"behandler@{town.unit_codes[unit_id]}"})
            candidates += [{"task_id": task["id"], "kind": "group", "value": group}
                           for group in task["candidate_groups"][1:]]
            candidates += [{"task_id": task["id"], "kind": "user", "value": name}
                           for name in task["candidate_users"]]
        for table, rows in ((ProcessInstance, instances), (Task, tasks),
                            (TaskCandidate, candidates)):
            for batch in _batches(rows):
                connection.execute(insert(table), batch)


def _task_row(rng: random.Random, town: Municipality, state: str, unit_id: int, key: str,
              instance_id: int, created: Any) -> dict[str, Any]:
    groups = [f"behandler@{town.unit_codes[unit_id]}"]
    if rng.random() < 0.1:
        groups.append(rng.choice(town.shared_groups))
    users = [rng.choice(town.users_by_unit[unit_id])] \
        if rng.random() < 0.05 and town.users_by_unit[unit_id] else []
    assignee = None
    if rng.random() < 0.55:
        pool = town.handlers[unit_id] if rng.random() < 0.7 else town.users_by_unit[unit_id]
        assignee = rng.choice(pool or [town.leaders[unit_id]])
    due = None if rng.random() < 0.15 else START + timedelta(
        minutes=rng.randint(-10 * 24 * 60, 30 * 24 * 60))
    return {"id": str(uuid.UUID(int=rng.getrandbits(128))), "instance_id": instance_id,
            "definition_key": key, "element_id": "rapport", "name": "Rapporter",
            "assignee": assignee, "candidate_groups": groups, "candidate_users": users,
            "unit_id": unit_id, "due_at": due, "priority": rng.choice(PRIORITIES),
            "state": state, "escalated": False, "created_at": created,
            "completed_by": assignee if state == "completed" else None,
            "completed_at": START if state == "completed" else None}


def _batches(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start:start + BATCH]


@dataclass(frozen=True)
class Case:
    """One measured list: who, which view, which filters and sort, first or second page."""

    name: str
    username: str
    view: str
    filters: TaskFilter | None = None
    sort: str = "due"
    second_page: bool = False
    url: str = ""


def cases(engine: ProcessEngine, town: Municipality) -> list[Case]:
    """List the lists to measure, each for the busiest user of its kind."""
    with engine.transaction(read_only=True):
        session = engine.uow.session
        busiest = session.execute(
            select(Task.assignee, func.count()).where(Task.state == "open",
                                                      Task.assignee.is_not(None))
            .group_by(Task.assignee).order_by(func.count().desc()).limit(1)).one()[0]
        unit_sizes = dict(session.execute(select(Task.unit_id, func.count()).where(
            Task.state == "open").group_by(Task.unit_id)).all())

    biggest_unit = max(town.leaf_units, key=lambda unit: unit_sizes.get(unit, 0))
    handler = town.handlers[biggest_unit][0]
    unit_leader = town.leaders[biggest_unit]
    area_leader = town.leaders[town.areas[0]]
    top = town.leaders[town.top_unit]

    overdue = TaskFilter(due="overdue")
    week = TaskFilter(due="within", within_days=7)
    area_unit = TaskFilter(unit_id=town.leaf_units[3], process="avvik")
    code = town.unit_codes[town.leaf_units[3]]

    found = []
    for label, username, view, url_view in (
            ("mine", busiest, "mine", "mine"), ("felles", handler, "group", "felles"),
            ("enhet, unit leader", unit_leader, "unit", "enhet"),
            ("enhet, area leader", area_leader, "unit", "enhet"),
            ("enhet, kommunedirektør", top, "unit", "enhet")):
        base = f"/oppgaver?visning={url_view}"
        found += [
            Case(f"{label}", username, view, url=base),
            Case(f"{label}, page 2", username, view, second_page=True),
            Case(f"{label}, overdue", username, view, overdue, url=base + "&frist=passert"),
            Case(f"{label}, due within 7 days, by priority", username, view, week, "priority",
                 url=base + "&frist=innen&dager=7&sorter=prioritet"),
        ]
        if view == "unit":
            found.append(Case(f"{label}, one unit and process", username, view, area_unit,
                              url=base + f"&enhet={code}&prosess=avvik"))
    return found


def query_timings(engine: ProcessEngine, case: Case, repeat: int) -> list[float]:
    cursor = None
    if case.second_page:
        with engine.transaction(read_only=True):
            cursor = engine.queries.task_list(case.username, case.view, case.filters,
                                              sort=case.sort, limit=25).next_cursor

    def run() -> None:
        with engine.transaction(read_only=True):
            engine.queries.task_list(case.username, case.view, case.filters, sort=case.sort,
                                     limit=25, cursor=cursor)

    run()
    return timed(run, repeat)


def page_timings(engine: ProcessEngine, url: str, case: Case,
                 repeat: int) -> list[float]:
    from engine.app import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True,
                      "WTF_CSRF_ENABLED": False}, engine=engine)
    client = app.test_client()
    response = client.post("/logg-inn", data={"brukernavn": case.username, "passord": "bench"})
    assert response.status_code == 302, f"log-in as {case.username} failed"

    def get() -> None:
        assert client.get(case.url).status_code == 200

    get()
    return timed(get, repeat)


def _set_passwords(engine: ProcessEngine, usernames: set[str]) -> None:
    shared = hash_password("bench")
    with engine.db.begin() as connection:
        connection.execute(User.__table__.update().where(User.username.in_(usernames))
                           .values(password_hash=shared))


def _ms(values: list[float]) -> str:
    return " / ".join(f"{percentile(values, share) * 1000:6.2f}" for share in (0.5, 0.95, 0.99))


def run(backend: str, tasks: int, users: int, repeat: int,
        report: Callable[[str], None] = print) -> None:
    with database(backend) as url:
        engine = make_engine(url)
        try:
            town = load(engine, tasks, users)
            # Fresh statistics (and on PostgreSQL a visibility map), as autovacuum or a
            # periodic ANALYZE would have them on a database that grew to this size.
            command = "VACUUM ANALYZE" if backend == "postgresql" else "ANALYZE"
            with engine.db.connect().execution_options(isolation_level="AUTOCOMMIT") \
                    as connection:
                connection.exec_driver_sql(command)
            measured = cases(engine, town)
            report(f"{backend}: {tasks} open and {tasks} completed tasks, {users} users")
            report("query, p50 / p95 / p99 ms")
            worst = 0.0
            for case in measured:
                values = query_timings(engine, case, repeat)
                worst = max(worst, percentile(values, 0.95) * 1000)
                report(f"  {case.name:55s} {_ms(values)}")
            report(f"worst query p95: {worst:.2f} ms (target < {TARGET_MS:.0f} ms)")

            _set_passwords(engine, {case.username for case in measured})
            report("page GET /oppgaver, p50 / p95 / p99 ms")
            for case in measured:
                if case.url:
                    values = page_timings(engine, url, case, max(20, repeat // 4))
                    report(f"  {case.name:55s} {_ms(values)}")
        finally:
            engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--tasks", type=int, default=100_000,
                        help="open tasks; as many completed tasks are added (default 100000)")
    parser.add_argument("--users", type=int, default=50_000, help="users (default 50000)")
    parser.add_argument("--repeat", type=int, default=200,
                        help="timed runs of each query (default 200); pages get a quarter")
    options = parser.parse_args()
    run(options.backend, options.tasks, options.users, options.repeat)


if __name__ == "__main__":
    main()
