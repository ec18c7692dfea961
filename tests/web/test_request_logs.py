"""JSON log lines, and the request id on every line written while handling a request or job."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from engine.app import create_app
from engine.demo import load_organisation
from engine.engine import ProcessEngine
from engine.logs import JsonFormatter, install_request_id_on_log_records, make_formatter
from tests.web.operations_helpers import NO_HANDLER, failing_handler

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Every INFO record of the test, formatted as the LOG_FORMAT json setting does."""
    install_request_id_on_log_records()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def entries(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.fixture
def log_app(engine: ProcessEngine, web_config: dict[str, Any]) -> Flask:
    load_organisation(engine)
    return create_app(web_config, engine=engine)


def request_entries(stream: io.StringIO, request_id: str) -> list[dict[str, Any]]:
    return [entry for entry in entries(stream) if entry["request_id"] == request_id]


def test_json_lines_parse_with_fields(log_app: Flask, json_log: io.StringIO) -> None:
    log_app.test_client().get("/logg-inn", headers={"X-Request-Id": "trace-0001-abcd"})

    lines = entries(json_log)
    request_line = next(entry for entry in lines if entry["logger"] == "engine.web.security")

    assert set(request_line) == {"time", "level", "logger", "message", "request_id"}
    assert request_line["level"] == "INFO"
    assert request_line["message"].startswith("request method=GET endpoint=auth.login")
    assert request_line["time"].endswith("+00:00")


def test_every_line_of_request_carries_its_id(log_app: Flask, json_log: io.StringIO) -> None:
    client = log_app.test_client()
    client.post("/logg-inn", data={"brukernavn": "admin", "passord": "feil"},
                headers={"X-Request-Id": "trace-0002-abcd"})

    lines = entries(json_log)
    during = request_entries(json_log, "trace-0002-abcd")

    assert len(during) >= 2  # the failed log-in and the request line
    assert all(entry["request_id"] == "trace-0002-abcd" for entry in lines
               if entry["logger"].startswith("engine.web"))


def test_request_id_header_round_trips(log_app: Flask) -> None:
    response = log_app.test_client().get("/healthz", headers={"X-Request-Id": "lb-5f3e9a1c"})

    assert response.headers["X-Request-Id"] == "lb-5f3e9a1c"


def test_request_id_generated_when_missing(log_app: Flask) -> None:
    response = log_app.test_client().get("/healthz")

    assert GENERATED_ID.fullmatch(response.headers["X-Request-Id"])


@pytest.mark.parametrize("malformed", [
    "short", "x level=ERROR forged", "a" * 65, "id\twith\ttabs-123", "ødelagt-id-1234"])
def test_malformed_request_id_replaced(log_app: Flask, json_log: io.StringIO,
                                       malformed: str) -> None:
    response = log_app.test_client().get("/logg-inn", headers={"X-Request-Id": malformed})

    replacement = response.headers["X-Request-Id"]
    ids = {entry["request_id"] for entry in entries(json_log)
           if entry["logger"] == "engine.web.security"}

    assert GENERATED_ID.fullmatch(replacement)
    assert ids == {replacement}


def test_job_log_lines_carry_job_id(engine: ProcessEngine, json_log: io.StringIO) -> None:
    from sqlalchemy import select

    from engine.models import Job

    load_organisation(engine)
    engine.handlers.register("test.feiler", failing_handler)
    engine.repository.deploy([("feiler.bpmn", NO_HANDLER.encode())])
    instance_id = engine.runtime.start("feiler", "admin", {}).instance_id
    with engine.transaction(read_only=True) as session:
        (job_id,) = session.scalars(select(Job.id).where(Job.instance_id == instance_id))

    engine.management.run_due()

    failure = next(entry for entry in entries(json_log)
                   if entry["message"].startswith("job failed"))
    assert failure["request_id"] == f"job-{job_id}"
    assert failure["level"] == "WARNING"


def test_lines_outside_request_have_dash(json_log: io.StringIO) -> None:
    logging.getLogger("engine.test").info("outside")

    (entry,) = [e for e in entries(json_log) if e["logger"] == "engine.test"]

    assert entry["request_id"] == "-"


def test_json_line_holds_exception(json_log: io.StringIO) -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("engine.test").exception("failed")

    (entry,) = [e for e in entries(json_log) if e["logger"] == "engine.test"]

    assert entry["level"] == "ERROR"
    assert "ValueError: boom" in entry["exception"]


def test_text_format_shows_request_id() -> None:
    record = logging.LogRecord("engine.test", logging.INFO, __file__, 1, "hello", None, None)
    record.request_id = "abc-12345678"

    line = make_formatter("text").format(record)

    assert line.endswith("INFO engine.test request_id=abc-12345678 hello")


def test_unknown_log_format_rejected() -> None:
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        make_formatter("xml")


def test_mail_log_lines_carry_notification_id(demo_engine: ProcessEngine,
                                              json_log: io.StringIO) -> None:
    from sqlalchemy import select

    from engine.models import Notification
    from tests.engine.services.test_notifications import to_measure

    to_measure(demo_engine)
    with demo_engine.transaction(read_only=True) as session:
        pending = set(session.scalars(select(Notification.id)
                                      .where(Notification.status == "pending")))

    demo_engine.management.run_due()

    unsent = [entry for entry in entries(json_log)
              if entry["message"].startswith("mail not sent")]
    assert pending
    assert {entry["request_id"] for entry in unsent} == {f"notification-{i}" for i in pending}


def test_cli_rejects_unknown_log_format() -> None:
    from click.testing import CliRunner

    from engine.cli import main

    result = CliRunner().invoke(main, ["token", "list"], env={"SLOYFE_LOG_FORMAT": "xml"})

    assert result.exit_code == 2
    assert "LOG_FORMAT" in result.output
