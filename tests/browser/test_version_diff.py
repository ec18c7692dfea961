"""A process owner compares the two newest versions of a process in Chromium: the added, the
removed and the changed element are marked on the diagrams, each with a text badge, and the
list of changes selects an element on the diagram."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from engine.engine import ProcessEngine
from tests.browser.test_deviation_journey import log_in
from tests.version_diagrams import KEY, deploy_two_versions

pytestmark = pytest.mark.browser


def shape(page: Page, side: str, element_id: str) -> object:
    return page.locator(f'[data-diff-side="{side}"] .djs-element[data-element-id="{element_id}"]')


def badge(page: Page, side: str, element_id: str) -> object:
    return page.locator(f'[data-diff-side="{side}"] .djs-overlays[data-container-id="{element_id}"]'
                        " .sloyfe-diff-badge")


def open_comparison(page: Page, live_server: str, engine: ProcessEngine) -> list[str]:
    """Deploy two versions, open their comparison and return the list of console errors."""
    problems: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(message.text)

    page.on("console", keep)
    page.on("pageerror", lambda error: problems.append(str(error)))
    deploy_two_versions(engine)
    log_in(page, live_server, "paal.prosesseier")
    page.goto(f"{live_server}/prosesser/{KEY}/versjoner")
    page.get_by_role("button", name="Sammenlign").click()
    expect(page.locator("[data-version-diff]")).to_have_attribute("data-diff-shown", "true")
    return problems


def test_diagrams_mark_each_kind(js_page: Page, live_server: str,
                                 demo_engine: ProcessEngine) -> None:
    page = js_page
    problems = open_comparison(page, live_server, demo_engine)

    expect(shape(page, "new", "kontroller")).to_have_class(re.compile(r"\bsloyfe-diff-added\b"))
    expect(badge(page, "new", "kontroller")).to_have_text("Ny")
    expect(shape(page, "old", "registrer")).to_have_class(
        re.compile(r"\bsloyfe-diff-removed\b"))
    expect(badge(page, "old", "registrer")).to_have_text("Fjernet")
    expect(shape(page, "new", "vurder")).to_have_class(re.compile(r"\bsloyfe-diff-changed\b"))
    expect(shape(page, "old", "vurder")).to_have_class(re.compile(r"\bsloyfe-diff-changed\b"))
    expect(badge(page, "new", "vurder")).to_have_text("Endret")
    assert problems == []


def test_markers_only_on_own_side(js_page: Page, live_server: str,
                                          demo_engine: ProcessEngine) -> None:
    page = js_page
    open_comparison(page, live_server, demo_engine)

    expect(shape(page, "new", "flyt_vurder_kontroller")).to_have_class(
        re.compile(r"\bsloyfe-diff-added\b"))
    expect(badge(page, "new", "kontroller")).to_have_count(1)
    expect(shape(page, "old", "kontroller")).to_have_count(0)
    expect(badge(page, "new", "registrer")).to_have_count(0)


def test_list_selects_removed_element(js_page: Page, live_server: str,
                                      demo_engine: ProcessEngine) -> None:
    page = js_page
    open_comparison(page, live_server, demo_engine)
    item = page.locator('[data-diff-element="registrer"]')

    item.get_by_role("button", name="Vis i diagrammet").click()

    expect(item).to_have_attribute("aria-current", "true")
    expect(shape(page, "old", "registrer")).to_have_class(re.compile(r"\bselected\b"))
    expect(shape(page, "old", "registrer")).to_have_class(re.compile(r"\bsloyfe-diff-focus\b"))


def test_list_names_changed_group(js_page: Page, live_server: str,
                                  demo_engine: ProcessEngine) -> None:
    page = js_page
    open_comparison(page, live_server, demo_engine)
    row = page.locator('[data-diff-element="vurder"] [data-diff-field="camunda:candidateGroups"]')

    expect(row).to_contain_text("Kandidatgrupper")
    expect(row.locator("td").nth(0)).to_have_text("personvernombud")
    expect(row.locator("td").nth(1)).to_have_text("okonomi")


def test_list_works_without_javascript(page: Page, live_server: str,
                                       demo_engine: ProcessEngine) -> None:
    deploy_two_versions(demo_engine)
    log_in(page, live_server, "paal.prosesseier")
    page.goto(f"{live_server}/prosesser/{KEY}/versjoner")

    page.get_by_role("button", name="Sammenlign").click()

    expect(page.locator('[data-diff-element="kontroller"]')).to_contain_text("Lagt til")
    expect(page.get_by_role("button", name="Vis i diagrammet")).to_have_count(0)
