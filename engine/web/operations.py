"""/healthz for load balancers and /metrics for Prometheus.

/healthz is public and names no more than the failing check. /metrics needs a bearer token:
the scraper's (the METRICS_BEARER_TOKEN setting), or an API token with the scope
metrics:read that acts as an administrator. A request without one gets 401, never the
log-in page, because scrapers cannot follow it.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from flask_babel import gettext as _

from engine.access import PUBLIC, Principal, Rule, access
from engine.services.operations import MetricsSnapshot
from engine.web.context import sloyfe_engine
from engine.web.prometheus import CONTENT_TYPE, Exposition, LatencyHistogram

log = logging.getLogger(__name__)

bp = Blueprint("operations", __name__)

METRICS_PATH = "/metrics"
METRICS_SCOPE = "metrics:read"
METRICS_READER = Rule(f"scope {METRICS_SCOPE}",
                      lambda p, _a, _e: p.is_token and METRICS_SCOPE in p.scopes)
LATENCY_KEY = "sloyfe_request_latency"
UNMATCHED_ROUTE = "<unmatched>"


def init_operations(app: Flask) -> None:
    """Create this worker's latency histogram and install the hooks of /metrics.

    Register after the signed-in user is loaded and before the log-in requirement, so a
    scraper gets 401 instead of a redirect, and a signed-in user gets the access rule's 403.
    """
    app.extensions[LATENCY_KEY] = LatencyHistogram(app.config["METRICS_LATENCY_BUCKETS"],
                                                   ("method", "route"))
    app.before_request(authenticate_metrics_caller)
    app.after_request(_observe_latency)
    app.register_blueprint(bp)


# --- health ----------------------------------------------------------------------------------

@bp.route("/healthz")
@access(PUBLIC)
def healthz() -> tuple[Response, int]:
    health = sloyfe_engine().operations.health()
    body = {
        "status": "ok" if health.healthy else "unavailable",
        "reasons": health.reasons,
        "database": {"revision": health.revision,
                     "expected_revision": health.expected_revision},
        "scheduler": {"last_poll_at": _iso(health.scheduler_polled_at),
                      "recent": health.scheduler_recent},
    }
    return jsonify(body), 200 if health.healthy else 503


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- metrics ---------------------------------------------------------------------------------

def authenticate_metrics_caller() -> Response | None:
    """Set the principal of a /metrics request from its bearer token, or return a 401."""
    if request.path != METRICS_PATH:
        return None
    header = request.headers.get("Authorization")
    if header is None:
        if g.get("user") is not None:
            return None  # the access rule then rejects the signed-in user with 403
        return _unauthorized("missing_token")
    scheme, _space, secret = header.partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        return _unauthorized("malformed_header")

    if _is_scraper_token(secret) or _is_administrator_token(secret):
        g.principal = Principal(scopes=frozenset({METRICS_SCOPE}), is_token=True)
        return None
    return _unauthorized("invalid_token")


def _is_scraper_token(secret: str) -> bool:
    configured = str(current_app.config.get("METRICS_BEARER_TOKEN") or "")
    return bool(configured) and hmac.compare_digest(secret.encode(), configured.encode())


def _is_administrator_token(secret: str) -> bool:
    engine = sloyfe_engine()
    token = engine.tokens.authenticate(secret)
    if token is None or METRICS_SCOPE not in (token.scopes or ()):
        return False
    with engine.transaction(read_only=True):
        return engine.organisation.has_role(token.actor, "administrator")


def _unauthorized(reason: str) -> Response:
    log.info("metrics request rejected reason=%s", reason)
    message = _("/metrics needs a token in the header 'Authorization: Bearer <token>': the "
                "scraper token METRICS_BEARER_TOKEN, or an administrator's API token with the "
                "scope metrics:read.")
    response = Response(message + "\n", 401, content_type="text/plain; charset=utf-8")
    response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
    return response


@bp.route(METRICS_PATH)
@access(METRICS_READER)
def metrics() -> Response:
    snapshot = sloyfe_engine().operations.metrics()
    exposition = Exposition()
    add_database_metrics(exposition, snapshot)
    exposition.histogram(
        "sloyfe_http_request_duration_seconds",
        "Time from the start of request handling to the response, by route and method, "
        "in this web worker process only.",
        current_app.extensions[LATENCY_KEY])
    return Response(exposition.render(), content_type=CONTENT_TYPE)


def add_database_metrics(exposition: Exposition, snapshot: MetricsSnapshot) -> None:
    # Every process that has had an instance gets a sample, zero included, so a gauge that
    # falls to zero does not vanish from Prometheus.
    keys = sorted(snapshot.instances_started)
    exposition.family("sloyfe_instances_started_total", "counter",
                      "Process instances started, by process.",
                      _by_process(keys, snapshot.instances_started))
    exposition.family("sloyfe_instances_completed_total", "counter",
                      "Process instances that reached an end event, by process.",
                      _by_process(keys, snapshot.instances_completed))
    exposition.family("sloyfe_tasks_open", "gauge", "Open user tasks, by process.",
                      _by_process(keys, snapshot.tasks_open))
    exposition.family("sloyfe_tasks_overdue", "gauge",
                      "Open user tasks past their due date, by process.",
                      _by_process(keys, snapshot.tasks_overdue))
    exposition.family("sloyfe_incidents_open", "gauge", "Unresolved incidents, by process.",
                      _by_process(keys, snapshot.incidents_open))
    exposition.family("sloyfe_timers_due", "gauge",
                      "Timers whose due time has come and that have not fired yet.",
                      [({}, snapshot.timers_due)])
    exposition.family("sloyfe_timers_late", "gauge",
                      "Due timers still unfired more than METRICS_TIMER_LATE_SECONDS after "
                      "their due time.", [({}, snapshot.timers_late)])
    polled = snapshot.scheduler_polled_at
    exposition.family("sloyfe_scheduler_last_poll_timestamp_seconds", "gauge",
                      "When a scheduler worker last recorded its heartbeat, in Unix seconds.",
                      [({}, polled.timestamp())] if polled is not None else [])


def _by_process(keys: Iterable[str], counts: Mapping[str, int]
                ) -> list[tuple[dict[str, str], float]]:
    every = sorted(set(keys) | set(counts))
    return [({"process": key}, counts.get(key, 0)) for key in every]


def _observe_latency(response: Response) -> Response:
    started: Any = g.get("request_started")
    if started is None:
        return response
    route = request.url_rule.rule if request.url_rule is not None else UNMATCHED_ROUTE
    current_app.extensions[LATENCY_KEY].observe(time.perf_counter() - started,
                                                request.method, route)
    return response
