"""The case history's view of a task's submitted values."""

from __future__ import annotations

from engine.forms.summary import summary_items
from tests.engine.forms.factories import component, form, textfield


def shown_list() -> dict:
    return component("dynamiclist", path="prognoser", label="Prognoser", isRepeating=True,
                     allowAddRemove=False,
                     components=[textfield("enhet", readonly=True)])


def editable_list() -> dict:
    return component("dynamiclist", path="tiltak", label="Tiltak", isRepeating=True,
                     components=[textfield("beskrivelse")])


def test_read_only_list_without_rows_left_out() -> None:
    items = summary_items(form(shown_list(), textfield("vurdering")), {"vurdering": "OK"}, None)

    assert [item.label for item in items] == ["Vurdering"]


def test_read_only_list_with_rows_shown() -> None:
    items = summary_items(form(shown_list()), {"prognoser": [{"enhet": "Skole"}]}, None)

    assert items[0].rows[0][0].text == "Skole"


def test_editable_list_without_rows_shown() -> None:
    items = summary_items(form(editable_list()), {}, None)

    assert items[0].label == "Tiltak"
