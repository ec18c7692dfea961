"""Validation against the BPMN 2.0 XML schema: each violation named by line and element, in
bokmål, as a warning of the modeler's validation that does not block deploying."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine.engine import ProcessEngine
from engine.i18n import use_locale
from engine.runtime.bpmn_schema import MAX_PROBLEMS, schema_problems
from tests.engine.services.test_drafts import SIMPLE, diagram

ROOT = Path(__file__).resolve().parents[3]

LATE_DOCUMENTATION = SIMPLE.replace(
    '<bpmn:userTask id="oppgave" name="Gjør noe" camunda:candidateGroups="personvernombud" />',
    '<bpmn:userTask id="oppgave" name="Gjør noe" camunda:candidateGroups="personvernombud">'
    '\n<bpmn:incoming>f1</bpmn:incoming>\n<bpmn:documentation>Gjør det.</bpmn:documentation>'
    '\n</bpmn:userTask>')


def problems_of(xml: str) -> list:
    return schema_problems(etree.fromstring(xml.encode()))


@pytest.mark.parametrize("path", sorted((ROOT / "bpmn").glob("*.bpmn")), ids=lambda p: p.name)
def test_shipped_diagram_follows_schema(path: Path) -> None:
    problems = schema_problems(etree.parse(str(path)).getroot())

    assert [(problem.line, problem.detail) for problem in problems] == []


def test_valid_diagram_has_no_problems() -> None:
    assert problems_of(diagram(SIMPLE)) == []


def test_late_documentation_names_task() -> None:
    (problem,) = problems_of(diagram(LATE_DOCUMENTATION))

    assert problem.element_id == "oppgave"
    assert problem.line == 8


def test_late_documentation_message_in_bokmal() -> None:
    with use_locale("nb"):
        (problem,) = problems_of(diagram(LATE_DOCUMENTATION))

    assert problem.message.startswith("Linje 8: «documentation» er ikke tillatt her i "
                                      "«userTask»")


def test_unknown_attribute_is_named() -> None:
    xml = diagram(SIMPLE.replace('<bpmn:endEvent id="slutt" />',
                                 '<bpmn:endEvent id="slutt" farge="rød" />'))

    with use_locale("nb"):
        (problem,) = problems_of(xml)

    assert problem.element_id == "slutt"
    assert "«farge»" in problem.message


def test_missing_attribute_is_named() -> None:
    xml = diagram(SIMPLE.replace('targetRef="slutt" />', "/>"))

    with use_locale("nb"):
        (problem,) = problems_of(xml)

    assert problem.element_id == "f2"
    assert "«targetRef»" in problem.message


def test_invalid_value_is_quoted() -> None:
    xml = diagram(SIMPLE).replace('isExecutable="true"', 'isExecutable="ja"')

    with use_locale("nb"):
        (problem,) = problems_of(xml)

    assert problem.element_id == "enkel"
    assert "'ja'" in problem.message


def test_problem_list_is_capped() -> None:
    ends = "\n".join(f'<bpmn:endEvent id="slutt{n}" farge="rød" />' for n in range(80))

    assert len(problems_of(diagram(SIMPLE + ends))) == MAX_PROBLEMS


def test_validation_warns_without_error(demo_engine: ProcessEngine) -> None:
    report = demo_engine.drafts.validate(diagram(LATE_DOCUMENTATION, owners="kvalitet"))

    assert [(item.kind, item.element_id) for item in report.warnings] == [("schema", "oppgave")]
    assert report.errors == []
