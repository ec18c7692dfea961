"""The Flask application: configuration, extensions, security and the web UI's blueprints."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import Babel

from engine import i18n
from engine.config import PROJECT_ROOT, load_config
from engine.engine import ProcessEngine
from engine.request_limits import LimitedRequest

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent / "web"

# Settings of the web UI on top of the engine's (engine/config.py). Like those, each can be
# set in the instance file, as a SLOYFE_<NAME> environment variable, or by the caller.
WEB_DEFAULTS: dict[str, Any] = {
    # Where the generated secret key is kept when SECRET_KEY is not configured.
    "INSTANCE_PATH": str(PROJECT_ROOT / "instance"),
    # How long a log-in lasts at most, in hours, however active the user is.
    "SESSION_HOURS": 8,
    # Minutes without a request after which the user is logged out.
    "SESSION_IDLE_MINUTES": 60,
    # Reverse proxies in front of the app that append the client address to X-Forwarded-For.
    # With 0 the header is ignored, so clients cannot forge their address.
    "TRUSTED_PROXIES": 0,
    # A task whose deadline is this close, in hours, is marked "due soon" in the task lists.
    "DUE_SOON_HOURS": 24,
    # Largest request body accepted, in bytes. An attachment upload may be larger: its limit
    # is ATTACHMENT_MAX_BYTES (engine/request_limits.py).
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "WTF_CSRF_ENABLED": True,
}


def create_app(config: Mapping[str, Any] | None = None, *,
               engine: ProcessEngine | None = None) -> Flask:
    """Build the web application.

    Settings come from the defaults in code, then the instance file and SLOYFE_* environment
    variables, then `config`. Pass `engine` to share one engine (tests do); otherwise the app
    builds its own from the same settings.
    """
    settings = load_settings(config)
    app = Flask("engine", root_path=str(WEB_DIR), template_folder="templates",
                static_folder="static", instance_path=settings["INSTANCE_PATH"])
    app.request_class = LimitedRequest
    app.config.update(settings)
    app.config.update(_flask_settings(app, settings))

    app.extensions["sloyfe"] = engine if engine is not None else ProcessEngine(settings)

    from engine.api import authenticate_api_requests, register_api
    from engine.web import register_web
    from engine.web.auth import select_locale

    Babel(app, locale_selector=select_locale, default_locale=i18n.DEFAULT_LOCALE,
          default_translation_directories=str(i18n.TRANSLATIONS_DIR),
          default_timezone=settings["TIMEZONE"])
    authenticate_api_requests(app)
    register_web(app)
    register_api(app)
    return app


def load_settings(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Merge the engine's configuration with the web defaults, in the documented order."""
    settings = load_config(overrides)
    for key, default in WEB_DEFAULTS.items():
        if overrides and key in overrides:
            continue
        raw = os.environ.get(f"SLOYFE_{key}")
        if raw is not None:
            settings[key] = _from_environment(raw, default)
        else:
            settings.setdefault(key, default)
    return settings


def _from_environment(raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    return raw


def _flask_settings(app: Flask, settings: Mapping[str, Any]) -> dict[str, Any]:
    secret = settings.get("SECRET_KEY") or instance_secret_key(Path(app.instance_path))
    return {
        "SECRET_KEY": secret,
        "SESSION_COOKIE_NAME": "sloyfe_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": str(settings.get("BASE_URL", "")).startswith("https://"),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=float(settings["SESSION_HOURS"])),
        # The token lives as long as the session: the default of one hour would throw away a
        # long report that took more than an hour to write.
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": settings.get("DEFAULT_LOCALE", i18n.DEFAULT_LOCALE),
        "BABEL_DEFAULT_TIMEZONE": settings["TIMEZONE"],
    }


def instance_secret_key(instance_path: Path) -> str:
    """Read the key in `instance_path`/secret_key, creating it (mode 0600) on first use.

    A generated key lets sessions survive restarts in development. Several processes may start
    at once, so the file appears atomically: written under a temporary name, then linked.
    """
    path = instance_path / "secret_key"
    if path.is_file():
        return _read_secret(path)

    instance_path.mkdir(parents=True, exist_ok=True)
    temporary = instance_path / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(temporary, path)
            log.info("secret key created path=%s", path)
        except FileExistsError:
            pass  # another process created it first; use theirs
    finally:
        temporary.unlink(missing_ok=True)
    return _read_secret(path)


def _read_secret(path: Path) -> str:
    if path.stat().st_mode & 0o077:
        log.warning("secret key file is readable by other users path=%s; run chmod 600 on it",
                    path)
    secret = path.read_text(encoding="ascii").strip()
    if not secret:
        raise RuntimeError(f"{path} is empty. Delete it, and a new key is made at the next "
                           "start, or set SLOYFE_SECRET_KEY.")
    return secret
