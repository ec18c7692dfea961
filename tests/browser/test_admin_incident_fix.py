"""An administrator repairs an incident in Chromium through the pages alone: finds it among the
open incidents, reads its message on the diagram, corrects the variable and retries."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from engine.engine import ProcessEngine
from tests.browser.test_deviation_journey import log_in

pytestmark = pytest.mark.browser

PLANNING = "medarbeidersamtale-planlegging"
FIX_REASON = "Året ble sendt som skoleår fra HR-systemet."
RETRY_REASON = "Året er rettet til 2027."


def start_planning_with_bad_year(engine: ProcessEngine) -> int:
    """Start a unit's conversation planning whose year is a school year, not a whole number.

    The planning process has no start form, so the engine takes the start variables as they
    come. An HR integration that starts it through the API with "2027/28" makes the handler
    of FinnMedarbeidere fail, which no page can produce, so the engine starts it here.
    """
    result = engine.runtime.start(PLANNING, "hanne.hr", {"enhet": "sykehjem", "aar": "2027/28"})
    return result.instance_id


def audit_row(page: Page, audit: Locator, action: str) -> Locator:
    """The audit trail row whose event is `action` (other rows may name it in details)."""
    event = page.locator("td[data-label=Hendelse] code", has_text=re.compile(f"^{action}$"))
    return audit.locator("tr", has=event)


def test_incident_fixed_from_pages(js_page: Page, live_server: str,
                                   demo_engine: ProcessEngine) -> None:
    instance_id = start_planning_with_bad_year(demo_engine)
    page = js_page
    log_in(page, live_server, "admin")

    page.get_by_role("link", name="Administrasjon").click()
    page.get_by_role("link", name="Åpne feil").first.click()
    row = page.locator("tr[data-incident]", has_text="2027/28")
    expect(row).to_have_count(1)
    row.get_by_role("link", name=str(instance_id), exact=True).click()
    expect(page).to_have_url(re.compile(rf"/admin/saker/{instance_id}$"))

    failed = page.locator('.djs-element[data-element-id="FinnMedarbeidere"]')
    expect(failed).to_have_class(re.compile(r"\bsloyfe-marker-incident\b"))
    note = page.locator('.sloyfe-incident-note[data-element-id="FinnMedarbeidere"]')
    expect(note).to_be_visible()
    expect(note).to_contain_text("'2027/28' er ikke et heltall")
    note.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"#incident-\d+$"))
    expect(page.locator("tr[id^=incident-][data-element-id=FinnMedarbeidere]")).to_contain_text(
        "Rett variabelen aar")

    variable_form = page.locator("form[data-action=variabel]")
    variable_form.get_by_label("Navn").fill("aar")
    variable_form.get_by_label("Verdi som JSON").fill("2027")
    variable_form.get_by_label("Begrunnelse (påkrevd)").fill(FIX_REASON)
    variable_form.get_by_role("button", name="Endre variabelen").click()
    expect(page.get_by_text("Variabelen er endret.")).to_be_visible()

    retry_form = page.locator("form[data-action=prov-igjen]")
    retry_form.get_by_label("Begrunnelse (påkrevd)").fill(RETRY_REASON)
    retry_form.get_by_role("button", name="Prøv på nytt").click()
    expect(page.get_by_text("Steget som feilet, er forsøkt på nytt.")).to_be_visible()

    expect(page.locator("[data-incidents]")).to_have_count(0)
    expect(page.locator(".sloyfe-incident-note")).to_have_count(0)
    expect(page.locator("#tasks-heading + .sloyfe-table-wrap")).to_contain_text(
        "Planlegg samtaler")
    audit = page.locator("#audit-heading + .sloyfe-table-wrap")
    expect(audit_row(page, audit, "variable_set")).to_contain_text(
        f"begrunnelse: {FIX_REASON}")
    expect(audit_row(page, audit, "incident_retry_requested")).to_contain_text(
        f"begrunnelse: {RETRY_REASON}")
    expect(page.locator("form[data-action=prov-igjen]")).to_have_count(0)
