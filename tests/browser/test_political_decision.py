"""A political decision from registration to a confirmed decision point in Chromium, without
JavaScript.

The political secretariat (siri.sekretariat) registers a council decision with one point and
gives the point to the nursing home's leader (lise.leder) with a deadline. The leader reports
it carried out; a leader of the unit confirms it, and the secretariat finds the case followed
up in "Mine saker".
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_deviation_to_closure import log_in, log_out, open_my_task

pytestmark = pytest.mark.browser

TITLE = "Fast lege på sykehjemmet"
POINT = "Sykehjemmet får fast lege to dager i uken."


def register(page: Page) -> None:
    page.get_by_role("link", name="Oppfølging av politiske vedtak").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Oppfølging av politiske vedtak")
    page.get_by_role("combobox", name=re.compile("^Utvalg")).select_option(label="Kommunestyret")
    page.get_by_label("Møtedato").fill("14.12.2026")
    page.get_by_label("Saksnummer i utvalget").fill("PS 112/26")
    page.get_by_label("Arkivsaksnummer").fill("26/01234")
    page.get_by_label("Tittel").fill(TITLE)
    page.get_by_label("Ordinært vedtak").check()
    page.get_by_label(re.compile("^Vedtaket")).fill("Kommunestyret vedtar: " + POINT)
    if page.get_by_role("group", name="Rad 1").count() == 0:
        page.get_by_role("button", name="Legg til rad").click()
    page.get_by_role("group", name="Rad 1").get_by_label("Vedtakspunkt").fill(POINT)
    page.get_by_role("button", name="Send inn").click()
    expect(page.get_by_role("status")).to_contain_text("Saksnummer")


def take_shared(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Felles oppgaver").click()
    row = page.get_by_role("row").filter(has_text=name).first
    row.get_by_role("button", name=re.compile("^Tildel meg")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def test_decision_point_is_followed_up(page: Page, live_server: str) -> None:
    log_in(page, live_server, "siri.sekretariat")
    register(page)

    # The secretariat gives the point to a unit, a person and a deadline.
    take_shared(page, "Fordel vedtakspunkter")
    row = page.get_by_role("group", name="Rad 1")
    expect(row.get_by_label("Vedtakspunkt")).to_have_value(POINT)
    row.get_by_label("Ansvarlig enhet").select_option("sykehjem")
    row.get_by_label("Ansvarlig person").select_option("lise.leder")
    row.get_by_label("Frist").fill("30.06.2027")
    page.get_by_role("button", name="Fullfør").click()
    expect(page.get_by_role("status")).to_contain_text("«Fordel vedtakspunkter» er fullført.")
    log_out(page)

    # The responsible leader carries the point out.
    log_in(page, live_server, "lise.leder")
    open_my_task(page, "Iverksett vedtak")
    expect(page.get_by_role("main")).to_contain_text(POINT)
    page.get_by_label("Vedtaket er iverksatt").check()
    page.get_by_label("Hva er gjort?").fill("Avtale med legekontoret fra 1. mars.")
    page.get_by_role("button", name="Fullfør").click()
    expect(page.get_by_role("status")).to_contain_text("er fullført")

    # A leader of the unit confirms it.
    take_shared(page, "Bekreft fullført")
    expect(page.get_by_role("main")).to_contain_text("Avtale med legekontoret fra 1. mars.")
    page.get_by_label("Ja – punktet meldes som fullført").check()
    page.get_by_role("button", name="Fullfør").click()
    expect(page.get_by_role("status")).to_contain_text("er fullført")
    log_out(page)

    # The secretariat finds the case followed up.
    log_in(page, live_server, "siri.sekretariat")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Mine saker").click()
    case_row = page.get_by_role("row").filter(has_text=TITLE)
    expect(case_row).to_contain_text("Fullført")
