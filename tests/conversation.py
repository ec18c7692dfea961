"""Drive one employee conversation of the nursing home to its filed summary, on an engine
with the demo municipality, by moving the engine's fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from engine.engine import ProcessEngine
from engine.models import ProcessInstance, Task, Unit

ROUND_START = datetime(2027, 1, 5, 7, 0, tzinfo=UTC)  # 08:00 in Oslo
SUMMARY: dict[str, Any] = {
    "arbeidsmaal": "Ta ansvar for opplæringen av nye vikarer.",
    "utviklingsmaal": "Bli trygg som veileder.",
    "utviklingsbehov": ["ledelse", "digital"],
    "tiltak": [{"beskrivelse": "Veilederkurs", "ansvarlig": "leder", "frist": "2027-06-01"}],
}


def open_task(engine: ProcessEngine, instance_id: int, element_id: str) -> Task:
    with engine.transaction(read_only=True):
        tasks = engine.tasks.open_tasks_of_instance(instance_id, element_id)
    assert len(tasks) == 1, f"expected one open {element_id}, found {len(tasks)}"
    return tasks[0]


def start_round(engine: ProcessEngine) -> int:
    """Fire the yearly start and return the nursing home's planning case."""
    engine.clock.set(ROUND_START)  # type: ignore[attr-defined]
    engine.management.run_due()
    with engine.transaction(read_only=True):
        return engine.uow.session.scalar(
            select(ProcessInstance.id).join(Unit, Unit.id == ProcessInstance.unit_id)
            .where(ProcessInstance.definition_key == "medarbeidersamtale-planlegging",
                   Unit.code == "sykehjem"))


def plan_nursing_home(engine: ProcessEngine) -> tuple[int, dict[str, int]]:
    """Start the round, plan a conversation with both employees, and return the planning
    case and the conversation case of each employee."""
    planning_id = start_round(engine)
    task = open_task(engine, planning_id, "PlanleggSamtaler")
    engine.tasks.complete(task.id, "lise.leder", {"samtaler": [
        {"samtale_i_aar": "ja"}, {"samtale_i_aar": "ja"}]})
    engine.management.run_due()
    started = engine.runtime.variables(planning_id)["startede_samtaler"]
    return planning_id, {row["medarbeider"]: row["samtale"] for row in started}


def hold(engine: ProcessEngine, conversation_id: int, employee: str) -> None:
    """Invite, prepare, hold and confirm the conversation."""
    steps = [("SendInnkalling", "lise.leder", {"samtaletidspunkt": "2027-02-10T10:00:00+01:00",
                                               "sted": "Møterom 2"}),
             ("ForberedMedarbeider", employee, {"forberedelse_onsker": "Veiledning."}),
             ("ForberedLeder", "lise.leder", {}),
             ("GjennomforSamtale", "lise.leder", SUMMARY),
             ("BekreftOppsummering", employee, {"bekreftet": True})]
    for element_id, user, data in steps:
        engine.tasks.complete(open_task(engine, conversation_id, element_id).id, user, data)
