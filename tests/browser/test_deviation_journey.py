"""A deviation from report to the first handling step, clicked through in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"/logg-inn"))
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill("demo")
    page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hei, ")


def test_report_and_assess_deviation(page: Page, live_server: str) -> None:
    log_in(page, live_server, "ola.ansatt")
    page.get_by_role("link", name="Meld avvik").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meld avvik")

    page.get_by_label("Tittel").fill("Feil medisin gitt på kveldsvakt")
    page.get_by_label("Hva skjedde?").fill("En beboer fikk tablettene til en annen beboer.")
    page.locator('[name="tidspunkt:date"]').fill("04.01.2027")
    page.locator('[name="tidspunkt:time"]').fill("08:30")
    page.get_by_label("Hvor skjedde det?").fill("Avdeling 2")
    page.get_by_label("Enheten der det skjedde").select_option("sykehjem")
    page.get_by_label("Type avvik").select_option("tjeneste")
    page.get_by_label("Middels").check()
    page.get_by_role("button", name="Send inn").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Avviket er meldt. Saksnummer AVVIK-2027-00001.")
    page.get_by_role("button", name="Logg ut").click()
    expect(page.get_by_role("status")).to_contain_text("Du er logget ut.")

    page.get_by_role("link", name="Lise Johansen").click()
    expect(page.get_by_label("Brukernavn")).to_have_value("lise.leder")
    page.get_by_label("Passord").fill("demo")
    page.get_by_role("button", name="Logg inn").click()

    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Felles oppgaver").click()
    row = page.get_by_role("row").filter(has_text="Vurder avvik")
    expect(row).to_contain_text("AVVIK-2027-00001")
    expect(row).to_contain_text("Ikke tildelt")
    row.get_by_role("button", name=re.compile("^Tildel meg")).click()

    expect(page.get_by_role("status")).to_contain_text("Oppgaven «Vurder avvik» er tildelt deg.")
    page.get_by_label("Godta – avviket behandles i enheten").check()
    page.get_by_role("button", name="Fullfør").click()

    expect(page.get_by_role("status")).to_contain_text(
        "«Vurder avvik» er fullført. Neste steg: «Gjennomfør strakstiltak».")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gjennomfør strakstiltak")
    expect(page.get_by_label("Strakstiltak")).to_be_visible()
