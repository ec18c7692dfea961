"""The language switch in the page header, in Chromium with JavaScript off."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from engine.engine import ProcessEngine
from tests.browser.test_deviation_journey import log_in

pytestmark = pytest.mark.browser


def test_switch_to_english_and_back(page: Page, live_server: str,
                                    demo_engine: ProcessEngine) -> None:
    log_in(page, live_server, "ola.ansatt")
    page.goto(f"{live_server}/saker")

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("My cases")
    assert page.url == f"{live_server}/saker"

    page.get_by_role("button", name="Norsk bokmål").click()

    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mine saker")


def test_switch_before_log_in(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/logg-inn")

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_label("User name")).to_be_visible()


def test_page_uses_designsystemet_font(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/logg-inn")

    family = page.locator("body").evaluate("body => getComputedStyle(body).fontFamily")
    loaded = page.evaluate("document.fonts.check('16px \"Inter Variable\"')")

    assert family.startswith('"Inter Variable"')
    assert loaded is True
