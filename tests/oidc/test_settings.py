"""OIDC_PROVIDERS: what is accepted, what stops the start, and the message that names the fault."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.app import create_app
from engine.config import load_config
from engine.engine import ProcessEngine
from engine.oidc.settings import ProviderSettingsInvalid, parse_providers, subject_hash_key

ENTRA = {
    "key": "entra", "name": "Microsoft",
    "issuer": "https://login.microsoftonline.com/00000000-0000-0000-0000-0000000000aa/v2.0",
    "client_id": "sloyfe", "client_secret": "secret",
}
IDPORTEN = {
    "key": "idporten", "name": "ID-porten", "issuer": "https://idporten.no",
    "client_id": "sloyfe", "client_secret": "secret", "subject_claim": "pid",
    "hash_subject": True, "username_claim": None,
}


def parse(*entries: Any, **config: Any) -> dict[str, Any]:
    return parse_providers({"OIDC_PROVIDERS": list(entries), "OIDC_SUBJECT_HASH_KEY": "key",
                            **config})


def test_defaults_of_minimal_entry() -> None:
    settings = parse(ENTRA)["entra"]

    assert settings.discovery_url == ENTRA["issuer"] + "/.well-known/openid-configuration"
    assert settings.token_auth_method == "client_secret_basic"
    assert settings.scopes == ("openid", "profile", "email")
    assert settings.claims.subject == "sub"
    assert settings.claims.username == ("preferred_username",)
    assert settings.provision_users is False
    assert settings.managed_groups == frozenset()


def test_username_claims_in_order() -> None:
    entry = {**ENTRA, "username_claim": ["preferred_username", "upn", "email"]}

    claims = parse(entry)["entra"].claims

    assert claims.username == ("preferred_username", "upn", "email")


def test_null_claim_is_not_read() -> None:
    claims = parse(IDPORTEN)["idporten"].claims

    assert claims.username == ()


def test_group_map_lists_managed_groups() -> None:
    entry = {**ENTRA, "groups_claim": "roles",
             "group_map": {"Saksbehandler": "behandler@sykehjem",
                           "Personvern": ["personvernombud", "kvalitet"]}}

    settings = parse(entry)["entra"]

    assert settings.group_map["Personvern"] == ("personvernombud", "kvalitet")
    assert settings.managed_groups == {"behandler@sykehjem", "personvernombud", "kvalitet"}


def test_client_secret_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLOYFE_OIDC_ENTRA_TEST_CLIENT_SECRET", "from-the-environment")
    entry = {**ENTRA, "key": "entra-test"}
    del entry["client_secret"]

    assert parse(entry)["entra-test"].client_secret == "from-the-environment"


def test_client_secret_not_in_repr() -> None:
    assert "secret" not in repr(parse(ENTRA)["entra"]).replace("client_secret", "")


def test_loopback_http_issuer_allowed() -> None:
    entry = {**ENTRA, "issuer": "http://127.0.0.1:8080"}

    assert parse(entry)["entra"].issuer == "http://127.0.0.1:8080"


def test_providers_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLOYFE_OIDC_PROVIDERS", json.dumps([ENTRA]))

    assert load_config()["OIDC_PROVIDERS"] == [ENTRA]


def test_providers_environment_not_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLOYFE_OIDC_PROVIDERS", "[{key: entra}]")

    with pytest.raises(ValueError, match="SLOYFE_OIDC_PROVIDERS is not valid JSON"):
        load_config()


def test_hash_key_prefers_own_setting() -> None:
    config = {"OIDC_SUBJECT_HASH_KEY": "pepper", "SECRET_KEY": "secret"}

    assert subject_hash_key(config) == "pepper"


def test_hash_key_falls_back_to_secret_key() -> None:
    assert subject_hash_key({"OIDC_SUBJECT_HASH_KEY": "", "SECRET_KEY": "secret"}) == "secret"


# The entry, the configuration around it, and a part of the message that must name the fault.
INVALID = [
    ("not a list", {"OIDC_PROVIDERS": {"key": "entra"}}, "must be a list of objects"),
    ("not an object", {"OIDC_PROVIDERS": ["entra"]}, "OIDC_PROVIDERS[0] must be an object"),
    ("bad key", {"OIDC_PROVIDERS": [{**ENTRA, "key": "Entra ID"}]},
     "key must be 1-32 characters"),
    ("unknown setting", {"OIDC_PROVIDERS": [{**ENTRA, "tenant": "x"}]},
     "OIDC_PROVIDERS[0] (entra): unknown keys tenant"),
    ("key twice", {"OIDC_PROVIDERS": [ENTRA, ENTRA]}, "the key 'entra' is used twice"),
    ("http issuer", {"OIDC_PROVIDERS": [{**ENTRA, "issuer": "http://login.example.no"}]},
     "issuer must be an https:// URL"),
    ("no secret", {"OIDC_PROVIDERS": [{k: v for k, v in ENTRA.items()
                                       if k != "client_secret"}]},
     "SLOYFE_OIDC_ENTRA_CLIENT_SECRET"),
    ("no openid scope", {"OIDC_PROVIDERS": [{**ENTRA, "scopes": ["profile"]}]},
     "scopes must include openid"),
    ("bad auth method", {"OIDC_PROVIDERS": [{**ENTRA, "token_auth_method": "private_key_jwt"}]},
     "token_auth_method must be one of client_secret_basic, client_secret_post"),
    ("pid unhashed", {"OIDC_PROVIDERS": [{**IDPORTEN, "hash_subject": False}]},
     "subject_claim pid needs hash_subject true"),
    ("no hash key", {"OIDC_PROVIDERS": [IDPORTEN], "OIDC_SUBJECT_HASH_KEY": "",
                     "SECRET_KEY": None},
     "hash_subject needs OIDC_SUBJECT_HASH_KEY (or SECRET_KEY)"),
    ("provisioning hashed", {"OIDC_PROVIDERS": [{**IDPORTEN, "provision_users": True}]},
     "provision_users needs a username_claim and an unhashed subject"),
    ("group map alone", {"OIDC_PROVIDERS": [{**ENTRA, "group_map": {"a": "b"}}]},
     "group_map needs a groups_claim"),
    ("unit map alone", {"OIDC_PROVIDERS": [{**ENTRA, "unit_map": {"a": "b"}}]},
     "unit_map needs a unit_claim"),
    ("group map value", {"OIDC_PROVIDERS": [{**ENTRA, "groups_claim": "groups",
                                             "group_map": {"a": 7}}]},
     "group_map['a'] must be a group key or a list of keys"),
    ("claim list empty", {"OIDC_PROVIDERS": [{**ENTRA, "username_claim": []}]},
     "username_claim must be a claim name, a list of claim names or null"),
    ("flag as text", {"OIDC_PROVIDERS": [{**ENTRA, "provision_users": "yes"}]},
     "provision_users must be true or false"),
]


@pytest.mark.parametrize(("config", "expected"), [case[1:] for case in INVALID],
                         ids=[case[0] for case in INVALID])
def test_invalid_settings_named(config: dict[str, Any], expected: str) -> None:
    with pytest.raises(ProviderSettingsInvalid) as raised:
        parse_providers({"OIDC_SUBJECT_HASH_KEY": "key", **config})

    assert expected in str(raised.value)


def test_invalid_settings_stop_app(engine: ProcessEngine,
                                                  test_config: dict[str, Any]) -> None:
    config = {**test_config, "OIDC_PROVIDERS": [{**ENTRA, "issuer": "login.example.no"}]}

    with pytest.raises(ProviderSettingsInvalid, match="issuer must be an https:// URL"):
        create_app(config, engine=engine)
