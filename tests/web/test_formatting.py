"""Dates, priorities and deadline states as the pages show them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from engine.web.formatting import (
    DueState,
    case_status,
    due_state,
    format_date,
    format_datetime,
    priority_label,
)

NOW = datetime(2027, 3, 28, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("priority", "label"), [
    (100, "Kritisk"), (90, "Kritisk"), (89, "Høy"), (70, "Høy"), (69, "Normal"),
    (40, "Normal"), (39, "Lav"), (0, "Lav"), (None, "Normal"),
])
def test_priority_label_levels(app: Flask, priority: int | None, label: str) -> None:
    with app.test_request_context():
        assert priority_label(priority) == label


def test_dates_in_oslo_time_across_summer_time(app: Flask) -> None:
    winter = datetime(2027, 1, 4, 23, 30, tzinfo=UTC)
    summer = datetime(2027, 7, 1, 22, 15, tzinfo=UTC)

    with app.test_request_context():
        assert format_datetime(winter) == "05.01.2027 00:30"
        assert format_datetime(summer) == "02.07.2027 00:15"
        assert format_date(summer) == "02.07.2027"
        assert format_date(None) == ""


def test_due_state_boundaries() -> None:
    assert due_state(None, NOW, 24) is DueState.NONE
    assert due_state(NOW, NOW, 24) is DueState.OVERDUE
    assert due_state(NOW + timedelta(hours=24), NOW, 24) is DueState.SOON
    assert due_state(NOW + timedelta(hours=24, seconds=1), NOW, 24) is DueState.NONE


def test_case_status_prefers_process_status(app: Flask) -> None:
    with app.test_request_context():
        assert case_status("Meldt", "running") == "Meldt"
        assert case_status(None, "completed") == "Fullført"
        assert case_status(None, "terminated") == "Avbrutt"
