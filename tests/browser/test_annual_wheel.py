"""The annual wheel in Chromium, without JavaScript: the menu link, the wheel, the calendar,
and a change of scope through the form."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from engine.engine import ProcessEngine
from tests.annual_wheel_diagrams import deploy_yearly_plan, start_report
from tests.browser.test_accessibility import axe_page, violations  # noqa: F401 (fixture)
from tests.browser.test_deviation_to_closure import log_in

pytestmark = pytest.mark.browser


def test_wheel_switches_scope(page: Page, demo_engine: ProcessEngine, live_server: str) -> None:
    deploy_yearly_plan(demo_engine)
    start_report(demo_engine, "sykehjem", "Rapport sykehjem")
    start_report(demo_engine, "eksempel-skole", "Rapport skole")
    console: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        console.append(message.text)

    page.on("console", keep)

    log_in(page, live_server, "admin")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Årshjul").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Årshjul 2027")
    wheel = page.get_by_role("img", name="Årshjul 2027")
    expect(wheel).to_be_visible()
    expect(page.locator("svg.sloyfe-wheel-svg path.sloyfe-wheel-mark")).not_to_have_count(0)
    expect(page.get_by_role("heading", name="Tegnforklaring")).to_be_visible()
    january = page.get_by_role("region", name="Januar")
    expect(january.get_by_role("listitem").filter(has_text="Årlig planlegging")).to_have_count(1)
    may = page.get_by_role("region", name="Mai")
    expect(may).to_contain_text("Rapport sykehjem")
    expect(may).to_contain_text("Rapport skole")

    page.get_by_label("Nivå", exact=True).select_option("eksempel-skole")
    page.get_by_role("button", name="Vis").click()

    expect(page).to_have_url(re.compile(r"enhet=eksempel-skole"))
    expect(page.get_by_role("img", name="Årshjul 2027")).to_be_visible()
    expect(page.locator("#wheel-scope-text")).to_have_text(
        "Eksempel skole, med det som gjelder hele kommunen.")
    may = page.get_by_role("region", name="Mai")
    expect(may).to_contain_text("Rapport skole")
    expect(may).not_to_contain_text("Rapport sykehjem")
    expect(page.get_by_role("region", name="Januar")).to_contain_text("Årlig planlegging")

    page.get_by_label("År", exact=True).fill("2028")
    page.get_by_role("button", name="Vis").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Årshjul 2028")
    expect(page.get_by_label("Nivå", exact=True)).to_have_value("eksempel-skole")
    assert [text for text in console if "Content Security Policy" in text] == []


def test_wheel_page_passes_axe(axe_page: Page, demo_engine: ProcessEngine,  # noqa: F811
                               live_server: str) -> None:
    deploy_yearly_plan(demo_engine)
    start_report(demo_engine, "sykehjem", "Rapport sykehjem")
    log_in(axe_page, live_server, "lise.leder")
    axe_page.goto(f"{live_server}/arshjul?ar=2027&enhet=helse-omsorg")
    expect(axe_page.get_by_role("heading", level=1)).to_have_text("Årshjul 2027")

    assert violations(axe_page) == []


def test_wheel_error_passes_axe(axe_page: Page, live_server: str) -> None:  # noqa: F811
    log_in(axe_page, live_server, "ola.ansatt")
    axe_page.goto(f"{live_server}/arshjul?ar=tjuesju")
    expect(axe_page.get_by_role("alert")).to_contain_text("Året tjuesju er ikke gyldig")

    assert violations(axe_page) == []


def test_wheel_fits_phone_width(page: Page, demo_engine: ProcessEngine,
                                live_server: str) -> None:
    deploy_yearly_plan(demo_engine)
    start_report(demo_engine, "sykehjem", "Rapport sykehjem")
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server, "lise.leder")
    page.goto(f"{live_server}/arshjul?ar=2027")

    wheel = page.get_by_role("img", name="Årshjul 2027").bounding_box()
    page_width = page.evaluate("document.documentElement.scrollWidth")

    assert page_width <= 360
    assert wheel is not None
    assert wheel["x"] + wheel["width"] <= 360
