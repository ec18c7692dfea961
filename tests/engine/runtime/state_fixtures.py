"""Write a saved-state fixture of the current release format.

    python -m tests.engine.runtime.state_fixtures tests/data/states/<name>.json

Each fixture keeps the BPMN it ran with and the serialized state of a deviation case waiting
in "Vurder avvik" with its reminder timers, so later releases can prove they still load it.
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from engine.demo import load_organisation, load_processes
from engine.engine import ProcessEngine
from engine.models import ProcessDefinition, ProcessInstance
from engine.runtime.clock import FixedClock
from engine.schema import upgrade

REPORT = {"tittel": "Lagret tilstand", "hva_skjedde": "Brukes for å teste lagrede tilstander.",
          "tidspunkt": "2027-01-04T08:30:00+01:00", "sted": "Testrom", "enhet": "sykehjem",
          "kategori": "hms", "alvorlighetsgrad": "Lav"}


def write_fixture(target: Path) -> None:
    directory = tempfile.mkdtemp()
    url = f"sqlite:///{directory}/fixture.db"
    upgrade(url)
    engine = ProcessEngine({"DATABASE_URL": url, "SMTP_HOST": ""},
                           clock=FixedClock(datetime(2027, 1, 4, 8, tzinfo=UTC)))
    try:
        load_organisation(engine)
        load_processes(engine)
        instance_id = engine.runtime.start("avvik", "ola.ansatt", REPORT).instance_id
        with engine.transaction(read_only=True):
            instance = engine.uow.session.get(ProcessInstance, instance_id)
            definition = engine.uow.session.get(ProcessDefinition, instance.definition_id)
            fixture = {"bpmn_file": definition.file_name, "bpmn": definition.bpmn_xml,
                       "state": json.loads(instance.state)}
    finally:
        engine.close()
    target.write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n",
                      encoding="utf-8")


if __name__ == "__main__":
    write_fixture(Path(sys.argv[1]))
