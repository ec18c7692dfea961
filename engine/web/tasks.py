"""Task lists and the task page: claim, put back and complete a task."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.access import AUTHENTICATED, TASK_VIEWER, access
from engine.errors import (
    AssigneeNotFound,
    ConcurrentModification,
    DelegateNotEligible,
    DelegationNeedsAssignee,
    FormValidationFailed,
    InstanceNotRunning,
    InvalidInput,
    NotACandidate,
    NotAssignee,
    ReassignNotAllowed,
    ReassignTargetNotEligible,
    TaskAlreadyClaimed,
    TaskAlreadyCompleted,
    TaskNotClaimed,
    TaskNotFound,
    TaskNotOpen,
)
from engine.forms import change_rows
from engine.models import Task
from engine.web.attachment_rows import attachment_rows, upload_limits
from engine.web.auth import current_user
from engine.web.context import sloyfe_engine
from engine.web.forms import form_html, summary_html
from engine.web.presenters import TaskDetails, TaskRow, task_details, task_rows
from engine.web.task_list_query import VIEWS, parse_list_query, process_keys
from engine.web.task_outcome import after_completion, after_unclaim

log = logging.getLogger(__name__)

bp = Blueprint("tasks", __name__)

# Rejections of a claim or completion that leave the task as it was. The page shows why and
# keeps what the user wrote.
REJECTIONS = (TaskAlreadyClaimed, TaskAlreadyCompleted, TaskNotOpen, TaskNotClaimed,
              NotACandidate, NotAssignee, ConcurrentModification, InstanceNotRunning)
# Rejections of a delegation or reassignment, shown on the task page.
HAND_OVER_REJECTIONS = (*REJECTIONS, AssigneeNotFound, DelegateNotEligible,
                        DelegationNeedsAssignee, ReassignNotAllowed, ReassignTargetNotEligible)
PAGE_SIZE = 25
# Id of the task's form element. The upload button posts this form to the upload route, so
# the values typed so far come along and are shown again.
TASK_FORM_ID = "oppgaveskjema"


@bp.route("/oppgaver")
@access(AUTHENTICATED)
def task_list() -> tuple[str, int]:
    user = current_user()
    engine = sloyfe_engine()
    with engine.transaction(read_only=True):
        query = parse_list_query(engine, request.args)
        rows: list[TaskRow] = []
        next_cursor = None
        if not query.errors:
            try:
                page = engine.queries.task_list(user.username, VIEWS[query.view], query.filters,
                                                sort=query.sort, limit=PAGE_SIZE,
                                                cursor=query.cursor)
            except InvalidInput as invalid:  # a damaged page cursor
                query.errors.append(str(invalid))
            else:
                rows = task_rows(engine, page.items, user.username, listed=True)
                next_cursor = page.next_cursor
        processes = process_keys(engine)
        units = [(unit.code, unit.name) for unit in
                 sorted(engine.organisation.units(), key=lambda unit: unit.name.casefold())]
    status = 400 if query.errors else 200
    return render_template("task_list.html", view=query.view, query=query, rows=rows,
                           next_cursor=next_cursor, processes=processes, units=units), status


@bp.route("/oppgaver/<task_id>/tildel", methods=["POST"])
@access(TASK_VIEWER)
def claim(task_id: str) -> Response:
    user = current_user()
    engine = sloyfe_engine()
    try:
        task = engine.tasks.claim(task_id, user.username)
    except REJECTIONS as rejected:
        flash(str(rejected), "error")
    else:
        flash(_("The task %(name)s is assigned to you.", name=task.name), "success")
    return redirect(url_for("tasks.task_page", task_id=task_id))


@bp.route("/oppgaver/<task_id>/legg-tilbake", methods=["POST"])
@access(TASK_VIEWER)
def unclaim(task_id: str) -> Response:
    user = current_user()
    engine = sloyfe_engine()
    try:
        engine.tasks.unclaim(task_id, user.username)
    except REJECTIONS as rejected:
        flash(str(rejected), "error")
        return redirect(url_for("tasks.task_page", task_id=task_id))
    outcome = after_unclaim(engine, task_id, user.username)
    flash(outcome.message, "success")
    return redirect(outcome.location)


@bp.route("/oppgaver/<task_id>/deleger", methods=["POST"])
@access(TASK_VIEWER)
def delegate(task_id: str) -> Response:
    """Hand the task to a colleague who may take it (the assignee only). The assignee no
    longer has it, so the page after is their own task list."""
    return _hand_over(task_id, sloyfe_engine().tasks.delegate,
                      _("Choose the colleague who takes over the task."),
                      url_for("tasks.task_list", visning="mine"))


@bp.route("/oppgaver/<task_id>/tildel-annen", methods=["POST"])
@access(TASK_VIEWER)
def reassign(task_id: str) -> Response:
    """Give the task to a person who may hold it (leaders of its unit or above, and
    administrators). A rejected choice stays selected on the task page."""
    return _hand_over(task_id, sloyfe_engine().tasks.reassign,
                      _("Choose the person who takes over the task."),
                      url_for("tasks.task_page", task_id=task_id), keep_choice=True)


def _hand_over(task_id: str, action: Callable[[str, str, str], Task], missing: str,
               success_location: str, keep_choice: bool = False) -> Response:
    """Run `action` (delegate or reassign) with the user name in the form field `til`. A
    rejection goes back to the task page with its reason, and with `keep_choice` the page
    selects the rejected person again (query parameter `til`)."""
    to_username = request.form.get("til", "").strip()
    if not to_username:
        flash(missing, "error")
        return redirect(url_for("tasks.task_page", task_id=task_id))
    try:
        task = action(task_id, to_username, current_user().username)
    except HAND_OVER_REJECTIONS as rejected:
        flash(str(rejected), "error")
        if keep_choice:
            return redirect(url_for("tasks.task_page", task_id=task_id, til=to_username))
        return redirect(url_for("tasks.task_page", task_id=task_id))
    flash(_("The task %(name)s is now assigned to %(person)s.", name=task.name,
            person=_display_name(to_username)), "success")
    return redirect(success_location)


def _display_name(username: str) -> str:
    engine = sloyfe_engine()
    with engine.transaction(read_only=True):
        return engine.organisation.display_names([username]).get(username, username)


@bp.route("/oppgaver/<task_id>", methods=["GET", "POST"])
@access(TASK_VIEWER)
def task_page(task_id: str) -> Response | str | tuple[str, int]:
    user = current_user()
    engine = sloyfe_engine()
    if request.method == "GET":
        details = _details(task_id, user.username)
        return _render(details, details.variables)

    # A plain submit goes straight to the engine; the full page (case so far, forms) is only
    # built when it has to be shown again.
    if request.form.get("_action", "submit") != "submit":
        details = _details(task_id, user.username)
        if details.form is not None:
            changed = change_rows(details.form, request.form, details.variables)
            if changed is not None:
                return _render(details, changed.values, focus=changed.focus)

    try:
        result = engine.tasks.complete(task_id, user.username, request.form, source="html",
                                       hide_unseen=True)
    except TaskNotFound:
        abort(404)
    except FormValidationFailed as invalid:
        details = _details(task_id, user.username)
        return _render(details, request.form, invalid.errors), 422
    except REJECTIONS as rejected:
        log.info("task completion rejected task_id=%s code=%s", task_id, rejected.code)
        details = _details(task_id, user.username)
        return _render(details, request.form, rejection=str(rejected)), rejected.http_status

    outcome = after_completion(engine, result["task_name"], result, user.username)
    flash(outcome.message, "success")
    return redirect(outcome.location)


def _details(task_id: str, username: str) -> TaskDetails:
    engine = sloyfe_engine()
    with engine.transaction(read_only=True):
        try:
            task = engine.tasks.get(task_id)
        except TaskNotFound:
            abort(404)
        details = task_details(engine, task, username)
        details.attachments = attachment_rows(engine, task.instance, username)
        if details.is_open and details.is_mine:
            details.upload_limits = upload_limits(engine)
        return details


def task_page_response(task_id: str, username: str, status: int,
                       posted: Any | None = None) -> tuple[str, int]:
    """Render the task page after a side action on the page (an upload) that put its outcome
    in a flash message, with `status`. `posted` are the task form's values sent along with
    the side action: the form shows them again, or, if the user may no longer complete the
    task, the page lists them so they can be copied."""
    details = _details(task_id, username)
    if posted is None:
        return _render(details, details.variables), status
    return _render(details, posted, posted=True), status


def _render(details: TaskDetails, values: Any, errors: dict[str, list[str]] | None = None,
            rejection: str | None = None, focus: str = "", posted: bool = False) -> str:
    """Render the task page. `values` fill the form, or after a rejection, the summary of
    what the user sent. Read-only fields always show the task's stored variables.

    `posted` marks `values` as typed by the user: when the form is not shown (the task was
    reassigned or completed meanwhile), the page lists them instead of dropping them."""
    action = url_for("tasks.task_page", task_id=details.id)
    task_form = None
    sent_summary = None
    may_complete = details.is_open and details.is_mine
    if details.form is not None and (rejection or (posted and not may_complete)):
        sent_summary = summary_html(details.form, values, details.form_options,
                                    initial=details.variables)
    elif may_complete and details.form is not None:
        task_form = form_html(details.form, values, errors, options=details.form_options,
                              action=action, submit_label=_("Complete"), focus=focus,
                              initial=details.variables, form_id=TASK_FORM_ID)
    case_details = None
    if details.start_form is not None:
        case_details = summary_html(details.start_form, details.start_values,
                                    details.start_options)
    return render_template("task.html", task=details, task_form=task_form,
                           case_details=case_details, rejection=rejection,
                           sent_summary=sent_summary, action=action,
                           task_form_id=TASK_FORM_ID if task_form is not None else "",
                           reassign_choice=request.args.get("til", ""))
