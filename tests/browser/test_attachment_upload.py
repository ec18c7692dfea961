"""Attaching a file on the task page in Chromium with JavaScript off, and downloading it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from engine.engine import ProcessEngine
from tests import attachment_files as files
from tests.browser.test_deviation_journey import log_in
from tests.web.conftest import REPORT_DATA, open_task_id

pytestmark = pytest.mark.browser


@pytest.fixture
def task_id(demo_engine: ProcessEngine) -> str:
    """The first task of a deviation case by ola.ansatt, taken by lise.leder."""
    instance_id = demo_engine.runtime.start("avvik", "ola.ansatt", REPORT_DATA).instance_id
    task_id = open_task_id(demo_engine, instance_id, "VurderAvvik")
    demo_engine.tasks.claim(task_id, "lise.leder")
    return task_id


def choose_file(page: Page, name: str, content: bytes, mime_type: str) -> None:
    page.get_by_label("Legg ved en fil").set_input_files(
        {"name": name, "mimeType": mime_type, "buffer": content})


def test_attach_and_download_file(page: Page, live_server: str, task_id: str,
                                  tmp_path: Path) -> None:
    log_in(page, live_server, "lise.leder")
    page.goto(f"{live_server}/oppgaver/{task_id}")

    choose_file(page, "Måling på rom 2.pdf", files.PDF, "application/pdf")
    page.get_by_role("button", name="Last opp").click()

    expect(page.get_by_role("status")).to_contain_text("Måling på rom 2.pdf er lagt ved saken.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vurder avvik")
    attachments = page.get_by_role("region", name="Vedlegg")
    link = attachments.get_by_role("link", name="Måling på rom 2.pdf")
    expect(link).to_be_visible()
    expect(attachments).to_contain_text("Lagt ved av Lise Johansen")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "Måling på rom 2.pdf"
    saved = tmp_path / "lastet-ned.pdf"
    download.save_as(saved)
    assert saved.read_bytes() == files.PDF


def test_wrong_type_explained_on_page(page: Page, live_server: str, task_id: str,
                                      demo_engine: ProcessEngine) -> None:
    log_in(page, live_server, "lise.leder")
    page.goto(f"{live_server}/oppgaver/{task_id}")

    choose_file(page, "program.pdf", files.BINARY, "application/pdf")
    page.get_by_role("button", name="Last opp").click()

    expect(page.get_by_role("alert")).to_contain_text("Tillatte typer: PDF, PNG-bilde")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vurder avvik")
    expect(page.get_by_role("region", name="Vedlegg")).to_contain_text(
        "Saken har ingen vedlegg.")


def test_uploader_deletes_file(page: Page, live_server: str, task_id: str) -> None:
    log_in(page, live_server, "lise.leder")
    page.goto(f"{live_server}/oppgaver/{task_id}")
    choose_file(page, "notat.txt", files.TEXT, "text/plain")
    page.get_by_role("button", name="Last opp").click()
    expect(page.get_by_role("status")).to_contain_text("notat.txt er lagt ved saken.")

    page.get_by_role("button", name=re.compile(r"^Slett\W+notat\.txt$")).click()

    expect(page.get_by_role("status")).to_contain_text("notat.txt er slettet.")
    expect(page.get_by_role("link", name="notat.txt")).to_have_count(0)



def test_upload_keeps_typed_text(page: Page, live_server: str, task_id: str) -> None:
    log_in(page, live_server, "lise.leder")
    page.goto(f"{live_server}/oppgaver/{task_id}")
    page.get_by_label("Avvis – det er ikke et avvik").check()
    page.get_by_label("Begrunnelse for avvisningen").fill("Meldt to ganger, se forrige sak.")

    choose_file(page, "notat.txt", files.TEXT, "text/plain")
    page.get_by_role("button", name="Last opp").click()

    expect(page.get_by_role("status")).to_contain_text("notat.txt er lagt ved saken.")
    expect(page.get_by_label("Avvis – det er ikke et avvik")).to_be_checked()
    expect(page.get_by_label("Begrunnelse for avvisningen")).to_have_value(
        "Meldt to ganger, se forrige sak.")
    expect(page.get_by_role("region", name="Vedlegg").get_by_role(
        "link", name="notat.txt")).to_be_visible()
