"""The annual wheel page: the calendar, the wheel graphic, the scope choice and bad input."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.app import create_app
from engine.demo import load_organisation
from engine.engine import ProcessEngine
from tests.annual_wheel_diagrams import (
    deploy_accounts,
    deploy_yearly_plan,
    start_accounts,
    start_conversation,
    start_report,
    start_review,
)


@pytest.fixture
def wheel_engine(engine: ProcessEngine) -> ProcessEngine:
    """The demo organisation with the yearly plan deployed and one report case in the
    nursing home and one in the school."""
    load_organisation(engine)
    deploy_yearly_plan(engine)
    start_report(engine, "sykehjem", "Rapport sykehjem")
    start_report(engine, "eksempel-skole", "Rapport skole")
    return engine


@pytest.fixture
def wheel_app(wheel_engine: ProcessEngine, web_config: dict[str, Any]) -> Flask:
    return create_app(web_config, engine=wheel_engine)


@pytest.fixture
def visit(wheel_app: Flask) -> Callable[[str, str], Any]:
    """Log in as a demo user and GET a path; returns the response."""
    def get(username: str, path: str) -> Any:
        client: FlaskClient = wheel_app.test_client()
        login = client.post("/logg-inn", data={"brukernavn": username, "passord": "demo"})
        assert login.status_code == 302, f"log-in as {username} failed"
        return client.get(path)
    return get


def month_section(html: str, month: int) -> str:
    """Return the calendar's section for one month."""
    match = re.search(rf'<section class="sloyfe-wheel-month-list" '
                      rf'aria-labelledby="maaned-{month}">(.*?)</section>', html, re.S)
    assert match, f"no calendar section for month {month}"
    return match.group(1)


def test_calendar_lists_entries_by_month(visit: Callable[[str, str], Any]) -> None:
    response = visit("lise.leder", "/arshjul?ar=2027")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "<h1 class=\"ds-heading\">Årshjul 2027</h1>" in html
    assert ">Januar</h3>" in month_section(html, 1)
    assert "Årlig planlegging" in month_section(html, 1)
    assert "Oppstart" in month_section(html, 1)
    assert "Frist 1. tertial" in month_section(html, 4)
    assert "(ved steget «Lever tertialrapport»)" in month_section(html, 4)
    assert "Lever tertialrapport" in month_section(html, 5)
    assert "Frist for årsregnskapet" in month_section(html, 2)


def test_calendar_title_and_process_spaced(visit: Callable[[str, str], Any]) -> None:
    html = visit("lise.leder", "/arshjul?ar=2027").get_data(as_text=True)

    assert "</strong> <span class=\"sloyfe-muted\">– " in month_section(html, 1)


def test_empty_month_says_so(visit: Callable[[str, str], Any]) -> None:
    html = visit("lise.leder", "/arshjul?ar=2026").get_data(as_text=True)

    assert "Ingenting denne måneden." in month_section(html, 6)
    assert "Datoer i hjulet: 0." in html


def test_calendar_links_case(visit: Callable[[str, str], Any],
                             wheel_engine: ProcessEngine) -> None:
    with wheel_engine.transaction(read_only=True):
        (instance,) = [i for i in wheel_engine.runtime.instances(key="aarsplan")
                       if i.title == "Rapport sykehjem"]

    html = visit("lise.leder", "/arshjul?ar=2027").get_data(as_text=True)

    assert f'href="/saker/{instance.id}">Rapport sykehjem</a>' in month_section(html, 5)


def test_wheel_svg_has_titles(visit: Callable[[str, str], Any]) -> None:
    html = visit("ola.ansatt", "/arshjul?ar=2027").get_data(as_text=True)
    svg = re.search(r'<svg class="sloyfe-wheel-svg".*?</svg>', html, re.S)

    assert svg is not None
    assert len(re.findall(r'class="sloyfe-wheel-month', svg.group(0))) == 12
    assert "<title>15.01.2027 08:00 – Årlig planlegging – Årsplan – Oppstart</title>" \
        in svg.group(0)
    assert 'class="sloyfe-wheel-mark sloyfe-wheel-mark-legal_deadline"' in svg.group(0)
    assert "Tegnforklaring" in html
    assert "Lovfrist" in html


def test_follow_ups_have_own_kinds(visit: Callable[[str, str], Any],
                                   wheel_engine: ProcessEngine) -> None:
    deploy_accounts(wheel_engine)
    start_accounts(wheel_engine)

    html = visit("admin", "/arshjul?ar=2027").get_data(as_text=True)
    february = month_section(html, 2)
    march = month_section(html, 3)
    svg = re.search(r'<svg class="sloyfe-wheel-svg".*?</svg>', html, re.S)

    assert svg is not None
    assert "<strong>Påminnelse</strong>" in html
    assert "<strong>Eskalering</strong>" in html
    assert "Regnskapet nærmer seg" in february
    assert "Regnskapet er for sent" not in february
    assert "Varsle revisor" in march
    assert "13.02.2027 09:00 – Regnskapet nærmer seg (ved steget «Avlegg regnskapet») – " \
        "Regnskap – Påminnelse" in svg.group(0)
    assert 'sloyfe-wheel-mark-reminder' in svg.group(0)
    assert 'sloyfe-wheel-mark-escalation' in svg.group(0)


def test_yearly_date_in_later_year(visit: Callable[[str, str], Any],
                                   wheel_engine: ProcessEngine) -> None:
    deploy_accounts(wheel_engine)
    start_accounts(wheel_engine)

    html = visit("ola.ansatt", "/arshjul?ar=2030").get_data(as_text=True)
    february = month_section(html, 2)

    assert "Avlegg regnskapet" in february
    assert "22.02.2030" in february
    assert "Lovfrist" in february


def test_expected_review_marked(visit: Callable[[str, str], Any],
                                wheel_engine: ProcessEngine) -> None:
    start_review(wheel_engine)

    html = visit("admin", "/arshjul?ar=2028").get_data(as_text=True)
    january = month_section(html, 1)

    assert "Neste gjennomgang" in january
    assert "(forventet)" in january
    assert "04.01.2028 09:00 – Neste gjennomgang (forventet) – Gjennomgang" in html


def test_mark_stands_for_same_day(visit: Callable[[str, str], Any]) -> None:
    html = visit("admin", "/arshjul?ar=2027").get_data(as_text=True)
    svg = re.search(r'<svg class="sloyfe-wheel-svg".*?</svg>', html, re.S)

    assert svg is not None
    assert "<title>2 datoer 10.05.2027:\n10.05.2027 09:00 – Påminnelse" in svg.group(0)
    assert svg.group(0).count("<title>2 datoer 10.05.2027:") == 1
    assert svg.group(0).count("10.05.2027 09:00 – Påminnelse") == 2


def test_scope_choice_filters_cases(visit: Callable[[str, str], Any]) -> None:
    html = visit("admin", "/arshjul?ar=2027&enhet=eksempel-skole").get_data(as_text=True)

    assert "Rapport skole" in html
    assert "Rapport sykehjem" not in html
    assert "Årlig planlegging" in html
    assert '<option value="eksempel-skole" selected>' in html
    assert "Eksempel skole, med det som gjelder hele kommunen." in html


def test_area_scope_includes_its_units(visit: Callable[[str, str], Any]) -> None:
    html = visit("admin", "/arshjul?ar=2027&enhet=helse-omsorg").get_data(as_text=True)

    assert "Rapport sykehjem" in html
    assert "Rapport skole" not in html


def test_default_is_this_year_everywhere(visit: Callable[[str, str], Any]) -> None:
    html = visit("admin", "/arshjul").get_data(as_text=True)

    assert "Årshjul 2027" in html
    assert "Rapport sykehjem" in html
    assert "Rapport skole" in html
    assert '<option value="">Hele kommunen</option>' in html
    assert "Alt i Eksempel kommune." in html


def test_bad_year_gives_message(visit: Callable[[str, str], Any]) -> None:
    response = visit("ola.ansatt", "/arshjul?ar=tjuesju")
    html = response.get_data(as_text=True)

    assert response.status_code == 400
    assert "Året tjuesju er ikke gyldig. Skriv et årstall fra 2000 til 2100." in html
    assert 'value="tjuesju"' in html
    assert 'name="ar" value="tjuesju" inputmode="numeric" size="6" ' \
        'aria-describedby="wheel-year-hint" aria-invalid="true"' in html


def test_year_out_of_range_gives_message(visit: Callable[[str, str], Any]) -> None:
    response = visit("ola.ansatt", "/arshjul?ar=1850")

    assert response.status_code == 400
    assert "Skriv et årstall fra 2000 til 2100." in response.get_data(as_text=True)


def test_unknown_unit_gives_message(visit: Callable[[str, str], Any]) -> None:
    response = visit("ola.ansatt", "/arshjul?ar=2027&enhet=finnes-ikke")
    html = response.get_data(as_text=True)

    assert response.status_code == 404
    assert "Ingen enhet har koden finnes-ikke." in html
    assert "Velg en enhet i listen" in html
    assert 'name="enhet" aria-describedby="wheel-scope-hint" aria-invalid="true"' in html
    assert 'name="ar" value="2027" inputmode="numeric" size="6" ' \
        'aria-describedby="wheel-year-hint">' in html


def test_outsider_sees_no_cases(visit: Callable[[str, str], Any]) -> None:
    html = visit("erik.laerer", "/arshjul?ar=2027").get_data(as_text=True)

    calendar = html.split('id="calendar-heading"', 1)[1]

    assert "Rapport sykehjem" not in html
    # The legend names the kind Påminnelse, but no reminder of the case is listed.
    assert "Påminnelse" not in calendar
    assert "Frist 1. tertial" in html


def test_confidential_case_keeps_name_out(visit: Callable[[str, str], Any],
                                          wheel_engine: ProcessEngine) -> None:
    start_conversation(wheel_engine)

    participant = visit("fatima.ansatt", "/arshjul?ar=2027").get_data(as_text=True)
    outsider = visit("erik.laerer", "/arshjul?ar=2027").get_data(as_text=True)

    assert "Forbered samtalen" in month_section(participant, 3)
    assert "Ola Olsen" not in participant
    assert "Åpne saken" in month_section(participant, 3)
    assert "Forbered samtalen" not in outsider


def test_menu_links_annual_wheel(visit: Callable[[str, str], Any]) -> None:
    home = visit("ola.ansatt", "/").get_data(as_text=True)
    page = visit("ola.ansatt", "/arshjul").get_data(as_text=True)

    assert '<a href="/arshjul">Årshjul</a>' in home
    assert '<a href="/arshjul" aria-current="page">Årshjul</a>' in page


def test_page_has_no_inline_style_or_script(visit: Callable[[str, str], Any]) -> None:
    html = visit("admin", "/arshjul?ar=2027").get_data(as_text=True)

    assert " style=" not in html
    assert "<style" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None


def test_anonymous_visitor_sent_to_login(wheel_app: Flask) -> None:
    response = wheel_app.test_client().get("/arshjul")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/logg-inn")


def test_english_page_names_months(visit: Callable[[str, str], Any],
                                   wheel_engine: ProcessEngine) -> None:
    wheel_engine.organisation.set_locale("lise.leder", "en")

    html = visit("lise.leder", "/arshjul?ar=2027").get_data(as_text=True)

    assert "<h1 class=\"ds-heading\">Annual wheel 2027</h1>" in html
    assert ">January</h3>" in month_section(html, 1)
    assert "Process start" in month_section(html, 1)
    assert "<title>15.01.2027 08:00 – Årlig planlegging – Årsplan – Process start</title>" \
        in html
