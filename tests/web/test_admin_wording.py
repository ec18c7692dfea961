"""The words of the administrator instance page: action labels that match the messages."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from engine.engine import ProcessEngine
from tests.web.test_admin_actions_forms import admin, admin_engine  # noqa: F401


def button_labels(html: str) -> list[str]:
    return [" ".join(label.split()) for label in re.findall(r"<button[^>]*>(.*?)</button>",
                                                             html, re.S)]


def test_retry_refusal_uses_page_labels(admin_engine: ProcessEngine,  # noqa: F811
                                        admin: FlaskClient) -> None:  # noqa: F811
    instance_id = admin_engine.runtime.start("feiler", "admin", {}).instance_id
    admin_engine.management.run_due()
    with admin_engine.transaction(read_only=True):
        incident_id = admin_engine.management.incidents(instance_id)[0].id

    html = admin.post(f"/admin/saker/{instance_id}/handling",
                      data={"handling": "prov-igjen", "begrunnelse": "Nede.",
                            "feil": str(incident_id)}).get_data(as_text=True)

    assert ">Prøv likevel</label>" in html
    assert "Prøv på nytt" in button_labels(html)
    assert "kryss av for «Prøv likevel» og velg «Prøv på nytt»" in html


def test_terminate_is_not_called_cancel(admin_engine: ProcessEngine,  # noqa: F811
                                        admin: FlaskClient) -> None:  # noqa: F811
    instance_id = admin_engine.runtime.start("enkel", "admin", {}).instance_id

    html = admin.get(f"/admin/saker/{instance_id}").get_data(as_text=True)

    assert "Avslutt saken" in button_labels(html)
    assert "Avbryt" not in button_labels(html)


def test_instance_page_uses_glossary_terms(admin_engine: ProcessEngine,  # noqa: F811
                                           admin: FlaskClient) -> None:  # noqa: F811
    instance_id = admin_engine.runtime.start("enkel", "admin", {}).instance_id
    admin_engine.admin.suspend(instance_id, "admin", "Venter på svar.")

    html = admin.get(f"/admin/saker/{instance_id}").get_data(as_text=True)

    assert f"Prosessforekomst {instance_id}" in html
    assert "Prosessforekomsten har ingen åpen feil." in html
    assert "På vent" in html
    assert "Satt på pause" not in html


def test_reassign_to_reporter_names_reason(admin_engine: ProcessEngine,  # noqa: F811
                                           admin: FlaskClient) -> None:  # noqa: F811
    from tests.engine.processes.test_avvik import REPORT
    from tests.web.conftest import open_task_id

    instance_id = admin_engine.runtime.start("avvik", "ola.ansatt", REPORT).instance_id
    task_id = open_task_id(admin_engine, instance_id, "VurderAvvik")

    html = admin.post(f"/admin/saker/{instance_id}/handling",
                      data={"handling": "tildel", "begrunnelse": "Ferie.",
                            "oppgave": task_id, "bruker": "ola.ansatt"}).get_data(as_text=True)

    assert "startet saken" in html
    assert "medarbeidere ved" not in html
    assert '<option value="lise.leder">' in html
    assert '<option value="ola.ansatt">' not in html


def test_reassign_to_deactivated_user_says_so(admin_engine: ProcessEngine,  # noqa: F811
                                             admin: FlaskClient) -> None:  # noqa: F811
    from tests.web.conftest import open_task_id

    instance_id = admin_engine.runtime.start("enkel", "admin", {}).instance_id
    task_id = open_task_id(admin_engine, instance_id, "gjor")
    admin_engine.organisation.set_active("lise.leder", False, "admin")

    html = admin.post(f"/admin/saker/{instance_id}/handling",
                      data={"handling": "tildel", "begrunnelse": "Ferie.",
                            "oppgave": task_id, "bruker": "lise.leder"}).get_data(as_text=True)

    assert "er deaktivert" in html
    assert 'value="lise.leder"' in html
