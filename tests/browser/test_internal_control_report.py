"""The internal-control report in Chromium without JavaScript: the kommunedirektør opens it
from the menu, narrows it to one unit, and downloads the HTML file and the CSV."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from engine.engine import ProcessEngine
from tests.browser.test_accessibility import axe_page, violations
from tests.browser.test_deviation_to_closure import log_in

pytestmark = pytest.mark.browser
__all__ = ["axe_page"]  # a fixture that the last test uses

REPORT = {
    "tittel": "Feil medisin gitt på kveldsvakt",
    "hva_skjedde": "En beboer fikk tablettene til en annen beboer.",
    "tidspunkt": "2027-01-04T08:30:00+01:00",
    "sted": "Avdeling 2",
    "kategori": "tjeneste",
    "alvorlighetsgrad": "Middels",
    "personopplysninger": False,
    "personskade": False,
    "alvorlig_hendelse": False,
}


@pytest.fixture
def deviations(demo_engine: ProcessEngine) -> None:
    demo_engine.runtime.start("avvik", "ola.ansatt", {**REPORT, "enhet": "sykehjem"})
    demo_engine.runtime.start("avvik", "ola.ansatt", {**REPORT, "enhet": "hjemmetjenesten",
                                                      "kategori": "hms"})


def test_director_opens_and_downloads_report(deviations: None, live_server: str, page: Page,
                                             tmp_path: Path) -> None:
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    log_in(page, live_server, "kari.direktor")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Internkontroll").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Internkontrollrapport")
    expect(page.get_by_text("2 avvik ble meldt i 2027")).to_be_visible()
    expect(page.get_by_role("img", name="Avvik per måned")).to_be_visible()
    month_table = page.get_by_role("table", name="Avvik per måned")
    expect(month_table.get_by_role("row", name="januar 2 0")).to_be_visible()

    page.get_by_label("Enhet", exact=True).select_option("sykehjem")
    page.get_by_role("button", name="Vis").click()
    expect(page.get_by_text("1 avvik ble meldt i 2027")).to_be_visible()
    expect(page.get_by_text("Omfang: Eksempel sykehjem og enhetene under.")).to_be_visible()

    with page.expect_download() as html_download:
        page.get_by_role("link", name="Last ned rapporten (HTML-fil til sakspapirene)").click()
    assert html_download.value.suggested_filename == "internkontroll-2027-sykehjem.html"
    html_file = tmp_path / html_download.value.suggested_filename
    html_download.value.save_as(html_file)
    saved = html_file.read_text(encoding="utf-8")
    assert "1 avvik ble meldt i 2027" in saved
    assert "<style>" in saved

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Last ned tabellene (CSV til Excel)").click()
    csv_file = tmp_path / "rapport.csv"
    csv_download.value.save_as(csv_file)
    assert csv_file.read_bytes().startswith(b"\xef\xbb\xbfInternkontrollrapport 2027")

    page.goto(html_file.as_uri())
    expect(page.get_by_role("heading", level=1)).to_have_text("Internkontrollrapport 2027")
    expect(page.get_by_role("img", name="Avvik etter type")).to_be_visible()
    assert blocked == []


def test_report_and_file_pass_axe(deviations: None, live_server: str, axe_page: Page,
                                  tmp_path: Path) -> None:
    log_in(axe_page, live_server, "admin")
    axe_page.goto(f"{live_server}/internkontroll?ar=2027")
    expect(axe_page.get_by_role("heading", level=1)).to_have_text("Internkontrollrapport")
    assert violations(axe_page) == []

    response = axe_page.request.get(f"{live_server}/internkontroll/rapport.html?ar=2027")
    saved = tmp_path / "rapport.html"
    saved.write_bytes(response.body())
    axe_page.goto(saved.as_uri())
    expect(axe_page.get_by_role("heading", level=1)).to_have_text("Internkontrollrapport 2027")
    assert violations(axe_page) == []
