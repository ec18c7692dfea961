"""Every route declares an access rule, and responds to each persona as that rule allows.

The expectations come from the rule objects, so a new route is checked as soon as it exists:
the route is called with real ids (a demo deviation case and its first task) by an anonymous
visitor and by five demo users, and its answer must match `rule.allows` for that user. Routes
under /api/ are checked the same way, with an API token as a seventh persona, unless the API's
own route-table test exists.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g, request
from flask.testing import FlaskClient
from werkzeug.routing import Rule as UrlRule
from werkzeug.wrappers import Response

from engine.access import ANONYMOUS, AUTHENTICATED, Principal, Rule, rule_for
from engine.app import create_app
from engine.engine import ProcessEngine
from engine.services.tokens import SCOPES
from engine.web.auth import principal_of
from tests.web.conftest import open_task_id

API_PREFIX = "/api/"
# The API's own route-table test; while it exists, it checks the /api/ routes instead of this.
API_RULES_TEST = Path(__file__).resolve().parents[1] / "api" / "test_access_rules.py"

PERSONAS = ("anonymous", "ola.ansatt", "lise.leder", "paal.prosesseier", "admin",
            "erik.laerer")
TOKEN_PERSONA = "api-token"
# Routes outside /api/ that only machines call: without a token they answer 401, not the
# log-in page, like the API.
BEARER_ONLY_PATHS = frozenset({"/metrics"})
IGNORED_METHODS = frozenset({"HEAD", "OPTIONS"})

# Set by a hook that runs after the access rule, so a response carrying it passed the rule.
PASSED_HEADER = "X-Test-Access-Passed"
SCOPE_NAME = re.compile(r"scope (\S+)")


@dataclass(frozen=True)
class Call:
    """One route called with one method, on a path built from the sample ids."""

    url_rule: UrlRule
    method: str
    path: str
    rule: Rule | None

    @property
    def is_api(self) -> bool:
        return self.path.startswith(API_PREFIX)

    @property
    def answers_401(self) -> bool:
        return self.is_api or self.path in BEARER_ONLY_PATHS

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.url_rule.endpoint})"


@pytest.fixture
def checked_app(demo_engine: ProcessEngine, web_config: dict[str, Any]) -> Flask:
    """The app with a test hook registered after the access rule's, which marks the responses
    of requests that passed the rule."""
    app = create_app(web_config, engine=demo_engine)
    app.before_request(_mark_passed)
    app.after_request(_passed_header)
    return app


def _mark_passed() -> None:
    g.test_access_passed = True


def _passed_header(response: Response) -> Response:
    if g.get("test_access_passed"):
        response.headers[PASSED_HEADER] = "1"
    return response


@pytest.fixture
def samples(demo_engine: ProcessEngine, report: Callable[..., int]) -> dict[str, Any]:
    """Values for the route arguments: a deviation case reported by ola.ansatt, the task
    that waits for lise.leder, the deviation process, the stylesheet, a log-in provider
    key (no provider is configured, so its pages answer 404), an attachment id (the
    access rules check the case; a missing attachment is the view's 404), a user and a
    unit of the demo organisation, and the first version of a process."""
    instance_id = report()
    return {"instance_id": instance_id,
            "task_id": open_task_id(demo_engine, instance_id, "VurderAvvik"),
            "key": "avvik", "filename": "sloyfe.css", "provider": "entra",
            "attachment_id": 1, "username": "ola.ansatt", "code": "sykehjem", "version": 1}


def calls(app: Flask, samples: dict[str, Any], api: bool) -> tuple[list[Call], list[str]]:
    """Return every route and method of the app (web or API), and the routes that cannot be
    called for want of a sample value, each with the reason."""
    found: list[Call] = []
    unreachable: list[str] = []
    for url_rule in app.url_map.iter_rules():
        if url_rule.rule.startswith(API_PREFIX) != api:
            continue
        missing = sorted(url_rule.arguments - samples.keys())
        if missing:
            unreachable.append(f"{url_rule.rule} ({url_rule.endpoint}): no sample value for "
                               f"{', '.join(missing)}; add one to the samples fixture")
            continue
        built = url_rule.build({name: samples[name] for name in url_rule.arguments},
                               append_unknown=False)
        assert built is not None, f"cannot build {url_rule.rule}"
        rule = rule_for(app, url_rule.endpoint)
        for method in sorted((url_rule.methods or set()) - IGNORED_METHODS):
            found.append(Call(url_rule, method, built[1], rule))
    return found, unreachable


def log_in_cookies(app: Flask, persona: str) -> dict[str, str]:
    """Log the persona in, when it is a demo user, and return its session cookie by name."""
    if persona not in PERSONAS[1:]:
        return {}
    client = app.test_client()
    response = client.post("/logg-inn", data={"brukernavn": persona, "passord": "demo"})
    assert response.status_code == 302, f"log-in as {persona} failed"
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return {persona: cookie.value}


class Tokens:
    """API tokens acting as admin, one per set of scopes. A call whose rule names no scope
    gets a token with every scope, which such a rule must still refuse."""

    def __init__(self, engine: ProcessEngine) -> None:
        self.engine = engine
        self.secrets: dict[frozenset[str], str] = {}

    def scopes(self, call: Call) -> frozenset[str]:
        named = SCOPE_NAME.findall(call.rule.name) if call.rule is not None else []
        return frozenset(named or SCOPES)

    def secret(self, call: Call) -> str:
        scopes = self.scopes(call)
        if scopes not in self.secrets:
            issued = self.engine.tokens.create("route table test", scopes, actor="admin",
                                               created_by=None)
            self.secrets[scopes] = issued.secret
        return self.secrets[scopes]


def principal(engine: ProcessEngine, persona: str, call: Call, tokens: Tokens) -> Principal:
    if persona == "anonymous":
        return ANONYMOUS
    if persona == TOKEN_PERSONA:
        return Principal(scopes=tokens.scopes(call), is_token=True)
    with engine.transaction(read_only=True):
        profile = engine.organisation.profile(persona)
    assert profile is not None, f"no demo user {persona}"
    return principal_of(profile)


def client_for(app: Flask, persona: str, cookies: dict[str, str], call: Call,
               tokens: Tokens) -> FlaskClient:
    client = app.test_client()
    if persona in cookies:
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookies[persona])
    if persona == TOKEN_PERSONA:
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {tokens.secret(call)}"
    return client


def mismatch(app: Flask, engine: ProcessEngine, persona: str, cookies: dict[str, str],
             call: Call, tokens: Tokens) -> str | None:
    """Call the route as `persona`; return how the response breaks the rule, or None."""
    caller = principal(engine, persona, call, tokens)
    view_args = app.url_map.bind("localhost").match(call.path, method=call.method)[1]
    allowed = call.rule is not None and call.rule.allows(caller, view_args, engine)

    client = client_for(app, persona, cookies, call, tokens)
    response = client.open(call.path, method=call.method)
    response.close()
    status = response.status_code
    passed = response.headers.get(PASSED_HEADER) == "1"
    to_login = status == 302 and response.headers["Location"].startswith("/logg-inn")
    answer = f"{status}{' to log-in' if to_login else ''}{', passed the rule' if passed else ''}"

    if status >= 500:
        return f"{call} as {persona}: server error {status}"
    if allowed:
        expected = "allowed (passes the rule)"
        right = passed
    elif not caller.authenticated:
        expected = "401 or 403" if call.answers_401 else "redirect to log-in"
        right = not passed and (status in (401, 403) if call.answers_401 else to_login)
    else:
        denied = 404 if call.rule is not None and call.rule.hides else 403
        expected = str(denied)
        right = not passed and status == denied
    if right:
        return None
    rule_name = call.rule.name if call.rule is not None else "no rule"
    return f"{call} as {persona} [{rule_name}]: expected {expected}, got {answer}"


def check_persona(app: Flask, engine: ProcessEngine, samples: dict[str, Any], persona: str,
                  api: bool) -> Iterator[str]:
    cookies = log_in_cookies(app, persona)
    tokens = Tokens(engine)
    found, _unreachable = calls(app, samples, api)
    for call in found:
        problem = mismatch(app, engine, persona, cookies, call, tokens)
        if problem:
            yield problem


def test_every_web_route_has_rule(checked_app: Flask) -> None:
    without = [f"{url_rule.rule} ({url_rule.endpoint})"
               for url_rule in checked_app.url_map.iter_rules()
               if not url_rule.rule.startswith(API_PREFIX)
               and rule_for(checked_app, url_rule.endpoint) is None]

    assert without == [], "routes without @access(...): " + ", ".join(without)


def test_every_web_route_has_sample_values(checked_app: Flask,
                                           samples: dict[str, Any]) -> None:
    _found, unreachable = calls(checked_app, samples, api=False)

    assert unreachable == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_web_routes_follow_their_rules(checked_app: Flask, demo_engine: ProcessEngine,
                                       samples: dict[str, Any], persona: str) -> None:
    problems = list(check_persona(checked_app, demo_engine, samples, persona, api=False))

    assert problems == []


@pytest.mark.parametrize("persona", (*PERSONAS, TOKEN_PERSONA))
def test_api_routes_follow_their_rules(checked_app: Flask, demo_engine: ProcessEngine,
                                       samples: dict[str, Any], persona: str) -> None:
    if API_RULES_TEST.exists():
        pytest.skip(f"the API's own test {API_RULES_TEST.name} in tests/api checks /api/ "
                    "routes")
    found, unreachable = calls(checked_app, samples, api=True)
    if not found and not unreachable:
        pytest.skip("the app has no /api/ routes")
    for reason in unreachable:
        warnings.warn(f"API route not checked: {reason}", stacklevel=1)

    problems = list(check_persona(checked_app, demo_engine, samples, persona, api=True))

    assert problems == []


def test_route_without_rule_is_refused(demo_engine: ProcessEngine,
                                       web_config: dict[str, Any]) -> None:
    app = create_app(web_config, engine=demo_engine)
    app.add_url_rule("/uten-regel", "without_rule", lambda: "open")
    client = app.test_client()

    anonymous = client.get("/uten-regel")
    client.post("/logg-inn", data={"brukernavn": "admin", "passord": "demo"})
    administrator = client.get("/uten-regel")

    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/logg-inn")
    assert administrator.status_code == 403
    assert "open" not in administrator.get_data(as_text=True)


def test_task_page_hides_task_from_outsider(checked_app: Flask,
                                            samples: dict[str, Any]) -> None:
    client = checked_app.test_client()
    client.post("/logg-inn", data={"brukernavn": "erik.laerer", "passord": "demo"})

    hidden = client.get(f"/oppgaver/{samples['task_id']}")
    missing = client.get("/oppgaver/finnes-ikke")

    assert hidden.status_code == 404
    assert missing.status_code == 404
    assert "Siden finnes ikke" in hidden.get_data(as_text=True)
    assert "Vurder avvik" not in hidden.get_data(as_text=True)


def test_case_page_hides_case_from_outsider(checked_app: Flask,
                                            samples: dict[str, Any]) -> None:
    client = checked_app.test_client()
    client.post("/logg-inn", data={"brukernavn": "erik.laerer", "passord": "demo"})

    hidden = client.get(f"/saker/{samples['instance_id']}")
    missing = client.get("/saker/999999")

    assert hidden.status_code == 404
    assert missing.status_code == 404
    assert "Feil medisin" not in hidden.get_data(as_text=True)


def test_principal_carries_roles_and_leadership(checked_app: Flask) -> None:
    seen: dict[str, Principal] = {}

    @checked_app.after_request
    def keep(response: Response) -> Response:
        seen[request.path] = g.get("principal", ANONYMOUS)
        return response

    client = checked_app.test_client()
    client.post("/logg-inn", data={"brukernavn": "lise.leder", "passord": "demo"})
    client.get("/")

    assert seen["/"].username == "lise.leder"
    assert seen["/"].leads_unit is True
    assert AUTHENTICATED.allows(seen["/"], {}, checked_app.extensions["sloyfe"])
