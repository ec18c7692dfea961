"""create_app: settings, secret key, security headers, request ids and the locale."""

from __future__ import annotations

import logging
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from engine.app import create_app, load_settings
from engine.engine import ProcessEngine
from tests.web.conftest import open_task_id


def test_security_headers_present(client: FlaskClient) -> None:
    headers = client.get("/logg-inn").headers

    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"


def test_security_headers_on_error_page(login_as: Any) -> None:
    response = login_as("ola.ansatt").get("/finnes-ikke")

    assert response.status_code == 404
    assert "Siden finnes ikke" in response.get_data(as_text=True)
    assert response.headers["X-Frame-Options"] == "DENY"


def test_stylesheets_served(client: FlaskClient) -> None:
    own = client.get("/static/sloyfe.css")
    bundle = client.get("/static/dist/designsystemet.css")

    assert own.status_code == 200
    assert bundle.status_code == 200
    assert ".ds-button" in bundle.get_data(as_text=True)


def test_bundle_fonts_served_locally(client: FlaskClient) -> None:
    css = client.get("/static/dist/designsystemet.css").get_data(as_text=True)
    fonts = re.findall(r"url\(\"?(\./fonts/[^)\"]+\.woff2)\"?\)", css)

    assert fonts
    assert "//" not in "".join(fonts)
    for font in fonts:
        assert client.get("/static/dist/" + font.removeprefix("./")).status_code == 200


def test_condition_script_loaded_from_own_origin(client: FlaskClient) -> None:
    page = client.get("/logg-inn")
    script = client.get("/static/conditions.js")

    assert '<script src="/static/conditions.js" defer></script>' in page.get_data(as_text=True)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert script.status_code == 200
    assert "data-hide-when" in script.get_data(as_text=True)


def test_request_id_on_response_and_log(client: FlaskClient,
                                        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="engine.web.security"):
        response = client.get("/logg-inn")

    request_id = response.headers["X-Request-Id"]
    records = [r for r in caplog.records if r.name == "engine.web.security"]
    assert len(request_id) == 32
    assert records
    assert records[-1].request_id == request_id  # type: ignore[attr-defined]


def test_request_id_from_proxy_kept_when_plain(client: FlaskClient) -> None:
    plain = client.get("/logg-inn", headers={"X-Request-Id": "proxy-1234abcd"})
    forged = client.get("/logg-inn", headers={"X-Request-Id": "x level=ERROR forged"})

    assert plain.headers["X-Request-Id"] == "proxy-1234abcd"
    assert forged.headers["X-Request-Id"] != "x level=ERROR forged"


def test_english_locale_for_english_user(login_as: Any, demo_engine: ProcessEngine) -> None:
    demo_engine.organisation.set_locale("lise.leder", "en")

    html = login_as("lise.leder").get("/oppgaver").get_data(as_text=True)

    assert '<html lang="en">' in html
    assert "My tasks" in html
    assert "Mine oppgaver" not in html


def test_engine_errors_follow_user_locale(login_as: Any, report: Any,
                                          demo_engine: ProcessEngine) -> None:
    task_id = open_task_id(demo_engine, report(), "VurderAvvik")
    demo_engine.tasks.claim(task_id, "fatima.ansatt")
    demo_engine.organisation.set_locale("lise.leder", "en")

    response = login_as("lise.leder").post(f"/oppgaver/{task_id}",
                                           data={"beslutning": "godta"})

    assert "The task is assigned to Fatima Ali, not to you." in response.get_data(as_text=True)


def test_locale_does_not_leak_between_users(login_as: Any,
                                            demo_engine: ProcessEngine) -> None:
    demo_engine.organisation.set_locale("lise.leder", "en")
    login_as("lise.leder").get("/")

    html = login_as("ola.ansatt").get("/").get_data(as_text=True)

    assert '<html lang="nb">' in html
    assert "Mine oppgaver" in html


def test_language_switch_saves_locale(login_as: Any, demo_engine: ProcessEngine) -> None:
    client = login_as("ola.ansatt")

    response = client.post("/sprak", data={"sprak": "en", "next": "/saker"})

    assert response.headers["Location"] == "/saker"
    assert "My cases" in client.get("/saker").get_data(as_text=True)
    with demo_engine.transaction(read_only=True):
        assert demo_engine.organisation.user("ola.ansatt").locale == "en"


def test_language_switch_before_log_in(client: FlaskClient) -> None:
    response = client.post("/sprak", data={"sprak": "en", "next": "/logg-inn"})
    html = client.get("/logg-inn").get_data(as_text=True)

    assert response.headers["Location"] == "/logg-inn"
    assert '<html lang="en">' in html
    assert "User name" in html


def test_language_switch_ignores_unknown_locale(client: FlaskClient) -> None:
    client.post("/sprak", data={"sprak": "de", "next": "/logg-inn"})

    assert '<html lang="nb">' in client.get("/logg-inn").get_data(as_text=True)


def test_secret_key_generated_once_with_private_mode(demo_engine: ProcessEngine,
                                                     web_config: dict[str, Any],
                                                     tmp_path: Path) -> None:
    config = {**web_config, "SECRET_KEY": None, "INSTANCE_PATH": str(tmp_path / "instance")}

    first = create_app(config, engine=demo_engine)
    second = create_app(config, engine=demo_engine)

    key_file = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) == 64
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_settings_environment_overrides_default(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    monkeypatch.setenv("SLOYFE_CONFIG_FILE", str(tmp_path / "none.json"))
    monkeypatch.setenv("SLOYFE_DUE_SOON_HOURS", "6")

    assert load_settings()["DUE_SOON_HOURS"] == 6
    assert load_settings({"DUE_SOON_HOURS": 12})["DUE_SOON_HOURS"] == 12


def test_settings_instance_file_below_environment(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    instance_file = tmp_path / "sloyfe.json"
    instance_file.write_text('{"SESSION_HOURS": 2, "DUE_SOON_HOURS": 48}', encoding="utf-8")
    monkeypatch.setenv("SLOYFE_CONFIG_FILE", str(instance_file))
    monkeypatch.setenv("SLOYFE_DUE_SOON_HOURS", "6")

    settings = load_settings()

    assert settings["SESSION_HOURS"] == 2
    assert settings["DUE_SOON_HOURS"] == 6


def test_create_app_builds_own_engine(demo_engine: ProcessEngine,
                                      web_config: dict[str, Any]) -> None:
    app = create_app(web_config)
    engine = app.extensions["sloyfe"]
    try:
        response = app.test_client().post("/logg-inn", data={"brukernavn": "ola.ansatt",
                                                             "passord": "demo"})

        assert isinstance(engine, ProcessEngine)
        assert engine is not demo_engine
        assert response.status_code == 302
    finally:
        engine.close()
