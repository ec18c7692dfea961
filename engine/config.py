"""Configuration: defaults in code, then an instance file, then SLOYFE_* environment variables."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    # sqlite:///relative/path is relative to the working directory; the default lies in instance/.
    "DATABASE_URL": f"sqlite:///{PROJECT_ROOT / 'instance' / 'sloyfe.db'}",
    "SECRET_KEY": None,
    "BPMN_DIR": str(PROJECT_ROOT / "bpmn"),
    "FORMS_DIR": str(PROJECT_ROOT / "forms"),
    # Largest BPMN or form file accepted for deployment, in bytes.
    "MAX_DEFINITION_BYTES": 2 * 1024 * 1024,
    # Largest deployment request, all its files together, in bytes.
    "MAX_DEPLOY_BYTES": 10 * 1024 * 1024,
    # The file store of attachments: one file per attachment, named by a random key.
    "ATTACHMENT_DIR": str(PROJECT_ROOT / "instance" / "attachments"),
    # Largest attachment accepted, in bytes, and the most attachments one case may have.
    "ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,
    "ATTACHMENT_MAX_PER_CASE": 50,
    # Content types an attachment may have, from those engine/attachments/types.py can
    # recognise. As an environment variable the list is JSON text.
    "ATTACHMENT_TYPES": [
        "application/pdf", "image/png", "image/jpeg", "text/plain",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
    ],
    # Wall-clock limit for one script or expression, in seconds.
    "SCRIPT_TIMEOUT_SECONDS": 2.0,
    # Address-space limit of a script worker process, in megabytes.
    "SCRIPT_MEMORY_MB": 256,
    "SCRIPT_WORKERS": 2,
    # Seconds between scheduler polls for due timers and jobs; a timer fires at most this late
    # plus the time its batch takes. A poll is two indexed queries.
    "SCHEDULER_INTERVAL_SECONDS": 1.0,
    # How long a worker may hold a claimed timer or job before others may take it, in seconds.
    "CLAIM_TIMEOUT_SECONDS": 300,
    # Start an in-process scheduler together with the web server.
    "SCHEDULER_IN_PROCESS": True,
    "JOB_MAX_ATTEMPTS": 3,
    # First retry delay of a failed job, in seconds; doubles on each further attempt.
    "JOB_BACKOFF_SECONDS": 60,
    # Most firings of one timer that the annual wheel lists for a year; a timer that fires
    # more often is listed this many times and named in a note.
    "ANNUAL_WHEEL_MAX_FIRINGS": 60,
    # Most timers, and most task deadlines, of running cases that the annual wheel lists for
    # a year and scope; past it, the earliest are listed and the page says so.
    "ANNUAL_WHEEL_MAX_CASE_ENTRIES": 2000,
    # The administrators' instance list counts each status only up to this many instances
    # and shows "over" the number past it, so the page does not slow down as cases pile up.
    "ADMIN_COUNT_LIMIT": 10_000,
    "DEFAULT_LOCALE": "nb",
    # How long finished cases are kept when their process sets no `retention` property (an
    # ISO 8601 duration such as P10Y; empty keeps them), what then happens to them
    # (anonymise or delete), and how many cases one run of `sloyfe retention` handles.
    "RETENTION_PERIOD": "",
    "RETENTION_ACTION": "anonymise",
    "RETENTION_BATCH": 1000,
    # Local time (HH:MM in TIMEZONE) after which the scheduler runs retention once a day, as
    # `sloyfe retention` would; empty leaves it to that command alone.
    "RETENTION_DAILY_AT": "02:30",
    "TIMEZONE": "Europe/Oslo",
    # Show the demo users and their password on the log-in page.
    "SHOW_DEMO_USERS": False,
    # A user name is locked for LOGIN_LOCK_MINUTES after LOGIN_MAX_FAILURES failed log-ins
    # within LOGIN_WINDOW_MINUTES.
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_WINDOW_MINUTES": 15,
    "LOGIN_LOCK_MINUTES": 15,
    # Log-in attempts accepted from one client address per minute, whatever the user names.
    "LOGIN_MAX_PER_ADDRESS_MINUTE": 20,
    "BASE_URL": "http://127.0.0.1:5000",
    "SMTP_HOST": "",
    "SMTP_PORT": 25,
    "MAIL_FROM": "sloyfe@localhost",
    # Attempts to send one notification e-mail before it is given up (audited as
    # mail_failed); the first retry waits MAIL_BACKOFF_SECONDS, and each further one twice
    # as long.
    "MAIL_MAX_ATTEMPTS": 5,
    "MAIL_BACKOFF_SECONDS": 60,
    # "text" for development, "json" in production: one JSON object per log line, with
    # time, level, logger, message and request_id (see docs/drift.md).
    "LOG_FORMAT": "text",
    # The minimum level of the log records a WSGI server (gunicorn engine.wsgi) writes. INFO
    # logs one line per request, and WARNING keeps only problems.
    "LOG_LEVEL": "INFO",
    # How long /healthz waits for the database, in seconds, before it answers 503.
    "HEALTH_TIMEOUT_SECONDS": 2.0,
    # A scheduler worker writes its heartbeat at most this often, in seconds; /healthz calls
    # the scheduler idle when no worker has polled for SCHEDULER_IDLE_SECONDS.
    "SCHEDULER_HEARTBEAT_SECONDS": 30,
    "SCHEDULER_IDLE_SECONDS": 120,
    # Bearer token that lets a Prometheus scraper read /metrics without an API token. Empty
    # means only administrators' API tokens with the scope metrics:read may read it.
    "METRICS_BEARER_TOKEN": "",
    # A timer still unfired this many seconds after its due time counts as late in /metrics.
    "METRICS_TIMER_LATE_SECONDS": 300,
    # Upper bounds of the request latency histogram's buckets, in seconds. As an environment
    # variable the list is JSON text.
    "METRICS_LATENCY_BUCKETS": [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0],
    # OpenID Connect providers offered on the log-in page, one object each (the keys are read
    # in engine/oidc/settings.py). As an environment variable the list is JSON text.
    "OIDC_PROVIDERS": [],
    # Secret key of the HMAC-SHA256 that turns a hashed subject claim (ID-porten's national
    # identity number) into the value stored. Empty means SECRET_KEY is used. Changing the key
    # in use unlinks every such identity.
    "OIDC_SUBJECT_HASH_KEY": "",
    # How long to wait for a provider's discovery document, keys or token endpoint, in seconds.
    "OIDC_TIMEOUT_SECONDS": 10.0,
}

ENV_PREFIX = "SLOYFE_"


def load_config(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Build the configuration from defaults, the instance file, the environment and overrides."""
    config = dict(DEFAULTS)

    default_file = PROJECT_ROOT / "instance" / "sloyfe.json"
    instance_file = Path(os.environ.get("SLOYFE_CONFIG_FILE", default_file))
    if instance_file.is_file():
        config.update(json.loads(instance_file.read_text(encoding="utf-8")))

    for key, default in DEFAULTS.items():
        raw = os.environ.get(ENV_PREFIX + key)
        if raw is not None:
            config[key] = _coerce(key, raw, default)

    if overrides:
        config.update(overrides)
    return config


def _coerce(key: str, raw: str, default: Any) -> Any:
    if isinstance(default, (list, dict)):
        try:
            return json.loads(raw)
        except json.JSONDecodeError as error:
            raise ValueError(f"{ENV_PREFIX}{key} is not valid JSON: {error.msg} at line "
                             f"{error.lineno}, column {error.colno}") from error
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw
