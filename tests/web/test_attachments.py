"""Attachments on the task and case pages: upload, limits, download, delete and access."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine.app import create_app
from engine.engine import ProcessEngine
from tests import attachment_files as files
from tests.web.conftest import ACCEPT_FORM, csrf_token, open_task_id

TOO_LARGE = "Filen er for stor. En fil kan være på høyst"
WRONG_TYPE = "kan ikke legges ved, fordi innholdet ikke er av en tillatt type. Tillatte typer: " \
             "PDF, PNG-bilde, JPEG-bilde, ren tekst, Word-dokument (.docx), Excel-arbeidsbok " \
             "(.xlsx), OpenDocument-tekst (.odt), OpenDocument-regneark (.ods)."
DOWNLOAD_LINK = re.compile(r'href="(/saker/\d+/vedlegg/\d+)"')


@pytest.fixture
def task_id(demo_engine: ProcessEngine, report: Callable[..., int]) -> str:
    """The first task of a deviation case by ola.ansatt, taken by lise.leder."""
    task_id = open_task_id(demo_engine, report(), "VurderAvvik")
    demo_engine.tasks.claim(task_id, "lise.leder")
    return task_id


def upload(client: FlaskClient, task_id: str, content: bytes = files.PDF,
           filename: str = "rapport.pdf", **fields: str) -> TestResponse:
    return client.post(f"/oppgaver/{task_id}/vedlegg",
                       data={"fil": (io.BytesIO(content), filename), **fields},
                       content_type="multipart/form-data")


def download_links(html: str) -> list[str]:
    return DOWNLOAD_LINK.findall(html)


def stored_count(engine: ProcessEngine) -> int:
    directory = engine.attachments.store.directory
    return sum(1 for path in directory.rglob("*") if path.is_file()) \
        if directory.exists() else 0


# --- uploading ---------------------------------------------------------------------------

def test_upload_lists_file_on_task(login_as: Callable[[str], FlaskClient],
                                   task_id: str) -> None:
    client = login_as("lise.leder")

    response = upload(client, task_id)
    page = client.get(f"/oppgaver/{task_id}").get_data(as_text=True)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/oppgaver/{task_id}#vedlegg"
    assert "rapport.pdf er lagt ved saken." in page
    assert "rapport.pdf" in page
    assert len(download_links(page)) == 1


def test_upload_leaves_task_open(login_as: Callable[[str], FlaskClient],
                                 demo_engine: ProcessEngine, task_id: str) -> None:
    client = login_as("lise.leder")

    upload(client, task_id, beslutning="godta", alvorlighetsgrad="Middels")

    with demo_engine.transaction(read_only=True):
        task = demo_engine.tasks.get(task_id)
        assert task.state == "open"
        assert task.submitted_data is None


def test_task_page_has_upload_form(login_as: Callable[[str], FlaskClient],
                                   task_id: str) -> None:
    page = login_as("lise.leder").get(f"/oppgaver/{task_id}").get_data(as_text=True)

    assert 'enctype="multipart/form-data"' in page
    assert f'action="/oppgaver/{task_id}/vedlegg"' in page
    assert 'accept=".pdf,.png,.jpg,.jpeg,.txt' in page
    assert "Høyst 10 MB per fil." in page


def test_no_upload_form_for_others(login_as: Callable[[str], FlaskClient],
                                   task_id: str) -> None:
    page = login_as("admin").get(f"/oppgaver/{task_id}").get_data(as_text=True)

    assert f'action="/oppgaver/{task_id}/vedlegg"' not in page


def test_upload_without_file_explains(login_as: Callable[[str], FlaskClient],
                                      task_id: str) -> None:
    client = login_as("lise.leder")

    response = client.post(f"/oppgaver/{task_id}/vedlegg", data={},
                           content_type="multipart/form-data")

    assert response.status_code == 400
    assert "Velg en fil å laste opp." in response.get_data(as_text=True)


def test_wrong_type_names_allowed_types(login_as: Callable[[str], FlaskClient],
                                        demo_engine: ProcessEngine, task_id: str) -> None:
    client = login_as("lise.leder")

    response = upload(client, task_id, files.BINARY, "program.exe")
    html = response.get_data(as_text=True)

    assert response.status_code == 415
    assert "Filen program.exe " + WRONG_TYPE in html
    assert 'id="vedlegg"' in html
    assert stored_count(demo_engine) == 0


def test_upload_button_posts_task_form(login_as: Callable[[str], FlaskClient],
                                       task_id: str) -> None:
    page = login_as("lise.leder").get(f"/oppgaver/{task_id}").get_data(as_text=True)

    assert '<form class="sloyfe-form" method="post" action="/oppgaver/' in page
    assert 'id="oppgaveskjema"' in page
    assert f'form="oppgaveskjema" formaction="/oppgaver/{task_id}/vedlegg"' in page
    assert 'name="fil" accept=' in page


def test_upload_keeps_typed_values(login_as: Callable[[str], FlaskClient],
                                   task_id: str) -> None:
    client = login_as("lise.leder")

    response = upload(client, task_id, beslutning="avvis",
                      begrunnelse="Meldt to ganger, se forrige sak.")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "rapport.pdf er lagt ved saken." in page
    assert "Meldt to ganger, se forrige sak.</textarea>" in page
    assert 'value="avvis" checked' in page


def test_rejected_upload_keeps_typed_values(login_as: Callable[[str], FlaskClient],
                                            task_id: str) -> None:
    client = login_as("lise.leder")

    response = upload(client, task_id, files.BINARY, "program.pdf", beslutning="avvis",
                      begrunnelse="Meldt to ganger, se forrige sak.")
    page = response.get_data(as_text=True)

    assert response.status_code == 415
    assert "kan ikke legges ved" in page
    assert "Meldt to ganger, se forrige sak.</textarea>" in page


def test_upload_after_reassign_lists_text(login_as: Callable[[str], FlaskClient],
                                          demo_engine: ProcessEngine, task_id: str) -> None:
    client = login_as("lise.leder")
    demo_engine.tasks.reassign(task_id, "fatima.ansatt", "tor.kommunalsjef")

    response = upload(client, task_id, beslutning="avvis",
                      begrunnelse="Meldt to ganger, se forrige sak.")
    page = response.get_data(as_text=True)

    assert response.status_code == 403
    assert "Oppgaven er tildelt Fatima Ali" in page
    assert "Meldt to ganger, se forrige sak." in page
    assert stored_count(demo_engine) == 0


@pytest.mark.parametrize("file_field", ["", "notat.txt"])
def test_complete_ignores_file_field(login_as: Callable[[str], FlaskClient],
                                     demo_engine: ProcessEngine, task_id: str,
                                     file_field: str) -> None:
    """The file input belongs to the task's form, so completing sends its file name."""
    client = login_as("lise.leder")

    response = client.post(f"/oppgaver/{task_id}", data={**ACCEPT_FORM, "fil": file_field})

    assert response.status_code == 302
    with demo_engine.transaction(read_only=True):
        assert demo_engine.tasks.get(task_id).state == "completed"


def test_upload_by_non_assignee_refused(login_as: Callable[[str], FlaskClient],
                                        demo_engine: ProcessEngine, task_id: str) -> None:
    client = login_as("admin")

    response = upload(client, task_id)

    assert response.status_code == 403
    assert "Oppgaven er tildelt Lise Johansen" in response.get_data(as_text=True)
    assert stored_count(demo_engine) == 0


def test_upload_by_outsider_gets_404(login_as: Callable[[str], FlaskClient],
                                     demo_engine: ProcessEngine, task_id: str) -> None:
    client = login_as("erik.laerer")

    response = upload(client, task_id)

    assert response.status_code == 404
    assert stored_count(demo_engine) == 0


def test_upload_to_completed_task_refused(login_as: Callable[[str], FlaskClient],
                                          demo_engine: ProcessEngine, task_id: str) -> None:
    demo_engine.tasks.complete(task_id, "lise.leder", ACCEPT_FORM)
    client = login_as("lise.leder")

    response = upload(client, task_id)

    assert response.status_code == 409
    assert stored_count(demo_engine) == 0


# --- size limits -------------------------------------------------------------------------

@pytest.fixture
def small_app(make_engine: Callable[..., ProcessEngine], demo_engine: ProcessEngine,
              web_config: dict[str, Any]) -> Flask:
    """The app on an engine with a limit of 1,000 bytes per attachment."""
    return create_app(web_config, engine=make_engine(ATTACHMENT_MAX_BYTES=1000))


def small_client(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    client.post("/logg-inn", data={"brukernavn": username, "passord": "demo"})
    return client


def test_large_upload_gets_413(small_app: Flask, demo_engine: ProcessEngine,
                               task_id: str) -> None:
    client = small_client(small_app, "lise.leder")
    large = files.TEXT * (200 * 1024 // len(files.TEXT))

    response = upload(client, task_id, large, "stor.txt")
    html = response.get_data(as_text=True)

    assert response.status_code == 413
    assert TOO_LARGE + " 1000 B." in html
    assert stored_count(demo_engine) == 0


def test_file_just_over_limit_gets_413(small_app: Flask, demo_engine: ProcessEngine,
                                       task_id: str) -> None:
    client = small_client(small_app, "lise.leder")

    response = upload(client, task_id, b"x" * 1001, "litt-for-stor.txt")
    html = response.get_data(as_text=True)

    assert response.status_code == 413
    assert TOO_LARGE in html
    assert 'id="vedlegg"' in html
    assert stored_count(demo_engine) == 0


def test_large_upload_with_csrf_on(make_engine: Callable[..., ProcessEngine],
                                   demo_engine: ProcessEngine, web_config: dict[str, Any],
                                   task_id: str) -> None:
    engine = make_engine(ATTACHMENT_MAX_BYTES=1000)
    app = create_app({**web_config, "WTF_CSRF_ENABLED": True}, engine=engine)
    client = app.test_client()
    token = csrf_token(client.get("/logg-inn").get_data(as_text=True))
    client.post("/logg-inn", data={"brukernavn": "lise.leder", "passord": "demo",
                                   "csrf_token": token})
    token = csrf_token(client.get(f"/oppgaver/{task_id}").get_data(as_text=True))

    response = upload(client, task_id, b"x" * (200 * 1024), "stor.txt", csrf_token=token)

    assert response.status_code == 413
    assert TOO_LARGE + " 1000 B." in response.get_data(as_text=True)
    assert stored_count(demo_engine) == 0


def test_upload_larger_than_other_posts(login_as: Callable[[str], FlaskClient],
                                        demo_engine: ProcessEngine, task_id: str) -> None:
    # Twice the limit of other posts (1 MB), well under the attachment limit (10 MB).
    content = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024)
    client = login_as("lise.leder")

    response = upload(client, task_id, content, "skannet.pdf")

    assert response.status_code == 302
    assert stored_count(demo_engine) == 1


def test_other_posts_keep_their_limit(login_as: Callable[[str], FlaskClient],
                                      task_id: str) -> None:
    client = login_as("lise.leder")

    response = client.post(f"/oppgaver/{task_id}",
                           data={**ACCEPT_FORM, "kommentar": "x" * (2 * 1024 * 1024)})

    assert response.status_code == 413
    assert "Det du sendte, er for stort." in response.get_data(as_text=True)


def test_upload_with_csrf_on(demo_engine: ProcessEngine, web_config: dict[str, Any],
                             task_id: str) -> None:
    app = create_app({**web_config, "WTF_CSRF_ENABLED": True}, engine=demo_engine)
    client = app.test_client()
    token = csrf_token(client.get("/logg-inn").get_data(as_text=True))
    client.post("/logg-inn", data={"brukernavn": "lise.leder", "passord": "demo",
                                   "csrf_token": token})
    token = csrf_token(client.get(f"/oppgaver/{task_id}").get_data(as_text=True))

    without = upload(client, task_id)
    with_token = upload(client, task_id, csrf_token=token)

    assert without.status_code == 400
    assert with_token.status_code == 302
    assert stored_count(demo_engine) == 1


# --- downloading -------------------------------------------------------------------------

def uploaded_link(client: FlaskClient, task_id: str, content: bytes = files.PDF,
                  filename: str = "rapport.pdf") -> str:
    assert upload(client, task_id, content, filename).status_code == 302
    (link,) = download_links(client.get(f"/oppgaver/{task_id}").get_data(as_text=True))
    return link


def test_download_headers(login_as: Callable[[str], FlaskClient], task_id: str) -> None:
    client = login_as("lise.leder")
    link = uploaded_link(client, task_id)

    response = client.get(link)

    assert response.status_code == 200
    assert response.data == files.PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=rapport.pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["Cache-Control"] == "no-store"


def test_download_text_keeps_charset(login_as: Callable[[str], FlaskClient],
                                     task_id: str) -> None:
    client = login_as("lise.leder")
    link = uploaded_link(client, task_id, files.TEXT_CP1252, "gammel.txt")

    response = client.get(link)

    assert response.headers["Content-Type"] == "text/plain; charset=windows-1252"
    assert response.data == files.TEXT_CP1252


def test_download_by_other_handler(login_as: Callable[[str], FlaskClient],
                                   task_id: str) -> None:
    link = uploaded_link(login_as("lise.leder"), task_id)

    response = login_as("admin").get(link)

    assert response.status_code == 200


def test_download_by_outsider_gets_404(login_as: Callable[[str], FlaskClient],
                                       task_id: str) -> None:
    link = uploaded_link(login_as("lise.leder"), task_id)

    response = login_as("erik.laerer").get(link)

    assert response.status_code == 404
    assert response.data != files.PDF


def test_download_by_reporter_gets_404(login_as: Callable[[str], FlaskClient],
                                       task_id: str) -> None:
    link = uploaded_link(login_as("lise.leder"), task_id)

    response = login_as("ola.ansatt").get(link)

    assert response.status_code == 404


def test_download_from_other_case_404(login_as: Callable[[str], FlaskClient],
                                      report: Callable[..., int], task_id: str) -> None:
    link = uploaded_link(login_as("lise.leder"), task_id)
    other = report()
    attachment_id = link.rsplit("/", 1)[1]

    response = login_as("lise.leder").get(f"/saker/{other}/vedlegg/{attachment_id}")

    assert response.status_code == 404


def test_hostile_filename_is_cleaned(login_as: Callable[[str], FlaskClient],
                                     demo_engine: ProcessEngine, task_id: str) -> None:
    client = login_as("lise.leder")
    link = uploaded_link(client, task_id, files.PDF, "../../<img src=x onerror=alert(1)>.pdf")

    page = client.get(f"/oppgaver/{task_id}").get_data(as_text=True)
    response = client.get(link)
    disposition = response.headers["Content-Disposition"]

    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in page
    assert "<img src=x" not in page
    assert disposition.startswith("attachment; filename=")
    assert "../" not in disposition
    assert "onerror" in disposition
    stored = [path.name for path in demo_engine.attachments.store.directory.rglob("*")
              if path.is_file()]
    assert len(stored) == 1
    assert re.fullmatch(r"[0-9a-f]{32}", stored[0])


def test_non_ascii_filename_download(login_as: Callable[[str], FlaskClient],
                                     task_id: str) -> None:
    client = login_as("lise.leder")
    link = uploaded_link(client, task_id, files.PDF, "Måling på rom 2.pdf")

    disposition = client.get(link).headers["Content-Disposition"]

    assert "filename*=UTF-8''M%C3%A5ling%20p%C3%A5%20rom%202.pdf" in disposition


# --- case page and deleting --------------------------------------------------------------

def test_case_page_lists_attachment(login_as: Callable[[str], FlaskClient],
                                    demo_engine: ProcessEngine, task_id: str) -> None:
    client = login_as("lise.leder")
    uploaded_link(client, task_id)
    with demo_engine.transaction(read_only=True):
        instance_id = demo_engine.tasks.get(task_id).instance_id

    handler_page = client.get(f"/saker/{instance_id}").get_data(as_text=True)
    reporter_page = login_as("ola.ansatt").get(f"/saker/{instance_id}").get_data(as_text=True)

    assert len(download_links(handler_page)) == 1
    assert "i steget Vurder avvik" in handler_page
    assert download_links(reporter_page) == []
    assert "rapport.pdf" not in reporter_page


def test_uploader_deletes_attachment(login_as: Callable[[str], FlaskClient],
                                     demo_engine: ProcessEngine, task_id: str) -> None:
    client = login_as("lise.leder")
    link = uploaded_link(client, task_id)

    response = client.post(link + "/slett")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/oppgaver/{task_id}#vedlegg"
    assert client.get(link).status_code == 404
    assert stored_count(demo_engine) == 0


def test_history_names_uploads(login_as: Callable[[str], FlaskClient],
                               task_id: str) -> None:
    client = login_as("lise.leder")
    link = uploaded_link(client, task_id)
    client.post(link + "/slett")

    page = client.get(f"/oppgaver/{task_id}").get_data(as_text=True)

    assert "Lise Johansen la ved en fil i oppgaven «Vurder avvik»." in page
    assert "Lise Johansen slettet et vedlegg i oppgaven «Vurder avvik»." in page


def test_other_reader_cannot_delete(login_as: Callable[[str], FlaskClient],
                                    demo_engine: ProcessEngine, task_id: str) -> None:
    link = uploaded_link(login_as("lise.leder"), task_id)
    client = login_as("admin")

    response = client.post(link + "/slett", follow_redirects=True)

    assert "Bare den som la ved et vedlegg, kan slette det" in response.get_data(as_text=True)
    assert stored_count(demo_engine) == 1


def test_outsider_delete_gets_404(login_as: Callable[[str], FlaskClient],
                                  demo_engine: ProcessEngine, task_id: str) -> None:
    link = uploaded_link(login_as("lise.leder"), task_id)

    response = login_as("erik.laerer").post(link + "/slett")

    assert response.status_code == 404
    assert stored_count(demo_engine) == 1
