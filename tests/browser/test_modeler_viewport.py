"""Where the modeler draws the diagram and its findings: clear of the palette that bpmn-js
lays over the canvas's left edge."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_deviation_journey import log_in

pytestmark = pytest.mark.browser

MODELER_SCRIPT = "/static/dist/modeler.js"

# Runs in the page: mark the process as not executable, which the server reports as a finding
# on the process itself.
MAKE_NOT_EXECUTABLE = """async (script) => {
  const module = await import(script);
  const handle = await module.modelerReady(document.querySelector('[data-sloyfe-modeler]'));
  const canvas = handle.modeler.get('canvas');
  handle.modeler.get('modeling').updateProperties(canvas.getRootElement(),
    { isExecutable: false });
}"""


def open_model(page: Page, live_server: str) -> None:
    log_in(page, live_server, "paal.prosesseier")
    page.goto(f"{live_server}/prosesser/avvik/modell")
    expect(page.locator('[data-element-id="MeldAvvik"]')).to_be_visible()


def palette_right(page: Page) -> float:
    box = page.locator(".djs-palette").bounding_box()
    assert box is not None
    return box["x"] + box["width"]


def test_start_event_clear_of_palette(js_page: Page, live_server: str) -> None:
    open_model(js_page, live_server)

    start = js_page.locator('[data-element-id="MeldAvvik"]').bounding_box()

    assert start is not None
    assert start["x"] >= palette_right(js_page)


def test_model_badge_clear_of_palette(js_page: Page, live_server: str) -> None:
    page = js_page
    open_model(page, live_server)
    page.evaluate(MAKE_NOT_EXECUTABLE, MODELER_SCRIPT)

    page.get_by_role("button", name="Valider").click()
    badge = page.locator(".sloyfe-problem-badge")
    expect(badge).to_be_visible()

    box = badge.bounding_box()
    assert box is not None
    assert box["x"] >= palette_right(page)
