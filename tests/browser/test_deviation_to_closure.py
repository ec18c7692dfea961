"""A deviation from report to closure in Chromium, with one task done by keyboard alone.

The reporter (ola.ansatt) reports; the unit leader (lise.leder) takes the case, plans two
measures and has a passed deadline rejected before correcting it; the measure owners
(fatima.ansatt and lise.leder) carry them out; the leader evaluates and closes the case, and
the reporter finds it closed in "Mine saker".
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

TITLE = "Dør til medisinrommet sto åpen"
MAX_TABS = 60


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/logg-inn")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill("demo")
    page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hei, ")


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Logg ut").click()
    expect(page.get_by_role("status")).to_contain_text("Du er logget ut.")


def report(page: Page) -> None:
    page.get_by_role("link", name="Meld avvik").click()
    page.get_by_label("Tittel").fill(TITLE)
    page.get_by_label("Hva skjedde?").fill("Døren var ikke låst etter medisinutdelingen.")
    page.locator('[name="tidspunkt:date"]').fill("04.01.2027")
    page.locator('[name="tidspunkt:time"]').fill("07:45")
    page.get_by_label("Hvor skjedde det?").fill("Avdeling 1")
    page.get_by_label("Enheten der det skjedde").select_option("sykehjem")
    page.get_by_label("Type avvik").select_option("tjeneste")
    page.get_by_label("Lav").check()
    page.get_by_role("button", name="Send inn").click()
    expect(page.get_by_role("status")).to_contain_text("Avviket er meldt.")


def open_my_task(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Mine oppgaver").click()
    page.get_by_role("link", name=re.compile(f"^{name}")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def active_name(page: Page) -> str:
    """The accessible name of the focused element: its label, its text or its value."""
    return str(page.evaluate("""() => {
        const el = document.activeElement;
        if (!el) return "";
        const labels = el.labels ? Array.from(el.labels).map(l => l.innerText) : [];
        return [el.tagName, ...labels, el.innerText || "", el.value || ""].join(" | ");
    }"""))


def tab_to(page: Page, pattern: str) -> None:
    """Press Tab until the focused element's name matches `pattern`, as a keyboard user does."""
    wanted = re.compile(pattern)
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if wanted.search(active_name(page)):
            return
    raise AssertionError(f"no element matching {pattern!r} within {MAX_TABS} tabs")


def test_deviation_runs_to_closure(page: Page, live_server: str) -> None:
    log_in(page, live_server, "ola.ansatt")
    report(page)
    log_out(page)

    # The leader takes the case from the shared tasks and accepts it.
    log_in(page, live_server, "lise.leder")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Felles oppgaver").click()
    row = page.get_by_role("row").filter(has_text=TITLE)
    row.get_by_role("button", name=re.compile("^Tildel meg")).click()
    page.get_by_label("Godta – avviket behandles i enheten").check()
    page.get_by_role("button", name="Fullfør").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gjennomfør strakstiltak")

    # Immediate measures by keyboard alone: no click from here to the next step.
    tab_to(page, r"TEXTAREA \| Strakstiltak")
    page.keyboard.type("Låsen er skiftet, og døren lukkes automatisk.")
    tab_to(page, r"BUTTON .*Fullfør")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Analyser årsak")

    # The cause analysis with two measures; the first deadline has passed.
    page.get_by_label("Årsak").fill("Døren hadde ingen dørpumpe.")
    page.get_by_label("Faktisk konsekvens").fill("Ingen.")
    page.get_by_label("Potensiell konsekvens").fill("Feil bruk av legemidler.")
    page.get_by_role("button", name="Legg til rad").click()
    first = page.get_by_role("group", name="Rad 1")
    second = page.get_by_role("group", name="Rad 2")
    first.get_by_label("Hva skal gjøres?").fill("Monter dørpumpe")
    first.get_by_label("Tiltaksansvarlig").select_option("fatima.ansatt")
    first.get_by_label("Frist").fill("01.12.2026")
    second.get_by_label("Hva skal gjøres?").fill("Gå gjennom rutinen for medisinrommet")
    second.get_by_label("Tiltaksansvarlig").select_option("lise.leder")
    second.get_by_label("Frist").fill("15.02.2027")
    page.get_by_role("button", name="Fullfør").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("1 feil")
    expect(first.get_by_label("Hva skal gjøres?")).to_have_value("Monter dørpumpe")
    first.get_by_label("Frist").fill("01.02.2027")
    page.get_by_role("button", name="Fullfør").click()
    expect(page.get_by_role("status")).to_contain_text("«Analyser årsak» er fullført.")

    # The leader carries out the measure she owns.
    open_my_task(page, "Gjennomfør tiltak")
    expect(page.get_by_role("main")).to_contain_text("Gå gjennom rutinen for medisinrommet")
    page.get_by_label("Status").select_option("gjennomfort")
    page.get_by_label("Hva ble gjort?").fill("Rutinen er gjennomgått på personalmøtet.")
    page.get_by_role("button", name="Fullfør").click()
    expect(page.get_by_role("status")).to_contain_text("er fullført")
    log_out(page)

    # The other owner carries out hers.
    log_in(page, live_server, "fatima.ansatt")
    open_my_task(page, "Gjennomfør tiltak")
    expect(page.get_by_role("main")).to_contain_text("Monter dørpumpe")
    page.get_by_label("Status").select_option("gjennomfort")
    page.get_by_label("Hva ble gjort?").fill("Dørpumpen er montert.")
    page.get_by_role("button", name="Fullfør").click()
    expect(page.get_by_role("status")).to_contain_text("er fullført")
    log_out(page)

    # The leader evaluates the measures and closes the case.
    log_in(page, live_server, "lise.leder")
    open_my_task(page, "Evaluer tiltak")
    page.get_by_label("Ja").check()
    page.get_by_label("Vurdering").fill("Døren har vært lukket ved alle kontroller.")
    page.get_by_role("button", name="Fullfør").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lukk avvik")
    page.get_by_label("Konklusjon").fill("Avviket er lukket.")
    page.get_by_label("Læringspunkt").fill("Dører til medisinrom skal lukke seg selv.")
    page.get_by_label("Dato").fill("04.01.2027")
    page.get_by_role("button", name="Fullfør").click()
    expect(page.get_by_role("status")).to_contain_text("«Lukk avvik» er fullført.")
    log_out(page)

    # The reporter sees the outcome.
    log_in(page, live_server, "ola.ansatt")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Mine saker").click()
    case_row = page.get_by_role("row").filter(has_text=TITLE)
    expect(case_row).to_contain_text("Lukket")
    case_row.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("main")).to_contain_text("Avviket er lukket.")
