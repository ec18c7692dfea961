"""The administrators' instance list (/admin/saker) with 200,000 process instances.

    .venv/bin/python -m bench.admin_list [--backend sqlite|postgresql] [--tasks 100000]
        [--repeat 30] [--explain]

The instances come from bench/task_list.py's loader: one instance per task, as many
completed as open ones, five processes, 200,000 instances with the default of 100,000 open
tasks. On top come bench/metrics.py's 2,000 timers and 500 open incidents. Each case is
engine/web/admin_query.list_page (one page of rows plus the counts per status) inside a
read-only transaction, and the first one also as GET /admin/saker through the Flask test
client with a signed-in administrator. --tasks 500000 gives a million instances.
--explain prints the plan of the unfiltered counts per status (EXPLAIN ANALYZE on
PostgreSQL, EXPLAIN QUERY PLAN on SQLite), which shows whether each stops at
ADMIN_COUNT_LIMIT.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from sqlalchemy import select, text

from bench.common import database, make_engine, percentile, reset_sequences, timed
from bench.metrics import add_timers_and_incidents
from bench.task_list import _set_passwords, load
from engine.engine import ProcessEngine
from engine.models import ProcessInstance, Unit
from engine.web.admin_query import counts_query, list_page, parse_admin_query

ADMIN = "bench.admin"


def cases(engine: ProcessEngine) -> dict[str, dict[str, str]]:
    """Query strings of the list, from unfiltered to narrow."""
    with engine.transaction(read_only=True):
        session = engine.uow.session
        unit_code = session.scalar(select(Unit.code).where(Unit.kind == "enhet").limit(1))
        key = session.scalar(select(ProcessInstance.definition_key).limit(1))
        business_key = session.scalar(select(ProcessInstance.business_key)
                                      .where(ProcessInstance.business_key.is_not(None))
                                      .order_by(ProcessInstance.id.desc()).limit(1))
        middle = session.scalar(select(ProcessInstance.id).order_by(ProcessInstance.id)
                                .offset(100_000).limit(1))
    return {
        "unfiltered, first page": {},
        "unfiltered, page at id 100,000": {"side": str(middle or 1)},
        "status incident": {"status": "feil"},
        "status running": {"status": "aktiv"},
        "one process": {"prosess": key or ""},
        "one unit": {"enhet": unit_code or ""},
        "overdue": {"forfalt": "ja"},
        "case number prefix": {"sok": (business_key or "")[:6]},
    }


def query_timings(engine: ProcessEngine, arguments: dict[str, str],
                  repeat: int) -> list[float]:
    def run_query() -> None:
        with engine.transaction(read_only=True):
            query = parse_admin_query(engine, arguments)
            assert not query.errors, query.errors
            list_page(engine, query)

    run_query()
    return timed(run_query, repeat)


def page_timings(engine: ProcessEngine, url: str, repeat: int) -> list[float]:
    from engine.app import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True,
                      "WTF_CSRF_ENABLED": False}, engine=engine)
    client = app.test_client()
    response = client.post("/logg-inn", data={"brukernavn": ADMIN, "passord": "bench"})
    assert response.status_code == 302, response.status_code

    def get() -> None:
        assert client.get("/admin/saker").status_code == 200

    get()
    return timed(get, repeat)


def explain_counts(engine: ProcessEngine, backend: str) -> list[str]:
    """Return the plan of the unfiltered counts per status past the limit, one line per
    row."""
    with engine.transaction(read_only=True):
        session = engine.uow.session
        statement = counts_query([], int(engine.config["ADMIN_COUNT_LIMIT"]), exact=False)
        sql = str(statement.compile(session.get_bind(),
                                    compile_kwargs={"literal_binds": True}))
        if backend == "postgresql":
            return [row[0] for row in session.execute(text("EXPLAIN ANALYZE " + sql))]
        return [f"{row[1]:>3} {row[3]}"
                for row in session.execute(text("EXPLAIN QUERY PLAN " + sql))]


def _ms(values: list[float]) -> str:
    return " / ".join(f"{percentile(values, share) * 1000:8.2f}" for share in (0.5, 0.95))


def run(backend: str, tasks: int, repeat: int, report: Callable[[str], None] = print, *,
        explain: bool = False) -> None:
    with database(backend) as url:
        engine = make_engine(url)
        try:
            load(engine, tasks, users=2_000)
            reset_sequences(engine)
            add_timers_and_incidents(engine, 2_000, 500)
            engine.organisation.create_user(ADMIN, "Bench Admin")
            engine.organisation.grant_role(ADMIN, "administrator")
            _set_passwords(engine, {ADMIN})
            command = "VACUUM ANALYZE" if backend == "postgresql" else "ANALYZE"
            with engine.db.connect().execution_options(isolation_level="AUTOCOMMIT") \
                    as connection:
                connection.exec_driver_sql(command)

            with engine.transaction(read_only=True):
                total = engine.uow.session.query(ProcessInstance).count()
            report(f"{backend}: {total} process instances, 2000 timers, 500 open incidents")
            if explain:
                for line in explain_counts(engine, backend):
                    report("  " + line)
            report("p50 / p95 ms")
            for name, arguments in cases(engine).items():
                report(f"  list_page  {name:<32} {_ms(query_timings(engine, arguments, repeat))}")
            report(f"  GET /admin/saker (unfiltered)           "
                   f"{_ms(page_timings(engine, url, repeat))}")
        finally:
            engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--tasks", type=int, default=100_000,
                        help="open tasks; as many completed tasks and one instance per task "
                             "(default 100000)")
    parser.add_argument("--repeat", type=int, default=30,
                        help="timed runs of each case (default 30)")
    parser.add_argument("--explain", action="store_true",
                        help="print the plan of the unfiltered counts per status")
    options = parser.parse_args()
    run(options.backend, options.tasks, options.repeat, explain=options.explain)


if __name__ == "__main__":
    main()
