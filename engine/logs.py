"""Log set-up: plain text for development or one JSON object per line, with a request id.

Every record gets a `request_id` attribute: the id of the web request being handled, the
scheduler's `job-<id>`, `timer-<id>` or `notification-<id>` while it handles that row, or
"-" outside them. The id
lives in a context variable, so each thread and each request keeps its own.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s %(message)s"
NO_REQUEST_ID = "-"

_request_id: ContextVar[str] = ContextVar("sloyfe_request_id", default=NO_REQUEST_ID)


def current_request_id() -> str:
    return _request_id.get()


def set_request_id(request_id: str) -> Any:
    """Bind `request_id` to this context; returns the token that `reset_request_id` takes."""
    return _request_id.set(request_id)


def reset_request_id(token: Any) -> None:
    _request_id.reset(token)


@contextlib.contextmanager
def bound_request_id(request_id: str) -> Iterator[None]:
    """Give the log lines written inside the block `request_id`, then restore the old one."""
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)


def install_request_id_on_log_records() -> None:
    """Give every log record a `request_id` attribute ("-" outside a request or job).

    A record factory reaches every logger, which a filter on one logger or handler would not.
    """
    previous = logging.getLogRecordFactory()
    if getattr(previous, "adds_request_id", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = _request_id.get()
        return record

    factory.adds_request_id = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object: time (UTC, ISO 8601), level, logger, message,
    request_id, and the exception's traceback as `exception` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", NO_REQUEST_ID),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def make_formatter(log_format: str) -> logging.Formatter:
    """Return the formatter for the LOG_FORMAT setting; raises ValueError for other values."""
    if log_format == "json":
        return JsonFormatter()
    if log_format == "text":
        return logging.Formatter(TEXT_FORMAT)
    raise ValueError(f"LOG_FORMAT is {log_format!r}; set it to one of: "
                     f"{', '.join(LOG_FORMATS)}")


def configure_logging(level: int, log_format: str = "text") -> None:
    """Send the root logger's records to stderr in `log_format`, replacing its handlers."""
    install_request_id_on_log_records()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(make_formatter(log_format))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level)
