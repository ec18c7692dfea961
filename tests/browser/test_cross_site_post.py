"""A form on another origin that posts to a task in the user's name is refused.

The other origin is 127.0.0.1 on another port, which browsers count as the same site, so the
SameSite=Lax session cookie goes along and the CSRF token is what refuses the post.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Page, expect

from engine.engine import ProcessEngine
from tests.browser.test_deviation_journey import log_in
from tests.conftest import free_port
from tests.web.conftest import REPORT_DATA, open_task_id

pytestmark = pytest.mark.browser


@pytest.fixture
def other_site() -> Iterator[Callable[[str], str]]:
    """Serve one HTML page from another port on 127.0.0.1; call with the page, get its URL."""
    pages: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, name="other-site", daemon=True)
    thread.start()

    def serve(html: str) -> str:
        pages["/"] = html.encode()
        return f"http://127.0.0.1:{server.server_port}/"

    yield serve
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


def attack_page(action: str) -> str:
    """A page that posts a valid rejection of the deviation as soon as it loads."""
    return f"""<!doctype html>
<html><body onload="document.forms[0].submit()">
<form method="post" action="{action}">
<input type="hidden" name="beslutning" value="avvis">
<input type="hidden" name="begrunnelse" value="Ikke et avvik.">
<input type="hidden" name="alvorlighetsgrad" value="Lav">
<input type="hidden" name="_action" value="submit">
</form>
</body></html>"""


def test_cross_site_post_changes_nothing(js_page: Page, live_server: str,
                                         demo_engine: ProcessEngine,
                                         other_site: Callable[[str], str]) -> None:
    instance_id = demo_engine.runtime.start("avvik", "ola.ansatt", REPORT_DATA).instance_id
    task_id = open_task_id(demo_engine, instance_id, "VurderAvvik")
    demo_engine.tasks.claim(task_id, "lise.leder")
    log_in(js_page, live_server, "lise.leder")
    action = f"{live_server}/oppgaver/{task_id}"

    js_page.goto(other_site(attack_page(action)))

    expect(js_page).to_have_url(action)
    expect(js_page.get_by_role("heading", level=1)).to_have_text("Skjemaet er utløpt")
    with demo_engine.transaction(read_only=True):
        task = demo_engine.tasks.get(task_id)
        events = [event.action for event in demo_engine.history.events(instance_id)]
        assert task.state == "open"
        assert task.assignee == "lise.leder"
        assert task.submitted_data is None
        assert "task_completed" not in events
    js_page.goto(action)
    expect(js_page.get_by_role("heading", level=1)).to_have_text("Vurder avvik")
