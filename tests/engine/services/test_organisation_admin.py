"""The changes administrators make to one unit or user: rename, move, edit, revoke a role."""

from __future__ import annotations

import pytest

from engine.engine import ProcessEngine
from engine.errors import InvalidInput, UnitNotFound


def parent_code(engine: ProcessEngine, code: str) -> str | None:
    with engine.transaction(read_only=True):
        parent = engine.organisation.unit(code).parent
        return parent.code if parent else None


def test_update_unit_renames_and_moves(demo_engine: ProcessEngine) -> None:
    top = parent_code(demo_engine, parent_code(demo_engine, "sykehjem") or "")

    demo_engine.organisation.update_unit("sykehjem", "Sjøhagen", top, actor="admin")

    with demo_engine.transaction(read_only=True):
        assert demo_engine.organisation.unit("sykehjem").name == "Sjøhagen"
    assert parent_code(demo_engine, "sykehjem") == top


def test_update_unit_rejects_own_descendant(demo_engine: ProcessEngine) -> None:
    area = parent_code(demo_engine, "sykehjem")
    assert area is not None

    with pytest.raises(InvalidInput):
        demo_engine.organisation.update_unit(area, "Helse", "sykehjem", actor="admin")

    assert parent_code(demo_engine, "sykehjem") == area


def test_update_unit_rejects_unknown_parent(demo_engine: ProcessEngine) -> None:
    with pytest.raises(UnitNotFound):
        demo_engine.organisation.update_unit("sykehjem", "Sykehjem", "finnes.ikke")


def test_update_user_saves_fields(demo_engine: ProcessEngine) -> None:
    demo_engine.organisation.update_user("ola.ansatt", "Ola Nordmann", "ola@example.no",
                                         None, actor="admin")

    with demo_engine.transaction(read_only=True):
        user = demo_engine.organisation.user("ola.ansatt")
        assert user.display_name == "Ola Nordmann"
        assert user.email == "ola@example.no"
        assert user.unit is None


@pytest.mark.parametrize(("name", "email"), [("", "ola@example.no"), ("Ola", "ola.example.no")])
def test_update_user_rejects_invalid(demo_engine: ProcessEngine, name: str, email: str) -> None:
    with pytest.raises(InvalidInput):
        demo_engine.organisation.update_user("ola.ansatt", name, email, None)


def test_revoke_role_removes_it(demo_engine: ProcessEngine) -> None:
    demo_engine.organisation.grant_role("ola.ansatt", "prosesseier")

    demo_engine.organisation.revoke_role("ola.ansatt", "prosesseier", actor="admin")

    with demo_engine.transaction(read_only=True):
        assert not demo_engine.organisation.has_role("ola.ansatt", "prosesseier")
