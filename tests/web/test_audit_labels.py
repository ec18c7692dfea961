"""Labels of the audit actions and details on the administrators' instance page."""

from __future__ import annotations

import re
from pathlib import Path

from flask.testing import FlaskClient

from engine.engine import ProcessEngine
from engine.web.audit_labels import AUDIT_ACTION_LABELS
from tests.web.test_admin_actions_forms import admin, admin_engine  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
# A literal action handed to the audit trail: record("x", audit("x", _hand_over(task, "x",
# or assigned to a variable first (action = "x" if ... else "y", X_ACTION = "x").
WRITTEN = re.compile(r'(?:\brecord|\baudit|_hand_over)\(\s*(?:task, )?"([a-z_]+)"'
                     r'|\baction = "([a-z_]+)"(?: if [^\n]* else "([a-z_]+)")?'
                     r'|_ACTION = "([a-z_]+)"')


def written_actions() -> set[str]:
    actions: set[str] = set()
    for folder in ("engine", "handlers", "scheduler"):
        for path in (ROOT / folder).rglob("*.py"):
            for match in WRITTEN.finditer(path.read_text(encoding="utf-8")):
                actions.update(group for group in match.groups() if group)
    return actions


def test_source_scan_finds_actions() -> None:
    actions = written_actions()

    assert "instance_started" in actions
    assert "mail_failed" in actions
    assert "variable_set" in actions
    assert "task_reassigned" in actions


def test_every_audit_action_has_label() -> None:
    missing = sorted(written_actions() - set(AUDIT_ACTION_LABELS))

    assert missing == []


def test_audit_trail_shows_labels(admin_engine: ProcessEngine,  # noqa: F811
                                  admin: FlaskClient) -> None:  # noqa: F811
    from tests.engine.processes.test_avvik import REPORT

    instance_id = admin_engine.runtime.start("avvik", "ola.ansatt", REPORT).instance_id

    html = admin.get(f"/admin/saker/{instance_id}").get_data(as_text=True)

    assert "Sak startet" in html
    assert 'title="instance_started"' in html
    assert "status: Meldt" in html
    assert "None" not in html
    assert "previous=" not in html
