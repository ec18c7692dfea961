"""The parts of a user's profile the web UI reads: led units, language and password check."""

from __future__ import annotations

import pytest

from engine.engine import ProcessEngine
from engine.errors import InvalidInput


def test_led_units_of_leader(demo_engine: ProcessEngine) -> None:
    with demo_engine.transaction(read_only=True):
        codes = [unit.code for unit in demo_engine.organisation.led_units("lise.leder")]
        none = demo_engine.organisation.led_units("ola.ansatt")

    assert codes == ["sykehjem"]
    assert none == []


def test_set_locale_saves_language(demo_engine: ProcessEngine) -> None:
    demo_engine.organisation.set_locale("ola.ansatt", "en")

    with demo_engine.transaction(read_only=True):
        assert demo_engine.organisation.user("ola.ansatt").locale == "en"


def test_set_locale_rejects_unknown_language(demo_engine: ProcessEngine) -> None:
    with pytest.raises(InvalidInput):
        demo_engine.organisation.set_locale("ola.ansatt", "de")


def test_check_password_results(demo_engine: ProcessEngine) -> None:
    organisation = demo_engine.organisation

    assert organisation.check_password("ola.ansatt", "demo") is not None
    assert organisation.check_password("ola.ansatt", "feil") is None
    assert organisation.check_password("ingen.slik", "demo") is None
