"""The process list and the modeler page: who may open them, and what they serve."""

from __future__ import annotations

from typing import Any

from engine.engine import ProcessEngine
from engine.web.security import CONTENT_SECURITY_POLICY, content_security_policy


def test_employee_cannot_open_modeler(login_as: Any) -> None:
    client = login_as("ola.ansatt")
    assert client.get("/prosesser/avvik/modell").status_code == 403


def test_employee_cannot_list_processes(login_as: Any) -> None:
    client = login_as("ola.ansatt")
    assert client.get("/prosesser").status_code == 403


def test_employee_cannot_download_bpmn(login_as: Any) -> None:
    client = login_as("ola.ansatt")
    assert client.get("/prosesser/avvik/modell.bpmn").status_code == 403


def test_modeler_page_for_process_owner(login_as: Any) -> None:
    response = login_as("paal.prosesseier").get("/prosesser/avvik/modell")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-diagram-url="/prosesser/avvik/modell.bpmn"' in html
    assert 'data-locale="nb"' in html
    assert "/static/dist/modeler.js" in html
    assert "/static/dist/modeler.css" in html
    assert "Last ned .bpmn" in html


def test_modeler_page_for_administrator(login_as: Any) -> None:
    assert login_as("admin").get("/prosesser/avvik/modell").status_code == 200


def test_modeler_page_in_english(login_as: Any) -> None:
    client = login_as("paal.prosesseier")
    client.post("/sprak", data={"sprak": "en", "next": "/prosesser/avvik/modell"})
    html = client.get("/prosesser/avvik/modell").get_data(as_text=True)
    assert 'data-locale="en"' in html
    assert "Download .bpmn" in html


def test_modeler_page_of_unknown_process(login_as: Any) -> None:
    response = login_as("paal.prosesseier").get("/prosesser/finnes-ikke/modell")
    assert response.status_code == 404


def test_bpmn_download_is_newest_version(login_as: Any, demo_engine: ProcessEngine) -> None:
    with demo_engine.transaction(read_only=True):
        expected = demo_engine.repository.latest("avvik").bpmn_xml
    response = login_as("paal.prosesseier").get("/prosesser/avvik/modell.bpmn")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert response.headers["Content-Disposition"] == "attachment; filename=avvik.bpmn"
    assert response.get_data(as_text=True) == expected


def test_process_list_links_to_modeler(login_as: Any, demo_engine: ProcessEngine) -> None:
    with demo_engine.transaction(read_only=True):
        keys = [record.key for record in demo_engine.repository.definitions()]
    html = login_as("paal.prosesseier").get("/prosesser").get_data(as_text=True)
    assert keys, "the demo deploys no process"
    for key in keys:
        assert f'href="/prosesser/{key}/modell"' in html


def test_menu_links_to_processes_for_owner(login_as: Any) -> None:
    html = login_as("paal.prosesseier").get("/").get_data(as_text=True)
    assert 'href="/prosesser"' in html


def test_menu_hides_processes_from_employee(login_as: Any) -> None:
    html = login_as("ola.ansatt").get("/").get_data(as_text=True)
    assert 'href="/prosesser"' not in html


def test_modeler_policy_hashes_style_attributes(login_as: Any) -> None:
    response = login_as("paal.prosesseier").get("/prosesser/avvik/modell")
    policy = response.headers["Content-Security-Policy"]
    style_source = next(directive for directive in policy.split("; ")
                        if directive.startswith("style-src "))
    # The hash Chromium reports for the properties panel's style="height: 100%".
    assert "'sha256-nR5hyLltSjfvi2rqC26RbcredWrJvTaPA1yqPX96jpY='" in style_source
    assert "'unsafe-hashes'" in style_source
    assert "'unsafe-inline'" not in policy
    assert "script-src 'self';" in policy


def test_other_pages_keep_site_policy(login_as: Any) -> None:
    response = login_as("paal.prosesseier").get("/prosesser")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_policy_without_style_attributes() -> None:
    assert content_security_policy() == CONTENT_SECURITY_POLICY
