"""Saken så langt: the completed steps of a case, shown to those who handle it."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from engine.engine import ProcessEngine
from engine.runtime.clock import FixedClock
from tests.web.conftest import ANALYSIS_DATA, MEASURES, handle_to_analysis, open_task_id

HEADING = "Saken så langt"


def _measures_done(engine: ProcessEngine, instance_id: int, clock: FixedClock) -> None:
    """Run the case through the analysis and both measures, an hour apart."""
    clock.advance(timedelta(hours=1))
    engine.tasks.complete(handle_to_analysis(engine, instance_id), "lise.leder",
                          {**ANALYSIS_DATA, "tiltak": MEASURES})
    with engine.transaction(read_only=True):
        measures = engine.tasks.open_tasks_of_instance(instance_id, "GjennomforTiltak")
        owners = {task.id: task.assignee or "" for task in measures}
    for task_id, owner in owners.items():
        clock.advance(timedelta(hours=1))
        engine.tasks.complete(task_id, owner, {"tiltak_element": {
            "status": "gjennomfort", "gjennomforing": f"Gjort av {owner}."}})


def _section(html: str) -> str:
    match = re.search(r'<section class="sloyfe-case-so-far".*?</section>', html, re.S)
    assert match, "the page has no case-so-far section"
    return match.group(0)


def test_case_page_shows_steps_to_handler(login_as: Any, report: Any,
                                          demo_engine: ProcessEngine) -> None:
    instance_id = report()
    handle_to_analysis(demo_engine, instance_id)

    html = login_as("fatima.ansatt").get(f"/saker/{instance_id}").get_data(as_text=True)
    section = _section(html)

    assert HEADING in section
    assert "<h3 class=\"ds-heading\">Vurder avvik</h3>" in section
    assert "Fullført av Lise Johansen 04.01.2027 09:00" in section
    assert "Legevakt kontaktet." in section


def test_steps_are_in_completion_order(login_as: Any, report: Any,
                                       demo_engine: ProcessEngine) -> None:
    instance_id = report()
    handle_to_analysis(demo_engine, instance_id)

    section = _section(login_as("lise.leder").get(f"/saker/{instance_id}")
                       .get_data(as_text=True))

    assert section.index("Vurder avvik") < section.index("Gjennomfør strakstiltak")


def test_case_so_far_hidden_from_reporter(login_as: Any, report: Any,
                                          demo_engine: ProcessEngine) -> None:
    instance_id = report()
    handle_to_analysis(demo_engine, instance_id)

    html = login_as("ola.ansatt").get(f"/saker/{instance_id}").get_data(as_text=True)

    assert HEADING not in html
    assert "Legevakt kontaktet." not in html
    assert "Lise Johansen" not in html


def test_case_so_far_shown_to_administrator(login_as: Any, report: Any,
                                            demo_engine: ProcessEngine) -> None:
    instance_id = report()
    handle_to_analysis(demo_engine, instance_id)

    html = login_as("admin").get(f"/saker/{instance_id}").get_data(as_text=True)

    assert HEADING in html
    assert "Legevakt kontaktet." in html


def test_case_so_far_empty_before_first_step(login_as: Any, report: Any) -> None:
    instance_id = report()

    section = _section(login_as("lise.leder").get(f"/saker/{instance_id}")
                       .get_data(as_text=True))

    assert "Ingen steg i saken er fullført ennå." in section


def test_task_page_shows_steps_before_form(login_as: Any, report: Any,
                                           demo_engine: ProcessEngine) -> None:
    instance_id = report()
    task_id = handle_to_analysis(demo_engine, instance_id)

    html = login_as("lise.leder").get(f"/oppgaver/{task_id}").get_data(as_text=True)

    assert HEADING in html
    assert "Legevakt kontaktet." in _section(html)
    assert html.index(HEADING) < html.index('name="aarsak"')


def test_evaluation_shows_measures_and_owners(login_as: Any, report: Any,
                                              demo_engine: ProcessEngine,
                                              clock: FixedClock) -> None:
    instance_id = report()
    _measures_done(demo_engine, instance_id, clock)
    task_id = open_task_id(demo_engine, instance_id, "EvaluerTiltak")

    section = _section(login_as("lise.leder").get(f"/oppgaver/{task_id}")
                       .get_data(as_text=True))

    assert "<dd>Innfør dobbeltkontroll</dd>" in section
    assert "<dd>Fatima Ali</dd>" in section
    assert "<dd>20.01.2027</dd>" in section
    assert "Gjennomfør tiltak – Innfør dobbeltkontroll" in section
    assert "Fullført av Fatima Ali 04.01.2027 11:00" in section
    assert "Gjort av fatima.ansatt." in section
    assert "<dd>Gjennomført</dd>" in section
    assert "Ikke fylt ut" not in section


def test_case_so_far_escapes_submitted_text(login_as: Any, report: Any,
                                            demo_engine: ProcessEngine) -> None:
    instance_id = report()
    demo_engine.tasks.complete(open_task_id(demo_engine, instance_id, "VurderAvvik"),
                               "lise.leder", {"beslutning": "godta",
                                              "alvorlighetsgrad": "Middels"})
    demo_engine.tasks.complete(open_task_id(demo_engine, instance_id, "Strakstiltak"),
                               "lise.leder", {"strakstiltak": "<b>Ringte</b> legevakt."})

    section = _section(login_as("lise.leder").get(f"/saker/{instance_id}")
                       .get_data(as_text=True))

    assert "<b>Ringte</b>" not in section
    assert "&lt;b&gt;Ringte&lt;/b&gt; legevakt." in section
