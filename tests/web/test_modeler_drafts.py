"""The modeler page for editors: ?utkast=<id> opens a saved draft, and the toolbar that
validates, saves and publishes is shown only to users who may change the process."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from engine.engine import ProcessEngine

ROOT = Path(__file__).resolve().parents[2]
AVVIK = (ROOT / "bpmn" / "avvik.bpmn").read_text(encoding="utf-8")
BUDSJETT = (ROOT / "bpmn" / "budsjett.bpmn").read_text(encoding="utf-8")


def save_draft(engine: ProcessEngine, author: str, xml: str, label: str) -> int:
    draft_id: int = engine.drafts.save(author, xml, label=label).id
    return draft_id


def texts_of(html: str) -> dict[str, str]:
    found = re.search(r"<script type=\"application/json\" data-modeler-texts>(.*?)</script>",
                      html, re.S)
    assert found is not None, "the page has no modeler texts"
    texts: dict[str, str] = json.loads(found.group(1))
    return texts


def test_owner_gets_toolbar(login_as: Any) -> None:
    html = login_as("paal.prosesseier").get("/prosesser/avvik/modell").get_data(as_text=True)

    assert "data-editable" in html
    assert 'data-csrf="' in html
    assert 'data-process-key="avvik"' in html
    assert ">Valider</button>" in html
    assert ">Lagre utkast</button>" in html
    assert ">Publiser</button>" in html
    assert "Last opp .bpmn" in html
    assert "Endringsmerknad" in html


def test_page_texts_are_bokmal(login_as: Any) -> None:
    html = login_as("paal.prosesseier").get("/prosesser/avvik/modell").get_data(as_text=True)

    texts = texts_of(html)

    assert texts["unsaved"] == "Ulagrede endringer"
    assert texts["error"] == "Feil"


def test_owner_of_other_process_gets_no_toolbar(login_as: Any) -> None:
    response = login_as("paal.prosesseier").get("/prosesser/budsjett/modell")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "data-editable" not in html
    assert "data-modeler-publish" not in html


def test_draft_opens_by_id(login_as: Any, demo_engine: ProcessEngine) -> None:
    draft_id = save_draft(demo_engine, "paal.prosesseier", AVVIK, "Ny frist")

    response = login_as("paal.prosesseier").get(f"/prosesser/avvik/modell?utkast={draft_id}")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert f'data-draft-id="{draft_id}"' in html
    assert "Utkast Ny frist av prosessen avvik, lagret av paal.prosesseier" in html


def test_draft_of_other_process_is_404(login_as: Any, demo_engine: ProcessEngine) -> None:
    draft_id = save_draft(demo_engine, "admin", BUDSJETT, "Budsjett")

    response = login_as("admin").get(f"/prosesser/avvik/modell?utkast={draft_id}")

    assert response.status_code == 404


def test_hidden_draft_is_404(login_as: Any, demo_engine: ProcessEngine) -> None:
    draft_id = save_draft(demo_engine, "admin", BUDSJETT, "Budsjett")

    response = login_as("paal.prosesseier").get(f"/prosesser/budsjett/modell?utkast={draft_id}")

    assert response.status_code == 404


def test_unknown_draft_is_404(login_as: Any) -> None:
    response = login_as("paal.prosesseier").get("/prosesser/avvik/modell?utkast=999999")

    assert response.status_code == 404


def test_draft_id_not_a_number_is_404(login_as: Any) -> None:
    client = login_as("paal.prosesseier")

    for value in ("abc", "", "-3", "0"):
        response = client.get(f"/prosesser/avvik/modell?utkast={value}")
        assert response.status_code == 404, value
