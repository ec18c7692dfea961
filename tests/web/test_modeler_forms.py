"""The modeler's form tab on the server side: shown only to users who may change the process,
its texts in bokmål, and the per-response nonce that lets CodeMirror's <style> element load."""

from __future__ import annotations

import re
from typing import Any

from tests.web.test_modeler_drafts import texts_of

NONCE = re.compile(r'data-style-nonce="([^"]+)"')


def test_owner_gets_form_tab(login_as: Any) -> None:
    html = login_as("paal.prosesseier").get("/prosesser/avvik/modell").get_data(as_text=True)

    assert 'data-modeler-tab="forms">Skjema</button>' in html
    assert "Last opp .form" in html


def test_owner_of_other_process_gets_no_form_tab(login_as: Any) -> None:
    html = login_as("paal.prosesseier").get("/prosesser/budsjett/modell").get_data(as_text=True)

    assert 'data-modeler-panel="forms"' not in html


def test_form_tab_texts_are_bokmal(login_as: Any) -> None:
    html = login_as("paal.prosesseier").get("/prosesser/avvik/modell").get_data(as_text=True)

    assert texts_of(html)["formChanged"] == "endret i dette utkastet"


def test_policy_allows_the_page_nonce(login_as: Any) -> None:
    response = login_as("paal.prosesseier").get("/prosesser/avvik/modell")
    found = NONCE.search(response.get_data(as_text=True))

    assert found is not None
    assert f"'nonce-{found.group(1)}'" in response.headers["Content-Security-Policy"]


def test_nonce_differs_per_response(login_as: Any) -> None:
    client = login_as("paal.prosesseier")
    first = NONCE.search(client.get("/prosesser/avvik/modell").get_data(as_text=True))
    second = NONCE.search(client.get("/prosesser/avvik/modell").get_data(as_text=True))

    assert first is not None and second is not None
    assert first.group(1) != second.group(1)
