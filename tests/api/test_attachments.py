"""/api/v1 attachments: listing, downloading, uploading and deleting, with their scopes."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine.app import create_app
from engine.engine import ProcessEngine
from tests import attachment_files as files
from tests.api.conftest import SessionCaller, assert_problem, open_task_id
from tests.confidential import start_confidential_case


@pytest.fixture
def case(demo_engine: ProcessEngine, report: Callable[..., int]) -> tuple[int, str]:
    """A deviation case by ola.ansatt whose first task lise.leder has taken."""
    instance_id = report()
    task_id = open_task_id(demo_engine, instance_id, "VurderAvvik")
    demo_engine.tasks.claim(task_id, "lise.leder")
    return instance_id, task_id


def attach(engine: ProcessEngine, task_id: str, content: bytes = files.PDF,
           filename: str = "rapport.pdf", username: str = "lise.leder") -> int:
    return engine.attachments.add(task_id, username, filename, io.BytesIO(content)).id


def post_file(client: FlaskClient | SessionCaller, task_id: str, content: bytes = files.PDF,
              filename: str = "rapport.pdf", **kwargs: Any) -> TestResponse:
    return client.post(f"/api/v1/tasks/{task_id}/attachments",
                       data={"file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data", **kwargs)


# --- listing and downloading --------------------------------------------------------------

def test_list_for_handler(session_of: Callable[[str], SessionCaller],
                          demo_engine: ProcessEngine, case: tuple[int, str]) -> None:
    instance_id, task_id = case
    attachment_id = attach(demo_engine, task_id)

    response = session_of("lise.leder").get(f"/api/v1/instances/{instance_id}/attachments")

    assert response.status_code == 200
    (item,) = response.get_json()["items"]
    assert item["id"] == attachment_id
    assert item["instance_id"] == instance_id
    assert item["task_id"] == task_id
    assert item["element_id"] == "VurderAvvik"
    assert item["filename"] == "rapport.pdf"
    assert item["content_type"] == "application/pdf"
    assert item["size"] == len(files.PDF)
    assert item["uploaded_by"] == "lise.leder"
    assert len(item["sha256"]) == 64


def test_list_hides_files_from_reporter(session_of: Callable[[str], SessionCaller],
                                        demo_engine: ProcessEngine,
                                        case: tuple[int, str]) -> None:
    instance_id, task_id = case
    attach(demo_engine, task_id)

    response = session_of("ola.ansatt").get(f"/api/v1/instances/{instance_id}/attachments")

    assert response.status_code == 200
    assert response.get_json()["items"] == []


def test_list_by_outsider_gets_403(session_of: Callable[[str], SessionCaller],
                                   case: tuple[int, str]) -> None:
    instance_id, _task_id = case

    response = session_of("erik.laerer").get(f"/api/v1/instances/{instance_id}/attachments")

    # As for the case itself: the API's rules give 403 where a token scope could allow it.
    assert_problem(response, 403, "forbidden")


def test_list_by_token_with_scope(client: FlaskClient, demo_engine: ProcessEngine,
                                  token_headers: Callable[..., dict[str, str]],
                                  case: tuple[int, str]) -> None:
    instance_id, task_id = case
    attach(demo_engine, task_id)

    response = client.get(f"/api/v1/instances/{instance_id}/attachments",
                          headers=token_headers("instances:read"))

    assert response.status_code == 200
    assert len(response.get_json()["items"]) == 1


def test_list_by_token_without_scope(client: FlaskClient,
                                     token_headers: Callable[..., dict[str, str]],
                                     case: tuple[int, str]) -> None:
    instance_id, _task_id = case

    response = client.get(f"/api/v1/instances/{instance_id}/attachments",
                          headers=token_headers("tasks:read"))

    assert_problem(response, 403, "forbidden")


def test_confidential_needs_confidential_scope(client: FlaskClient,
                                               demo_engine: ProcessEngine,
                                               token_headers: Callable[..., dict[str, str]]
                                               ) -> None:
    instance_id = start_confidential_case(demo_engine)
    attach(demo_engine, open_task_id(demo_engine, instance_id, "forbered"), files.TEXT,
           "samtale.txt", username="fatima.ansatt")
    path = f"/api/v1/instances/{instance_id}/attachments"

    without = client.get(path, headers=token_headers("instances:read"))
    with_scope = client.get(path, headers=token_headers("instances:read",
                                                        "confidential:read"))

    assert_problem(without, 403, "forbidden")
    assert with_scope.status_code == 200
    assert len(with_scope.get_json()["items"]) == 1


def test_download_by_token(client: FlaskClient, demo_engine: ProcessEngine,
                           token_headers: Callable[..., dict[str, str]],
                           case: tuple[int, str]) -> None:
    instance_id, task_id = case
    attachment_id = attach(demo_engine, task_id, files.PNG, "bilde.png")

    response = client.get(f"/api/v1/instances/{instance_id}/attachments/{attachment_id}",
                          headers=token_headers("instances:read", actor="ola.ansatt"))

    assert response.status_code == 200
    assert response.data == files.PNG
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Content-Disposition"] == "attachment; filename=bilde.png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    with demo_engine.transaction(read_only=True):
        event = demo_engine.history.events(instance_id)[-1]
    assert event.action == "attachment_downloaded"
    assert event.actor == "ola.ansatt"


def test_download_by_reporter_gets_404(session_of: Callable[[str], SessionCaller],
                                       demo_engine: ProcessEngine,
                                       case: tuple[int, str]) -> None:
    instance_id, task_id = case
    attachment_id = attach(demo_engine, task_id)

    response = session_of("ola.ansatt").get(
        f"/api/v1/instances/{instance_id}/attachments/{attachment_id}")

    assert_problem(response, 404, "attachment_not_found")


def test_download_unknown_gets_404(client: FlaskClient,
                                   token_headers: Callable[..., dict[str, str]],
                                   case: tuple[int, str]) -> None:
    instance_id, _task_id = case

    response = client.get(f"/api/v1/instances/{instance_id}/attachments/999999",
                          headers=token_headers("instances:read"))

    assert_problem(response, 404, "attachment_not_found")


# --- uploading ---------------------------------------------------------------------------

def test_upload_by_token_as_actor(client: FlaskClient, demo_engine: ProcessEngine,
                                  token_headers: Callable[..., dict[str, str]],
                                  case: tuple[int, str]) -> None:
    instance_id, task_id = case

    response = post_file(client, task_id, files.DOCX_FILE, "notat.docx",
                         headers=token_headers("tasks:write", actor="lise.leder"))

    assert response.status_code == 201
    body = response.get_json()
    assert body["instance_id"] == instance_id
    assert body["filename"] == "notat.docx"
    assert body["content_type"] == files.DOCX
    assert body["uploaded_by"] == "lise.leder"


def test_upload_ignores_declared_type(client: FlaskClient,
                                      token_headers: Callable[..., dict[str, str]],
                                      case: tuple[int, str]) -> None:
    _instance_id, task_id = case

    response = client.post(f"/api/v1/tasks/{task_id}/attachments",
                           data={"file": (io.BytesIO(files.TEXT), "notat.pdf",
                                          "application/pdf")},
                           content_type="multipart/form-data",
                           headers=token_headers("tasks:write", actor="lise.leder"))

    assert response.status_code == 201
    assert response.get_json()["content_type"] == "text/plain; charset=utf-8"
    assert response.get_json()["filename"] == "notat.pdf.txt"


def test_upload_wrong_type_gets_415(client: FlaskClient,
                                    token_headers: Callable[..., dict[str, str]],
                                    case: tuple[int, str]) -> None:
    _instance_id, task_id = case

    response = post_file(client, task_id, files.BINARY, "program.exe",
                         headers=token_headers("tasks:write", actor="lise.leder"))

    body = assert_problem(response, 415, "attachment_type_not_allowed")
    assert "Tillatte typer: PDF, PNG-bilde" in body["detail"]


def test_upload_empty_file_gets_422(client: FlaskClient,
                                    token_headers: Callable[..., dict[str, str]],
                                    case: tuple[int, str]) -> None:
    _instance_id, task_id = case

    response = post_file(client, task_id, b"", "tom.txt",
                         headers=token_headers("tasks:write", actor="lise.leder"))

    assert_problem(response, 422, "attachment_empty")


def test_upload_too_large_gets_413(make_engine: Callable[..., ProcessEngine],
                                   demo_engine: ProcessEngine, api_config: dict[str, Any],
                                   token_headers: Callable[..., dict[str, str]],
                                   case: tuple[int, str]) -> None:
    _instance_id, task_id = case
    app: Flask = create_app(api_config, engine=make_engine(ATTACHMENT_MAX_BYTES=1000))
    headers = token_headers("tasks:write", actor="lise.leder")

    far_over = post_file(app.test_client(), task_id, b"x" * (200 * 1024), "stor.txt",
                         headers=headers)
    just_over = post_file(app.test_client(), task_id, b"x" * 1001, "stor.txt",
                          headers=headers)

    body = assert_problem(far_over, 413, "attachment_too_large")
    assert "høyst 1000 B" in body["detail"]
    assert_problem(just_over, 413, "attachment_too_large")


def test_upload_by_other_actor_refused(client: FlaskClient,
                                       token_headers: Callable[..., dict[str, str]],
                                       case: tuple[int, str]) -> None:
    _instance_id, task_id = case

    response = post_file(client, task_id, headers=token_headers("tasks:write",
                                                                actor="admin"))

    assert_problem(response, 403, "not_assignee")


def test_upload_without_file_gets_422(client: FlaskClient,
                                      token_headers: Callable[..., dict[str, str]],
                                      case: tuple[int, str]) -> None:
    _instance_id, task_id = case

    response = client.post(f"/api/v1/tasks/{task_id}/attachments", data={},
                           content_type="multipart/form-data",
                           headers=token_headers("tasks:write", actor="lise.leder"))

    body = assert_problem(response, 422, "invalid_request")
    assert "file" in body["errors"]


def test_upload_by_session_needs_csrf(session_of: Callable[[str], SessionCaller],
                                      case: tuple[int, str]) -> None:
    _instance_id, task_id = case
    session = session_of("lise.leder")

    with_header = post_file(session, task_id)
    without_header = post_file(session.client, task_id)

    assert with_header.status_code == 201
    assert_problem(without_header, 400, "csrf_failed")


# --- deleting ----------------------------------------------------------------------------

def test_delete_by_uploader(client: FlaskClient, demo_engine: ProcessEngine,
                            token_headers: Callable[..., dict[str, str]],
                            case: tuple[int, str]) -> None:
    instance_id, task_id = case
    attachment_id = attach(demo_engine, task_id)
    path = f"/api/v1/instances/{instance_id}/attachments/{attachment_id}"

    response = client.delete(path, headers=token_headers("tasks:write", actor="lise.leder"))

    assert response.status_code == 204
    assert client.get(path, headers=token_headers("instances:read")).status_code == 404


def test_delete_by_other_refused(client: FlaskClient, demo_engine: ProcessEngine,
                                 token_headers: Callable[..., dict[str, str]],
                                 case: tuple[int, str]) -> None:
    instance_id, task_id = case
    attachment_id = attach(demo_engine, task_id)

    response = client.delete(f"/api/v1/instances/{instance_id}/attachments/{attachment_id}",
                             headers=token_headers("tasks:write", actor="admin"))

    assert_problem(response, 403, "attachment_not_deletable")
