"""Mine saker: the cases a user started, and the page of one case with its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup

from engine.access import AUTHENTICATED, CASE_VIEWER, access
from engine.engine import ProcessEngine
from engine.errors import InstanceNotFound, InvalidInput
from engine.models import AuditEvent
from engine.web.attachment_rows import attachment_rows
from engine.web.auth import current_user
from engine.web.case_record import completed_steps
from engine.web.context import sloyfe_engine
from engine.web.forms import summary_html
from engine.web.presenters import case_summary, task_rows
from engine.web.risk_matrix import is_risk_review

bp = Blueprint("cases", __name__)

PAGE_SIZE = 25


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    text: str


@bp.route("/saker")
@access(AUTHENTICATED)
def case_list() -> tuple[str, int]:
    """List the cases the user started, newest first, PAGE_SIZE at a time (?side=)."""
    user = current_user()
    engine = sloyfe_engine()
    cursor = request.args.get("side") or None
    with engine.transaction(read_only=True):
        try:
            page = engine.queries.instances(None, started_by=user.username, limit=PAGE_SIZE,
                                            cursor=cursor)
        except InvalidInput:
            message = _("The page link is damaged or out of date. Open the first page again.")
            return render_template("cases.html", cases=[], error=message, cursor=cursor), 400
        cases = [case_summary(engine, instance) for instance in page.items]
    return render_template("cases.html", cases=cases, cursor=cursor,
                           next_cursor=page.next_cursor), 200


@bp.route("/saker/<int:instance_id>")
@access(CASE_VIEWER)
def case(instance_id: int) -> str:
    user = current_user()
    engine = sloyfe_engine()
    with engine.transaction(read_only=True):
        try:
            instance = engine.runtime.instance(instance_id)
        except InstanceNotFound:
            abort(404)  # removed after the access rule found it
        summary = case_summary(engine, instance)
        history = _history(engine, instance_id)
        open_tasks = [row for row in task_rows(
            engine, engine.tasks.open_tasks_of_instance(instance_id), user.username)
            if row.may_open]
        outcome = engine.runtime.outcome(instance)
        report = _report(engine, instance)
        reads_record = engine.runtime.reads_record(instance, user.username)
        steps = completed_steps(engine, instance_id) if reads_record else None
        attachments = attachment_rows(engine, instance, user.username)
    return render_template("case.html", case=summary, history=history, open_tasks=open_tasks,
                           outcome=outcome, report=report, steps=steps,
                           attachments=attachments,
                           shows_risk_matrix=reads_record and is_risk_review(instance))


def _report(engine: ProcessEngine, instance: Any) -> Markup | None:
    """The start form as the reporter sent it, read-only."""
    definition = engine.repository.definition(instance.definition_id)
    form = engine.forms.start_form(definition)
    if form is None or not instance.start_data:
        return None
    return summary_html(form, instance.start_data, engine.forms.options(form, {}))


def _history(engine: ProcessEngine, instance_id: int) -> list[HistoryEntry]:
    """List the case's status changes with their dates, which the reporter may see too.

    Who did each step and what they wrote stay out: the reporter is not a handler.
    """
    entries = []
    for event in engine.history.events(instance_id):
        text = _event_text(event)
        if text:
            entries.append(HistoryEntry(event.at, text))
    return entries


def _event_text(event: AuditEvent) -> str:
    details = event.details or {}
    if event.action == "instance_started":
        return _("The case was registered.")
    if event.action == "status_changed" and details.get("status"):
        return _("Status changed to %(status)s.", status=details["status"])
    if event.action == "instance_completed":
        return _("The case was closed.")
    return ""
