"""Storage per closed deviation case, history included (state, task rows, audit trail).

    .venv/bin/python -m bench.storage [--cases 100] [--backend sqlite|postgresql]

Each case goes the whole way: report, assessment, immediate measures, analysis with two
measures, both measures done, evaluation, closing. The figure is the growth of the database
(tables and indexes) divided by the number of cases.
"""

from __future__ import annotations

import argparse
import sqlite3
from typing import Any

from sqlalchemy import create_engine, text

from bench.common import database, make_engine
from engine.demo import load_organisation, load_processes
from engine.engine import ProcessEngine

REPORT = {"tittel": "Feil medisin gitt på kveldsvakt",
          "hva_skjedde": "En beboer fikk tablettene til en annen beboer. " * 4,
          "tidspunkt": "2027-01-04T08:30:00+01:00", "sted": "Avdeling 2", "enhet": "sykehjem",
          "kategori": "tjeneste", "alvorlighetsgrad": "Middels"}


def close_one_case(engine: ProcessEngine) -> None:
    instance_id = engine.runtime.start("avvik", "ola.ansatt", REPORT).instance_id

    def complete(element: str, user: str, data: dict[str, Any]) -> None:
        with engine.transaction(read_only=True):
            tasks = engine.tasks.open_tasks_of_instance(instance_id, element)
        for task in tasks:
            engine.tasks.complete(task.id, task.assignee or user, data)

    complete("VurderAvvik", "lise.leder", {"beslutning": "godta", "alvorlighetsgrad": "Middels"})
    complete("Strakstiltak", "lise.leder", {"strakstiltak": "Legevakt kontaktet."})
    complete("AnalyserAarsak", "lise.leder", {
        "aarsak": "Medisinene lå i feil dosett.", "faktisk_konsekvens": "Kvalme.",
        "potensiell_konsekvens": "Alvorlig forgiftning.",
        "tiltak": [{"tittel": "Innfør dobbeltkontroll", "ansvarlig": "fatima.ansatt",
                    "frist": "2027-01-20"},
                   {"tittel": "Oppdater rutinen", "ansvarlig": "lise.leder",
                    "frist": "2027-01-25"}]})
    complete("GjennomforTiltak", "lise.leder", {"tiltak_element": {
        "status": "gjennomfort", "gjennomforing": "Gjort som planlagt."}})
    complete("EvaluerTiltak", "lise.leder", {"effekt": "ja", "evaluering": "Virket."})
    complete("LukkAvvik", "lise.leder", {"konklusjon": "Rutinen er endret.",
                                         "laeringspunkt": "Dobbeltkontroll ved utdeling.",
                                         "lukket_dato": "2027-02-01"})


def table_sizes(engine: ProcessEngine, url: str) -> dict[str, int]:
    """Bytes per table, indexes included, after compacting away dead row versions."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1]
        engine.db.dispose()
        with sqlite3.connect(path) as connection:
            connection.execute("VACUUM")
            rows = connection.execute(
                "SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
        return {name: int(size) for name, size in rows}
    admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("VACUUM FULL"))
        rows = connection.execute(text(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r'")).all()
    admin.dispose()
    return {name: int(size) for name, size in rows}


def run(cases: int, backend: str) -> float:
    with database(backend) as url:
        engine = make_engine(url)
        try:
            load_organisation(engine)
            load_processes(engine)
            close_one_case(engine)  # warm-up: pages and indexes exist before measuring
            before = table_sizes(engine, url)
            for _index in range(cases):
                close_one_case(engine)
            after = table_sizes(engine, url)
        finally:
            engine.close()
    growth = {name: after[name] - before.get(name, 0) for name in after}
    per_case = sum(growth.values()) / cases
    for name, grown in sorted(growth.items(), key=lambda item: -item[1])[:6]:
        print(f"  {name:24} {grown / cases / 1024:6.1f} KB per case")
    print(f"{backend}: {per_case / 1024:.1f} KB per closed case over {cases} cases "
          "(target at most 20 KB)")
    return per_case


def main() -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    arguments = parser.parse_args()
    return run(arguments.cases, arguments.backend)


if __name__ == "__main__":
    main()
