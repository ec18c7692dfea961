"""Deploying: valid files become versions; broken and hostile files are refused, in bokmål,
with file, line and element id, and nothing is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.engine import ProcessEngine
from engine.errors import DefinitionInvalid
from engine.models import FormDefinition, ProcessDefinition

ROOT = Path(__file__).resolve().parents[3]
MIWG = ROOT / "tests" / "data" / "miwg"

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">\n')


def process(body: str, pid: str = "enkel", extra: str = "") -> bytes:
    return (HEADER + f'<bpmn:process id="{pid}" name="Enkel" isExecutable="true"{extra}>\n'
            + body + "\n</bpmn:process>\n</bpmn:definitions>\n").encode()


SIMPLE = """<bpmn:startEvent id="start" />
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="oppgave" />
<bpmn:userTask id="oppgave" name="Gjør noe" camunda:candidateGroups="personvernombud" />
<bpmn:sequenceFlow id="f2" sourceRef="oppgave" targetRef="slutt" />
<bpmn:endEvent id="slutt" />"""


def counts(engine: ProcessEngine) -> tuple[int, int]:
    with engine.transaction(read_only=True):
        session = engine.uow.session
        return (session.scalar(select(func.count()).select_from(ProcessDefinition)),
                session.scalar(select(func.count()).select_from(FormDefinition)))


def refused(engine: ProcessEngine, files: list[tuple[str, bytes]]) -> DefinitionInvalid:
    before = counts(engine)
    with pytest.raises(DefinitionInvalid) as raised:
        engine.repository.deploy(files, actor="paal.prosesseier")
    assert counts(engine) == before
    return raised.value


def test_deploy_creates_version_one(engine: ProcessEngine) -> None:
    results = engine.repository.deploy([("enkel.bpmn", process(SIMPLE))])

    assert [(r.kind, r.key, r.version, r.changed) for r in results] == [
        ("process", "enkel", 1, True)]


def test_redeploy_unchanged_keeps_version(engine: ProcessEngine) -> None:
    engine.repository.deploy([("enkel.bpmn", process(SIMPLE))])
    results = engine.repository.deploy([("enkel.bpmn", process(SIMPLE))])

    assert [(r.version, r.changed) for r in results] == [(1, False)]


def test_changed_file_becomes_version_two(engine: ProcessEngine) -> None:
    engine.repository.deploy([("enkel.bpmn", process(SIMPLE))])
    changed = SIMPLE.replace("Gjør noe", "Gjør noe annet")
    results = engine.repository.deploy([("enkel.bpmn", process(changed))])

    assert [(r.version, r.changed) for r in results] == [(2, True)]


def test_running_instance_stays_on_its_version(demo_engine: ProcessEngine) -> None:
    engine = demo_engine
    engine.repository.deploy([("enkel.bpmn", process(SIMPLE))])
    first = engine.runtime.start("enkel", "ola.ansatt", {}).instance_id
    engine.repository.deploy([("enkel.bpmn", process(SIMPLE.replace("Gjør noe", "Nytt steg")))])
    second = engine.runtime.start("enkel", "ola.ansatt", {}).instance_id

    with engine.transaction(read_only=True):
        names = {i: engine.tasks.open_tasks_of_instance(i)[0].name for i in (first, second)}
    assert names == {first: "Gjør noe", second: "Nytt steg"}


def test_not_well_formed_xml_names_line(engine: ProcessEngine) -> None:
    error = refused(engine, [("brudd.bpmn", b"<bpmn:definitions>\n<unclosed>\n")])

    problem = error.problems[0]
    assert problem.file == "brudd.bpmn"
    assert problem.line == 1
    assert "ikke gyldig XML" in problem.text


def test_external_entity_is_refused(engine: ProcessEngine, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("hemmelig")
    hostile = (f'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
               '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
               '<bpmn:process id="p" name="&xxe;" isExecutable="true"/></bpmn:definitions>')
    error = refused(engine, [("xxe.bpmn", hostile.encode())])

    assert error.problems[0].line == 2
    assert "DOCTYPE" in error.problems[0].text
    assert "hemmelig" not in str(error)


def test_entity_expansion_bomb_is_refused(engine: ProcessEngine) -> None:
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    bomb = (f'<?xml version="1.0"?><!DOCTYPE d [{entities}]>'
            '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
            '<bpmn:process id="p" name="&j;" isExecutable="true"/></bpmn:definitions>')
    error = refused(engine, [("bombe.bpmn", bomb.encode())])

    assert "dokumenttypedeklarasjon" in error.problems[0].text


def test_oversized_file_is_refused(make_engine) -> None:
    engine = make_engine(MAX_DEFINITION_BYTES=10_000)
    padding = "<!-- " + "x" * 20_000 + " -->"
    error = refused(engine, [("stor.bpmn", process(SIMPLE + padding))])

    assert "mer enn grensen på 9 kB" in error.problems[0].text


def test_unknown_topic_names_element_and_line(engine: ProcessEngine) -> None:
    body = SIMPLE.replace(
        '<bpmn:sequenceFlow id="f2" sourceRef="oppgave" targetRef="slutt" />',
        '<bpmn:sequenceFlow id="f2" sourceRef="oppgave" targetRef="svc" />\n'
        '<bpmn:serviceTask id="svc" camunda:type="external" camunda:topic="finnes.ikke" />\n'
        '<bpmn:sequenceFlow id="f3" sourceRef="svc" targetRef="slutt" />')
    error = refused(engine, [("emne.bpmn", process(body))])

    problem = error.problems[0]
    assert problem.element_id == "svc"
    assert problem.line == 8
    assert "finnes.ikke" in problem.text
    assert "avvik.frister" in problem.text


def test_java_delegate_is_refused(engine: ProcessEngine) -> None:
    body = SIMPLE.replace(
        '<bpmn:userTask id="oppgave" name="Gjør noe" camunda:candidateGroups="personvernombud" />',
        '<bpmn:serviceTask id="oppgave" camunda:class="no.kommune.Delegate" />')
    error = refused(engine, [("java.bpmn", process(body))])

    assert error.problems[0].element_id == "oppgave"
    assert "Java-kode" in error.problems[0].text


def test_missing_form_is_refused(engine: ProcessEngine) -> None:
    body = SIMPLE.replace('camunda:candidateGroups="personvernombud"',
                          'camunda:candidateGroups="personvernombud" camunda:formRef="mangler"')
    error = refused(engine, [("skjema.bpmn", process(body))])

    assert error.problems[0].element_id == "oppgave"
    assert "mangler" in error.problems[0].text


def test_bad_timer_expression_is_refused(engine: ProcessEngine) -> None:
    body = SIMPLE + """
<bpmn:boundaryEvent id="frist" attachedToRef="oppgave" cancelActivity="false">
  <bpmn:timerEventDefinition><bpmn:timeDuration>PT72X</bpmn:timeDuration></bpmn:timerEventDefinition>
</bpmn:boundaryEvent>"""
    error = refused(engine, [("tid.bpmn", process(body))])

    assert error.problems[0].element_id == "frist"
    assert "PT72X" in error.problems[0].text


def test_quoted_bad_timer_is_refused(engine: ProcessEngine) -> None:
    body = SIMPLE + """
<bpmn:boundaryEvent id="frist" attachedToRef="oppgave" cancelActivity="false">
  <bpmn:timerEventDefinition><bpmn:timeDuration>"PT72X"</bpmn:timeDuration></bpmn:timerEventDefinition>
</bpmn:boundaryEvent>"""
    error = refused(engine, [("tid.bpmn", process(body))])

    assert error.problems[0].element_id == "frist"
    assert "«PT72X» er ikke en ISO 8601-varighet" in error.problems[0].text


def test_forbidden_condition_is_refused_at_deploy(engine: ProcessEngine) -> None:
    body = """<bpmn:startEvent id="start" />
<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="valg" />
<bpmn:exclusiveGateway id="valg" default="f2" />
<bpmn:sequenceFlow id="f1" sourceRef="valg" targetRef="slutt">
  <bpmn:conditionExpression>__import__('os').system('id')</bpmn:conditionExpression>
</bpmn:sequenceFlow>
<bpmn:sequenceFlow id="f2" sourceRef="valg" targetRef="slutt" />
<bpmn:endEvent id="slutt" />"""
    error = refused(engine, [("farlig.bpmn", process(body))])

    assert error.problems[0].element_id == "f1"
    assert "sandkassen" in error.problems[0].text


def test_task_nobody_can_take_is_refused(engine: ProcessEngine) -> None:
    body = SIMPLE.replace(' camunda:candidateGroups="personvernombud"', "")
    error = refused(engine, [("ingen.bpmn", process(body))])

    assert error.problems[0].element_id == "oppgave"
    assert "Ingen kan ta denne oppgaven" in error.problems[0].text


def test_every_problem_of_a_file_is_reported(engine: ProcessEngine) -> None:
    body = SIMPLE.replace(' camunda:candidateGroups="personvernombud"', "") + \
        '\n<bpmn:serviceTask id="svc" />' \
        '\n<bpmn:sequenceFlow id="f9" sourceRef="svc" targetRef="borte" />'
    error = refused(engine, [("mange.bpmn", process(body))])

    assert {p.element_id for p in error.problems} >= {"oppgave", "svc", "f9"}


def test_one_bad_file_stops_the_whole_deployment(engine: ProcessEngine) -> None:
    refused(engine, [("enkel.bpmn", process(SIMPLE)), ("brudd.bpmn", b"<x")])


def test_message_names_file_line_and_element(engine: ProcessEngine) -> None:
    body = SIMPLE.replace(' camunda:candidateGroups="personvernombud"', "")
    error = refused(engine, [("ingen.bpmn", process(body))])

    assert str(error).splitlines()[0] == "ingen.bpmn ble ikke publisert."
    assert str(error).splitlines()[1].startswith("ingen.bpmn, linje 6, element oppgave: ")


@pytest.mark.parametrize("path", sorted(MIWG.glob("*.bpmn")), ids=lambda p: p.name)
def test_reference_models_deploy_or_explain(engine: ProcessEngine, path: Path) -> None:
    """Models drawn by other tools either deploy or are refused element by element."""
    try:
        engine.repository.deploy([(path.name, path.read_bytes())])
    except DefinitionInvalid as error:
        assert error.problems
        for problem in error.problems:
            assert problem.file == path.name
            assert problem.text
            assert problem.line is not None or problem.element_id is not None
