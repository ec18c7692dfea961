"""The start check of a deviation report: times that cannot be right, and a subcategory of
another kind. The test clock is at 2027-01-04 08:00 UTC, 09:00 in Oslo."""

from __future__ import annotations

from typing import Any

import pytest

from engine.engine import ProcessEngine
from engine.errors import FormValidationFailed
from tests.web.conftest import REPORT_DATA

NOW = "2027-01-04T09:00:00+01:00"


def start(engine: ProcessEngine, **changes: Any) -> int:
    return engine.runtime.start("avvik", "ola.ansatt", {**REPORT_DATA, **changes}).instance_id


def rejection(engine: ProcessEngine, **changes: Any) -> FormValidationFailed:
    with pytest.raises(FormValidationFailed) as raised:
        start(engine, **changes)
    return raised.value


def case_count(engine: ProcessEngine) -> int:
    with engine.transaction(read_only=True):
        return len(engine.runtime.instances(key="avvik"))


def test_event_in_future_rejected(demo_engine: ProcessEngine) -> None:
    error = rejection(demo_engine, tidspunkt="2027-01-04T10:00:00+01:00")

    assert error.errors["tidspunkt"] == [
        "Tidspunktet for hendelsen, 04.01.2027 10:00, er frem i tid. Oppgi når hendelsen "
        "skjedde, senest nå."]
    assert error.values["tidspunkt"] == "2027-01-04T10:00:00+01:00"
    assert error.values["sted"] == "Avdeling 2"
    assert case_count(demo_engine) == 0


def test_event_now_accepted(demo_engine: ProcessEngine) -> None:
    assert start(demo_engine, tidspunkt=NOW) > 0


def test_event_within_clock_skew_accepted(demo_engine: ProcessEngine) -> None:
    assert start(demo_engine, tidspunkt="2027-01-04T09:05:00+01:00") > 0


def test_event_past_clock_skew_rejected(demo_engine: ProcessEngine) -> None:
    error = rejection(demo_engine, tidspunkt="2027-01-04T09:06:00+01:00")

    assert list(error.errors) == ["tidspunkt"]


def test_clock_moved_accepts_former_future(demo_engine: ProcessEngine) -> None:
    demo_engine.clock.advance(hours=2)

    assert start(demo_engine, tidspunkt="2027-01-04T10:00:00+01:00") > 0


def test_discovery_before_event_rejected(demo_engine: ProcessEngine) -> None:
    error = rejection(demo_engine, kategori="informasjonssikkerhet", personopplysninger=True,
                      tidspunkt="2027-01-04T08:30:00+01:00",
                      oppdaget="2027-01-04T08:00:00+01:00")

    assert error.errors["oppdaget"] == [
        "Bruddet kan ikke være oppdaget (04.01.2027 08:00) før hendelsen skjedde "
        "(04.01.2027 08:30). Rett ett av de to tidspunktene."]
    assert "tidspunkt" not in error.errors


def test_discovery_at_event_time_accepted(demo_engine: ProcessEngine) -> None:
    instance_id = start(demo_engine, kategori="informasjonssikkerhet",
                        personopplysninger=True, tidspunkt="2027-01-04T08:30:00+01:00",
                        oppdaget="2027-01-04T08:30:00+01:00")

    assert instance_id > 0


def test_discovery_in_future_rejected(demo_engine: ProcessEngine) -> None:
    error = rejection(demo_engine, kategori="informasjonssikkerhet", personopplysninger=True,
                      oppdaget="2027-01-04T12:00:00+01:00")

    assert error.errors["oppdaget"] == [
        "Tidspunktet da bruddet ble oppdaget, 04.01.2027 12:00, er frem i tid. Oppgi når "
        "bruddet ble oppdaget, senest nå."]


def test_subcategory_of_other_kind_rejected(demo_engine: ProcessEngine) -> None:
    error = rejection(demo_engine, kategori="hms", underkategori="tjeneste/fall")

    assert error.errors["underkategori"] == [
        "Underkategorien «Tjenesteavvik – Fall» hører ikke til typen «HMS – helse, miljø og "
        "sikkerhet for ansatte». Velg en underkategori av denne typen, eller bytt type."]
    assert case_count(demo_engine) == 0


def test_subcategory_of_chosen_kind_accepted(demo_engine: ProcessEngine) -> None:
    instance_id = start(demo_engine, kategori="tjeneste", underkategori="tjeneste/fall")

    assert demo_engine.runtime.variables(instance_id)["underkategori"] == "tjeneste/fall"


def test_subcategory_pairs_follow_setting(demo_engine: ProcessEngine) -> None:
    with demo_engine.transaction():
        demo_engine.repository.set_setting("skjemaverdier.underkategorier", [
            {"label": "Bygg og miljø – Fall på glatt føre", "value": "bygg/fall"}],
            actor="admin")

    assert start(demo_engine, kategori="bygg", underkategori="bygg/fall") > 0


def test_check_errors_reported_together(demo_engine: ProcessEngine) -> None:
    error = rejection(demo_engine, tidspunkt="2027-01-04T12:00:00+01:00", kategori="bygg",
                      underkategori="hms/nestenulykke")

    assert sorted(error.errors) == ["tidspunkt", "underkategori"]


def test_form_rules_come_first(demo_engine: ProcessEngine) -> None:
    error = rejection(demo_engine, tidspunkt="2027-01-04T12:00:00+01:00", sted="")

    assert list(error.errors) == ["sted"]



ACCEPT = {"beslutning": "godta", "alvorlighetsgrad": "Middels", "personopplysninger": True,
          "personskade": False, "alvorlig_hendelse": False}


def assess(engine: ProcessEngine, instance_id: int, discovered: str) -> None:
    with engine.transaction(read_only=True):
        [task] = engine.tasks.open_tasks_of_instance(instance_id)
    engine.tasks.complete(task.id, "lise.leder", {**ACCEPT, "oppdaget": discovered})


def test_assessment_discovery_before_event_rejected(demo_engine: ProcessEngine) -> None:
    instance_id = start(demo_engine, tidspunkt="2027-01-04T08:30:00+01:00")

    with pytest.raises(FormValidationFailed) as raised:
        assess(demo_engine, instance_id, "2027-01-04T08:00:00+01:00")

    assert raised.value.errors["oppdaget"] == [
        "Bruddet kan ikke være oppdaget (04.01.2027 08:00) før hendelsen skjedde "
        "(04.01.2027 08:30). Rett ett av de to tidspunktene."]
    assert raised.value.values["oppdaget"] == "2027-01-04T08:00:00+01:00"


def test_assessment_discovery_in_future_rejected(demo_engine: ProcessEngine) -> None:
    instance_id = start(demo_engine)

    with pytest.raises(FormValidationFailed) as raised:
        assess(demo_engine, instance_id, "2027-01-04T12:00:00+01:00")

    assert list(raised.value.errors) == ["oppdaget"]


def test_assessment_discovery_now_accepted(demo_engine: ProcessEngine) -> None:
    instance_id = start(demo_engine)

    assess(demo_engine, instance_id, NOW)

    assert demo_engine.runtime.variables(instance_id)["oppdaget"] == NOW


def test_event_on_later_day_rejected_by_form(demo_engine: ProcessEngine) -> None:
    error = rejection(demo_engine, tidspunkt="2027-01-05T09:00:00+01:00")

    assert error.errors["tidspunkt"] == [
        "05.01.2027 er etter dagens dato, men «Når skjedde det?» gjelder noe som allerede har "
        "skjedd. Oppgi dagens dato eller en tidligere dato."]
    assert case_count(demo_engine) == 0
