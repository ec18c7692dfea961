"""Personal-data variables on the administrators' instance page: hidden from an administrator
who is not entitled to the case, shown to one who is, and still editable."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import pytest
from flask.testing import FlaskClient

from engine.engine import ProcessEngine
from tests.web.conftest import REPORT_DATA

Login = Callable[[str], FlaskClient]
HIDDEN = "skjult (personopplysning)"
DESCRIPTION = escape(REPORT_DATA["hva_skjedde"])


@pytest.fixture
def case(demo_engine: ProcessEngine) -> int:
    return demo_engine.runtime.start("avvik", "ola.ansatt", REPORT_DATA).instance_id


def page_of(client: FlaskClient, instance_id: int) -> str:
    response = client.get(f"/admin/saker/{instance_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_page_hides_personal_value(login_as: Login, case: int) -> None:
    html = page_of(login_as("admin"), case)

    assert HIDDEN in html
    assert DESCRIPTION not in html
    assert escape(REPORT_DATA["tittel"]) in html


def test_entitled_admin_sees_value(demo_engine: ProcessEngine, login_as: Login,
                                   case: int) -> None:
    demo_engine.organisation.add_member("behandler@sykehjem", "admin", actor="admin")
    demo_engine.organisation.forget_profiles()

    html = page_of(login_as("admin"), case)

    assert DESCRIPTION in html
    assert HIDDEN not in html


def test_hidden_variable_still_editable(demo_engine: ProcessEngine, login_as: Login,
                                        case: int) -> None:
    admin = login_as("admin")
    response = admin.post(f"/admin/saker/{case}/handling", data={
        "handling": "variabel", "navn": "hva_skjedde", "verdi": '"Feil dosett ble gitt."',
        "begrunnelse": "Melderen ba om retting."})
    html = page_of(admin, case)

    assert response.status_code == 302
    assert demo_engine.runtime.variables(case)["hva_skjedde"] == "Feil dosett ble gitt."
    assert "Feil dosett ble gitt." not in html
    assert "ny verdi: ***" in html
    assert '<textarea class="ds-input" id="variable-value" name="verdi" rows="2" required ' \
           'aria-describedby="variable-value-hint"></textarea>' in html
