"""A risk review from order to approved residual risk in Chromium, without JavaScript, and
its risk matrix.

The process leader (ola.ansatt) orders and plans the review, the risk owner (lise.leder)
approves the mandate, the process leader records and analyses two events with the
participant (fatima.ansatt), and evaluates them. fatima.ansatt carries out the one measure,
and the risk owner approves the residual risk. The process leader then opens the matrix.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.test_deviation_to_closure import log_in, log_out, open_my_task

pytestmark = pytest.mark.browser

TITLE = "Legemiddelhåndtering på Eksempel sykehjem"


def matrix_cell(page: Page, table: Locator, likelihood: str, consequence: int) -> Locator:
    """Return the cell of a matrix table in the row of `likelihood` and the column of
    `consequence` (counted from 1)."""
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=likelihood))
    return row.get_by_role("cell").nth(consequence - 1)


def take_shared_task(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Felles oppgaver").click()
    row = page.get_by_role("row").filter(has_text=name)
    row.get_by_role("button", name=re.compile("^Tildel meg")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def complete_task(page: Page, name: str) -> None:
    page.get_by_role("button", name="Fullfør").click()
    expect(page.get_by_role("status")).to_contain_text(f"«{name}» er fullført.")


def order_and_plan(page: Page) -> None:
    page.get_by_role("link", name="Risikovurdering").click()
    page.get_by_label("Hva skal vurderes?").fill(TITLE)
    page.get_by_label("Enhet").select_option("sykehjem")
    page.get_by_label("Risikoeier").select_option("lise.leder")
    page.get_by_label("Prosessleder").select_option("ola.ansatt")
    page.get_by_role("button", name="Send inn").click()
    expect(page.get_by_role("status")).to_contain_text("Saksnummer RISIKOVURDERING-")

    open_my_task(page, "Planlegg risikovurdering")
    expect(page.get_by_label("Skala for sannsynlighet")).to_have_value(
        re.compile("^1 – Svært lite sannsynlig"))
    expect(page.get_by_label("Akseptkriterier")).to_have_value(
        re.compile("Risiko på nivået Høy er ikke akseptabel"))
    page.get_by_label("Formål").fill("Finne risiko før ny multidosebehandling.")
    page.get_by_label("Omfang og avgrensning").fill("Oppbevaring og utdeling.")
    page.get_by_label("Fatima Ali").check()
    page.get_by_label("Frist for risikovurderingen").fill("31.03.2027")
    complete_task(page, "Planlegg risikovurdering")


def identify_analyse_evaluate(page: Page) -> None:
    take_shared_task(page, "Identifiser uønskede hendelser")
    page.get_by_role("group", name="Rad 1").get_by_label("Hendelse").fill(
        "Feil legemiddel gitt")
    page.get_by_role("button", name="Legg til rad").click()
    page.get_by_role("group", name="Rad 2").get_by_label("Hendelse").fill(
        "Legemidler på avveie")
    # A third row left empty is reported, not dropped, and the user removes it.
    page.get_by_role("button", name="Legg til rad").click()
    page.get_by_role("button", name="Fullfør").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Uønskede hendelser: Rad 3 er tom. Fyll den ut eller fjern raden.")
    expect(page.get_by_role("group", name="Rad 2").get_by_label("Hendelse")).to_have_value(
        "Legemidler på avveie")
    page.get_by_role("button", name="Fjern rad 3").click()
    complete_task(page, "Identifiser uønskede hendelser")

    take_shared_task(page, "Analyser risiko")
    first = page.get_by_role("group", name="Rad 1")
    expect(first).to_contain_text("Feil legemiddel gitt")
    first.get_by_label("Årsaker").fill("Like pakninger og travle vakter.")
    first.get_by_label("Sannsynlighet").select_option("4")
    first.get_by_label("Konsekvens").select_option("4")
    first.get_by_label("Kunnskapsstyrke").select_option("sterk")
    # Sent with the second event untouched, the form comes back with both events.
    page.get_by_role("button", name="Fullfør").click()
    expect(page.get_by_role("alert")).to_contain_text("Årsaker i rad 2")
    first = page.get_by_role("group", name="Rad 1")
    expect(first.get_by_label("Årsaker")).to_have_value("Like pakninger og travle vakter.")
    second = page.get_by_role("group", name="Rad 2")
    expect(second).to_contain_text("Legemidler på avveie")
    second.get_by_label("Årsaker").fill("Medisinrommet står ulåst.")
    second.get_by_label("Sannsynlighet").select_option("1")
    second.get_by_label("Konsekvens").select_option("2")
    second.get_by_label("Kunnskapsstyrke").select_option("middels")
    complete_task(page, "Analyser risiko")

    open_my_task(page, "Evaluer mot akseptkriterier")
    expect(page.get_by_role("region", name="Ditt arbeid")).to_contain_text(
        "1. Feil legemiddel gitt: Høy (sannsynlighet 4, konsekvens 4) – over akseptgrensen")
    page.get_by_label("Evaluering").fill("Feil legemiddel gitt er over akseptgrensen.")
    measure = page.get_by_role("group", name="Rad 1")
    measure.get_by_label("Hva skal gjøres?").fill("Dobbeltkontroll ved utdeling")
    measure.get_by_label("Hendelse tiltaket gjelder").select_option("1")
    measure.get_by_label("Tiltaksansvarlig").select_option("fatima.ansatt")
    measure.get_by_label("Frist").fill("15.02.2027")
    complete_task(page, "Evaluer mot akseptkriterier")


def test_risk_review_runs_to_approval(page: Page, live_server: str) -> None:
    log_in(page, live_server, "ola.ansatt")
    order_and_plan(page)
    log_out(page)

    log_in(page, live_server, "lise.leder")
    open_my_task(page, "Godkjenn mandat")
    expect(page.get_by_role("region", name="Ditt arbeid")).to_contain_text(
        "Finne risiko før ny multidosebehandling.")
    page.get_by_label("Godkjenn – deltakerne kan begynne").check()
    complete_task(page, "Godkjenn mandat")
    log_out(page)

    log_in(page, live_server, "ola.ansatt")
    identify_analyse_evaluate(page)
    log_out(page)

    log_in(page, live_server, "fatima.ansatt")
    open_my_task(page, "Gjennomfør tiltak")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dobbeltkontroll ved utdeling")
    page.get_by_label("Hva ble gjort?").fill("Innført fra uke 6.")
    page.get_by_role("button", name="Fullfør").click()
    expect(page.get_by_role("status")).to_contain_text("er fullført")
    log_out(page)

    log_in(page, live_server, "lise.leder")
    open_my_task(page, "Vurder restrisiko og godkjenn")
    page.get_by_role("group", name="Rad 1").get_by_label(
        "Sannsynlighet etter tiltak").select_option("2")
    page.get_by_label("Godkjenn restrisikoen").check()
    complete_task(page, "Vurder restrisiko og godkjenn")
    log_out(page)

    log_in(page, live_server, "ola.ansatt")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Mine saker").click()
    case_row = page.get_by_role("row").filter(has_text=TITLE)
    expect(case_row).to_contain_text("Godkjent")
    case_row.get_by_role("link", name=TITLE).click()
    page.get_by_role("link", name="Vis risikomatrisen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Risikomatrise: {TITLE}")

    before = page.get_by_role("table", name=re.compile("før tiltak$"))
    after = page.get_by_role("table", name=re.compile("etter tiltak$"))
    high = matrix_cell(page, before, "4 – Sannsynlig", 4)
    expect(high).to_contain_text("Høy")
    expect(high).to_contain_text("1. Feil legemiddel gitt")
    lowered = matrix_cell(page, after, "2 – Lite sannsynlig", 4)
    expect(lowered).to_contain_text("Middels")
    expect(lowered).to_contain_text("1. Feil legemiddel gitt")
    low = matrix_cell(page, after, "1 – Svært lite sannsynlig", 2)
    expect(low).to_contain_text("Lav")
    expect(low).to_contain_text("2. Legemidler på avveie")
