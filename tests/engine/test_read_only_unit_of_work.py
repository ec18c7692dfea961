"""A unit of work opened read-only refuses every write, so reading in autocommit mode on
PostgreSQL can never commit half a change."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text, update

from engine.db import ReadOnlyViolation
from engine.engine import ProcessEngine
from engine.models import Unit


def unit_count(engine: ProcessEngine) -> int:
    with engine.transaction(read_only=True) as session:
        return session.scalar(select(func.count()).select_from(Unit))


def test_added_row_is_refused(engine: ProcessEngine) -> None:
    with pytest.raises(ReadOnlyViolation), engine.transaction(read_only=True) as session:
        session.add(Unit(code="lesing", name="Lesing", kind="enhet"))

    assert unit_count(engine) == 0


def test_update_statement_is_refused(engine: ProcessEngine) -> None:
    with pytest.raises(ReadOnlyViolation), engine.transaction(read_only=True) as session:
        session.execute(update(Unit).values(name="Ny"))


def test_textual_select_is_allowed(engine: ProcessEngine) -> None:
    with engine.transaction(read_only=True) as session:
        assert session.execute(text("SELECT 1")).scalar() == 1


def test_later_unit_still_rolls_back(engine: ProcessEngine) -> None:
    unit_count(engine)
    with pytest.raises(RuntimeError), engine.transaction() as session:
        session.add(Unit(code="skriving", name="Skriving", kind="enhet"))
        session.flush()
        raise RuntimeError("stopped half-way")

    assert unit_count(engine) == 0
