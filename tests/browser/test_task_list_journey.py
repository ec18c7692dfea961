"""Filtering the task list through its form and URL, and delegating a task, without
JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from engine.engine import ProcessEngine
from tests.browser.test_deviation_journey import log_in
from tests.web.conftest import REPORT_DATA, open_task_id

pytestmark = pytest.mark.browser


def test_filter_form_writes_url(page: Page, live_server: str,
                                demo_engine: ProcessEngine) -> None:
    demo_engine.runtime.start("avvik", "ola.ansatt", REPORT_DATA)
    log_in(page, live_server, "tor.kommunalsjef")

    page.goto(f"{live_server}/oppgaver?visning=enhet")
    page.get_by_label("Enhet", exact=True).select_option("hjemmetjenesten")
    page.get_by_role("button", name="Vis oppgavene").click()

    expect(page).to_have_url(re.compile(r"visning=enhet.*enhet=hjemmetjenesten"))
    expect(page.get_by_text("Ingen oppgaver passer med filtrene.")).to_be_visible()
    page.get_by_role("link", name="Fjern filtrene").click()
    expect(page.get_by_role("link", name="Vurder avvik")).to_be_visible()


def test_shared_url_shows_message(page: Page, live_server: str) -> None:
    log_in(page, live_server, "lise.leder")

    page.goto(f"{live_server}/oppgaver?visning=felles&frist=snart")

    expect(page.get_by_role("alert")).to_contain_text("Fristfilteret «snart» er ugyldig.")


def test_delegate_to_colleague(page: Page, live_server: str,
                               demo_engine: ProcessEngine) -> None:
    instance_id = demo_engine.runtime.start("avvik", "ola.ansatt", REPORT_DATA).instance_id
    task_id = open_task_id(demo_engine, instance_id, "VurderAvvik")
    demo_engine.tasks.claim(task_id, "lise.leder")
    log_in(page, live_server, "lise.leder")

    page.goto(f"{live_server}/oppgaver/{task_id}")
    page.get_by_label("Kollega", exact=True).select_option("fatima.ansatt")
    page.get_by_role("button", name="Deleger").click()

    expect(page).to_have_url(re.compile(r"/oppgaver\?visning=mine$"))
    expect(page.get_by_text("Oppgaven «Vurder avvik» er nå tildelt Fatima Ali.")).to_be_visible()
    with demo_engine.transaction(read_only=True):
        assert demo_engine.tasks.get(task_id).assignee == "fatima.ansatt"
