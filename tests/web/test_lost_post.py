"""A post that fails for an expired session or CSRF token shows back the text it carried."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from engine.app import create_app
from engine.engine import ProcessEngine
from tests.web.conftest import csrf_token

WRITTEN = "Beboeren <b>falt</b> i gangen."


def _csrf_client(demo_engine: ProcessEngine, web_config: dict[str, Any]) -> FlaskClient:
    """Return a client logged in as ola.ansatt on an app that checks CSRF tokens."""
    app = create_app({**web_config, "WTF_CSRF_ENABLED": True}, engine=demo_engine)
    client = app.test_client()
    token = csrf_token(client.get("/logg-inn").get_data(as_text=True))
    client.post("/logg-inn", data={"brukernavn": "ola.ansatt", "passord": "demo",
                                   "csrf_token": token})
    return client


def _shown_fields(html: str) -> list[str]:
    return re.findall(r"<dt>([^<]*)</dt>", html)


def test_expired_csrf_shows_written_text(demo_engine: ProcessEngine,
                                         web_config: dict[str, Any]) -> None:
    client = _csrf_client(demo_engine, web_config)

    response = client.post("/start/avvik", data={
        "csrf_token": "utløpt", "tittel": "Fall", "hva_skjedde": WRITTEN,
        "passord": "hemmelig-passord", "_action": "submit"})
    html = response.get_data(as_text=True)

    assert response.status_code == 400
    assert "Skjemaet er utløpt" in html
    assert "Det du skrev" in html
    assert "Beboeren &lt;b&gt;falt&lt;/b&gt; i gangen." in html
    assert WRITTEN not in html
    assert "hemmelig-passord" not in html
    assert _shown_fields(html) == ["tittel", "hva_skjedde"]


def test_expired_csrf_on_login_hides_password(demo_engine: ProcessEngine,
                                              web_config: dict[str, Any]) -> None:
    app = create_app({**web_config, "WTF_CSRF_ENABLED": True}, engine=demo_engine)

    response = app.test_client().post("/logg-inn", data={
        "brukernavn": "ola.ansatt", "passord": "hemmelig-passord", "next": "/saker"})
    html = response.get_data(as_text=True)

    assert response.status_code == 400
    assert "hemmelig-passord" not in html
    assert _shown_fields(html) == ["brukernavn"]


def test_expired_csrf_without_text_has_no_list(demo_engine: ProcessEngine,
                                               web_config: dict[str, Any]) -> None:
    client = _csrf_client(demo_engine, web_config)

    html = client.post("/logg-ut").get_data(as_text=True)

    assert "Skjemaet er utløpt" in html
    assert "Det du skrev" not in html


def test_expired_session_shows_written_text(client: FlaskClient) -> None:
    response = client.post("/start/avvik", data={"hva_skjedde": WRITTEN,
                                                 "password": "hemmelig-passord"})
    html = response.get_data(as_text=True)

    assert response.status_code == 401
    assert "Du er logget ut" in html
    assert "Beboeren &lt;b&gt;falt&lt;/b&gt; i gangen." in html
    assert "hemmelig-passord" not in html
    assert 'href="/logg-inn?next=/start/avvik"' in html


def test_expired_session_post_only_page_links_home(client: FlaskClient) -> None:
    html = client.post("/oppgaver/abc/tildel", data={"notat": "x"}).get_data(as_text=True)

    assert 'href="/logg-inn?next=/"' in html


def test_expired_session_without_text_redirects(client: FlaskClient) -> None:
    response = client.post("/oppgaver/abc/tildel")

    assert response.status_code == 302
    assert response.headers["Location"] == "/logg-inn"
