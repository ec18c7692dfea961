"""Moving a deviation case back to an earlier user task, and the refusals that name the
steps in the way."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.engine import ProcessEngine
from engine.services.admin_actions import MigrationNotPossible, MoveBackNotPossible
from tests.engine.processes.test_avvik import ACCEPT, REPORT
from tests.engine.services.test_admin_actions import (
    PARALLEL,
    REASON,
    complete,
    deploy,
    line,
    open_elements,
)


@pytest.fixture
def deviation_engine(engine: ProcessEngine) -> ProcessEngine:
    """The demo municipality with the deviation process deployed."""
    from engine.demo import load_organisation

    load_organisation(engine)
    bpmn = Path(engine.config["BPMN_DIR"])
    engine.repository.deploy_paths([engine.config["FORMS_DIR"], bpmn / "avvik.bpmn"])
    return engine


def finish(engine: ProcessEngine, instance_id: int, element_id: str, user: str,
           data: dict) -> None:
    with engine.transaction(read_only=True):
        tasks = engine.tasks.open_tasks_of_instance(instance_id, element_id)
    for task in tasks:
        engine.tasks.complete(task.id, task.assignee or user, data)


MEASURES = [{"tittel": "Dobbeltkontroll", "ansvarlig": "lise.leder", "frist": "2027-01-20"},
            {"tittel": "Ny rutine", "ansvarlig": "fatima.ansatt", "frist": "2027-01-25"}]


def measures_case(engine: ProcessEngine, measures: list[dict], **report: object) -> int:
    """A deviation case whose measures `measures` are running."""
    instance_id = engine.runtime.start("avvik", "ola.ansatt", {**REPORT, **report}).instance_id
    finish(engine, instance_id, "VurderAvvik", "lise.leder", {**ACCEPT, **report})
    finish(engine, instance_id, "Strakstiltak", "lise.leder", {"strakstiltak": "Gjort."})
    finish(engine, instance_id, "AnalyserAarsak", "lise.leder", {
        "aarsak": "Feil dosett.", "faktisk_konsekvens": "Kvalme.",
        "potensiell_konsekvens": "Forgiftning.", "tiltak": measures})
    return instance_id


def evaluated_case(engine: ProcessEngine) -> int:
    """A deviation case whose one measure is done and evaluated, waiting in LukkAvvik."""
    instance_id = measures_case(engine, MEASURES[:1])
    finish(engine, instance_id, "GjennomforTiltak", "lise.leder",
           {"tiltak_element": {"status": "gjennomfort", "gjennomforing": "Gjort."}})
    finish(engine, instance_id, "EvaluerTiltak", "lise.leder",
           {"effekt": "ja", "evaluering": "Ingen nye feil."})
    return instance_id


def test_deviation_moves_back_to_evaluation(deviation_engine: ProcessEngine) -> None:
    instance_id = evaluated_case(deviation_engine)
    assert open_elements(deviation_engine, instance_id) == ["LukkAvvik"]

    deviation_engine.admin.move_back(instance_id, "EvaluerTiltak", "admin", REASON)

    assert open_elements(deviation_engine, instance_id) == ["EvaluerTiltak"]


def test_moved_back_deviation_still_closes(deviation_engine: ProcessEngine) -> None:
    instance_id = evaluated_case(deviation_engine)
    deviation_engine.admin.move_back(instance_id, "EvaluerTiltak", "admin", REASON)

    finish(deviation_engine, instance_id, "EvaluerTiltak", "lise.leder",
           {"effekt": "ja", "evaluering": "Ingen nye feil."})
    finish(deviation_engine, instance_id, "LukkAvvik", "lise.leder", {
        "konklusjon": "Rutinen er endret.", "laeringspunkt": "Dobbeltkontroll.",
        "lukket_dato": "2027-01-04"})

    with deviation_engine.transaction(read_only=True):
        assert deviation_engine.runtime.instance(instance_id).status == "completed"


def test_running_measures_move_back(deviation_engine: ProcessEngine) -> None:
    instance_id = measures_case(deviation_engine, MEASURES)
    assert open_elements(deviation_engine, instance_id) == ["GjennomforTiltak"] * 2

    deviation_engine.admin.move_back(instance_id, "AnalyserAarsak", "admin", REASON)

    assert open_elements(deviation_engine, instance_id) == ["AnalyserAarsak"]


def test_privacy_branch_refusal_names_steps(deviation_engine: ProcessEngine) -> None:
    instance_id = measures_case(deviation_engine, MEASURES[:1], personopplysninger=True,
                                oppdaget="2027-01-04T07:00:00+01:00")

    with pytest.raises(MoveBackNotPossible) as raised:
        deviation_engine.admin.move_back(instance_id, "AnalyserAarsak", "admin", REASON)

    message = str(raised.value)
    assert "Gjennomfør tiltak" in message
    assert "Vurder melding til Datatilsynet" in message
    assert "GjennomforTiltak" not in message


def test_parallel_refusal_names_waiting_steps(deviation_engine: ProcessEngine) -> None:
    deploy(deviation_engine, "parallell", PARALLEL)
    instance_id = deviation_engine.runtime.start("parallell", "admin", {}).instance_id
    complete(deviation_engine, instance_id, "a")

    with pytest.raises(MoveBackNotPossible) as raised:
        deviation_engine.admin.move_back(instance_id, "a", "admin", REASON)

    message = str(raised.value)
    assert "Steg b, Steg c" in message
    assert "avslutt saken" in message.lower()
    assert "tilbake til Steg a:" in message


def test_migration_refusal_names_steps(deviation_engine: ProcessEngine) -> None:
    deploy(deviation_engine, "linje", line("linje", ["a", "b"]))
    instance_id = deviation_engine.runtime.start("linje", "admin", {}).instance_id
    complete(deviation_engine, instance_id, "a")
    newer = deploy(deviation_engine, "linje", line("linje", ["a", "c"]))

    with pytest.raises(MigrationNotPossible) as raised:
        deviation_engine.admin.migrate(instance_id, newer, "admin", REASON)

    assert "hindrer det: Steg b." in str(raised.value)
