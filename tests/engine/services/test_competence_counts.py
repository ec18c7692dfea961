"""Development need counts: no count, level or difference between levels shows one
person's needs. The demo tree is Eksempel kommune > Helse og omsorg > Eksempel sykehjem and
Hjemmetjenesten."""

from __future__ import annotations

from typing import Any

import pytest

from engine.demo import load_organisation
from engine.engine import ProcessEngine
from engine.services.competence import NEEDS_FILED, NeedCounts, count_needs

YEAR = 2027
LEVELS = ("sykehjem", "helse-omsorg", "eksempel")


def levels_from(unit: str) -> tuple[str, ...]:
    """Return `unit` and the levels above it."""
    return LEVELS[LEVELS.index(unit):]


@pytest.fixture
def org_engine(engine: ProcessEngine) -> ProcessEngine:
    load_organisation(engine)
    return engine


def file_needs(engine: ProcessEngine, unit: str, *categories: str) -> None:
    """Record one filed conversation with the given needs, as the filing handler does."""
    with engine.transaction():
        engine.history.record(NEEDS_FILED, "system", unit=unit, year=YEAR,
                              categories=list(categories))


def counts(engine: ProcessEngine, unit: str) -> NeedCounts:
    with engine.transaction(read_only=True):
        return count_needs(engine, unit, YEAR)


@pytest.mark.parametrize("unit", ["sykehjem", "helse-omsorg"])
@pytest.mark.parametrize("conversations", [1, 2])
def test_small_group_shows_nothing(org_engine: ProcessEngine, unit: str,
                                   conversations: int) -> None:
    for _number in range(conversations):
        file_needs(org_engine, unit, "ledelse")

    for level in levels_from(unit):
        counted = counts(org_engine, level)
        assert counted.counts == {}, level
        assert counted.conversations is None, level


@pytest.mark.parametrize("unit", ["sykehjem", "helse-omsorg"])
def test_three_sharing_everyone_hidden(org_engine: ProcessEngine, unit: str) -> None:
    for _number in range(3):
        file_needs(org_engine, unit, "ledelse")

    for level in levels_from(unit):
        counted = counts(org_engine, level)
        assert counted.counts == {}, level
        assert counted.conversations == 3, level


@pytest.mark.parametrize("unit", ["sykehjem", "helse-omsorg"])
def test_three_of_four_shown(org_engine: ProcessEngine, unit: str) -> None:
    for _number in range(3):
        file_needs(org_engine, unit, "ledelse")
    file_needs(org_engine, unit, "digital")

    for level in levels_from(unit):
        assert counts(org_engine, level).counts == {"ledelse": 3}, level


def test_unit_below_minimum_has_no_category_names(org_engine: ProcessEngine) -> None:
    file_needs(org_engine, "sykehjem", "ledelse", "digital")

    counted = counts(org_engine, "sykehjem")

    assert "ledelse" not in counted.counts
    assert "digital" not in counted.counts


def test_one_person_not_found_by_difference(org_engine: ProcessEngine) -> None:
    for _number in range(3):
        file_needs(org_engine, "sykehjem", "ledelse")
    file_needs(org_engine, "sykehjem", "digital")
    file_needs(org_engine, "hjemmetjenesten", "ledelse", "fag")

    unit = counts(org_engine, "sykehjem")
    other = counts(org_engine, "hjemmetjenesten")
    area = counts(org_engine, "helse-omsorg")
    municipality = counts(org_engine, "eksempel")

    assert other.counts == {}
    assert area.counts.get("ledelse", 0) - unit.counts.get("ledelse", 0) == 0
    assert municipality.counts == area.counts
    assert "fag" not in municipality.counts


def test_one_person_not_found_by_conversation_count(org_engine: ProcessEngine) -> None:
    for _number in range(3):
        file_needs(org_engine, "sykehjem", "ledelse")
    file_needs(org_engine, "sykehjem", "digital")
    file_needs(org_engine, "hjemmetjenesten", "fag")

    assert counts(org_engine, "sykehjem").conversations == 4
    assert counts(org_engine, "hjemmetjenesten").conversations is None
    assert counts(org_engine, "helse-omsorg").conversations == 4


def test_small_units_pooled_above(org_engine: ProcessEngine) -> None:
    file_needs(org_engine, "sykehjem", "ledelse")
    file_needs(org_engine, "sykehjem", "ledelse")
    file_needs(org_engine, "hjemmetjenesten", "ledelse")
    file_needs(org_engine, "hjemmetjenesten", "digital")

    area = counts(org_engine, "helse-omsorg")

    assert counts(org_engine, "sykehjem").counts == {}
    assert counts(org_engine, "hjemmetjenesten").counts == {}
    assert area.counts == {"ledelse": 3}
    assert area.conversations == 4


def test_other_year_not_counted(org_engine: ProcessEngine, clock: Any) -> None:
    for _number in range(3):
        file_needs(org_engine, "sykehjem", "ledelse")
    file_needs(org_engine, "sykehjem", "digital")

    with org_engine.transaction(read_only=True):
        counted = count_needs(org_engine, "sykehjem", YEAR + 1)

    assert counted.counts == {}
    assert counted.conversations is None
