"""Administrator repairs of cases: hold, resume, cancel, reassign, edit variables, retry,
move back, migrate, and the same over many cases."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from engine.engine import ProcessEngine
from engine.errors import (
    AdministratorsOnly,
    InstanceNotRunning,
    ReassignNotAllowed,
)
from engine.models import AuditEvent, MessageSubscription
from engine.services.admin_actions import (
    MigrationNotPossible,
    MoveBackNotPossible,
    NothingChanged,
    ReasonRequired,
    VariableNotEditable,
    VariableValueInvalid,
)
from engine.services.messages import MessageNotCorrelated
from tests.confidential import start_confidential_case

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">\n')
REASON = "Saken sto fast etter feil i skjemaet"


def user_task(element_id: str) -> str:
    return (f'<bpmn:userTask id="{element_id}" name="Steg {element_id}" '
            'camunda:candidateUsers="admin, ola.ansatt" />')


def line(process_id: str, steps: list[str], properties: str = "") -> bytes:
    """A process that runs the user tasks `steps` one after the other."""
    parts = [f'<bpmn:process id="{process_id}" isExecutable="true">']
    if properties:
        parts.append("<bpmn:extensionElements><camunda:properties>"
                     f"{properties}</camunda:properties></bpmn:extensionElements>")
    parts.append('<bpmn:startEvent id="start" />')
    previous = "start"
    for number, step in enumerate(steps):
        parts.append(user_task(step))
        parts.append(f'<bpmn:sequenceFlow id="f{number}" sourceRef="{previous}" '
                     f'targetRef="{step}" />')
        previous = step
    parts.append(f'<bpmn:sequenceFlow id="fslutt" sourceRef="{previous}" targetRef="slutt" />')
    parts.append('<bpmn:endEvent id="slutt" /></bpmn:process></bpmn:definitions>')
    return (HEADER + "\n".join(parts)).encode()


TIMER = HEADER + """<bpmn:process id="vent" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="pause" />
  <bpmn:intermediateCatchEvent id="pause"><bpmn:timerEventDefinition>
    <bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
  </bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="pause" targetRef="etter" />
  <bpmn:userTask id="etter" name="Etter pausen" camunda:candidateUsers="admin" />
  <bpmn:sequenceFlow id="f3" sourceRef="etter" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
</bpmn:process></bpmn:definitions>"""

FAILING = HEADER + """<bpmn:process id="feiler" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="regn" />
  <bpmn:scriptTask id="regn" scriptFormat="python"><bpmn:script>sum = grunnlag + 1</bpmn:script>
  </bpmn:scriptTask>
  <bpmn:sequenceFlow id="f2" sourceRef="regn" targetRef="etter" />
  <bpmn:userTask id="etter" name="Etter utregningen" camunda:candidateUsers="admin" />
  <bpmn:sequenceFlow id="f3" sourceRef="etter" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
</bpmn:process></bpmn:definitions>"""

PARALLEL = HEADER + """<bpmn:process id="parallell" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="a" />
  """ + user_task("a") + """
  <bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="del" />
  <bpmn:parallelGateway id="del" />
  <bpmn:sequenceFlow id="f3" sourceRef="del" targetRef="b" />
  <bpmn:sequenceFlow id="f4" sourceRef="del" targetRef="c" />
  """ + user_task("b") + user_task("c") + """
  <bpmn:sequenceFlow id="f5" sourceRef="b" targetRef="samle" />
  <bpmn:sequenceFlow id="f6" sourceRef="c" targetRef="samle" />
  <bpmn:parallelGateway id="samle" />
  <bpmn:sequenceFlow id="f7" sourceRef="samle" targetRef="e" />
  """ + user_task("e") + """
  <bpmn:sequenceFlow id="f8" sourceRef="e" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
</bpmn:process></bpmn:definitions>"""


@pytest.fixture
def admin_engine(engine: ProcessEngine) -> ProcessEngine:
    """An engine with the demo municipality's people and units, and no process deployed."""
    from engine.demo import load_organisation

    load_organisation(engine)
    return engine


def deploy(engine: ProcessEngine, name: str, xml: bytes | str) -> int:
    data = xml.encode() if isinstance(xml, str) else xml
    (deployed,) = engine.repository.deploy([(f"{name}.bpmn", data)], actor="admin")
    with engine.transaction(read_only=True):
        return engine.repository.latest(deployed.key).id


def open_elements(engine: ProcessEngine, instance_id: int) -> list[str]:
    with engine.transaction(read_only=True):
        return sorted(t.element_id for t in engine.tasks.open_tasks_of_instance(instance_id))


def open_task_id(engine: ProcessEngine, instance_id: int, element_id: str) -> str:
    with engine.transaction(read_only=True):
        (task,) = engine.tasks.open_tasks_of_instance(instance_id, element_id)
        return task.id


def complete(engine: ProcessEngine, instance_id: int, element_id: str) -> None:
    engine.tasks.complete(open_task_id(engine, instance_id, element_id), "admin", {})


def status(engine: ProcessEngine, instance_id: int) -> str:
    with engine.transaction(read_only=True):
        return engine.runtime.instance(instance_id).status


def last_event(engine: ProcessEngine, instance_id: int, action: str) -> AuditEvent:
    with engine.transaction(read_only=True):
        events = [e for e in engine.history.events(instance_id) if e.action == action]
    return events[-1]


def incidents(engine: ProcessEngine, instance_id: int) -> list[Any]:
    with engine.transaction(read_only=True):
        return engine.management.incidents(instance_id)


# --- suspend and resume ------------------------------------------------------------------------

def test_suspended_instance_fires_no_timer(admin_engine: ProcessEngine, clock) -> None:
    deploy(admin_engine, "vent", TIMER)
    instance_id = admin_engine.runtime.start("vent", "admin", {}).instance_id
    admin_engine.admin.suspend(instance_id, "admin", REASON)

    clock.advance(hours=2)
    report = admin_engine.management.run_due()

    assert report.timers_fired == 0
    assert status(admin_engine, instance_id) == "suspended"
    with admin_engine.transaction(read_only=True):
        assert len(admin_engine.management.timers(instance_id)) == 1


def test_resume_fires_timer_due_meanwhile(admin_engine: ProcessEngine, clock) -> None:
    deploy(admin_engine, "vent", TIMER)
    instance_id = admin_engine.runtime.start("vent", "admin", {}).instance_id
    admin_engine.admin.suspend(instance_id, "admin", REASON)
    clock.advance(hours=2)
    admin_engine.management.run_due()

    admin_engine.admin.resume(instance_id, "admin", "Avklart med saksbehandler")
    report = admin_engine.management.run_due()

    assert report.timers_fired == 1
    assert status(admin_engine, instance_id) == "running"
    assert open_elements(admin_engine, instance_id) == ["etter"]


def test_suspended_instance_refuses_completion(admin_engine: ProcessEngine) -> None:
    deploy(admin_engine, "linje", line("linje", ["a", "b"]))
    instance_id = admin_engine.runtime.start("linje", "admin", {}).instance_id
    task_id = open_task_id(admin_engine, instance_id, "a")
    admin_engine.admin.suspend(instance_id, "admin", REASON)

    with pytest.raises(InstanceNotRunning) as raised:
        admin_engine.tasks.complete(task_id, "admin", {})

    assert raised.value.params["status"] == "suspended"
    assert open_elements(admin_engine, instance_id) == ["a"]


class FlakyArchive:
    """A handler that fails while `down` is set, and counts the calls that succeed."""

    def __init__(self) -> None:
        self.down = True
        self.stored = 0

    def __call__(self, _ctx: Any) -> dict[str, Any]:
        if self.down:
            raise RuntimeError("arkivet svarer ikke")
        self.stored += 1
        return {}


def test_suspended_instance_runs_no_job(make_engine, clock) -> None:
    from engine.demo import load_organisation
    from engine.runtime.handlers import HandlerRegistry

    archive = FlakyArchive()
    registry = HandlerRegistry()
    registry.register("arkiv.lagre", archive)
    engine = make_engine()
    engine.handlers = registry
    load_organisation(engine)
    deploy(engine, "jobb", HEADER + """<bpmn:process id="jobb" isExecutable="true">
      <bpmn:startEvent id="start" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="arkiver" />
      <bpmn:serviceTask id="arkiver" camunda:type="external" camunda:topic="arkiv.lagre" />
      <bpmn:sequenceFlow id="f2" sourceRef="arkiver" targetRef="slutt" />
      <bpmn:endEvent id="slutt" />
    </bpmn:process></bpmn:definitions>""")
    instance_id = engine.runtime.start("jobb", "admin", {}).instance_id
    engine.admin.suspend(instance_id, "admin", REASON)
    archive.down = False

    clock.advance(hours=1)
    engine.management.run_due()

    assert archive.stored == 0
    engine.admin.resume(instance_id, "admin", REASON)
    engine.management.run_due()
    assert archive.stored == 1
    assert status(engine, instance_id) == "completed"


def test_resume_of_running_instance_is_refused(admin_engine: ProcessEngine) -> None:
    from engine.services.admin_actions import InstanceNotSuspended

    deploy(admin_engine, "linje", line("linje", ["a"]))
    instance_id = admin_engine.runtime.start("linje", "admin", {}).instance_id

    with pytest.raises(InstanceNotSuspended):
        admin_engine.admin.resume(instance_id, "admin", REASON)


def test_suspend_records_reason(admin_engine: ProcessEngine) -> None:
    deploy(admin_engine, "linje", line("linje", ["a"]))
    instance_id = admin_engine.runtime.start("linje", "admin", {}).instance_id

    admin_engine.admin.suspend(instance_id, "admin", f"  {REASON} ")

    event = last_event(admin_engine, instance_id, "instance_suspended")
    assert event.actor == "admin"
    assert event.details == {"reason": REASON}


# --- refusals shared by every action -----------------------------------------------------------

def test_employee_may_not_suspend(admin_engine: ProcessEngine) -> None:
    deploy(admin_engine, "linje", line("linje", ["a"]))
    instance_id = admin_engine.runtime.start("linje", "admin", {}).instance_id

    with pytest.raises(AdministratorsOnly):
        admin_engine.admin.suspend(instance_id, "ola.ansatt", REASON)

    assert status(admin_engine, instance_id) == "running"


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_missing_reason_is_refused(admin_engine: ProcessEngine, reason: str | None) -> None:
    deploy(admin_engine, "linje", line("linje", ["a"]))
    instance_id = admin_engine.runtime.start("linje", "admin", {}).instance_id

    with pytest.raises(ReasonRequired) as raised:
        admin_engine.admin.terminate(instance_id, "admin", reason)  # type: ignore[arg-type]

    assert "Skriv hvorfor" in str(raised.value)
    assert status(admin_engine, instance_id) == "running"


# --- terminate ---------------------------------------------------------------------------------

def test_terminate_closes_tasks_and_timers(admin_engine: ProcessEngine, clock) -> None:
    deploy(admin_engine, "vent", TIMER)
    deploy(admin_engine, "linje", line("linje", ["a"]))
    waiting = admin_engine.runtime.start("vent", "admin", {}).instance_id
    working = admin_engine.runtime.start("linje", "admin", {}).instance_id

    admin_engine.admin.terminate(waiting, "admin", REASON)
    admin_engine.admin.terminate(working, "admin", REASON)

    assert status(admin_engine, waiting) == "terminated"
    assert open_elements(admin_engine, working) == []
    with admin_engine.transaction(read_only=True):
        assert admin_engine.management.timers(waiting) == []
        assert admin_engine.runtime.instance(working).ended_at == clock.now()
    clock.advance(hours=2)
    assert admin_engine.management.run_due().timers_fired == 0


def test_terminate_of_terminated_instance_is_refused(admin_engine: ProcessEngine) -> None:
    deploy(admin_engine, "linje", line("linje", ["a"]))
    instance_id = admin_engine.runtime.start("linje", "admin", {}).instance_id
    admin_engine.admin.terminate(instance_id, "admin", REASON)

    with pytest.raises(InstanceNotRunning):
        admin_engine.admin.terminate(instance_id, "admin", REASON)


# --- reassign ----------------------------------------------------------------------------------

def test_administrator_reassigns_with_reason(admin_engine: ProcessEngine) -> None:
    deploy(admin_engine, "linje", line("linje", ["a"]))
    instance_id = admin_engine.runtime.start("linje", "admin", {}).instance_id
    task_id = open_task_id(admin_engine, instance_id, "a")

    result = admin_engine.admin.reassign_task(task_id, "ola.ansatt", "admin", REASON)

    assert result["assignee"] == "ola.ansatt"
    event = last_event(admin_engine, instance_id, "task_reassigned_by_administrator")
    assert event.details["reason"] == REASON


def test_reassign_in_confidential_process_is_refused(admin_engine: ProcessEngine) -> None:
    instance_id = start_confidential_case(admin_engine)
    with admin_engine.transaction(read_only=True):
        (task,) = admin_engine.tasks.open_tasks_of_instance(instance_id)

    with pytest.raises(ReassignNotAllowed):
        admin_engine.admin.reassign_task(task.id, "ola.ansatt", "admin", REASON)


# --- variables ---------------------------------------------------------------------------------

def test_set_variable_reaches_next_step(admin_engine: ProcessEngine) -> None:
    deploy(admin_engine, "linje", line("linje", ["a", "b"]))
    instance_id = admin_engine.runtime.start("linje", "admin", {"belop": 100}).instance_id

    admin_engine.admin.set_variable(instance_id, "belop", "250", "admin", REASON)
    complete(admin_engine, instance_id, "a")

    assert admin_engine.runtime.variables(instance_id)["belop"] == 250
    event = last_event(admin_engine, instance_id, "variable_set")
    assert event.details["old_value"] == 100
    assert event.details["new_value"] == 250


def test_set_variable_masks_personal_data(admin_engine: ProcessEngine) -> None:
    properties = '<camunda:property name="personalData" value="fodselsnummer, navn" />'
    deploy(admin_engine, "linje", line("linje", ["a"], properties))
    instance_id = admin_engine.runtime.start("linje", "admin", {}).instance_id

    admin_engine.admin.set_variable(instance_id, "navn", '"Kari Nordmann"', "admin", REASON)

    event = last_event(admin_engine, instance_id, "variable_set")
    assert event.details["new_value"] == "***"
    assert event.details["masked"] is True
    assert admin_engine.runtime.variables(instance_id)["navn"] == "Kari Nordmann"


@pytest.mark.parametrize("name", ["_intern", "melding", ""])
def test_internal_variable_is_refused(admin_engine: ProcessEngine, name: str) -> None:
    deploy(admin_engine, "linje", line("linje", ["a"]))
    instance_id = admin_engine.runtime.start("linje", "admin", {}).instance_id

    with pytest.raises(VariableNotEditable):
        admin_engine.admin.set_variable(instance_id, name, "1", "admin", REASON)


def test_invalid_json_is_refused(admin_engine: ProcessEngine) -> None:
    deploy(admin_engine, "linje", line("linje", ["a"]))
    instance_id = admin_engine.runtime.start("linje", "admin", {}).instance_id

    with pytest.raises(VariableValueInvalid) as raised:
        admin_engine.admin.set_variable(instance_id, "navn", "Kari", "admin", REASON)

    assert "ikke gyldig JSON" in str(raised.value)


# --- retrying incidents ------------------------------------------------------------------------

def test_retry_without_change_is_refused(admin_engine: ProcessEngine) -> None:
    deploy(admin_engine, "feiler", FAILING)
    instance_id = admin_engine.runtime.start("feiler", "admin", {}).instance_id
    (incident,) = incidents(admin_engine, instance_id)

    with pytest.raises(NothingChanged) as raised:
        admin_engine.admin.retry_incident(incident.id, "admin", REASON)

    assert "Ingenting er endret siden feilen" in str(raised.value)
    assert [i.id for i in incidents(admin_engine, instance_id)] == [incident.id]


def test_retry_after_variable_fix_succeeds(admin_engine: ProcessEngine) -> None:
    deploy(admin_engine, "feiler", FAILING)
    instance_id = admin_engine.runtime.start("feiler", "admin", {}).instance_id
    (incident,) = incidents(admin_engine, instance_id)

    admin_engine.admin.set_variable(instance_id, "grunnlag", "41", "admin", REASON)
    admin_engine.admin.retry_incident(incident.id, "admin", "Grunnlaget er rettet")

    assert incidents(admin_engine, instance_id) == []
    assert open_elements(admin_engine, instance_id) == ["etter"]
    assert admin_engine.runtime.variables(instance_id)["sum"] == 42


def test_forced_retry_runs_without_change(admin_engine: ProcessEngine) -> None:
    deploy(admin_engine, "feiler", FAILING)
    instance_id = admin_engine.runtime.start("feiler", "admin", {}).instance_id
    (incident,) = incidents(admin_engine, instance_id)

    admin_engine.admin.retry_incident(incident.id, "admin", "Serveren var nede", force=True)

    (again,) = incidents(admin_engine, instance_id)
    assert again.id != incident.id
    event = last_event(admin_engine, instance_id, "incident_retry_requested")
    assert event.details["force"] is True


def test_retry_after_new_version_is_allowed(admin_engine: ProcessEngine, clock) -> None:
    deploy(admin_engine, "feiler", FAILING)
    instance_id = admin_engine.runtime.start("feiler", "admin", {}).instance_id
    (incident,) = incidents(admin_engine, instance_id)
    clock.advance(minutes=5)
    deploy(admin_engine, "feiler", FAILING.replace("grunnlag + 1", "1"))

    admin_engine.admin.retry_incident(incident.id, "admin", REASON)

    event = last_event(admin_engine, instance_id, "incident_retry_requested")
    assert event.details["changes"] == ["definition_deployed"]


# --- moving back -------------------------------------------------------------------------------

def test_move_back_reopens_earlier_task(admin_engine: ProcessEngine) -> None:
    deploy(admin_engine, "linje", line("linje", ["a", "b", "c"]))
    instance_id = admin_engine.runtime.start("linje", "admin", {}).instance_id
    complete(admin_engine, instance_id, "a")
    complete(admin_engine, instance_id, "b")

    admin_engine.admin.move_back(instance_id, "a", "admin", REASON)

    assert open_elements(admin_engine, instance_id) == ["a"]
    complete(admin_engine, instance_id, "a")
    assert open_elements(admin_engine, instance_id) == ["b"]


def test_move_back_runs_on_to_the_end(admin_engine: ProcessEngine) -> None:
    deploy(admin_engine, "linje", line("linje", ["a", "b"]))
    instance_id = admin_engine.runtime.start("linje", "admin", {}).instance_id
    complete(admin_engine, instance_id, "a")
    admin_engine.admin.move_back(instance_id, "a", "admin", REASON)

    complete(admin_engine, instance_id, "a")
    complete(admin_engine, instance_id, "b")

    assert status(admin_engine, instance_id) == "completed"


def test_move_back_to_unreached_task_is_refused(admin_engine: ProcessEngine) -> None:
    deploy(admin_engine, "linje", line("linje", ["a", "b", "c"]))
    instance_id = admin_engine.runtime.start("linje", "admin", {}).instance_id
    complete(admin_engine, instance_id, "a")

    with pytest.raises(MoveBackNotPossible) as raised:
        admin_engine.admin.move_back(instance_id, "c", "admin", REASON)

    assert "ikke fullført" in str(raised.value)
    assert open_elements(admin_engine, instance_id) == ["b"]


def test_move_back_across_parallel_gateway_is_refused(admin_engine: ProcessEngine) -> None:
    deploy(admin_engine, "parallell", PARALLEL)
    instance_id = admin_engine.runtime.start("parallell", "admin", {}).instance_id
    complete(admin_engine, instance_id, "a")
    complete(admin_engine, instance_id, "b")
    complete(admin_engine, instance_id, "c")

    with pytest.raises(MoveBackNotPossible) as raised:
        admin_engine.admin.move_back(instance_id, "b", "admin", REASON)

    assert "parallell eller inkluderende gateway" in str(raised.value)
    assert open_elements(admin_engine, instance_id) == ["e"]


def test_move_back_inside_parallel_branches_is_refused(admin_engine: ProcessEngine) -> None:
    deploy(admin_engine, "parallell", PARALLEL)
    instance_id = admin_engine.runtime.start("parallell", "admin", {}).instance_id
    complete(admin_engine, instance_id, "a")

    with pytest.raises(MoveBackNotPossible):
        admin_engine.admin.move_back(instance_id, "a", "admin", REASON)

    assert open_elements(admin_engine, instance_id) == ["b", "c"]


# --- migrating ---------------------------------------------------------------------------------

def test_migrate_follows_new_version(admin_engine: ProcessEngine) -> None:
    deploy(admin_engine, "linje", line("linje", ["a", "b"]))
    instance_id = admin_engine.runtime.start("linje", "admin", {}).instance_id
    newer = deploy(admin_engine, "linje", line("linje", ["a", "ny", "b"]))
    # The new step comes after a: a case waiting in a takes it on the way.

    result = admin_engine.admin.migrate(instance_id, newer, "admin", REASON)
    complete(admin_engine, instance_id, "a")

    assert result["version"] == 2
    assert open_elements(admin_engine, instance_id) == ["ny"]
    event = last_event(admin_engine, instance_id, "instance_migrated")
    assert event.details["from_version"] == 1


def test_migrate_past_removed_step_is_refused(admin_engine: ProcessEngine) -> None:
    deploy(admin_engine, "linje", line("linje", ["a", "b"]))
    instance_id = admin_engine.runtime.start("linje", "admin", {}).instance_id
    complete(admin_engine, instance_id, "a")
    newer = deploy(admin_engine, "linje", line("linje", ["a", "c"]))

    with pytest.raises(MigrationNotPossible) as raised:
        admin_engine.admin.migrate(instance_id, newer, "admin", REASON)

    assert raised.value.element_ids == ["b"]
    assert "b" in str(raised.value)
    assert open_elements(admin_engine, instance_id) == ["b"]


def test_migrate_keeps_waiting_timer(admin_engine: ProcessEngine, clock) -> None:
    deploy(admin_engine, "vent", TIMER)
    instance_id = admin_engine.runtime.start("vent", "admin", {}).instance_id
    newer = deploy(admin_engine, "vent", TIMER.replace('name="Etter pausen"', 'name="Videre"'))

    admin_engine.admin.migrate(instance_id, newer, "admin", REASON)
    clock.advance(hours=1)
    admin_engine.management.run_due()

    with admin_engine.transaction(read_only=True):
        (task,) = admin_engine.tasks.open_tasks_of_instance(instance_id)
    assert task.name == "Videre"


def test_migrate_to_changed_timer_kind_is_refused(admin_engine: ProcessEngine) -> None:
    deploy(admin_engine, "vent", TIMER)
    instance_id = admin_engine.runtime.start("vent", "admin", {}).instance_id
    cycle = TIMER.replace("<bpmn:timeDuration>PT1H</bpmn:timeDuration>",
                          "<bpmn:timeDate>2027-02-01T08:00:00Z</bpmn:timeDate>")
    newer = deploy(admin_engine, "vent", cycle)

    with pytest.raises(MigrationNotPossible) as raised:
        admin_engine.admin.migrate(instance_id, newer, "admin", REASON)

    assert raised.value.element_ids == ["pause"]


# --- many instances ----------------------------------------------------------------------------

def test_batch_reports_each_instance(admin_engine: ProcessEngine) -> None:
    deploy(admin_engine, "linje", line("linje", ["a"]))
    first = admin_engine.runtime.start("linje", "admin", {}).instance_id
    finished = admin_engine.runtime.start("linje", "admin", {}).instance_id
    complete(admin_engine, finished, "a")
    last = admin_engine.runtime.start("linje", "admin", {}).instance_id

    results = admin_engine.admin.batch("suspend", [first, finished, last], "admin", REASON)

    assert [r["ok"] for r in results] == [True, False, True]
    assert results[1]["code"] == "instance_not_running"
    assert status(admin_engine, first) == "suspended"
    assert status(admin_engine, last) == "suspended"


def test_batch_needs_administrator(admin_engine: ProcessEngine) -> None:
    with pytest.raises(AdministratorsOnly):
        admin_engine.admin.batch("suspend", [1], "ola.ansatt", REASON)



BOUNDARY = HEADER + """<bpmn:message id="m_svar" name="svar" />
<bpmn:process id="frist" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="a" />
  """ + user_task("a") + """
  <bpmn:boundaryEvent id="purring" attachedToRef="a" cancelActivity="false">
    <bpmn:timerEventDefinition><bpmn:timeDuration>P2D</bpmn:timeDuration>
    </bpmn:timerEventDefinition></bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="purring" targetRef="purret" />
  <bpmn:endEvent id="purret" />
  <bpmn:sequenceFlow id="f3" sourceRef="a" targetRef="b" />
  """ + user_task("b") + """
  <bpmn:boundaryEvent id="svar" attachedToRef="b">
    <bpmn:messageEventDefinition messageRef="m_svar" /></bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f4" sourceRef="svar" targetRef="slutt" />
  <bpmn:sequenceFlow id="f5" sourceRef="b" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
</bpmn:process></bpmn:definitions>"""


def test_move_back_restores_boundary_timer(admin_engine: ProcessEngine, clock) -> None:
    deploy(admin_engine, "frist", BOUNDARY)
    instance_id = admin_engine.runtime.start("frist", "admin", {}).instance_id
    complete(admin_engine, instance_id, "a")

    admin_engine.admin.move_back(instance_id, "a", "admin", REASON)

    assert open_elements(admin_engine, instance_id) == ["a"]
    with admin_engine.transaction(read_only=True):
        (timer,) = admin_engine.management.timers(instance_id)
        subscriptions = admin_engine.management.session.scalars(
            select(MessageSubscription).where(
                MessageSubscription.instance_id == instance_id)).all()
    assert timer.element_id == "purring"
    assert timer.due_at == clock.now() + timedelta(days=2)
    assert subscriptions == []


def test_suspended_instance_gets_no_message(admin_engine: ProcessEngine) -> None:
    deploy(admin_engine, "frist", BOUNDARY)
    instance_id = admin_engine.runtime.start("frist", "admin", {}).instance_id
    complete(admin_engine, instance_id, "a")
    admin_engine.admin.suspend(instance_id, "admin", REASON)

    with pytest.raises(MessageNotCorrelated):
        admin_engine.runtime.correlate_message("svar", "admin", {})

    admin_engine.admin.resume(instance_id, "admin", REASON)
    result = admin_engine.runtime.correlate_message("svar", "admin", {})
    assert result["delivered_to"] == [instance_id]
    assert status(admin_engine, instance_id) == "completed"


def test_variable_of_suspended_case_is_editable(admin_engine: ProcessEngine) -> None:
    deploy(admin_engine, "feiler", FAILING)
    instance_id = admin_engine.runtime.start("feiler", "admin", {}).instance_id
    (incident,) = incidents(admin_engine, instance_id)
    admin_engine.admin.suspend(instance_id, "admin", REASON)

    admin_engine.admin.set_variable(instance_id, "grunnlag", "1", "admin", REASON)

    with pytest.raises(InstanceNotRunning):
        admin_engine.admin.retry_incident(incident.id, "admin", REASON)
    admin_engine.admin.resume(instance_id, "admin", REASON)
    admin_engine.admin.retry_incident(incident.id, "admin", REASON)
    assert open_elements(admin_engine, instance_id) == ["etter"]
    assert admin_engine.runtime.variables(instance_id)["sum"] == 2


def test_completion_on_hold_names_status(admin_engine: ProcessEngine) -> None:
    deploy(admin_engine, "linje", line("linje", ["a"]))
    instance_id = admin_engine.runtime.start("linje", "admin", {}).instance_id
    task_id = open_task_id(admin_engine, instance_id, "a")
    admin_engine.admin.suspend(instance_id, "admin", REASON)

    with pytest.raises(InstanceNotRunning) as raised:
        admin_engine.tasks.complete(task_id, "admin", {})

    assert str(raised.value) == f"Sak {instance_id} er satt på vent og kan ikke endres."


def test_terminate_closes_incidents(admin_engine: ProcessEngine) -> None:
    deploy(admin_engine, "feiler", FAILING)
    instance_id = admin_engine.runtime.start("feiler", "admin", {}).instance_id

    admin_engine.admin.terminate(instance_id, "admin", REASON)

    assert incidents(admin_engine, instance_id) == []
    with admin_engine.transaction(read_only=True):
        assert admin_engine.runtime.instance(instance_id).has_incident is False


ACTIONS = {
    "suspend": lambda engine, case, actor, reason: engine.admin.suspend(case, actor, reason),
    "resume": lambda engine, case, actor, reason: engine.admin.resume(case, actor, reason),
    "terminate": lambda engine, case, actor, reason: engine.admin.terminate(case, actor, reason),
    "reassign_task": lambda engine, case, actor, reason: engine.admin.reassign_task(
        open_task_id(engine, case, "a"), "ola.ansatt", actor, reason),
    "set_variable": lambda engine, case, actor, reason: engine.admin.set_variable(
        case, "belop", "1", actor, reason),
    "retry_incident": lambda engine, case, actor, reason: engine.admin.retry_incident(
        1, actor, reason, force=True),
    "move_back": lambda engine, case, actor, reason: engine.admin.move_back(
        case, "a", actor, reason),
    "migrate": lambda engine, case, actor, reason: engine.admin.migrate(
        case, 1, actor, reason),
    "batch": lambda engine, case, actor, reason: engine.admin.batch(
        "terminate", [case], actor, reason),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_needs_administrator(admin_engine: ProcessEngine, action: str) -> None:
    deploy(admin_engine, "linje", line("linje", ["a"]))
    instance_id = admin_engine.runtime.start("linje", "admin", {}).instance_id

    with pytest.raises(AdministratorsOnly):
        ACTIONS[action](admin_engine, instance_id, "lise.leder", REASON)

    assert status(admin_engine, instance_id) == "running"


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_needs_reason(admin_engine: ProcessEngine, action: str) -> None:
    deploy(admin_engine, "linje", line("linje", ["a"]))
    instance_id = admin_engine.runtime.start("linje", "admin", {}).instance_id

    with pytest.raises(ReasonRequired):
        ACTIONS[action](admin_engine, instance_id, "admin", " ")

    assert status(admin_engine, instance_id) == "running"
