"""Confidential processes and reader groups: who may read a case, its tasks and its record."""

from __future__ import annotations

import pytest

from engine.engine import ProcessEngine
from engine.errors import DefinitionInvalid
from engine.models import ProcessInstance, Task
from tests.confidential import CONFIDENTIAL, OPEN, OPEN_WITH_READERS, PROCESS


def _deploy(engine: ProcessEngine, properties: str) -> None:
    engine.repository.deploy([("samtaletest.bpmn", PROCESS.format(properties=properties)
                               .encode())], actor="admin")


def _start(engine: ProcessEngine) -> int:
    return engine.runtime.start("samtaletest", "ola.ansatt", {"enhet": "sykehjem"}).instance_id


@pytest.fixture
def org(demo_engine: ProcessEngine) -> ProcessEngine:
    """The demo municipality with an HR group whose one member is jonas.ansatt."""
    with demo_engine.transaction():
        demo_engine.organisation.create_group("hr", "HR", actor="admin")
        demo_engine.organisation.add_member("hr", "jonas.ansatt", actor="admin")
    return demo_engine


def _may_see_case(engine: ProcessEngine, instance_id: int, username: str) -> bool:
    with engine.transaction(read_only=True):
        return engine.runtime.may_see(engine.runtime.instance(instance_id), username)


def _reads_record(engine: ProcessEngine, instance_id: int, username: str) -> bool:
    with engine.transaction(read_only=True):
        return engine.runtime.reads_record(engine.runtime.instance(instance_id), username)


def _may_see_task(engine: ProcessEngine, instance_id: int, username: str) -> bool:
    with engine.transaction(read_only=True):
        task = engine.tasks.open_tasks_of_instance(instance_id)[0]
        return engine.tasks.may_see(task, username)


def _listed_cases(engine: ProcessEngine, username: str) -> set[int]:
    with engine.transaction(read_only=True):
        return {row.id for row in engine.queries.instances(username, limit=200).items}


def _tasks_listed_with_condition(engine: ProcessEngine, username: str) -> set[int]:
    from sqlalchemy import select

    with engine.transaction(read_only=True):
        query = select(Task.instance_id).where(engine.tasks.visible_condition(username))
        return set(engine.uow.session.scalars(query))


# --- a process that is not confidential -------------------------------------------------


def test_open_case_is_read_by_leader_above(org: ProcessEngine) -> None:
    _deploy(org, OPEN)
    instance_id = _start(org)

    assert _may_see_case(org, instance_id, "tor.kommunalsjef")


def test_open_case_is_read_by_administrator(org: ProcessEngine) -> None:
    _deploy(org, OPEN)
    instance_id = _start(org)

    assert _reads_record(org, instance_id, "admin")


def test_open_case_is_hidden_from_other_unit_leader(org: ProcessEngine) -> None:
    _deploy(org, OPEN)
    instance_id = _start(org)

    assert not _may_see_case(org, instance_id, "per.leder")


def test_open_case_is_hidden_from_group_not_named(org: ProcessEngine) -> None:
    _deploy(org, OPEN)
    instance_id = _start(org)

    assert not _may_see_case(org, instance_id, "jonas.ansatt")


def test_reader_group_reads_open_cases(org: ProcessEngine) -> None:
    _deploy(org, OPEN_WITH_READERS)
    instance_id = _start(org)

    assert _reads_record(org, instance_id, "jonas.ansatt")


def test_reader_group_sees_open_task(org: ProcessEngine) -> None:
    _deploy(org, OPEN_WITH_READERS)
    instance_id = _start(org)

    assert _may_see_task(org, instance_id, "jonas.ansatt")


def test_leader_reads_own_unit_case(org: ProcessEngine) -> None:
    _deploy(org, OPEN)
    instance_id = _start(org)
    with org.transaction():
        task = org.tasks.open_tasks_of_instance(instance_id)[0]
        org.uow.session.delete(task)

    assert _reads_record(org, instance_id, "lise.leder")


# --- a confidential process --------------------------------------------------------------


@pytest.fixture
def confidential_case(org: ProcessEngine) -> int:
    _deploy(org, CONFIDENTIAL)
    return _start(org)


@pytest.mark.parametrize("username", ["ola.ansatt", "fatima.ansatt", "jonas.ansatt"])
def test_confidential_case_visible_to_participants(
        org: ProcessEngine, confidential_case: int, username: str) -> None:
    assert _may_see_case(org, confidential_case, username)


@pytest.mark.parametrize("username", ["lise.leder", "tor.kommunalsjef", "kari.direktor",
                                      "admin", "per.leder"])
def test_confidential_case_is_hidden_from_leaders_and_administrators(
        org: ProcessEngine, confidential_case: int, username: str) -> None:
    assert not _may_see_case(org, confidential_case, username)


@pytest.mark.parametrize("username", ["lise.leder", "admin"])
def test_confidential_task_is_hidden_from_leader_and_administrator(
        org: ProcessEngine, confidential_case: int, username: str) -> None:
    assert not _may_see_task(org, confidential_case, username)


def test_confidential_task_is_seen_by_candidate(org: ProcessEngine,
                                                confidential_case: int) -> None:
    assert _may_see_task(org, confidential_case, "fatima.ansatt")


def test_starter_alone_does_not_read_the_confidential_record(
        org: ProcessEngine, confidential_case: int) -> None:
    assert not _reads_record(org, confidential_case, "ola.ansatt")


def test_reader_group_reads_the_confidential_record(org: ProcessEngine,
                                                    confidential_case: int) -> None:
    assert _reads_record(org, confidential_case, "jonas.ansatt")


@pytest.mark.parametrize("username", ["lise.leder", "admin", "tor.kommunalsjef"])
def test_case_listing_leaves_out_confidential_case(
        org: ProcessEngine, confidential_case: int, username: str) -> None:
    assert confidential_case not in _listed_cases(org, username)


@pytest.mark.parametrize("username", ["ola.ansatt", "fatima.ansatt", "jonas.ansatt"])
def test_listing_shows_confidential_to_readers(
        org: ProcessEngine, confidential_case: int, username: str) -> None:
    assert confidential_case in _listed_cases(org, username)


@pytest.mark.parametrize("username", ["lise.leder", "admin"])
def test_task_condition_leaves_out_confidential_task(
        org: ProcessEngine, confidential_case: int, username: str) -> None:
    assert confidential_case not in _tasks_listed_with_condition(org, username)


def test_task_condition_keeps_confidential_task_for_reader(
        org: ProcessEngine, confidential_case: int) -> None:
    assert confidential_case in _tasks_listed_with_condition(org, "jonas.ansatt")


def test_unit_task_list_leaves_out_confidential_task(org: ProcessEngine,
                                                     confidential_case: int) -> None:
    with org.transaction(read_only=True):
        listed = {task.instance_id for task in org.tasks.list("lise.leder", "unit")}

    assert confidential_case not in listed


def test_administrators_task_list_leaves_out_confidential_task(
        org: ProcessEngine, confidential_case: int) -> None:
    with org.transaction(read_only=True):
        listed = {task.instance_id for task in org.tasks.list("admin", "all")}

    assert confidential_case not in listed


def test_unit_task_list_still_shows_open_process_tasks(org: ProcessEngine,
                                                       confidential_case: int) -> None:
    _deploy(org, OPEN)
    open_case = _start(org)
    with org.transaction(read_only=True):
        listed = {task.instance_id for task in org.tasks.list("lise.leder", "unit")}

    assert open_case in listed


def test_token_listing_without_confidential_leaves_the_case_out(
        org: ProcessEngine, confidential_case: int) -> None:
    with org.transaction(read_only=True):
        rows = org.queries.instances(None, confidential=False, limit=200).items

    assert confidential_case not in {row.id for row in rows}


def test_token_listing_with_confidential_shows_the_case(org: ProcessEngine,
                                                        confidential_case: int) -> None:
    with org.transaction(read_only=True):
        rows = org.queries.instances(None, confidential=True, limit=200).items

    assert confidential_case in {row.id for row in rows}


def test_newest_version_decides_for_earlier_cases(org: ProcessEngine) -> None:
    _deploy(org, OPEN)
    earlier_case = _start(org)
    _deploy(org, CONFIDENTIAL)

    assert not _may_see_case(org, earlier_case, "lise.leder")


def test_deploy_stores_the_reading_rules(org: ProcessEngine) -> None:
    _deploy(org, CONFIDENTIAL)
    with org.transaction(read_only=True):
        definition = org.repository.latest("samtaletest")

    assert (definition.confidential, definition.reader_groups) == (True, ["hr"])


def test_instance_of_confidential_process_keeps_its_unit(org: ProcessEngine,
                                                         confidential_case: int) -> None:
    with org.transaction(read_only=True):
        instance = org.uow.session.get(ProcessInstance, confidential_case)
        unit_code = org.runtime.summary(instance)["unit"]

    assert unit_code == "sykehjem"


# --- checking the properties at deploy ---------------------------------------------------


def test_confidential_must_be_true_or_false(org: ProcessEngine) -> None:
    with pytest.raises(DefinitionInvalid) as caught:
        _deploy(org, '<camunda:property name="confidential" value="ja"/>')

    assert [problem.text for problem in caught.value.problems] == [
        "Prosessegenskapen confidential må være true eller false, ikke ja."]


def test_reader_groups_must_name_a_group(org: ProcessEngine) -> None:
    with pytest.raises(DefinitionInvalid) as caught:
        _deploy(org, '<camunda:property name="readerGroups" value=" , "/>')

    assert [problem.text for problem in caught.value.problems] == [
        "Prosessegenskapen readerGroups nevner ingen gruppe. Skriv gruppenøklene med komma "
        "mellom, eller fjern egenskapen."]
