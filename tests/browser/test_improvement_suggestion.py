"""An improvement suggestion from proposal to completion in Chromium, without JavaScript.

An employee (ola.ansatt) proposes. The unit leader (lise.leder) takes the task from the shared
tasks and has it carried out by fatima.ansatt, who reports what was done. The proposer then
finds the case completed in "Mine saker".
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_deviation_to_closure import log_in, log_out, open_my_task

pytestmark = pytest.mark.browser

TITLE = "Felles kalender for legebesøk"


def propose(page: Page) -> None:
    page.get_by_role("link", name="Forbedringsforslag").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forbedringsforslag")
    expect(page.get_by_role("main")).to_contain_text("Ikke skriv navn eller helseopplysninger")
    page.get_by_label("Tittel").fill(TITLE)
    page.get_by_label("Hva foreslår du?").fill(
        "Legebesøkene står i tre ulike lister. Én kalender sparer tid.")
    page.get_by_label("Hva forbedrer forslaget?").select_option("arbeidsflyt")
    page.get_by_label("Enheten forslaget gjelder").select_option("sykehjem")
    page.get_by_role("button", name="Send inn").click()
    expect(page.get_by_role("status")).to_contain_text("Saksnummer FORBEDRINGSFORSLAG-")


def test_suggestion_runs_to_completion(page: Page, live_server: str) -> None:
    log_in(page, live_server, "ola.ansatt")
    propose(page)
    log_out(page)

    # The leader takes the task from the shared tasks and decides to carry it out.
    log_in(page, live_server, "lise.leder")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Felles oppgaver").click()
    row = page.get_by_role("row").filter(has_text="Vurder forslag")
    row.get_by_role("button", name=re.compile("^Tildel meg")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vurder forslag")
    page.get_by_label("Gjennomfør – forslaget settes ut i livet").check()
    page.get_by_label("Hva skal gjøres?").fill("Sett opp en felles kalender.")
    page.get_by_label("Ansvarlig for gjennomføringen").select_option("fatima.ansatt")
    page.get_by_label("Frist for gjennomføringen").fill("01.03.2027")
    page.get_by_role("button", name="Fullfør").click()
    expect(page.get_by_role("status")).to_contain_text("«Vurder forslag» er fullført.")
    log_out(page)

    # The responsible employee carries it out.
    log_in(page, live_server, "fatima.ansatt")
    open_my_task(page, "Gjennomfør forslag")
    expect(page.get_by_role("main")).to_contain_text("Sett opp en felles kalender.")
    page.get_by_label("Hva ble gjort?").fill("Kalenderen er i bruk fra uke 6.")
    page.get_by_label("Dato gjennomført").fill("04.01.2027")
    page.get_by_role("button", name="Fullfør").click()
    expect(page.get_by_role("status")).to_contain_text("er fullført")
    log_out(page)

    # The proposer reads the outcome.
    log_in(page, live_server, "ola.ansatt")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Mine saker").click()
    case_row = page.get_by_role("row").filter(has_text=TITLE)
    expect(case_row).to_contain_text("Gjennomført")
    case_row.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("main")).to_contain_text("Kalenderen er i bruk fra uke 6.")
