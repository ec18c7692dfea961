"""Security headers on every response, and a request id on every log line of a request."""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import time
import uuid
from collections.abc import Iterable

from flask import Flask, Response, current_app, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from engine import logs

log = logging.getLogger(__name__)

# The pages use no inline script or style and load nothing from other origins.
# The BPMN modeler page (engine/web/modeler.py) adds the hashes of a few fixed style="..."
# attributes that bpmn-js writes through markup, with content_security_policy(). Never add
# 'unsafe-inline', which would let injected markup restyle every page.
_POLICY_DIRECTIVES = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]
CONTENT_SECURITY_POLICY = "; ".join(_POLICY_DIRECTIVES)


def content_security_policy(style_attributes: Iterable[str] = ()) -> str:
    """Return the site's policy, allowing also these exact style attribute values.

    Each value is allowed by its SHA-256 hash under 'unsafe-hashes', which permits style
    attributes whose text matches a listed hash and nothing else: no <style> element and no
    other attribute value.
    """
    hashes = [f"'sha256-{base64.b64encode(hashlib.sha256(value.encode()).digest()).decode()}'"
              for value in style_attributes]
    if not hashes:
        return CONTENT_SECURITY_POLICY
    style_source = " ".join(["style-src 'self'", "'unsafe-hashes'", *hashes])
    return "; ".join(style_source if directive.startswith("style-src ") else directive
                     for directive in _POLICY_DIRECTIVES)

# Browser features no page uses, switched off for this origin and anything it embeds.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone",
    "payment", "usb"))

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
}

# Sent only when BASE_URL is https: a browser that saw it refuses plain http to the host, and
# its subdomains, for a year.
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"

REQUEST_ID_HEADER = "X-Request-Id"
# A request id set by a proxy is kept only when it is short and plain, so it cannot forge
# log lines.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def current_request_id() -> str:
    return logs.current_request_id()


def init_security(app: Flask) -> None:
    logs.install_request_id_on_log_records()
    proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if proxies > 0:
        # The client address, which the log-in limits count, is then the one the proxies saw.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)  # type: ignore[method-assign]
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.teardown_request(_end_request)


def uses_https(app: Flask) -> bool:
    """Return whether the site is served over https, by its BASE_URL setting."""
    return str(app.config.get("BASE_URL", "")).startswith("https://")


def _start_request() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    request_id = incoming if _SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    g.request_id = request_id
    g.request_token = logs.set_request_id(request_id)
    g.request_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if uses_https(current_app):
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    if request.endpoint != "static":
        # Pages hold personal data; shared caches and the back button after log-out must not
        # show them.
        response.headers.setdefault("Cache-Control", "no-store")
    request_id = g.get("request_id")
    if request_id:
        response.headers[REQUEST_ID_HEADER] = request_id
    started = g.get("request_started")
    if started is not None and request.endpoint != "static":
        log.info("request method=%s endpoint=%s status=%s elapsed_ms=%.1f", request.method,
                 request.endpoint, response.status_code, (time.perf_counter() - started) * 1000)
    return response


def _end_request(_error: BaseException | None) -> None:
    token = g.pop("request_token", None)
    if token is not None:
        logs.reset_request_id(token)
