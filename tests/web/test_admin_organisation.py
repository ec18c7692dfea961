"""The organisation pages for administrators: access, users, units and the CSV import."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from engine.engine import ProcessEngine
from engine.web import admin_organisation

PAGES = ["/admin/organisasjon", "/admin/organisasjon/brukere",
         "/admin/organisasjon/brukere/ola.ansatt", "/admin/organisasjon/enheter/sykehjem",
         "/admin/organisasjon/import"]

CSV = ("enhetskode;enhetsnavn;enhetstype;overordnet;brukernavn;navn;e-post;leder;grupper\n"
       "sykehjem;;;;nina.ny;Nina Ny;nina@example.no;nei;behandler@sykehjem\n")

BROKEN_CSV = ("enhetskode;enhetsnavn;enhetstype;overordnet;brukernavn;navn\n"
              "ny;Ny enhet;enhet;finnes.ikke;nina.ny;Nina Ny\n")


@pytest.fixture(autouse=True)
def upload_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "opplastet"
    monkeypatch.setattr(admin_organisation, "UPLOAD_DIRECTORY", directory)
    return directory


@pytest.fixture
def admin(login_as: Callable[[str], FlaskClient]) -> FlaskClient:
    return login_as("admin")


def upload(client: FlaskClient, text: str, **fields: str):  # noqa: ANN201
    data = {"fil": (io.BytesIO(text.encode("utf-8")), "org.csv"), **fields}
    return client.post("/admin/organisasjon/import", data=data,
                       content_type="multipart/form-data")


@pytest.mark.parametrize("path", PAGES)
def test_pages_forbidden_for_employee(login_as: Callable[[str], FlaskClient], path: str) -> None:
    response = login_as("ola.ansatt").get(path)

    assert response.status_code == 403


def test_import_post_forbidden_for_employee(login_as: Callable[[str], FlaskClient]) -> None:
    response = upload(login_as("ola.ansatt"), CSV)

    assert response.status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_pages_open_for_admin(admin: FlaskClient, path: str) -> None:
    response = admin.get(path)

    assert response.status_code == 200


def test_tree_shows_unit_and_leader(admin: FlaskClient) -> None:
    html = admin.get("/admin/organisasjon").get_data(as_text=True)

    assert 'data-unit="sykehjem"' in html
    assert "Lise" in html
    assert "Enheter" in html


def test_user_search_filters(admin: FlaskClient) -> None:
    html = admin.get("/admin/organisasjon/brukere?sok=lise").get_data(as_text=True)

    assert 'data-user="lise.leder"' in html
    assert 'data-user="ola.ansatt"' not in html


def test_user_deactivate_and_list(admin: FlaskClient, demo_engine: ProcessEngine) -> None:
    response = admin.post("/admin/organisasjon/brukere/ola.ansatt",
                          data={"handling": "deaktiver"})
    inactive = admin.get("/admin/organisasjon/brukere?status=inaktive").get_data(as_text=True)

    assert response.status_code == 302
    with demo_engine.transaction(read_only=True):
        assert not demo_engine.organisation.user("ola.ansatt").active
    assert 'data-user="ola.ansatt"' in inactive


def test_admin_cannot_deactivate_self(admin: FlaskClient, demo_engine: ProcessEngine) -> None:
    response = admin.post("/admin/organisasjon/brukere/admin", data={"handling": "deaktiver"})

    assert response.status_code == 422
    with demo_engine.transaction(read_only=True):
        assert demo_engine.organisation.user("admin").active


def test_invalid_email_keeps_typed_values(admin: FlaskClient) -> None:
    response = admin.post("/admin/organisasjon/brukere/ola.ansatt", data={
        "handling": "lagre", "navn": "Ola Endret", "e_post": "ikke-en-adresse",
        "enhet": "sykehjem"})
    html = response.get_data(as_text=True)

    assert response.status_code == 422
    assert 'value="Ola Endret"' in html
    assert "ikke-en-adresse" in html
    assert "ugyldig" in html


def test_user_group_and_role_changes(admin: FlaskClient, demo_engine: ProcessEngine) -> None:
    page = "/admin/organisasjon/brukere/ola.ansatt"
    admin.post(page, data={"handling": "legg-til-gruppe", "gruppe": "behandler@sykehjem"})
    admin.post(page, data={"handling": "gi-rolle", "rolle": "prosesseier"})

    with demo_engine.transaction(read_only=True):
        assert "behandler@sykehjem" in demo_engine.organisation.group_keys("ola.ansatt")
        assert demo_engine.organisation.has_role("ola.ansatt", "prosesseier")

    admin.post(page, data={"handling": "fjern-gruppe", "gruppe": "behandler@sykehjem"})
    admin.post(page, data={"handling": "fjern-rolle", "rolle": "prosesseier"})

    with demo_engine.transaction(read_only=True):
        assert "behandler@sykehjem" not in demo_engine.organisation.group_keys("ola.ansatt")
        assert not demo_engine.organisation.has_role("ola.ansatt", "prosesseier")


def test_unit_rename_and_leader(admin: FlaskClient, demo_engine: ProcessEngine) -> None:
    with demo_engine.transaction(read_only=True):
        parent = demo_engine.organisation.unit("sykehjem").parent.code
    renamed = admin.post("/admin/organisasjon/enheter/sykehjem", data={
        "handling": "lagre", "navn": "Nytt navn", "overordnet": parent})
    leader = admin.post("/admin/organisasjon/enheter/sykehjem", data={
        "handling": "leder", "leder": "ola.ansatt"})

    assert renamed.status_code == 302
    assert leader.status_code == 302
    with demo_engine.transaction(read_only=True):
        unit = demo_engine.organisation.unit("sykehjem")
        assert unit.name == "Nytt navn"
        assert unit.leader.username == "ola.ansatt"


def test_unit_move_under_itself_rejected(admin: FlaskClient, demo_engine: ProcessEngine) -> None:
    with demo_engine.transaction(read_only=True):
        parent = demo_engine.organisation.unit("sykehjem").parent.code
    response = admin.post(f"/admin/organisasjon/enheter/{parent}", data={
        "handling": "lagre", "navn": "Navn som ble skrevet", "overordnet": "sykehjem"})

    assert response.status_code == 422
    assert 'value="Navn som ble skrevet"' in response.get_data(as_text=True)


def test_import_preview_saves_nothing(admin: FlaskClient, demo_engine: ProcessEngine) -> None:
    response = upload(admin, CSV)
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert 'id="import-preview"' in html
    assert "nina.ny" in html
    with demo_engine.transaction(read_only=True):
        assert demo_engine.organisation.find_user("nina.ny") is None


def test_import_confirm_applies_file(admin: FlaskClient, demo_engine: ProcessEngine,
                                     upload_directory: Path) -> None:
    upload(admin, CSV)

    response = admin.post("/admin/organisasjon/import/bekreft",
                          data={"deaktiver_manglende": "nei"})

    assert response.status_code == 302
    with demo_engine.transaction(read_only=True):
        user = demo_engine.organisation.user("nina.ny")
        assert user.unit.code == "sykehjem"
        assert "behandler@sykehjem" in demo_engine.organisation.group_keys("nina.ny")
        assert demo_engine.organisation.user("ola.ansatt").active
    assert list(upload_directory.iterdir()) == []


def test_import_confirm_deactivates_missing(admin: FlaskClient,
                                            demo_engine: ProcessEngine) -> None:
    upload(admin, CSV, deaktiver_manglende="ja")

    admin.post("/admin/organisasjon/import/bekreft", data={"deaktiver_manglende": "ja"})

    with demo_engine.transaction(read_only=True):
        assert not demo_engine.organisation.user("ola.ansatt").active
        assert demo_engine.organisation.user("admin").active


def test_import_problems_listed_by_line(admin: FlaskClient) -> None:
    response = upload(admin, BROKEN_CSV)
    html = response.get_data(as_text=True)

    assert response.status_code == 422
    assert 'id="import-problems"' in html
    assert "finnes.ikke" in html
    assert 'id="import-preview"' not in html


def test_confirm_without_upload_asks_again(admin: FlaskClient) -> None:
    response = admin.post("/admin/organisasjon/import/bekreft")

    assert response.status_code == 422
    assert "Last den opp på nytt" in response.get_data(as_text=True)


def test_import_without_file(admin: FlaskClient) -> None:
    response = admin.post("/admin/organisasjon/import", data={},
                          content_type="multipart/form-data")

    assert response.status_code == 422


def test_new_upload_removes_stale_ones(admin: FlaskClient, upload_directory: Path) -> None:
    upload_directory.mkdir()
    stale = upload_directory / "gammel.csv"
    stale.write_text(CSV, encoding="utf-8")
    os.utime(stale, (0, 0))

    upload(admin, CSV)

    assert not stale.exists()
    assert len(list(upload_directory.iterdir())) == 1


def test_admin_tabs_link_to_organisation(admin: FlaskClient) -> None:
    html = admin.get("/admin/saker").get_data(as_text=True)

    assert 'href="/admin/organisasjon"' in html
