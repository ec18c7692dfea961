"""One employee conversation from the yearly start to the filed summary in Chromium, without
JavaScript.

The yearly timer fires on 5 January. The nursing home's leader (lise.leder) plans the round
and invites ola.ansatt, both prepare, the leader writes the summary, and the employee confirms
it with a comment. HR (hanne.hr) then reads the filed conversation, another employee of the
unit (fatima.ansatt) cannot open it, and the leader finds the need counted, without a number,
on the competence needs page.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from engine.engine import ProcessEngine
from engine.models import ProcessInstance
from tests.browser.test_deviation_to_closure import log_in, log_out, open_my_task
from tests.conversation import start_round

pytestmark = pytest.mark.browser

COMMENT = "Jeg ønsker også mer tid til dokumentasjon."


def complete(page: Page, step: str) -> None:
    page.get_by_role("button", name="Fullfør").click()
    expect(page.get_by_role("status")).to_contain_text(f"«{step}")
    expect(page.get_by_role("status")).to_contain_text("er fullført.")


def conversation_of(engine: ProcessEngine, name: str) -> int:
    with engine.transaction(read_only=True):
        return engine.uow.session.scalar(select(ProcessInstance.id).where(
            ProcessInstance.definition_key == "medarbeidersamtale",
            ProcessInstance.title.like(f"%{name}")))


def test_conversation_runs_to_filed_summary(page: Page, live_server: str,
                                            demo_engine: ProcessEngine) -> None:
    start_round(demo_engine)

    # The leader plans the round: both employees are to have a conversation.
    log_in(page, live_server, "lise.leder")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Felles oppgaver").click()
    row = page.get_by_role("row").filter(has_text="Planlegg samtaler – Eksempel sykehjem")
    row.get_by_role("button", name=re.compile("^Tildel meg")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Planlegg samtaler")
    expect(page.get_by_role("main")).to_contain_text("Ola Olsen")
    complete(page, "Planlegg samtaler")
    demo_engine.management.run_due()  # the scheduler starts the conversation cases

    # The leader invites Ola at least a week ahead; too soon is refused with a reason.
    open_my_task(page, "Send innkalling – Ola Olsen")
    page.locator('[name="samtaletidspunkt:date"]').fill("06.01.2027")
    page.locator('[name="samtaletidspunkt:time"]').fill("10:00")
    page.get_by_label("Sted").fill("Møterom 2")
    page.get_by_role("button", name="Fullfør").click()
    expect(page.get_by_role("main")).to_contain_text(
        "Samtalen 06.01.2027 er for tidlig: medarbeideren skal ha minst 7 dagers varsel.")
    page.locator('[name="samtaletidspunkt:date"]').fill("10.02.2027")
    page.locator('[name="samtaletidspunkt:time"]').fill("10:00")
    complete(page, "Send innkalling")
    log_out(page)

    # Ola prepares.
    log_in(page, live_server, "ola.ansatt")
    open_my_task(page, "Forbered samtalen")
    expect(page.get_by_role("main")).to_contain_text("Møterom 2")
    page.get_by_label("Hva ønsker du å utvikle videre?").fill("Lære mer om veiledning.")
    complete(page, "Forbered samtalen")
    log_out(page)

    # The leader prepares, holds the conversation and writes the summary.
    log_in(page, live_server, "lise.leder")
    open_my_task(page, "Forbered samtalen – Ola Olsen")
    expect(page.get_by_role("main")).to_contain_text("Arbeidsmål i fjor")
    page.get_by_label("Dine notater til samtalen").fill("Spør om vikaropplæringen.")
    complete(page, "Forbered samtalen")
    open_my_task(page, "Gjennomfør og oppsummer samtalen – Ola Olsen")
    expect(page.get_by_role("main")).to_contain_text("Lære mer om veiledning.")
    page.get_by_label("Arbeidsmål").fill("Ta ansvar for opplæringen av nye vikarer.")
    page.get_by_label("Utviklingsmål").fill("Bli trygg som veileder.")
    page.get_by_label("Ledelse").check()
    page.locator('[name="tiltak[0].beskrivelse"]').fill("Veilederkurs")
    page.locator('[name="tiltak[0].ansvarlig"][value="leder"]').check()
    page.locator('[name="tiltak[0].frist"]').fill("01.06.2027")
    complete(page, "Gjennomfør og oppsummer samtalen")
    log_out(page)

    # Ola reads the summary and confirms it with a comment.
    log_in(page, live_server, "ola.ansatt")
    open_my_task(page, "Bekreft oppsummeringen")
    expect(page.get_by_role("main")).to_contain_text("Veilederkurs (ansvarlig: lederen")
    page.get_by_label("Jeg har lest oppsummeringen").check()
    page.get_by_label("Kommentar").fill(COMMENT)
    complete(page, "Bekreft oppsummeringen")
    log_out(page)
    conversation_id = conversation_of(demo_engine, "Ola Olsen")

    # HR reads the filed conversation; another employee of the unit cannot open it.
    log_in(page, live_server, "hanne.hr")
    page.goto(f"{live_server}/saker/{conversation_id}")
    expect(page.get_by_role("main")).to_contain_text(COMMENT)
    expect(page.get_by_role("main")).to_contain_text("Arkivert")
    log_out(page)
    log_in(page, live_server, "fatima.ansatt")
    response = page.goto(f"{live_server}/saker/{conversation_id}")
    assert response is not None
    assert response.status == 404
    page.goto(live_server)
    log_out(page)

    # One filed conversation is too few to count, so the leader sees neither the need nor a
    # name.
    log_in(page, live_server, "lise.leder")
    page.goto(f"{live_server}/kompetanseplan?enhet=sykehjem&ar=2027")
    expect(page.get_by_role("main")).to_contain_text("Færre enn 3 arkiverte samtaler")
    expect(page.get_by_role("row").filter(has_text="Ledelse")).to_have_count(0)
    expect(page.get_by_role("main")).not_to_contain_text("Ola Olsen")
