"""Task list filters, sort orders and pages in the query string, and their error messages."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from engine.engine import ProcessEngine
from engine.runtime.clock import FixedClock


def next_page_link(html: str) -> str:
    match = re.search(r'href="([^"]+)" rel="next"', html)
    assert match, "the page has no next-page link"
    return match.group(1).replace("&amp;", "&")


@pytest.fixture
def two_cases(report: Any, clock: FixedClock) -> None:
    """AVVIK-2027-00001 overdue by a minute, AVVIK-2027-00002 due in one day."""
    report()
    clock.advance(timedelta(days=1))
    report(tittel="Fall i gangen")
    clock.advance(timedelta(days=2, minutes=1))


def test_overdue_filter_in_url(login_as: Any, two_cases: None) -> None:
    html = login_as("lise.leder").get(
        "/oppgaver?visning=felles&frist=passert").get_data(as_text=True)

    assert "AVVIK-2027-00001" in html
    assert "AVVIK-2027-00002" not in html
    assert "Frist passert" in html


def test_due_within_days_filter_in_url(login_as: Any, two_cases: None) -> None:
    html = login_as("lise.leder").get(
        "/oppgaver?visning=felles&frist=innen&dager=2").get_data(as_text=True)

    assert "AVVIK-2027-00001" not in html
    assert "AVVIK-2027-00002" in html
    assert "Frist nærmer seg" in html


def test_no_deadline_filter_empty(login_as: Any, two_cases: None) -> None:
    html = login_as("lise.leder").get(
        "/oppgaver?visning=felles&frist=ingen").get_data(as_text=True)

    assert "AVVIK-2027" not in html
    assert "Ingen oppgaver passer med filtrene." in html


def test_filter_form_keeps_chosen_values(login_as: Any, two_cases: None) -> None:
    html = login_as("tor.kommunalsjef").get(
        "/oppgaver?visning=enhet&enhet=sykehjem&status=ikke-tildelt&frist=innen&dager=5"
        "&sorter=prioritet").get_data(as_text=True)

    assert '<option value="sykehjem" selected>' in html
    assert '<option value="ikke-tildelt" selected>' in html
    assert '<option value="innen" selected>' in html
    assert 'name="dager" inputmode="numeric" size="4" maxlength="3" value="5"' in html
    assert '<option value="prioritet" selected>' in html


def test_unit_filter_leaves_out_other_unit(login_as: Any, two_cases: None) -> None:
    html = login_as("tor.kommunalsjef").get(
        "/oppgaver?visning=enhet&enhet=hjemmetjenesten").get_data(as_text=True)

    assert "AVVIK-2027" not in html


def test_priority_sort_puts_critical_first(login_as: Any, report: Any) -> None:
    report()
    report(tittel="Brann i kjøkkenet", alvorlighetsgrad="Kritisk")

    html = login_as("lise.leder").get(
        "/oppgaver?visning=felles&sorter=prioritet").get_data(as_text=True)

    assert html.index("Brann i kjøkkenet") < html.index("Feil medisin gitt på kveldsvakt")


@pytest.mark.parametrize(("query", "message"), [
    ("frist=snart", "Fristfilteret «snart» er ugyldig."),
    ("frist=innen&dager=0", "Antall dager må være et heltall fra 1 til 366, ikke «0»."),
    ("frist=innen&dager=tre", "Antall dager må være et heltall fra 1 til 366, ikke «tre»."),
    ("enhet=mars", "Ingen enhet har koden «mars»."),
    ("prosess=finnes-ikke", "Ingen prosess har nøkkelen «finnes-ikke»."),
    ("status=ferdig", "Statusen «ferdig» er ugyldig."),
    ("sorter=navn", "Sorteringen «navn» er ugyldig."),
    ("visning=alle", "Listen «alle» finnes ikke."),
    ("side=%25%25", "sidelenken er skadet eller utdatert"),
])
def test_invalid_filter_gives_message(login_as: Any, report: Any, query: str,
                                      message: str) -> None:
    report()

    response = login_as("lise.leder").get(f"/oppgaver?{query}&visning=felles")
    html = response.get_data(as_text=True)

    assert response.status_code == 400
    assert message in html
    assert "AVVIK-2027-00001" not in html


def test_pages_follow_next_link(login_as: Any, report: Any, clock: FixedClock,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("engine.web.tasks.PAGE_SIZE", 2)
    for title in ("Første", "Andre", "Tredje"):
        report(tittel=title)
        clock.advance(timedelta(minutes=1))
    client = login_as("lise.leder")

    first = client.get("/oppgaver?visning=felles&frist=innen&dager=5").get_data(as_text=True)
    link = next_page_link(first)
    second = client.get(link).get_data(as_text=True)

    assert "AVVIK-2027-00001" in first
    assert "AVVIK-2027-00002" in first
    assert "AVVIK-2027-00003" not in first
    assert "frist=innen" in link
    assert "dager=5" in link
    assert "AVVIK-2027-00003" in second
    assert "AVVIK-2027-00001" not in second
    assert 'rel="next"' not in second
    assert "Første side" in second


def test_my_cases_pages(login_as: Any, report: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("engine.web.cases.PAGE_SIZE", 2)
    for title in ("Første", "Andre", "Tredje"):
        report(tittel=title)
    client = login_as("ola.ansatt")

    first = client.get("/saker").get_data(as_text=True)
    second = client.get(next_page_link(first)).get_data(as_text=True)

    assert "AVVIK-2027-00003" in first
    assert "AVVIK-2027-00001" not in first
    assert "AVVIK-2027-00001" in second
    assert '<td data-label="Status">Meldt</td>' in second


def test_my_cases_damaged_page_link(login_as: Any, demo_engine: ProcessEngine) -> None:
    response = login_as("ola.ansatt").get("/saker?side=abc")

    assert response.status_code == 400
    assert "Sidelenken er skadet eller utdatert." in response.get_data(as_text=True)
