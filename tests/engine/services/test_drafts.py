"""Drafts: who may edit a process, saving and deploying drafts, validation on demand, version
history and diffs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.engine import ProcessEngine
from engine.errors import DefinitionInvalid
from engine.services.drafts import (
    ChangeNoteMissing,
    DraftNotFound,
    NewProcessNotAllowed,
    NotDraftEditor,
    NotProcessOwner,
    diff_diagrams,
)

ROOT = Path(__file__).resolve().parents[3]
HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">\n')


def diagram(body: str, pid: str = "enkel", owners: str | None = None) -> str:
    properties = ""
    if owners is not None:
        properties = ('<bpmn:extensionElements><camunda:properties><camunda:property '
                      f'name="ownerGroups" value="{owners}" /></camunda:properties>'
                      '</bpmn:extensionElements>\n')
    return (HEADER + f'<bpmn:process id="{pid}" name="Enkel" isExecutable="true">\n'
            + properties + body + "\n</bpmn:process>\n</bpmn:definitions>\n")


SIMPLE = """<bpmn:startEvent id="start" />
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="oppgave" />
<bpmn:userTask id="oppgave" name="Gjør noe" camunda:candidateGroups="personvernombud" />
<bpmn:sequenceFlow id="f2" sourceRef="oppgave" targetRef="slutt" />
<bpmn:endEvent id="slutt" />"""

FORM = {"id": "enkel-skjema", "type": "default", "components": [
    {"id": "f_valg", "key": "valg", "type": "textfield", "label": "Valg"}]}

WITH_FORM = """<bpmn:startEvent id="start" />
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="oppgave" />
<bpmn:userTask id="oppgave" name="Velg" camunda:candidateGroups="personvernombud"
  camunda:formRef="enkel-skjema" />
<bpmn:sequenceFlow id="f2" sourceRef="oppgave" targetRef="port" />
<bpmn:exclusiveGateway id="port" default="f4" />
<bpmn:sequenceFlow id="f3" sourceRef="port" targetRef="slutt">
  <bpmn:conditionExpression>{condition}</bpmn:conditionExpression>
</bpmn:sequenceFlow>
<bpmn:sequenceFlow id="f4" sourceRef="port" targetRef="slutt" />
<bpmn:endEvent id="slutt" />"""


def finding_ids(findings: list) -> list[tuple[str, str | None]]:
    return [(item.kind, item.element_id) for item in findings]


# --- who may edit -------------------------------------------------------------------------------

def test_owner_group_member_may_edit_avvik(demo_engine: ProcessEngine) -> None:
    assert demo_engine.drafts.may_edit("paal.prosesseier", "avvik")


def test_process_owner_outside_owner_groups_may_not_edit(demo_engine: ProcessEngine) -> None:
    assert not demo_engine.drafts.may_edit("paal.prosesseier", "budsjett")


def test_administrator_may_edit_every_process(demo_engine: ProcessEngine) -> None:
    assert demo_engine.drafts.may_edit("admin", "budsjett")


def test_employee_may_not_edit(demo_engine: ProcessEngine) -> None:
    assert not demo_engine.drafts.may_edit("ola.ansatt", "avvik")


def test_owner_group_member_without_role_may_edit(demo_engine: ProcessEngine) -> None:
    assert demo_engine.drafts.may_edit("hanne.hr", "medarbeidersamtale")


def test_ownerless_process_open_to_role(demo_engine: ProcessEngine) -> None:
    demo_engine.repository.deploy([("enkel.bpmn", diagram(SIMPLE).encode())])

    assert demo_engine.drafts.may_edit("paal.prosesseier", "enkel")


def test_process_without_owner_groups_is_closed_to_others(demo_engine: ProcessEngine) -> None:
    demo_engine.repository.deploy([("enkel.bpmn", diagram(SIMPLE).encode())])

    assert not demo_engine.drafts.may_edit("hanne.hr", "enkel")


def test_new_process_needs_the_role(demo_engine: ProcessEngine) -> None:
    with pytest.raises(NewProcessNotAllowed):
        demo_engine.drafts.save("ola.ansatt", diagram(SIMPLE, pid="ny"))


def test_empty_owner_groups_is_refused_on_deploy(demo_engine: ProcessEngine) -> None:
    with pytest.raises(DefinitionInvalid):
        demo_engine.repository.deploy([("enkel.bpmn", diagram(SIMPLE, owners=" , ").encode())])


# --- drafts -------------------------------------------------------------------------------------

def test_save_reads_key_and_version(demo_engine: ProcessEngine) -> None:
    avvik = (ROOT / "bpmn" / "avvik.bpmn").read_text()

    draft = demo_engine.drafts.save("paal.prosesseier", avvik)

    assert (draft.process_key, draft.base_version, draft.label) == (
        "avvik", 1, "Avvikshåndtering")


def test_non_owner_cannot_save_draft(demo_engine: ProcessEngine) -> None:
    budsjett = (ROOT / "bpmn" / "budsjett.bpmn").read_text()

    with pytest.raises(NotProcessOwner):
        demo_engine.drafts.save("paal.prosesseier", budsjett)


def test_unreadable_draft_is_saved_with_its_text(demo_engine: ProcessEngine) -> None:
    draft = demo_engine.drafts.save("paal.prosesseier", "<bpmn:definitions", process_key=None,
                                    label="Halvferdig")

    stored = demo_engine.drafts.get("paal.prosesseier", draft.id)
    assert stored.bpmn_xml == "<bpmn:definitions"


def test_update_keeps_author_and_records_editor(demo_engine: ProcessEngine) -> None:
    draft = demo_engine.drafts.save("paal.prosesseier", diagram(SIMPLE, pid="ny"))

    updated = demo_engine.drafts.save("admin", diagram(SIMPLE.replace("Gjør noe", "Annet"),
                                                       pid="ny"), draft_id=draft.id)

    assert (updated.author, updated.updated_by) == ("paal.prosesseier", "admin")


def test_other_user_may_not_update_a_draft(demo_engine: ProcessEngine) -> None:
    draft = demo_engine.drafts.save("admin", diagram(SIMPLE, pid="ny", owners="okonomi"))
    demo_engine.drafts.deploy("admin", draft.id, "Første versjon")

    with pytest.raises(NotDraftEditor):
        demo_engine.drafts.save("paal.prosesseier", diagram(SIMPLE, pid="ny"), draft_id=draft.id)


def test_list_shows_drafts_of_the_process(demo_engine: ProcessEngine) -> None:
    avvik = (ROOT / "bpmn" / "avvik.bpmn").read_text()
    first = demo_engine.drafts.save("paal.prosesseier", avvik, label="Første")
    second = demo_engine.drafts.save("admin", avvik, label="Andre")

    listed = demo_engine.drafts.drafts("paal.prosesseier", "avvik")

    assert {draft.id for draft in listed} == {first.id, second.id}


def test_delete_removes_the_draft(demo_engine: ProcessEngine) -> None:
    draft = demo_engine.drafts.save("paal.prosesseier", diagram(SIMPLE, pid="ny"))
    demo_engine.drafts.delete("paal.prosesseier", draft.id)

    with pytest.raises(DraftNotFound):
        demo_engine.drafts.get("paal.prosesseier", draft.id)


def test_deploy_needs_a_change_note(demo_engine: ProcessEngine) -> None:
    draft = demo_engine.drafts.save("paal.prosesseier", diagram(SIMPLE, pid="ny"))

    with pytest.raises(ChangeNoteMissing):
        demo_engine.drafts.deploy("paal.prosesseier", draft.id, "  ")


def test_deploy_refuses_a_draft_with_errors(demo_engine: ProcessEngine) -> None:
    broken = SIMPLE.replace(' camunda:candidateGroups="personvernombud"', "")
    draft = demo_engine.drafts.save("paal.prosesseier", diagram(broken, pid="ny"))

    with pytest.raises(DefinitionInvalid) as raised:
        demo_engine.drafts.deploy("paal.prosesseier", draft.id, "Første versjon")
    assert [p.element_id for p in raised.value.problems] == ["oppgave"]


def test_deploy_stores_version_with_forms_and_note(demo_engine: ProcessEngine) -> None:
    engine = demo_engine
    xml = diagram(WITH_FORM.format(condition='valg == "ja"'), pid="ny")
    draft = engine.drafts.save("paal.prosesseier", xml, {"enkel-skjema": FORM})

    deployed = engine.drafts.deploy("paal.prosesseier", draft.id, "Første versjon")

    with engine.transaction(read_only=True):
        record = engine.repository.latest("ny")
        form = engine.repository.latest_form("enkel-skjema")
        assert (deployed.deployed_version, record.change_note, record.deployed_by,
                form.schema["id"]) == (1, "Første versjon", "paal.prosesseier", "enkel-skjema")


def test_running_case_finishes_on_its_old_version(demo_engine: ProcessEngine) -> None:
    engine = demo_engine
    draft = engine.drafts.save("admin", diagram(SIMPLE, pid="ny"))
    engine.drafts.deploy("admin", draft.id, "Første versjon")
    old_case = engine.runtime.start("ny", "ola.ansatt", {}).instance_id
    engine.drafts.save("admin", diagram(SIMPLE.replace("Gjør noe", "Nytt steg"), pid="ny"),
                       draft_id=draft.id)
    engine.drafts.deploy("admin", draft.id, "Nytt navn på steget")

    with engine.transaction(read_only=True):
        task = engine.tasks.open_tasks_of_instance(old_case)[0]
    engine.tasks.claim(task.id, "pia.personvern")
    engine.tasks.complete(task.id, "pia.personvern", {})
    with engine.transaction(read_only=True):
        instance = engine.runtime.instance(old_case)
        definition = engine.repository.definition(instance.definition_id)
        assert (task.name, instance.status, definition.version) == ("Gjør noe", "completed", 1)


def test_camunda_modeler_file_deploys_unchanged(demo_engine: ProcessEngine) -> None:
    source = ROOT / "tests" / "data" / "camunda7" / "skjemaflyt.bpmn"
    text = source.read_text(encoding="utf-8")
    draft = demo_engine.drafts.save("admin", text)

    demo_engine.drafts.deploy("admin", draft.id, "Fra Camunda Modeler")

    with demo_engine.transaction(read_only=True):
        assert demo_engine.repository.latest(draft.process_key).bpmn_xml == text


# --- validation ---------------------------------------------------------------------------------

def test_valid_draft_has_no_errors(demo_engine: ProcessEngine) -> None:
    xml = diagram(WITH_FORM.format(condition='valg == "ja"'))

    report = demo_engine.drafts.validate(xml, {"enkel-skjema": FORM})

    assert (report.errors, report.warnings) == ([], [])


def test_hostile_xml_is_refused(demo_engine: ProcessEngine) -> None:
    hostile = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
               '<d>&e;</d>')

    report = demo_engine.drafts.validate(hostile)

    assert [item.kind for item in report.errors] == ["xml"]


def test_task_nobody_can_take_is_an_error(demo_engine: ProcessEngine) -> None:
    xml = diagram(SIMPLE.replace(' camunda:candidateGroups="personvernombud"', ""))

    report = demo_engine.drafts.validate(xml)

    assert finding_ids(report.errors) == [("model", "oppgave")]


def test_unknown_candidate_group_is_a_warning(demo_engine: ProcessEngine) -> None:
    xml = diagram(SIMPLE.replace("personvernombud", "finnes-ikke"))

    report = demo_engine.drafts.validate(xml)

    assert finding_ids(report.warnings) == [("assignment", "oppgave")]


def test_lane_named_after_no_group_is_a_warning(demo_engine: ProcessEngine) -> None:
    lane = ('<bpmn:laneSet id="baner"><bpmn:lane id="bane" name="Ukjent gruppe">'
            '<bpmn:flowNodeRef>oppgave</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>\n')
    xml = diagram(lane + SIMPLE.replace(' camunda:candidateGroups="personvernombud"', ""))

    report = demo_engine.drafts.validate(xml)

    assert (finding_ids(report.errors), finding_ids(report.warnings)) == (
        [], [("assignment", "oppgave")])


def test_unknown_form_is_an_error(demo_engine: ProcessEngine) -> None:
    xml = diagram(WITH_FORM.format(condition='valg == "ja"'))

    report = demo_engine.drafts.validate(xml)

    assert finding_ids(report.errors) == [("reference", "oppgave")]


def test_form_key_is_a_warning(demo_engine: ProcessEngine) -> None:
    xml = diagram(SIMPLE.replace('name="Gjør noe"', 'name="Gjør noe" camunda:formKey="x"'))

    report = demo_engine.drafts.validate(xml)

    assert finding_ids(report.warnings) == [("reference", "oppgave")]


def test_unknown_topic_is_an_error(demo_engine: ProcessEngine) -> None:
    xml = diagram(SIMPLE.replace(
        '<bpmn:userTask id="oppgave" name="Gjør noe" camunda:candidateGroups="personvernombud" />',
        '<bpmn:serviceTask id="oppgave" camunda:type="external" camunda:topic="finnes-ikke" />'))

    report = demo_engine.drafts.validate(xml)

    assert finding_ids(report.errors) == [("reference", "oppgave")]


def test_bad_timer_is_an_error(demo_engine: ProcessEngine) -> None:
    timer = ('<bpmn:boundaryEvent id="frist" attachedToRef="oppgave"><bpmn:timerEventDefinition>'
             '<bpmn:timeDuration>om tre dager</bpmn:timeDuration></bpmn:timerEventDefinition>'
             '</bpmn:boundaryEvent>')
    xml = diagram(SIMPLE + timer)

    report = demo_engine.drafts.validate(xml)

    assert finding_ids(report.errors) == [("model", "frist")]


def test_condition_breaking_the_sandbox_is_an_error(demo_engine: ProcessEngine) -> None:
    xml = diagram(WITH_FORM.format(condition="valg.__class__ == 1"))

    report = demo_engine.drafts.validate(xml, {"enkel-skjema": FORM})

    assert finding_ids(report.errors) == [("model", "f3")]


def test_condition_on_unknown_field_is_a_warning(demo_engine: ProcessEngine) -> None:
    xml = diagram(WITH_FORM.format(condition='vlag == "ja"'))

    report = demo_engine.drafts.validate(xml, {"enkel-skjema": FORM})

    assert (finding_ids(report.errors), finding_ids(report.warnings)) == (
        [], [("condition_field", "f3")])


def test_condition_on_a_deployed_form_field_passes(demo_engine: ProcessEngine) -> None:
    demo_engine.repository.deploy([("enkel-skjema.form", json.dumps(FORM).encode())])
    xml = diagram(WITH_FORM.format(condition='valg == "ja"'))

    report = demo_engine.drafts.validate(xml)

    assert report.warnings == []


def test_broken_draft_form_is_an_error(demo_engine: ProcessEngine) -> None:
    xml = diagram(WITH_FORM.format(condition='valg == "ja"'))
    broken = {**FORM, "components": [{"id": "f_valg", "type": "textfield"}]}

    report = demo_engine.drafts.validate(xml, {"enkel-skjema": broken})

    assert [item.kind for item in report.errors] == ["form"]


def test_shipped_processes_validate_without_errors(demo_engine: ProcessEngine) -> None:
    texts = {path.stem: path.read_text(encoding="utf-8")
             for path in sorted((ROOT / "bpmn").glob("*.bpmn"))}

    errors = {key: demo_engine.drafts.validate(text).errors for key, text in texts.items()}

    assert {key: found for key, found in errors.items() if found} == {}


# --- versions and diffs -------------------------------------------------------------------------

def test_versions_list_running_cases_and_display_names(demo_engine: ProcessEngine) -> None:
    engine = demo_engine
    draft = engine.drafts.save("paal.prosesseier", diagram(SIMPLE, pid="ny"))
    engine.drafts.deploy("paal.prosesseier", draft.id, "Første versjon")
    engine.runtime.start("ny", "ola.ansatt", {})
    engine.drafts.save("paal.prosesseier", diagram(SIMPLE.replace("Gjør noe", "Nytt"), pid="ny"),
                       draft_id=draft.id)
    engine.drafts.deploy("paal.prosesseier", draft.id, "Nytt navn")

    versions = engine.drafts.versions("ny")

    assert [(v["version"], v["running_instances"], v["change_note"], v["deployed_by_name"])
            for v in versions] == [(2, 0, "Nytt navn", "Pål Eide (prosesseier)"),
                                   (1, 1, "Første versjon", "Pål Eide (prosesseier)")]


def test_diff_finds_added_removed_and_changed_elements() -> None:
    before = diagram(SIMPLE)
    after = diagram(SIMPLE.replace("Gjør noe", "Gjør noe annet")
                    .replace('<bpmn:endEvent id="slutt" />', '<bpmn:endEvent id="ferdig" />')
                    .replace('targetRef="slutt"', 'targetRef="ferdig"'))

    diff = diff_diagrams(before, after)

    assert ([item["id"] for item in diff["added"]], [item["id"] for item in diff["removed"]],
            [item["id"] for item in diff["changed"]]) == (["ferdig"], ["slutt"], ["f2", "oppgave"])


def test_diff_names_the_changed_fields() -> None:
    before = diagram(WITH_FORM.format(condition='valg == "ja"'))
    after = diagram(WITH_FORM.format(condition='valg == "nei"'))

    diff = diff_diagrams(before, after)

    assert diff["changed"] == [{"id": "f3", "type": "sequenceFlow", "name": "", "changes": [
        {"field": "content:conditionExpression", "before": 'valg == "ja"',
         "after": 'valg == "nei"'}]}]


def test_diff_of_stored_versions(demo_engine: ProcessEngine) -> None:
    engine = demo_engine
    engine.repository.deploy([("enkel.bpmn", diagram(SIMPLE).encode())])
    engine.repository.deploy([("enkel.bpmn", diagram(SIMPLE, owners="okonomi").encode())])

    diff = engine.drafts.diff("enkel", 1, 2)

    assert diff["changed"][0]["changes"] == [
        {"field": "property:ownerGroups", "before": None, "after": "okonomi"}]


# --- conditions on variables a handler sets -----------------------------------------------------

HANDLER_THEN_CONDITION = """<bpmn:startEvent id="start" />
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="beregn" />
<bpmn:serviceTask id="beregn" camunda:type="external" camunda:topic="{topic}" />
<bpmn:sequenceFlow id="f2" sourceRef="beregn" targetRef="port" />
<bpmn:exclusiveGateway id="port" default="f4" />
<bpmn:sequenceFlow id="f3" sourceRef="port" targetRef="slutt">
  <bpmn:conditionExpression>resultat == "ja"</bpmn:conditionExpression>
</bpmn:sequenceFlow>
<bpmn:sequenceFlow id="f4" sourceRef="port" targetRef="slutt">
  <bpmn:conditionExpression>resultat == "nei"</bpmn:conditionExpression>
</bpmn:sequenceFlow>
<bpmn:endEvent id="slutt" />"""


def set_result(ctx: object) -> dict[str, str]:
    return {"resultat": "ja"}


def test_declared_handler_output_passes(demo_engine: ProcessEngine) -> None:
    demo_engine.handlers.register("test.resultat", set_result, outputs=("resultat",))
    xml = diagram(HANDLER_THEN_CONDITION.format(topic="test.resultat"))

    report = demo_engine.drafts.validate(xml)

    assert finding_ids(report.warnings) == []


def test_undeclared_variable_warns_once(demo_engine: ProcessEngine) -> None:
    demo_engine.handlers.register("test.uten-utdata", set_result)
    xml = diagram(HANDLER_THEN_CONDITION.format(topic="test.uten-utdata"))

    report = demo_engine.drafts.validate(xml)

    assert finding_ids(report.warnings) == [("condition_field", "f3")]


def test_shipped_conditions_read_known_variables(demo_engine: ProcessEngine) -> None:
    texts = {path.stem: path.read_text(encoding="utf-8")
             for path in sorted((ROOT / "bpmn").glob("*.bpmn"))}

    warned = {key: [item.element_id for item in demo_engine.drafts.validate(text).warnings
                    if item.kind == "condition_field"] for key, text in texts.items()}

    assert {key: found for key, found in warned.items() if found} == {}
