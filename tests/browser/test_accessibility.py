"""WCAG 2.1 AA checks with axe-core (from npm, see package.json), run in Chromium.

axe-core is injected into each page, so the context bypasses the Content-Security-Policy
that would refuse the injected script. The pages themselves run without JavaScript.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from engine.engine import ProcessEngine
from tests.version_diagrams import KEY as VERSION_KEY
from tests.version_diagrams import deploy_two_versions
from tests.web.conftest import REPORT_DATA

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def axe_page(browser: Browser) -> Iterator[Page]:
    assert AXE.exists(), f"{AXE} is missing; `make test` installs it with npm ci"
    context = browser.new_context(bypass_csp=True, locale="nb-NO")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def violations(page: Page) -> list[str]:
    """Run axe-core on the page; returns one line per violated rule with the elements."""
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA)
    return [f"{item['id']} ({item['impact']}): {item['help']} at "
            + ", ".join(str(node["target"]) for node in item["nodes"])
            for item in result["violations"]]


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/logg-inn")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill("demo")
    page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hei, ")


def test_login_page_passes_axe(axe_page: Page, live_server: str) -> None:
    axe_page.goto(f"{live_server}/logg-inn")

    assert violations(axe_page) == []


def test_start_page_passes_axe(axe_page: Page, live_server: str) -> None:
    log_in(axe_page, live_server, "ola.ansatt")

    assert violations(axe_page) == []


def test_report_form_passes_axe(axe_page: Page, live_server: str) -> None:
    log_in(axe_page, live_server, "ola.ansatt")
    axe_page.get_by_role("link", name="Meld avvik").click()

    assert violations(axe_page) == []


def test_form_with_errors_passes_axe(axe_page: Page, live_server: str) -> None:
    log_in(axe_page, live_server, "ola.ansatt")
    axe_page.get_by_role("link", name="Meld avvik").click()
    axe_page.get_by_label("Tittel").fill("Mangler resten")
    axe_page.get_by_role("button", name="Send inn").click()
    expect(axe_page.get_by_role("alert")).to_contain_text("feil")

    assert violations(axe_page) == []


def test_task_list_passes_axe(axe_page: Page, live_server: str,
                              demo_engine: ProcessEngine) -> None:
    demo_engine.runtime.start("avvik", "ola.ansatt", REPORT_DATA)
    log_in(axe_page, live_server, "lise.leder")
    axe_page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Felles oppgaver").click()
    expect(axe_page.get_by_role("row").filter(has_text="Vurder avvik")).to_be_visible()

    assert violations(axe_page) == []


def test_task_page_passes_axe(axe_page: Page, live_server: str,
                              demo_engine: ProcessEngine) -> None:
    demo_engine.runtime.start("avvik", "ola.ansatt", REPORT_DATA)
    log_in(axe_page, live_server, "lise.leder")
    axe_page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Felles oppgaver").click()
    row = axe_page.get_by_role("row").filter(has_text="Vurder avvik")
    row.get_by_role("button", name=re.compile("^Tildel meg")).click()
    expect(axe_page.get_by_role("heading", level=1)).to_have_text("Vurder avvik")

    assert violations(axe_page) == []


def test_case_page_passes_axe(axe_page: Page, live_server: str,
                              demo_engine: ProcessEngine) -> None:
    instance_id = demo_engine.runtime.start("avvik", "ola.ansatt", REPORT_DATA).instance_id
    log_in(axe_page, live_server, "lise.leder")
    axe_page.goto(f"{live_server}/saker/{instance_id}")

    assert violations(axe_page) == []


def test_version_history_passes_axe(axe_page: Page, live_server: str,
                                    demo_engine: ProcessEngine) -> None:
    deploy_two_versions(demo_engine)
    log_in(axe_page, live_server, "paal.prosesseier")
    axe_page.goto(f"{live_server}/prosesser/{VERSION_KEY}/versjoner")

    assert violations(axe_page) == []


def test_version_comparison_passes_axe(axe_page: Page, live_server: str,
                                       demo_engine: ProcessEngine) -> None:
    deploy_two_versions(demo_engine)
    log_in(axe_page, live_server, "paal.prosesseier")
    axe_page.goto(f"{live_server}/prosesser/{VERSION_KEY}/versjoner/sammenlign")
    expect(axe_page.locator("[data-version-diff]")).to_have_attribute("data-diff-shown", "true")

    assert violations(axe_page) == []
