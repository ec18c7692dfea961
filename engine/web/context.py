"""The engine of the running app, for views and hooks."""

from __future__ import annotations

from flask import current_app

from engine.engine import ProcessEngine


def sloyfe_engine() -> ProcessEngine:
    engine: ProcessEngine = current_app.extensions["sloyfe"]
    return engine
