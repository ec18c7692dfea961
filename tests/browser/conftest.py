"""The real app served on 127.0.0.1 in a thread, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from engine.app import create_app
from engine.engine import ProcessEngine
from tests.conftest import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture
def live_server(demo_engine: ProcessEngine, test_config: dict[str, Any]) -> Iterator[str]:
    """Serve the app on the demo database, with CSRF on as in production; returns its URL."""
    app = create_app({**test_config, "SHOW_DEMO_USERS": True}, engine=demo_engine)
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing; `make test` installs it with apt-get")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page with JavaScript switched off: every screen must work without it."""
    context = browser.new_context(java_script_enabled=False, locale="nb-NO")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def js_page(browser: Browser) -> Iterator[Page]:
    """A fresh page with JavaScript on, for the scripts that improve a working page."""
    context = browser.new_context(java_script_enabled=True, locale="nb-NO")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()
