"""The task list on a 375 px wide phone screen, in Chromium with JavaScript off."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from engine.engine import ProcessEngine
from tests.browser.test_deviation_journey import log_in
from tests.web.conftest import REPORT_DATA

pytestmark = pytest.mark.browser

WIDTH = 375


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False, locale="nb-NO",
                                  viewport={"width": WIDTH, "height": 800})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_claim_button_fits_phone_width(phone: Page, live_server: str,
                                       demo_engine: ProcessEngine) -> None:
    demo_engine.runtime.start("avvik", "ola.ansatt", REPORT_DATA)
    log_in(phone, live_server, "lise.leder")

    phone.goto(f"{live_server}/oppgaver?visning=felles")
    button = phone.get_by_role("button", name=re.compile("^Tildel meg"))
    expect(button).to_be_visible()
    box = button.bounding_box()

    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= WIDTH


def test_stacked_cells_name_their_column(phone: Page, live_server: str,
                                         demo_engine: ProcessEngine) -> None:
    demo_engine.runtime.start("avvik", "ola.ansatt", REPORT_DATA)
    log_in(phone, live_server, "lise.leder")

    phone.goto(f"{live_server}/oppgaver?visning=felles")
    deadline_cell = phone.locator("td[data-label='Frist']")
    label = deadline_cell.evaluate(
        "cell => getComputedStyle(cell, '::before').getPropertyValue('content')")
    table_width = phone.locator("table").bounding_box()

    assert label == '"Frist"'
    assert table_width is not None
    assert table_width["width"] <= WIDTH
