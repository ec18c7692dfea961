"""Error pages: engine errors and HTTP errors as a page in the user's language."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.errors import EngineError, NotFound
from engine.forms.submission import ACTION_FIELD
from engine.request_limits import too_large_error

log = logging.getLogger(__name__)

# Posted fields that are not text the user wrote, left out when a lost post is shown back.
NOT_USER_TEXT = frozenset({"csrf_token", ACTION_FIELD, "next"})
# Fields whose name contains one of these are never shown back, not even to their sender.
SECRET_NAME_PARTS = ("passord", "password")
# Maximum number of posted fields shown back, far more than any real form has.
MAX_SHOWN_FIELDS = 200


def init_errors(app: Flask) -> None:
    app.register_error_handler(EngineError, engine_error)
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(HTTPException, http_error)


def error_page(status: int, heading: str, message: str) -> tuple[str, int]:
    return render_template("error.html", status=status, heading=heading,
                           message=message), status


def lost_post_page(status: int, heading: str, message: str,
                   login_next: str | None = None) -> tuple[str, int]:
    """Explain why a post was not saved, and list the text it carried so the user can copy
    it. With `login_next`, the page links to the log-in page and back to that path."""
    return render_template("error.html", status=status, heading=heading, message=message,
                           submitted=submitted_text(), login_next=login_next), status


def submitted_text() -> list[tuple[str, str]]:
    """Return the non-blank posted fields as (name, value), without tokens and passwords."""
    fields = []
    for name, value in request.form.items(multi=True):
        if name in NOT_USER_TEXT or any(part in name.lower() for part in SECRET_NAME_PARTS):
            continue
        if value.strip():
            fields.append((name, value))
    return fields[:MAX_SHOWN_FIELDS]


def engine_error(error: EngineError) -> tuple[str, int]:
    log.info("request rejected code=%s status=%s", error.code, error.http_status)
    if isinstance(error, NotFound):
        return error_page(404, _("Not found"), str(error))
    if error.http_status == 403:
        return error_page(403, _("No access"), str(error))
    return error_page(error.http_status, _("That did not work"), str(error))


def csrf_error(error: CSRFError) -> tuple[str, int]:
    log.info("request rejected code=csrf reason=%s", error.description)
    if submitted_text():
        return lost_post_page(400, _("The form has expired"), _(
            "The page was open too long, or the form came from another page, so nothing was "
            "saved. Copy what you wrote from the list below. Then go back, reload the page "
            "and send the form again."))
    return error_page(400, _("The form has expired"), _(
        "The page was open too long, or the form came from another page, so nothing was "
        "saved. Go back, reload the page and send the form again."))


def http_error(error: HTTPException) -> tuple[str, int]:
    status = error.code or 500
    if status in (403, 404) and request.method == "POST" and submitted_text():
        # For example a task reassigned while its form was being filled in: the page is no
        # longer open to the sender, but what they typed is theirs to copy.
        return lost_post_page(status, _("Nothing was saved"), _(
            "You no longer have access to this page, or it does not exist, so nothing was "
            "saved. Copy what you wrote from the list below. If the page was a task that "
            "someone else has been given, send the text to them."))
    if status == 404:
        return error_page(404, _("Not found"), _(
            "The page does not exist, or you do not have access to it. Check the address, or "
            "go to the start page."))
    if status == 403:
        return error_page(403, _("No access"), _("You do not have access to this."))
    if status == 405:
        return error_page(405, _("That did not work"), _(
            "The page cannot be used this way. Go back and use the buttons on the page."))
    too_large = too_large_error(request.endpoint) if status == 413 else None
    if too_large is not None:
        return error_page(413, _("That did not work"), str(too_large))
    if status == 413:
        return error_page(413, _("That did not work"), _(
            "What you sent is too large. Shorten the text and try again."))
    if status >= 500:
        return error_page(status, _("Something went wrong"), _(
            "An error occurred on our side, and nothing was saved. Try again in a little "
            "while. If it happens again, contact the administrator."))
    return error_page(status, _("That did not work"), _(
        "The request could not be handled. Go back and try again."))
