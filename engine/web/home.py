"""The start page and the start forms that open a new case."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from werkzeug.wrappers import Response

from engine.access import AUTHENTICATED, access
from engine.errors import (
    DefinitionNotFound,
    DuplicateBusinessKey,
    FormValidationFailed,
    PermissionDenied,
)
from engine.forms import change_rows
from engine.web.auth import current_user
from engine.web.context import sloyfe_engine
from engine.web.forms import form_html

log = logging.getLogger(__name__)

bp = Blueprint("home", __name__)

# The process behind the "Meld avvik" button on the start page.
DEVIATION_PROCESS = "avvik"


@dataclass(frozen=True)
class StartWording:
    heading: Any
    started: Any  # flash message after the start, with %(number)s for the case number


# Processes whose start page reads better than "<process name>" and "case registered".
START_WORDING = {
    DEVIATION_PROCESS: StartWording(
        lazy_gettext("Report a deviation"),
        lazy_gettext("The deviation is reported. Case number %(number)s.")),
}


@dataclass(frozen=True)
class Startable:
    key: str
    name: str


@bp.route("/")
@access(AUTHENTICATED)
def index() -> str:
    user = current_user()
    engine = sloyfe_engine()
    with engine.transaction(read_only=True):
        counts = {"mine": len(engine.tasks.list(user.username, "mine")),
                  "felles": len(engine.tasks.list(user.username, "group"))}
        if user.leads_unit:
            counts["enhet"] = len(engine.tasks.list(user.username, "unit"))
        startable = [Startable(definition.key, definition.name)
                     for definition in engine.repository.definitions()
                     if definition.start_form_ref
                     and engine.runtime.may_start(definition, user.username)]
    return render_template("home.html", counts=counts, startable=startable,
                           can_report=any(item.key == DEVIATION_PROCESS for item in startable),
                           deviation_key=DEVIATION_PROCESS)


@bp.route("/start/<key>", methods=["GET", "POST"])
@access(AUTHENTICATED)
def start(key: str) -> Response | str | tuple[str, int]:
    user = current_user()
    engine = sloyfe_engine()
    with engine.transaction(read_only=True):
        try:
            definition = engine.repository.latest(key)
        except DefinitionNotFound:
            abort(404)  # the engine's message is advice for administrators
        form = engine.forms.start_form(definition)
        if form is None:
            abort(404)
        if not engine.runtime.may_start(definition, user.username):
            raise PermissionDenied()
        options = engine.forms.options(form, {})
        heading = _heading(key, definition.name)

    def page(values: Any, errors: dict[str, list[str]] | None = None, focus: str = "") -> str:
        html = form_html(form, values, errors, options=options, focus=focus,
                         action=url_for("home.start", key=key), submit_label=_("Submit"))
        return render_template("start.html", heading=heading, form_html=html)

    if request.method == "GET":
        return page({})

    changed = change_rows(form, request.form)
    if changed is not None:
        return page(changed.values, focus=changed.focus)

    try:
        result = engine.runtime.start(key, user.username, request.form, source="html")
    except FormValidationFailed as invalid:
        return page(request.form, invalid.errors), 422
    except DuplicateBusinessKey as duplicate:
        return page(request.form, {duplicate.field: [str(duplicate)]}), 409

    wording = START_WORDING.get(key)
    message = wording.started if wording else \
        lazy_gettext("The case is registered. Case number %(number)s.")
    flash(str(message) % {"number": result.business_key}, "success")
    return redirect(url_for("cases.case", instance_id=result.instance_id))


def _heading(key: str, name: str) -> str:
    wording = START_WORDING.get(key)
    return str(wording.heading) if wording else name
