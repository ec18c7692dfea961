"""Every /api/ route declares an access rule, and each caller gets what that rule allows.

The expectations come from the rule objects: each route is called with real ids by an
anonymous caller, six demo users (signed in, with the CSRF header) and two real API tokens
per route, one with the scopes its rule names and one with every other scope. A test hook
after the access check answers 204 for requests that passed it, so no view changes state.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask, Response, request
from werkzeug.routing import Rule as UrlRule

from engine.access import ANONYMOUS, Principal, Rule, rule_for
from engine.engine import ProcessEngine
from engine.services.tokens import SCOPES
from engine.web.auth import principal_of
from tests.api.conftest import SessionCaller, open_task_id

API_PREFIX = "/api/"
USERS = ("ola.ansatt", "lise.leder", "paal.prosesseier", "admin", "erik.laerer",
         "pia.personvern")
TOKEN_KINDS = ("token-with-scopes", "token-without-scopes")
IGNORED_METHODS = frozenset({"HEAD", "OPTIONS"})
PASSED_STATUS = 204
SCOPE_NAME = re.compile(r"scope (\S+)")

FAILING_SCRIPT = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
    targetNamespace="t">
<bpmn:process id="feiler" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="steg" />
  <bpmn:scriptTask id="steg" scriptFormat="python"><bpmn:script>x = 1 / 0</bpmn:script>
  </bpmn:scriptTask>
  <bpmn:sequenceFlow id="f2" sourceRef="steg" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
</bpmn:process></bpmn:definitions>"""


@dataclass(frozen=True)
class Call:
    url_rule: UrlRule
    method: str
    path: str
    view_args: dict[str, Any]
    rule: Rule | None

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.url_rule.endpoint})"


@pytest.fixture
def checked_app(app: Flask) -> Flask:
    app.before_request(_answer_passed)
    return app


def _answer_passed() -> Response | None:
    """Registered last, so it runs only for requests every earlier hook let through."""
    if not request.path.startswith(API_PREFIX):
        return None
    return Response(status=PASSED_STATUS)


@pytest.fixture
def samples(demo_engine: ProcessEngine, report: Callable[..., int]) -> dict[str, Any]:
    """A deviation case by ola.ansatt, the task waiting for lise.leder, the deviation
    process, an incident of a failing script, and attachment, draft and version numbers, a
    variable name and a form id (the rules check the case or the caller, not those)."""
    instance_id = report()
    demo_engine.repository.deploy([("feiler.bpmn", FAILING_SCRIPT)])
    failed = demo_engine.runtime.start("feiler", "admin", {}).instance_id
    with demo_engine.transaction(read_only=True):
        (incident,) = demo_engine.management.incidents(failed)
    return {"instance_id": instance_id, "key": "avvik", "incident_id": incident.id,
            "task_id": open_task_id(demo_engine, instance_id, "VurderAvvik"),
            "attachment_id": 1, "draft_id": 1, "version": 1, "old": 1, "new": 1,
            "name": "tittel", "form_id": "avvik-vurder"}


def api_calls(app: Flask, samples: dict[str, Any]) -> list[Call]:
    found = []
    for url_rule in app.url_map.iter_rules():
        if not url_rule.rule.startswith(API_PREFIX):
            continue
        view_args = {name: samples[name] for name in url_rule.arguments}
        built = url_rule.build(view_args, append_unknown=False)
        assert built is not None, f"cannot build {url_rule.rule}"
        for method in sorted((url_rule.methods or set()) - IGNORED_METHODS):
            found.append(Call(url_rule, method, built[1], view_args,
                              rule_for(app, url_rule.endpoint)))
    return found


def rule_scopes(rule: Rule | None) -> set[str]:
    return set(SCOPE_NAME.findall(rule.name)) if rule is not None else set()


def token_scopes(kind: str, rule: Rule | None) -> frozenset[str]:
    named = rule_scopes(rule)
    if kind == "token-with-scopes":
        return frozenset(named or SCOPES)
    return frozenset(set(SCOPES) - named)


class Callers:
    """Clients for every persona, with tokens issued on demand per scope set."""

    def __init__(self, engine: ProcessEngine,
                 session_of: Callable[[str], SessionCaller], app: Flask) -> None:
        self.engine = engine
        self.app = app
        self.sessions = {username: session_of(username) for username in USERS}
        self.tokens: dict[frozenset[str], str] = {}

    def principal(self, persona: str, call: Call) -> Principal:
        if persona == "anonymous":
            return ANONYMOUS
        if persona in TOKEN_KINDS:
            return Principal(scopes=token_scopes(persona, call.rule), is_token=True)
        with self.engine.transaction(read_only=True):
            profile = self.engine.organisation.profile(persona)
        assert profile is not None
        return principal_of(profile)

    def call(self, persona: str, call: Call) -> Any:
        if persona == "anonymous":
            return self.app.test_client().open(call.path, method=call.method)
        if persona in TOKEN_KINDS:
            secret = self._token(token_scopes(persona, call.rule))
            return self.app.test_client().open(
                call.path, method=call.method, headers={"Authorization": f"Bearer {secret}"})
        session = self.sessions[persona]
        return session.client.open(call.path, method=call.method,
                                   headers={"X-CSRFToken": session.csrf})

    def _token(self, scopes: frozenset[str]) -> str:
        if scopes not in self.tokens:
            self.tokens[scopes] = self.engine.tokens.create(
                "Tilgangstest", sorted(scopes), "admin", "admin").secret
        return self.tokens[scopes]


@pytest.fixture
def callers(demo_engine: ProcessEngine, session_of: Callable[[str], SessionCaller],
            checked_app: Flask) -> Callers:
    return Callers(demo_engine, session_of, checked_app)


def mismatch(callers: Callers, persona: str, call: Call) -> str | None:
    """Call the route as `persona`; return how the response breaks the rule, or None."""
    caller = callers.principal(persona, call)
    allowed = call.rule is not None and call.rule.allows(caller, call.view_args,
                                                         callers.engine)
    status = callers.call(persona, call).status_code

    if allowed:
        expected = PASSED_STATUS
    elif not caller.authenticated:
        expected = 401
    else:
        expected = 404 if call.rule is not None and call.rule.hides else 403
    if status == expected:
        return None
    rule_name = call.rule.name if call.rule is not None else "no rule"
    return f"{call} as {persona} [{rule_name}]: expected {expected}, got {status}"


def check(callers: Callers, calls: list[Call], persona: str) -> Iterator[str]:
    for call in calls:
        problem = mismatch(callers, persona, call)
        if problem:
            yield problem


def test_every_api_route_has_rule(app: Flask) -> None:
    without = [f"{url_rule.rule} ({url_rule.endpoint})"
               for url_rule in app.url_map.iter_rules()
               if url_rule.rule.startswith(API_PREFIX)
               and rule_for(app, url_rule.endpoint) is None]

    assert without == [], "routes without @access(...): " + ", ".join(without)


def test_every_api_route_has_sample_values(app: Flask, samples: dict[str, Any]) -> None:
    missing = [f"{url_rule.rule}: {', '.join(sorted(url_rule.arguments - samples.keys()))}"
               for url_rule in app.url_map.iter_rules()
               if url_rule.rule.startswith(API_PREFIX)
               and url_rule.arguments - samples.keys()]

    assert missing == []


def test_rules_name_only_known_scopes(app: Flask, samples: dict[str, Any]) -> None:
    named = set().union(*(rule_scopes(call.rule) for call in api_calls(app, samples)))

    assert named - set(SCOPES) == set()


@pytest.mark.parametrize("persona", ("anonymous", *USERS, *TOKEN_KINDS))
def test_api_routes_follow_their_rules(checked_app: Flask, callers: Callers,
                                       samples: dict[str, Any], persona: str) -> None:
    problems = list(check(callers, api_calls(checked_app, samples), persona))

    assert problems == []


def test_token_without_scope_is_refused_everywhere(checked_app: Flask, callers: Callers,
                                                   samples: dict[str, Any]) -> None:
    scoped = [call for call in api_calls(checked_app, samples) if rule_scopes(call.rule)]
    answers = {str(call): callers.call("token-without-scopes", call).status_code
               for call in scoped}

    assert scoped != []
    assert set(answers.values()) == {403}, answers
