"""The administrator actions on the instance page and the instance list: suspend, resume,
terminate, reassign a task, set a variable, retry an incident, move back, migrate, and the
same state changes on many instances at once.

Each form posts a required reason (the field `begrunnelse`), which engine/services/
admin_actions.py writes to the audit trail. A rejected action shows the instance page again
with the message at its form and the values as typed. A successful one redirects to the
page with a message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from engine.access import ADMINISTRATOR, access
from engine.errors import EngineError
from engine.web.admin import BatchOutcome, render_instance_list, render_instance_page
from engine.web.auth import current_user
from engine.web.context import sloyfe_engine

log = logging.getLogger(__name__)

bp = Blueprint("admin_forms", __name__, url_prefix="/admin")

# The form's `handling` values, in bokmål as the URLs are.
ACTIONS = ("pause", "fortsett", "avslutt", "tildel", "variabel", "prov-igjen",
           "flytt-tilbake", "migrer")
BATCH_ACTIONS = {"pause": "suspend", "fortsett": "resume", "avslutt": "terminate"}
MAX_BATCH = 200


def _done_messages() -> dict[str, str]:
    return {
        "pause": _("The instance is suspended."),
        "fortsett": _("The instance runs again."),
        "avslutt": _("The instance is terminated."),
        "tildel": _("The task is reassigned."),
        "variabel": _("The variable is set."),
        "prov-igjen": _("The failed step was retried."),
        "flytt-tilbake": _("The instance is moved back."),
        "migrer": _("The instance is moved to the other version."),
    }


def _integer(name: str) -> int:
    text = request.form.get(name, "").strip()
    if not (text.isascii() and text.isdigit()):
        raise ValueError(name)
    return int(text)


@bp.route("/saker/<int:instance_id>/handling", methods=["POST"])
@access(ADMINISTRATOR)
def instance_action(instance_id: int) -> Response | tuple[Response, int]:
    """Run the action the form names on the instance."""
    engine = sloyfe_engine()
    actor = current_user().username
    action = request.form.get("handling", "")
    reason = request.form.get("begrunnelse", "")
    service = engine.admin
    runs: dict[str, Callable[[], Any]] = {
        "pause": lambda: service.suspend(instance_id, actor, reason),
        "fortsett": lambda: service.resume(instance_id, actor, reason),
        "avslutt": lambda: service.terminate(instance_id, actor, reason),
        "tildel": lambda: service.reassign_task(
            request.form.get("oppgave", ""), request.form.get("bruker", "").strip(), actor,
            reason),
        "variabel": lambda: service.set_variable(
            instance_id, request.form.get("navn", ""), request.form.get("verdi", ""), actor,
            reason),
        "prov-igjen": lambda: service.retry_incident(
            _integer("feil"), actor, reason, force=request.form.get("tving") == "ja"),
        "flytt-tilbake": lambda: service.move_back(
            instance_id, request.form.get("element", ""), actor, reason),
        "migrer": lambda: service.migrate(instance_id, _integer("versjon"), actor, reason),
    }
    if action not in runs:
        return _rejected(instance_id, "", _("The action %(action)s does not exist. Choose "
                                                "an action on the page.", action=action[:40]))
    try:
        runs[action]()
    except ValueError:
        return _rejected(instance_id, action, _("Choose an entry from the list before you "
                                                "run the action."))
    except EngineError as error:
        log.info("admin action rejected action=%s instance_id=%s actor=%s code=%s", action,
                 instance_id, actor, error.code)
        return _rejected(instance_id, action, str(error))
    flash(_done_messages()[action], "success")
    return redirect(url_for("admin.instance_page", instance_id=instance_id))


def _rejected(instance_id: int, action: str, message: str) -> tuple[Response, int]:
    """Show the instance page again with `message` at the form of `action` (at the top of
    the actions for "")."""
    values = {name: request.form.get(name, "") for name in
              ("begrunnelse", "oppgave", "bruker", "navn", "verdi", "element", "versjon",
               "feil", "tving")}
    return render_instance_page(instance_id, action_error=(action, message),
                                form_values=values), 400


@bp.route("/saker/samlet", methods=["POST"])
@access(ADMINISTRATOR)
def batch_action() -> Response | tuple[str, int]:
    """Suspend, resume or terminate the instances selected in the list, each on its own.

    When all of them change, the list is shown again with a message. A rejected request
    (no action, no selection, too many, no reason) shows the list with the message and
    keeps the reason and the selection. When some instances were rejected, the list names
    the first rejections and keeps the reason and those instances selected.
    """
    engine = sloyfe_engine()
    back = request.form.get("tilbake", "")
    location = back if back.startswith("/admin/saker") else url_for("admin.instance_list")
    action = request.form.get("handling", "")
    reason = request.form.get("begrunnelse", "")
    texts = request.form.getlist("instans")
    ids = [int(text) for text in texts if text.isascii() and text.isdigit()]

    def shown_again(messages: list[tuple[str, str]], selected: list[int],
                    status: int) -> tuple[str, int]:
        arguments = MultiDict(parse_qsl(urlsplit(location).query))
        outcome = BatchOutcome(messages, action, reason, frozenset(selected), location)
        return render_instance_list(arguments, batch=outcome, status=status)

    if action not in BATCH_ACTIONS:
        return shown_again([("error", _("Choose suspend, resume or terminate for the "
                                        "selected instances."))], ids, 400)
    if not ids:
        return shown_again([("error", _("Select at least one instance in the list."))], ids,
                           400)
    if len(ids) > MAX_BATCH:
        return shown_again([("error", _("Select at most %(max)s instances at a time.",
                                        max=MAX_BATCH))], ids, 400)

    try:
        results = engine.admin.batch(BATCH_ACTIONS[action], ids, current_user().username,
                                     reason)
    except EngineError as error:
        log.info("batch action rejected action=%s actor=%s code=%s", action,
                 current_user().username, error.code)
        return shown_again([("error", str(error))], ids, 400)

    done = sum(1 for result in results if result["ok"])
    failed = [result for result in results if not result["ok"]]
    summary = _("%(done)s of %(total)s instances were changed.", done=done,
                total=len(results))
    if not failed:
        flash(summary, "success")
        return redirect(location)
    messages = [("info", summary)]
    messages += [("error", _("Instance %(id)s: %(message)s", id=result["instance_id"],
                             message=result["message"])) for result in failed[:5]]
    return shown_again(messages, [result["instance_id"] for result in failed], 200)
