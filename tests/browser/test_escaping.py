"""Script payloads typed by users or written into a diagram show as text and never run.

The browser context bypasses the Content-Security-Policy, which would block inline script on
its own, so these tests show that the escaping holds without it. Every page is checked for
JavaScript dialogs and for elements that a payload would have created.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from engine.engine import ProcessEngine
from tests.browser.test_deviation_journey import log_in

pytestmark = pytest.mark.browser

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
LINK = "[klikk her](javascript:alert(1))"


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Page]:
    """A page with JavaScript on and the Content-Security-Policy ignored, which records every
    dialog in `page.dialogs`."""
    context = browser.new_context(java_script_enabled=True, bypass_csp=True, locale="nb-NO")
    context.set_default_timeout(10_000)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs  # type: ignore[attr-defined]
    yield page
    context.close()


def assert_inert(page: Page) -> None:
    """Check that the page has none of the elements a payload would create, and that no dialog
    was shown."""
    assert page.dialogs == [], page.url  # type: ignore[attr-defined]
    assert page.locator('img[src="x"]').count() == 0, page.url
    assert page.locator("[onerror]").count() == 0, page.url
    assert page.locator('a[href^="javascript:" i]').count() == 0, page.url
    sources = page.locator("script").evaluate_all("scripts => scripts.map(s => s.src)")
    assert all(source.endswith("/static/conditions.js") for source in sources), sources


def test_report_fields_show_as_text(open_page: Page, live_server: str) -> None:
    page = open_page
    log_in(page, live_server, "ola.ansatt")
    page.get_by_role("link", name="Meld avvik").click()
    page.get_by_label("Tittel").fill(SCRIPT)
    page.get_by_label("Hva skjedde?").fill(f"{IMAGE}\n{LINK}")
    page.get_by_label("Hvor skjedde det?").fill(IMAGE)
    page.get_by_role("button", name="Send inn").click()

    expect(page.get_by_role("alert").first).to_contain_text("Skjemaet har")
    expect(page.get_by_label("Tittel")).to_have_value(SCRIPT)
    expect(page.get_by_label("Hva skjedde?")).to_have_value(f"{IMAGE}\n{LINK}")
    assert_inert(page)

    page.locator('[name="tidspunkt:date"]').fill("04.01.2027")
    page.locator('[name="tidspunkt:time"]').fill("08:30")
    page.get_by_label("Enheten der det skjedde").select_option("sykehjem")
    page.get_by_label("Type avvik").select_option("tjeneste")
    page.get_by_label("Middels").check()
    page.get_by_role("button", name="Send inn").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(SCRIPT)
    expect(page.get_by_role("region", name="Opplysninger ved oppstart")).to_contain_text(IMAGE)
    expect(page.get_by_role("region", name="Opplysninger ved oppstart")).to_contain_text(LINK)
    assert_inert(page)
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Mine saker") \
        .click()
    expect(page.get_by_role("link", name=SCRIPT)).to_be_visible()
    assert_inert(page)

    page.get_by_role("button", name="Logg ut").click()
    log_in(page, live_server, "lise.leder")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Felles oppgaver").click()
    row = page.get_by_role("row").filter(has_text="Vurder avvik")
    expect(row).to_contain_text(SCRIPT)
    assert_inert(page)
    row.get_by_role("link", name="Vurder avvik").click()

    expect(page.get_by_role("region", name="Opplysninger i saken")).to_contain_text(IMAGE)
    expect(page.get_by_role("link", name=SCRIPT)).to_be_visible()
    assert_inert(page)


def xss_process() -> bytes:
    """A process whose name, task name and documentation are script payloads."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="skript" name="{_xml(IMAGE)}" isExecutable="true">
    <bpmn:startEvent id="start" camunda:formRef="skript-start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="steg" />
    <bpmn:userTask id="steg" name="{_xml(IMAGE)}" camunda:assignee="ola.ansatt"
        camunda:formRef="skript-steg">
      <bpmn:documentation>{_xml(SCRIPT)}

{_xml(LINK)}</bpmn:documentation>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="steg" targetRef="slutt" />
    <bpmn:endEvent id="slutt" />
  </bpmn:process>
</bpmn:definitions>""".encode()


def xss_form(form_id: str) -> bytes:
    import json

    return json.dumps({"type": "default", "id": form_id, "components": [
        {"type": "text", "id": "Text_1", "text": f"**Les dette** {LINK} {SCRIPT} {IMAGE}"},
        {"type": "textfield", "id": "Field_1", "key": "notat", "label": SCRIPT,
         "description": IMAGE},
    ]}).encode()


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") \
        .replace('"', "&quot;")


def test_diagram_text_shows_as_text(open_page: Page, live_server: str,
                                    demo_engine: ProcessEngine) -> None:
    demo_engine.repository.deploy([("skript.bpmn", xss_process()),
                                   ("skript-start.form", xss_form("skript-start")),
                                   ("skript-steg.form", xss_form("skript-steg"))])
    page = open_page
    log_in(page, live_server, "ola.ansatt")

    page.get_by_role("link", name=IMAGE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(IMAGE)
    expect(page.locator(".sloyfe-text strong")).to_have_text("Les dette")
    expect(page.locator(".sloyfe-text")).to_contain_text(f"klikk her) {SCRIPT} {IMAGE}")
    expect(page.get_by_label(re.compile(re.escape(SCRIPT)))).to_be_visible()
    assert_inert(page)
    page.get_by_role("button", name="Send inn").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(IMAGE)
    assert_inert(page)
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Mine oppgaver") \
        .click()
    expect(page.get_by_role("row").filter(has_text=IMAGE).first).to_be_visible()
    assert_inert(page)
    page.get_by_role("link", name=IMAGE).first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(IMAGE)
    about = page.get_by_role("region", name="Om dette steget")
    expect(about).to_contain_text(SCRIPT)
    # The instructions are Markdown, and a link to a javascript: address keeps only its text.
    expect(about).to_contain_text("klikk her)")
    expect(about.get_by_role("link")).to_have_count(0)
    assert_inert(page)
