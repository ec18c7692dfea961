"""One budget year from the yearly start to the council's adoption in Chromium, without
JavaScript.

The timer starts budget year 2028 on 1 January. Finance (jon.okonomi) closes the accounts and
the kommunedirektør (kari.direktor) presents the annual report. Per 30 April and 31 August the
leaders of the nursing home (lise.leder) and the school (anne.rektor) send their forecasts, and
finance sums them into the tertial report. The kommunedirektør sets next year's frames,
after a first try with one unit in two rows, and presents the proposal. The political
secretariat (siri.sekretariat) puts the formannskap's recommendation on public display and
registers the adoption 14 days later. Finance then reads the adopted case on its case page.
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from playwright.sync_api import Page, expect

from engine.engine import ProcessEngine
from engine.runtime.clock import FixedClock
from engine.runtime.timeexpr import OSLO
from tests.browser.test_deviation_to_closure import log_in, log_out

pytestmark = pytest.mark.browser

TITLE = "Budsjett og økonomiplan 2028: regnskap 2027, budsjett 2029"
UNITS = {"sykehjem": ("lise.leder", "Eksempel sykehjem", "80 000 000", "82 000 000"),
         "eksempel-skole": ("anne.rektor", "Eksempel skole", "30 000 000", "29 400 000")}


def move_clock(engine: ProcessEngine, clock: FixedClock, text: str) -> None:
    """Set the clock to an Oslo time and let the scheduler fire what fell due."""
    clock.set(datetime.fromisoformat(text).replace(tzinfo=OSLO))
    engine.management.run_due()


def take_shared_task(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Felles oppgaver").click()
    row = page.get_by_role("row").filter(has_text=name)
    row.get_by_role("button", name=re.compile("^Tildel meg")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def complete(page: Page, name: str) -> None:
    page.get_by_role("button", name="Fullfør").click()
    expect(page.get_by_role("status")).to_contain_text(f"«{name}")


def send_forecasts(page: Page, base_url: str) -> None:
    for leader, unit_name, frame, forecast in UNITS.values():
        log_in(page, base_url, leader)
        take_shared_task(page, f"Lever prognose og kommentar – {unit_name}")
        page.get_by_label("Budsjettramme for året").fill(frame)
        page.get_by_label("Prognose for regnskapet ved årets slutt").fill(forecast)
        page.get_by_label("Forklaring av avviket").fill("Mer vikarbruk enn budsjettert.")
        complete(page, "Lever prognose og kommentar")
        log_out(page)


def sum_tertial(page: Page, base_url: str) -> None:
    log_in(page, base_url, "jon.okonomi")
    take_shared_task(page, "Sammenstill tertialrapporten")
    # The nursing home's overspend of 2 000 000 kr, grouped the Norwegian way.
    work = page.get_by_role("region", name="Ditt arbeid")
    first = work.get_by_role("group", name="Rad 1")
    expect(first).to_contain_text("Eksempel sykehjem")
    expect(first).to_contain_text("Lise Johansen")
    expect(first).to_contain_text("-2\u00a0000\u00a0000")
    expect(first).to_contain_text("-2,5")
    expect(work).to_contain_text("110\u00a0000\u00a0000")
    page.get_by_label("Økonomis vurdering").fill("Sykehjemmet ligger an til merforbruk.")
    complete(page, "Sammenstill tertialrapporten")
    log_out(page)


def fill_frames(page: Page) -> None:
    for number, frame in ((1, "81 000 000"), (2, "30 500 000")):
        page.get_by_role("group", name=f"Rad {number}").get_by_label("Budsjettramme").fill(
            frame)


def test_budget_year_runs_to_adoption(page: Page, live_server: str,
                                      demo_engine: ProcessEngine, clock: FixedClock) -> None:
    demo_engine.repository.set_setting("budsjett.syklus", {
        "enheter": list(UNITS)}, actor="admin")
    move_clock(demo_engine, clock, "2028-01-01T00:00")

    # Year-end closing.
    log_in(page, live_server, "jon.okonomi")
    take_shared_task(page, "Avlegg årsregnskapet")
    page.get_by_label("Dato årsregnskapet ble avlagt").fill("15.02.2028")
    page.get_by_label("Netto driftsresultat").fill("12 500 000")
    complete(page, "Avlegg årsregnskapet")
    log_out(page)
    log_in(page, live_server, "kari.direktor")
    take_shared_task(page, "Legg fram årsrapporten")
    page.get_by_label("Dato årsrapporten ble lagt fram").fill("25.03.2028")
    page.get_by_label("Hovedpunkter i årsrapporten").fill("Driften gikk i balanse.")
    complete(page, "Legg fram årsrapporten")
    log_out(page)

    # First tertial, then next year's frames.
    move_clock(demo_engine, clock, "2028-05-01T08:00")
    send_forecasts(page, live_server)
    sum_tertial(page, live_server)
    log_in(page, live_server, "kari.direktor")
    take_shared_task(page, "Fastsett rammer og virksomhetsplaner")
    fill_frames(page)
    # The nursing home chosen twice comes back with the error at row 2 and its frame kept.
    second = page.get_by_role("group", name="Rad 2")
    second.get_by_label("Enhet").select_option("sykehjem")
    page.get_by_role("button", name="Fullfør").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Rad 2 gjentar enheten Eksempel sykehjem fra rad 1")
    expect(second.get_by_label("Budsjettramme")).to_have_value(re.compile(r"^30\s500\s000$"))
    second.get_by_label("Enhet").select_option("eksempel-skole")
    complete(page, "Fastsett rammer og virksomhetsplaner")
    log_out(page)

    # Second tertial.
    move_clock(demo_engine, clock, "2028-09-01T08:00")
    send_forecasts(page, live_server)
    sum_tertial(page, live_server)

    # The proposal, a plan one year too short, then four years.
    move_clock(demo_engine, clock, "2028-11-01T08:00")
    log_in(page, live_server, "kari.direktor")
    take_shared_task(page, "Legg fram kommunedirektørens forslag")
    page.get_by_label("Økonomiplanen gjelder til og med").fill("2031")
    page.get_by_label("Sammendrag av forslaget").fill("Balanse i hele planperioden.")
    page.get_by_role("button", name="Fullfør").click()
    expect(page.get_by_role("alert")).to_contain_text("minst fire år")
    expect(page.get_by_label("Sammendrag av forslaget")).to_have_value(
        "Balanse i hele planperioden.")
    page.get_by_label("Økonomiplanen gjelder til og med").fill("2032")
    complete(page, "Legg fram kommunedirektørens forslag")
    log_out(page)

    # The recommendation goes on public display for 14 days.
    move_clock(demo_engine, clock, "2028-11-24T10:00")
    log_in(page, live_server, "siri.sekretariat")
    take_shared_task(page, "Legg ut formannskapets innstilling")
    page.get_by_label("Dato for møtet i formannskapet").fill("23.11.2028")
    page.get_by_label("Formannskapets innstilling").fill("Som kommunedirektørens forslag.")
    page.get_by_label("Planlagt møte i kommunestyret").fill("12.12.2028")
    complete(page, "Legg ut formannskapets innstilling")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Felles oppgaver").click()
    expect(page.get_by_role("main")).not_to_contain_text("Registrer vedtak i kommunestyret")
    log_out(page)

    move_clock(demo_engine, clock, "2028-12-12T20:00")
    log_in(page, live_server, "siri.sekretariat")
    take_shared_task(page, "Registrer vedtak i kommunestyret")
    case_link = page.get_by_role("link", name=TITLE).get_attribute("href")
    page.get_by_label("Dato for kommunestyrets vedtak").fill("12.12.2028")
    page.get_by_label("Ja, budsjett og økonomiplan er vedtatt").check()
    page.get_by_role("textbox", name=re.compile("^Vedtaket")).fill(
        "Budsjett 2029 og økonomiplan vedtatt.")
    complete(page, "Registrer vedtak i kommunestyret")
    log_out(page)

    # Finance, a reader group of the process, opens the adopted case from the link that the
    # task page showed.
    log_in(page, live_server, "jon.okonomi")
    page.goto(f"{live_server}{case_link}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    main = page.get_by_role("main")
    expect(main).to_contain_text("Vedtatt")
    expect(main).to_contain_text("Budsjett 2029 og økonomiplan vedtatt.")
    expect(main).to_contain_text("Sykehjemmet ligger an til merforbruk.")
