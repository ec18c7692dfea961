"""Administration of the organisation: the unit tree, users with their groups and roles, and
the CSV import of the organisation chart with a preview before anything is saved.

An uploaded CSV file waits in a temporary file named by a random token kept in the session,
so the confirm step imports exactly the file the preview showed.
NOTE: the file is on the local disk, so with several web servers the confirm step must reach
the same server; on another one the page asks for the file again.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.access import ADMINISTRATOR, access
from engine.errors import EngineError, InvalidInput
from engine.models import Unit
from engine.models.organisation import ROLES
from engine.services.organisation_import import CHANGE_LABELS, ImportResult
from engine.web.auth import current_user
from engine.web.context import sloyfe_engine

log = logging.getLogger(__name__)

bp = Blueprint("admin_organisation", __name__, url_prefix="/admin/organisasjon")

SESSION_KEY = "organisation_import"
UPLOAD_DIRECTORY = Path(tempfile.gettempdir()) / "sloyfe-organisasjon"
UPLOAD_MAX_AGE_SECONDS = 24 * 3600
USER_STATUSES = ("aktive", "inaktive", "alle")
PageResult = Response | str | tuple[str, int]


@dataclass(frozen=True)
class TreeRow:
    unit: Unit
    depth: int
    members: int


def _unit_tree(units: list[Unit], counts: dict[int, int]) -> list[TreeRow]:
    """List the units depth first, children by name under their parent."""
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    rows: list[TreeRow] = []
    seen: set[int] = set()

    def visit(parent_id: int | None, depth: int) -> None:
        for unit in sorted(children.get(parent_id, []), key=lambda u: u.name):
            if unit.id in seen:
                continue
            seen.add(unit.id)
            rows.append(TreeRow(unit, depth, counts.get(unit.id, 0)))
            visit(unit.id, depth + 1)

    visit(None, 0)
    return rows


@bp.route("")
@access(ADMINISTRATOR)
def overview() -> str:
    """Show the unit tree with leaders and the number of active users per unit."""
    engine = sloyfe_engine()
    with engine.transaction(read_only=True):
        organisation = engine.organisation
        rows = _unit_tree(organisation.units(), organisation.member_counts())
        return render_template("admin_organisation.html", rows=rows)


@bp.route("/brukere")
@access(ADMINISTRATOR)
def user_list() -> str:
    """List users, filtered by a search in user name, name and e-mail and by status."""
    engine = sloyfe_engine()
    search = request.args.get("sok", "").strip()
    status = request.args.get("status", "aktive")
    if status not in USER_STATUSES:
        status = "aktive"
    needle = search.casefold()
    with engine.transaction(read_only=True):
        organisation = engine.organisation
        rows = []
        for user in organisation.users():
            if status == "aktive" and not user.active or status == "inaktive" and user.active:
                continue
            haystack = " ".join([user.username, user.display_name, user.email or ""]).casefold()
            if needle and needle not in haystack:
                continue
            rows.append(organisation.user_summary(user))
        return render_template("admin_organisation_users.html", rows=rows, search=search,
                               status=status)


def _user_form_values(summary: dict[str, Any]) -> dict[str, str]:
    values = {"navn": summary["display_name"], "e_post": summary["email"] or "",
              "enhet": summary["unit"] or "", "gruppe": "", "rolle": ""}
    if request.method == "POST":
        values.update({name: request.form.get(name, "").strip() for name in values})
    return values


@bp.route("/brukere/<username>", methods=["GET", "POST"])
@access(ADMINISTRATOR)
def user_page(username: str) -> PageResult:
    """Show one user and run the change the form names in `handling`."""
    engine = sloyfe_engine()
    organisation = engine.organisation
    actor = current_user().username
    error = None
    if request.method == "POST":
        action = request.form.get("handling", "")
        form = request.form
        runs = {
            "lagre": lambda: organisation.update_user(
                username, form.get("navn", ""), form.get("e_post", ""),
                form.get("enhet", "").strip() or None, actor=actor),
            "aktiver": lambda: organisation.set_active(username, True, actor=actor),
            "deaktiver": lambda: _deactivate(username, actor),
            "legg-til-gruppe": lambda: organisation.add_member(
                form.get("gruppe", "").strip(), username, actor=actor),
            "fjern-gruppe": lambda: organisation.remove_member(
                form.get("gruppe", ""), username, actor=actor),
            "gi-rolle": lambda: organisation.grant_role(
                username, form.get("rolle", ""), actor=actor),
            "fjern-rolle": lambda: organisation.revoke_role(
                username, form.get("rolle", ""), actor=actor),
        }
        run = runs.get(action)
        if run is None:
            error = _("The form names no known action. Reload the page and try again.")
        else:
            try:
                run()
            except EngineError as failure:
                log.info("user change rejected user=%s action=%s error=%s", username, action,
                         failure)
                error = str(failure)
            else:
                flash(_("The user %(user)s is saved.", user=username), "success")
                return redirect(url_for(".user_page", username=username))
    with engine.transaction(read_only=True):
        user = organisation.user(username)
        summary = organisation.user_summary(user)
        units = [(unit.code, unit.name) for unit in organisation.units()]
        html = render_template("admin_organisation_user.html", user_row=summary, units=units,
                               roles=ROLES, values=_user_form_values(summary), error=error,
                               is_self=username == actor)
    return (html, 422) if error else html


def _deactivate(username: str, actor: str) -> None:
    if username == actor:
        raise InvalidInput(_("you cannot deactivate yourself"))
    sloyfe_engine().organisation.set_active(username, False, actor=actor)


@bp.route("/enheter/<code>", methods=["GET", "POST"])
@access(ADMINISTRATOR)
def unit_page(code: str) -> PageResult:
    """Show one unit; rename or move it, or set its leader."""
    engine = sloyfe_engine()
    organisation = engine.organisation
    actor = current_user().username
    error = None
    if request.method == "POST":
        action = request.form.get("handling", "")
        try:
            if action == "lagre":
                organisation.update_unit(code, request.form.get("navn", ""),
                                         request.form.get("overordnet", "").strip() or None,
                                         actor=actor)
            elif action == "leder":
                organisation.set_leader(code, request.form.get("leder", "").strip(),
                                        actor=actor)
            else:
                error = _("The form names no known action. Reload the page and try again.")
        except EngineError as failure:
            log.info("unit change rejected unit=%s action=%s error=%s", code, action, failure)
            error = str(failure)
        if error is None:
            flash(_("The unit %(code)s is saved.", code=code), "success")
            return redirect(url_for(".unit_page", code=code))
    with engine.transaction(read_only=True):
        unit = organisation.unit(code)
        values = {"navn": unit.name, "overordnet": unit.parent.code if unit.parent else "",
                  "leder": unit.leader.username if unit.leader else ""}
        if request.method == "POST":
            values.update({name: request.form.get(name, "").strip() for name in values})
        units = [(other.code, other.name) for other in organisation.units()
                 if other.code != code]
        users = [(user.username, user.display_name) for user in organisation.users()
                 if user.active]
        members = [user for user in organisation.users() if user.unit_id == unit.id]
        html = render_template("admin_organisation_unit.html", unit=unit, values=values,
                               units=units, users=users, members=members, error=error)
    return (html, 422) if error else html


# --- import -------------------------------------------------------------------------------


def _stored_path(token: str) -> Path:
    return UPLOAD_DIRECTORY / f"{token}.csv"


def _stored_upload() -> tuple[str, bytes] | None:
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token.isalnum():
        return None
    path = _stored_path(token)
    if not path.exists():
        return None
    return token, path.read_bytes()


def _store_upload(content: bytes) -> None:
    previous = session.get(SESSION_KEY)
    if isinstance(previous, str) and previous.isalnum():
        _stored_path(previous).unlink(missing_ok=True)
    token = secrets.token_hex(16)
    UPLOAD_DIRECTORY.mkdir(mode=0o700, exist_ok=True)
    _remove_stale_uploads()
    _stored_path(token).write_bytes(content)
    session[SESSION_KEY] = token


def _remove_stale_uploads() -> None:
    """Delete uploads that were never confirmed, once they are older than UPLOAD_MAX_AGE_SECONDS."""
    cutoff = time.time() - UPLOAD_MAX_AGE_SECONDS
    for path in UPLOAD_DIRECTORY.glob("*.csv"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError as error:
            log.warning("stale organisation upload not removed path=%s error=%s", path, error)


def _render_import(result: ImportResult | None, *, deactivate: bool, has_file: bool,
                   error: str | None = None) -> PageResult:
    html = render_template("admin_organisation_import.html", result=result,
                           labels={name: _(label) for name, label in CHANGE_LABELS.items()},
                           deactivate=deactivate, has_file=has_file, error=error)
    failed = error is not None or (result is not None and bool(result.problems))
    return (html, 422) if failed else html


@bp.route("/import", methods=["GET", "POST"])
@access(ADMINISTRATOR)
def import_page() -> PageResult:
    """Upload a CSV file and show what importing it would change (a dry run)."""
    if request.method == "GET":
        return _render_import(None, deactivate=False, has_file=False)
    deactivate = request.form.get("deaktiver_manglende") == "ja"
    upload = request.files.get("fil")
    if upload is None or not upload.filename:
        return _render_import(None, deactivate=deactivate, has_file=False,
                              error=_("Choose a CSV file to upload."))
    content = upload.read()
    _store_upload(content)
    result = sloyfe_engine().organisation_import.run(
        content, actor=current_user().username, dry_run=True, deactivate_missing=deactivate)
    return _render_import(result, deactivate=deactivate, has_file=True)


@bp.route("/import/bekreft", methods=["POST"])
@access(ADMINISTRATOR)
def import_confirm() -> PageResult:
    """Import the file the preview showed; on a problem show it again and keep the file."""
    deactivate = request.form.get("deaktiver_manglende") == "ja"
    stored = _stored_upload()
    if stored is None:
        return _render_import(None, deactivate=deactivate, has_file=False, error=_(
            "The uploaded file is no longer available. Upload it again."))
    token, content = stored
    actor = current_user().username
    result = sloyfe_engine().organisation_import.run(content, actor=actor,
                                                     deactivate_missing=deactivate)
    if result.problems:
        return _render_import(result, deactivate=deactivate, has_file=True)
    _stored_path(token).unlink(missing_ok=True)
    session.pop(SESSION_KEY, None)
    log.info("organisation imported actor=%s counts=%s", actor, result.counts())
    flash(_("The organisation chart is imported: %(users)s users created, %(updated)s "
            "changed and %(deactivated)s deactivated.", users=len(result.users_created),
            updated=len(result.users_updated), deactivated=len(result.users_deactivated)),
          "success")
    return redirect(url_for(".overview"))
