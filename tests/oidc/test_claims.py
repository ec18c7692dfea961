"""Claim mapping: subject, user name, unit and groups from Entra ID and ID-porten tokens."""

from __future__ import annotations

from typing import Any

from engine.oidc.claims import hash_subject, map_claims
from engine.oidc.settings import ProviderSettings, parse_providers

ISSUER = "https://login.microsoftonline.com/00000000-0000-0000-0000-0000000000aa/v2.0"
HANDLERS = "5b0c6f2e-0000-0000-0000-00000000c001"
PRIVACY = "5b0c6f2e-0000-0000-0000-00000000c002"
HOME_CARE = "5b0c6f2e-0000-0000-0000-00000000c003"

TOKEN: dict[str, Any] = {
    "sub": "pairwise", "oid": "00000000-0000-0000-0000-00000000a001",
    "upn": "nora@eksempel.kommune.no", "name": "Nora Nilsen",
    "groups": [HANDLERS, HOME_CARE],
}


def entra(**changes: Any) -> ProviderSettings:
    entry = {"key": "entra", "name": "Microsoft", "issuer": ISSUER, "client_id": "sloyfe",
             "client_secret": "secret", "subject_claim": "oid",
             "username_claim": ["preferred_username", "upn", "email"],
             "groups_claim": "groups",
             "group_map": {HANDLERS: "behandler@sykehjem", PRIVACY: "personvernombud"},
             **changes}
    return parse_providers({"OIDC_PROVIDERS": [entry]})["entra"]


def test_subject_from_configured_claim() -> None:
    identity = map_claims(entra(), TOKEN, "")

    assert identity is not None
    assert identity.subject == TOKEN["oid"]
    assert identity.issuer == ISSUER


def test_missing_subject_gives_none() -> None:
    token = {key: value for key, value in TOKEN.items() if key != "oid"}

    assert map_claims(entra(), token, "") is None


def test_username_falls_back_to_upn() -> None:
    identity = map_claims(entra(), TOKEN, "")

    assert identity is not None
    assert identity.username == "nora@eksempel.kommune.no"


def test_username_prefers_first_claim() -> None:
    token = {**TOKEN, "preferred_username": "nora.nilsen"}

    identity = map_claims(entra(), token, "")

    assert identity is not None
    assert identity.username == "nora.nilsen"


def test_groups_mapped_and_unmapped_dropped() -> None:
    identity = map_claims(entra(), TOKEN, "")

    assert identity is not None
    assert identity.group_keys == {"behandler@sykehjem"}
    assert identity.managed_groups == {"behandler@sykehjem", "personvernombud"}


def test_roles_claim_maps_groups() -> None:
    settings = entra(groups_claim="roles", group_map={"Personvernombud": "personvernombud"})
    token = {**TOKEN, "roles": ["Personvernombud"]}

    identity = map_claims(settings, token, "")

    assert identity is not None
    assert identity.group_keys == {"personvernombud"}


def test_missing_groups_claim_removes_all() -> None:
    token = {key: value for key, value in TOKEN.items() if key != "groups"}

    identity = map_claims(entra(), token, "")

    assert identity is not None
    assert identity.group_keys == frozenset()


def test_group_overage_leaves_groups_alone() -> None:
    token = {key: value for key, value in TOKEN.items() if key != "groups"}
    token["_claim_names"] = {"groups": "src1"}
    token["_claim_sources"] = {"src1": {"endpoint": "https://graph.microsoft.com/v1.0/me"}}

    identity = map_claims(entra(), token, "")

    assert identity is not None
    assert identity.group_keys is None


def test_no_group_map_leaves_groups_alone() -> None:
    identity = map_claims(entra(groups_claim=None, group_map={}), TOKEN, "")

    assert identity is not None
    assert identity.group_keys is None


def test_unit_from_text_claim_and_map() -> None:
    settings = entra(unit_claim="department", unit_map={"Sykehjemmet": "sykehjem"})

    identity = map_claims(settings, {**TOKEN, "department": "Sykehjemmet"}, "")

    assert identity is not None
    assert identity.unit_code == "sykehjem"


def test_unit_claim_without_map_is_code() -> None:
    identity = map_claims(entra(unit_claim="extension_unit"),
                          {**TOKEN, "extension_unit": "sykehjem"}, "")

    assert identity is not None
    assert identity.unit_code == "sykehjem"


def test_unit_from_group_uses_map_order() -> None:
    settings = entra(unit_claim="groups",
                     unit_map={HOME_CARE: "hjemmetjenesten", HANDLERS: "sykehjem"})

    identity = map_claims(settings, TOKEN, "")

    assert identity is not None
    assert identity.unit_code == "hjemmetjenesten"


def test_unit_from_group_without_match() -> None:
    settings = entra(unit_claim="groups", unit_map={PRIVACY: "sykehjem"})

    identity = map_claims(settings, TOKEN, "")

    assert identity is not None
    assert identity.unit_code is None


def test_pid_hashed_with_key() -> None:
    settings = parse_providers({"OIDC_SUBJECT_HASH_KEY": "pepper", "OIDC_PROVIDERS": [{
        "key": "idporten", "name": "ID-porten", "issuer": "https://idporten.no",
        "client_id": "sloyfe", "client_secret": "secret", "subject_claim": "pid",
        "hash_subject": True, "username_claim": None}]})["idporten"]

    identity = map_claims(settings, {"sub": "x", "pid": "01017012345"}, "pepper")

    assert identity is not None
    assert identity.subject == hash_subject("01017012345", "pepper")
    assert "01017012345" not in repr(identity)
    assert identity.subject_hashed
    assert identity.username is None


def test_hash_depends_on_key() -> None:
    assert hash_subject("01017012345", "one") != hash_subject("01017012345", "two")
