"""The engine behind the API, as the app holds it."""

from __future__ import annotations

from flask import current_app

from engine.engine import ProcessEngine


def api_engine() -> ProcessEngine:
    engine: ProcessEngine = current_app.extensions["sloyfe"]
    return engine
