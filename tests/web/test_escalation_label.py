"""The label of an escalated task: sent to the leader of its own unit, or to one above."""

from __future__ import annotations

import pytest
from flask import Flask

from engine.models import Task
from engine.web.presenters import escalation_text

CODES = {1: "sykehjem", 2: "helse-omsorg"}


def label(app: Flask, groups: list[str], escalated: bool = True, unit_id: int | None = 1) -> str:
    task = Task(escalated=escalated, unit_id=unit_id, candidate_groups=groups)
    with app.test_request_context():
        return escalation_text(task, CODES)


@pytest.mark.parametrize(("groups", "expected"), [
    (["personvernombud", "leder@sykehjem"], "Sendt til leder"),
    (["behandler@sykehjem", "leder@helse-omsorg"], "Sendt til overordnet leder"),
    (["leder@sykehjem", "leder@helse-omsorg"], "Sendt til overordnet leder"),
])
def test_escalation_label_names_target(app: Flask, groups: list[str], expected: str) -> None:
    assert label(app, groups) == expected


def test_escalation_label_without_unit(app: Flask) -> None:
    assert label(app, ["leder@sykehjem"], unit_id=None) == "Sendt til overordnet leder"


def test_escalation_label_empty_when_not_escalated(app: Flask) -> None:
    assert label(app, ["leder@helse-omsorg"], escalated=False) == ""
