"""Fields with a hide condition, shown and hidden by conditions.js in Chromium."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_deviation_journey import log_in

pytestmark = pytest.mark.browser

SCRIPT = Path(__file__).resolve().parents[2] / "engine" / "web" / "static" / "conditions.js"

FORM = """
<form>
<input type="checkbox" name="flagg" value="true" id="flagg">
<input type="checkbox" name="emner" value="a" id="emne-a">
<input type="checkbox" name="emner" value="b" id="emne-b">
<input type="radio" name="valg" value="ja" id="ja"><input type="radio" name="valg" value="nei">
<select name="enhet" id="enhet"><option value="">Velg</option><option value="skole">Skole</option>
</select>
<input type="text" name="navn" id="navn">
<input type="text" inputmode="decimal" name="antall" id="antall">
<input type="text" name="adresse.sted" id="sted">
<input type="text" name="tiltak[0].status" id="status">
<div data-hide-when='{expression}' id="boks"><input type="text" name="tiltak[0].notat"></div>
</form>
"""

Action = Callable[[Page], None]


def nothing(page: Page) -> None:
    """Leave the form as it loaded."""


def tick(page: Page) -> None:
    page.check("#flagg")


CASES: list[tuple[str, Action, bool]] = [
    ("=not(flagg)", nothing, True),
    ("=not(flagg)", tick, False),
    ('=valg != "ja"', nothing, True),
    ('=valg != "ja"', lambda page: page.check("#ja"), False),
    ('=enhet = "skole"', lambda page: page.select_option("#enhet", "skole"), True),
    ('=enhet = "skole"', nothing, False),
    ("=antall >= 10", lambda page: page.fill("#antall", "12"), True),
    ("=antall >= 10", lambda page: page.fill("#antall", "9,5"), False),
    ("=antall <= 1 000", lambda page: page.fill("#antall", "2"), False),
    ('=navn = "Ola" and flagg', lambda page: (page.fill("#navn", "Ola"), tick(page)), True),
    ('=navn = "Ola" and flagg', lambda page: page.fill("#navn", "Ola"), False),
    ("=flagg or (antall < 3)", lambda page: page.fill("#antall", "2"), True),
    ('=adresse.sted = "Bergen"', lambda page: page.fill("#sted", "Bergen"), True),
    ('=status = "ferdig"', lambda page: page.fill("#status", "ferdig"), True),
    ('=emner = "a"', lambda page: page.check("#emne-a"), False),
    ("=flagg = false", nothing, True),
    ("=antall > 2", nothing, False),
    ('=antall > "x"', lambda page: page.fill("#antall", "5"), False),
    ("=antall + 1 > 2", lambda page: page.fill("#antall", "5"), False),
    ("=is empty(emner)", nothing, False),
    ("not(flagg)", nothing, False),
]


@pytest.mark.parametrize(("expression", "action", "hidden"), CASES)
def test_condition_sets_visibility(js_page: Page, expression: str, action: Action,
                                   hidden: bool) -> None:
    js_page.set_content(FORM.replace("{expression}", expression))
    js_page.add_script_tag(path=str(SCRIPT))

    action(js_page)

    box = js_page.locator("#boks")
    if hidden:
        expect(box).to_be_hidden()
    else:
        expect(box).to_be_visible()


def test_condition_reacts_to_each_change(js_page: Page) -> None:
    js_page.set_content(FORM.replace("{expression}", "=not(flagg)"))
    js_page.add_script_tag(path=str(SCRIPT))
    box = js_page.locator("#boks")

    expect(box).to_be_hidden()
    js_page.check("#flagg")
    expect(box).to_be_visible()
    js_page.uncheck("#flagg")
    expect(box).to_be_hidden()


def test_breach_time_follows_personal_data_box(js_page: Page, live_server: str) -> None:
    log_in(js_page, live_server, "ola.ansatt")
    js_page.get_by_role("link", name="Meld avvik").click()
    breach_date = js_page.locator('[name="oppdaget:date"]')
    breach_legend = js_page.get_by_text("Når ble bruddet oppdaget?")

    expect(breach_date).to_be_hidden()
    expect(breach_legend).to_be_hidden()
    js_page.get_by_label("Personopplysninger kan være kommet på avveie").check()
    expect(breach_date).to_be_visible()
    expect(breach_legend).to_be_visible()
    js_page.get_by_label("Personopplysninger kan være kommet på avveie").uncheck()
    expect(breach_date).to_be_hidden()
