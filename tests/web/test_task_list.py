"""The task lists: Mine oppgaver, Felles oppgaver and Enhetens oppgaver."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from engine.engine import ProcessEngine
from engine.runtime.clock import FixedClock
from tests.web.conftest import open_task_id


def test_shared_list_shows_new_task_to_unit_leader(login_as: Any, report: Any) -> None:
    report()

    html = login_as("lise.leder").get("/oppgaver?visning=felles").get_data(as_text=True)

    assert "Vurder avvik" in html
    assert "Feil medisin gitt på kveldsvakt" in html
    assert "AVVIK-2027-00001" in html
    assert "Ikke tildelt" in html
    assert "Tildel meg" in html


def test_shared_list_hides_task_from_other_leader(login_as: Any, report: Any) -> None:
    report()

    html = login_as("per.leder").get("/oppgaver?visning=felles").get_data(as_text=True)

    assert "Vurder avvik" not in html
    assert "Ingen felles oppgaver venter på deg eller gruppene dine." in html


def test_list_shows_deadline_in_oslo_time(login_as: Any, report: Any) -> None:
    report()

    html = login_as("lise.leder").get("/oppgaver?visning=felles").get_data(as_text=True)

    # Reported Monday 04.01.2027 09:00 in Oslo; "Vurder avvik" is due three days later.
    assert "07.01.2027 09:00" in html
    assert "Frist passert" not in html
    assert "Frist nærmer seg" not in html


def test_list_marks_deadline_soon(login_as: Any, report: Any, clock: FixedClock) -> None:
    report()
    clock.advance(timedelta(days=2, hours=12))

    html = login_as("lise.leder").get("/oppgaver?visning=felles").get_data(as_text=True)

    assert "Frist nærmer seg" in html


def test_list_marks_deadline_passed(login_as: Any, report: Any, clock: FixedClock) -> None:
    report()
    clock.advance(timedelta(days=3, minutes=1))

    html = login_as("lise.leder").get("/oppgaver?visning=felles").get_data(as_text=True)

    assert "Frist passert" in html


def test_list_shows_priority_as_text(login_as: Any, report: Any) -> None:
    report(alvorlighetsgrad="Kritisk")

    html = login_as("lise.leder").get("/oppgaver?visning=felles").get_data(as_text=True)

    assert '<td data-label="Prioritet">Kritisk</td>' in html


def test_mine_list_shows_claimed_task(login_as: Any, report: Any,
                                      demo_engine: ProcessEngine) -> None:
    task_id = open_task_id(demo_engine, report(), "VurderAvvik")
    demo_engine.tasks.claim(task_id, "lise.leder")

    html = login_as("lise.leder").get("/oppgaver?visning=mine").get_data(as_text=True)

    assert "Vurder avvik" in html
    assert "Tildelt" in html
    assert "Tildel meg" not in html


def test_mine_list_empty_state(login_as: Any) -> None:
    html = login_as("ola.ansatt").get("/oppgaver").get_data(as_text=True)

    assert "Du har ingen oppgaver nå." in html


def test_unit_list_shows_task_assigned_to_other(login_as: Any, report: Any,
                                                demo_engine: ProcessEngine) -> None:
    task_id = open_task_id(demo_engine, report(), "VurderAvvik")
    demo_engine.tasks.claim(task_id, "fatima.ansatt")

    html = login_as("lise.leder").get("/oppgaver?visning=enhet").get_data(as_text=True)

    assert "Vurder avvik" in html
    assert "Fatima Ali" in html


def test_unit_tab_only_for_leaders(login_as: Any) -> None:
    employee = login_as("ola.ansatt").get("/oppgaver").get_data(as_text=True)
    leader = login_as("lise.leder").get("/oppgaver").get_data(as_text=True)

    assert "visning=enhet" not in employee
    assert "visning=enhet" in leader


def test_list_marks_escalated_task(login_as: Any, report: Any,
                                   demo_engine: ProcessEngine, clock: FixedClock) -> None:
    report()
    # Escalation comes two days after the three-day deadline.
    clock.advance(timedelta(days=5, hours=1))
    demo_engine.management.run_due()

    html = login_as("lise.leder").get("/oppgaver?visning=felles").get_data(as_text=True)

    assert "Sendt til overordnet leder" in html
    assert "Sendt til leder<" not in html


def test_list_marks_task_sent_to_own_leader(login_as: Any, report: Any,
                                            demo_engine: ProcessEngine,
                                            clock: FixedClock) -> None:
    report(personopplysninger=True, oppdaget="2027-01-04T08:30:00+01:00")
    # The privacy officer's task goes to the leader of its unit 24 hours before its
    # 72-hour deadline.
    clock.advance(timedelta(hours=49))
    demo_engine.management.run_due()

    html = login_as("lise.leder").get("/oppgaver?visning=felles").get_data(as_text=True)

    assert "Vurder melding til Datatilsynet" in html
    assert "Sendt til leder<" in html
    assert "Sendt til overordnet leder" not in html


def test_unit_list_includes_units_below(login_as: Any, report: Any,
                                        demo_engine: ProcessEngine) -> None:
    task_id = open_task_id(demo_engine, report(), "VurderAvvik")

    html = login_as("tor.kommunalsjef").get("/oppgaver?visning=enhet").get_data(as_text=True)

    assert "Vurder avvik" in html
    assert "AVVIK-2027-00001" in html
    assert f'href="/oppgaver/{task_id}"' in html


def test_unit_list_includes_whole_subtree(login_as: Any, report: Any) -> None:
    report()

    html = login_as("kari.direktor").get("/oppgaver?visning=enhet").get_data(as_text=True)

    assert "Vurder avvik" in html


def test_unit_list_leaves_out_other_branch(login_as: Any, report: Any) -> None:
    report()

    html = login_as("nina.kommunalsjef").get("/oppgaver?visning=enhet").get_data(as_text=True)

    assert "Vurder avvik" not in html


def test_leader_above_may_open_unit_task(login_as: Any, report: Any,
                                         demo_engine: ProcessEngine) -> None:
    instance_id = report()
    task_id = open_task_id(demo_engine, instance_id, "VurderAvvik")
    client = login_as("tor.kommunalsjef")

    assert client.get(f"/oppgaver/{task_id}").status_code == 200
    assert client.get(f"/saker/{instance_id}").status_code == 200
    assert login_as("nina.kommunalsjef").get(f"/oppgaver/{task_id}").status_code == 404


def test_home_card_counts_units_below(login_as: Any, report: Any) -> None:
    report()
    report(tittel="Fall i gangen")

    html = login_as("tor.kommunalsjef").get("/").get_data(as_text=True)

    assert "2 åpne oppgaver i enhetene du leder og enhetene under dem" in html
