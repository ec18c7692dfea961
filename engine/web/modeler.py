"""The BPMN modeler for process owners: the deployed processes, and one opened in bpmn-js.

The modeler page loads the newest deployed version of a process from the .bpmn route below,
so the same route also serves the file to download without JavaScript; `?utkast=<id>` opens a
saved draft of the process instead. Users who may edit the process (engine.access.may_edit_process)
get the toolbar that validates, saves drafts and deploys through /api/v1. The browser side is
engine/web/assets/modeler (bundled into static/dist/modeler.js by `make`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    make_response,
    render_template,
    request,
)
from flask_babel import gettext as _

from engine.access import PROCESS_OWNER, access, may_edit_process
from engine.errors import DefinitionNotFound, NotFound, PermissionDenied
from engine.web.auth import current_user
from engine.web.context import sloyfe_engine
from engine.web.security import content_security_policy

bp = Blueprint("modeler", __name__)

BPMN_MIMETYPE = "application/xml"

# The style attributes that bpmn-js 18.31 and bpmn-js-properties-panel 5.65 write as markup,
# which the site's style-src 'self' blocks. The properties panel's containers get their height
# from the first two, and the icons of the align menu (several elements selected) draw their
# lines with the rest. CSSOM styles, which bpmn-js uses everywhere else, need no entry.
# Chromium names the hash of each blocked value in its console, should a new version add one.
MODELER_STYLE_ATTRIBUTES = (
    "height: 100%",
    "flex: none; height: auto",
    "fill:none;stroke:currentColor;stroke-width:100;",
    "fill:currentColor;stroke:currentColor;stroke-width:100;opacity:.5;",
    "fill:none;stroke:currentColor;stroke-width:100;stroke-linejoin:round;",
    "stroke:currentColor;stroke-width:100;stroke-linecap:round;",
)
MODELER_POLICY = content_security_policy(MODELER_STYLE_ATTRIBUTES)
# The expression fields of both properties panels (bpmn-js's and form-js-editor's) are
# CodeMirror editors, whose theme is a <style> element that style-mod writes at run time, with
# rules that change as editors mount. The page allows <style> elements carrying a nonce made
# for each response, and modeler.js hands it to style-mod; no other <style> element may load.
STYLE_SOURCE = "style-src 'self'"


def _policy_with_nonce(nonce: str) -> str:
    return MODELER_POLICY.replace(STYLE_SOURCE, f"{STYLE_SOURCE} 'nonce-{nonce}'", 1)


@dataclass(frozen=True)
class DiagramFile:
    key: str
    name: str
    version: int
    file_name: str
    bpmn_xml: str


@dataclass(frozen=True)
class ProcessRow:
    key: str
    name: str
    version: int
    deployed_at: datetime


def _latest(key: str) -> DiagramFile:
    """Return the newest active version of the process `key`, or abort with 404."""
    engine = sloyfe_engine()
    with engine.transaction(read_only=True):
        try:
            record = engine.repository.latest(key)
        except DefinitionNotFound:
            abort(404)
        return DiagramFile(record.key, record.name or record.key, record.version,
                           record.file_name, record.bpmn_xml)


@bp.route("/prosesser")
@access(PROCESS_OWNER)
def process_list() -> str:
    """List the deployed processes by name, each with a link to open it in the modeler."""
    engine = sloyfe_engine()
    with engine.transaction(read_only=True):
        rows = [ProcessRow(record.key, record.name or record.key, record.version,
                           record.deployed_at)
                for record in engine.repository.definitions()]
    return render_template("processes.html", processes=rows)


@dataclass(frozen=True)
class DraftRef:
    id: int
    label: str
    author: str
    updated_at: datetime


def _draft_of(key: str, draft_id: int) -> DraftRef:
    """Return draft `draft_id` of the process `key` as the signed-in user may read it.

    Aborts with 404 when the draft does not exist, belongs to another process or is hidden
    from the user, so the page never shows a draft the API would refuse.
    """
    engine = sloyfe_engine()
    try:
        draft = engine.drafts.get(current_user().username, draft_id)
    except (NotFound, PermissionDenied):
        abort(404)
    if draft.process_key != key:
        abort(404)
    return DraftRef(draft.id, draft.label, draft.author, draft.updated_at)


def modeler_texts() -> dict[str, str]:
    """Return the messages that modeler.js shows, in the user's language."""
    return {
        "unsaved": _("Unsaved changes"),
        "saved": _("All changes saved"),
        "saving": _("Saving draft …"),
        "saveFailed": _("The draft could not be saved: %(reason)s"),
        "draftSaved": _("The draft was saved."),
        "validating": _("Validating …"),
        "valid": _("The model has no errors or warnings."),
        "validWithWarnings": _("The model has no errors, but %(count)s warnings."),
        "invalid": _("The model has %(errors)s errors and %(warnings)s warnings. Fix the "
                     "errors before you publish."),
        "validateFailed": _("The model could not be validated: %(reason)s"),
        "error": _("Error"),
        "warning": _("Warning"),
        "noElement": _("the whole model"),
        "notDrawn": _("%(name)s (not drawn in the diagram shown)"),
        "publishRefused": _("The model has errors and was not published. Fix the errors in "
                            "the list of problems and try again."),
        "publishing": _("Publishing …"),
        "newestVersion": _("Version %(version)s of the process %(key)s, the newest deployed "
                           "version."),
        "published": _("Version %(version)s is published. New cases use it, and running "
                       "cases stay on their version."),
        "publishFailed": _("The model was not published: %(reason)s"),
        "changeNoteMissing": _("Write what the new version changes."),
        "uploadFailed": _("The file %(name)s could not be opened as a BPMN diagram: "
                          "%(reason)s. The diagram was not changed."),
        "uploadNotBpmn": _("the content is not BPMN 2.0 XML that the modeler can read; open "
                           "the file in Camunda Modeler to check it"),
        "uploadDoctype": _("the file has a DOCTYPE declaration or entities, which Sløyfe does "
                           "not accept; save the file again without them"),
        "uploadTooLarge": _("the file is %(size)s kB, and a process diagram may be at most "
                            "%(limit)s kB"),
        "uploaded": _("The file %(name)s was opened. Save it as a draft or publish it to "
                      "keep it."),
        "otherProcess": _("The file %(name)s describes the process %(key)s, not %(expected)s. "
                          "Saving or publishing it changes the process %(key)s. To change "
                          "%(expected)s, give the process in the file the id %(expected)s."),
        "draftsFailed": _("The drafts could not be listed: %(reason)s"),
        "noDrafts": _("This process has no saved drafts."),
        "draftItem": _("%(label)s, by %(author)s, %(time)s"),
        "unnamedDraft": _("Draft %(id)s"),
        "networkError": _("no answer from the server; check the connection and try again"),
        "noSelection": _("Select a task or an element on the canvas first."),
        "inserted": _("%(value)s was set as %(field)s on %(element)s."),
        "notApplicable": _("%(field)s does not apply to the selected element %(element)s."),
        **form_editor_texts(),
    }


def form_editor_texts() -> dict[str, str]:
    """Return the messages of the form tab (assets/modeler/forms.js), in the user's language."""
    return {
        "formHeading": _("Form %(form)s"),
        "formNone": _("The diagram names no forms yet. Create one below, or set a form "
                      "reference on a user task or start event."),
        "formUsedBy": _("used by %(elements)s"),
        "formUnused": _("not used in the diagram"),
        "formChanged": _("changed in this draft"),
        "formDeployed": _("deployed version %(version)s"),
        "formMissing": _("not deployed; create it or upload a .form file"),
        "formOpenFailed": _("The form %(form)s could not be opened: %(reason)s"),
        "formIdInvalid": _("Write an id of letters, digits, - and _ that starts with a letter, "
                           "at most 128 characters."),
        "formIdTaken": _("A form with the id %(form)s exists already. Open it from the list, "
                         "or choose another id."),
        "formCreated": _("The form %(form)s was created. Add fields, set it as form reference "
                         "on a task, and save the draft to keep it."),
        "formUploaded": _("The file %(name)s was opened as the form %(form)s. Save the draft "
                          "or publish to keep it."),
        "formUploadRefused": _("The file %(name)s is not a form Sløyfe can use, so nothing "
                               "was changed. Fix the problems below in the file and upload "
                               "it again."),
        "formUploadFailed": _("The file %(name)s could not be checked: %(reason)s. Nothing "
                              "was changed."),
        "formProblemLine": _("Line %(line)s: %(message)s"),
        "formDraftOption": _("%(form)s (in this draft)"),
        "formFinding": _("form %(form)s"),
        "formNotUtf8": _("The file %(name)s is not UTF-8 text, so nothing was changed. Save "
                         "it as UTF-8 and upload it again."),
    }


def max_diagram_bytes() -> int:
    """Return the size of the largest .bpmn file that the modeler page may upload.

    The server refuses a definition over MAX_DEFINITION_BYTES and a request body over
    MAX_CONTENT_LENGTH, so a file must fit under both.
    """
    limit = int(sloyfe_engine().config["MAX_DEFINITION_BYTES"])
    body_limit = current_app.config.get("MAX_CONTENT_LENGTH")
    return min(limit, int(body_limit)) if body_limit else limit


@bp.route("/prosesser/<key>/modell")
@access(PROCESS_OWNER)
def modeler_page(key: str) -> Response:
    """Open the newest version of the process, or with ?utkast=<id> one of its drafts."""
    process = _latest(key)
    draft = None
    if "utkast" in request.args:
        draft_id = request.args.get("utkast", type=int)
        if draft_id is None or draft_id < 1:
            abort(404)
        draft = _draft_of(key, draft_id)
    editable = may_edit_process(current_user().username, key)
    style_nonce = secrets.token_urlsafe(18)
    response = make_response(render_template(
        "modeler.html", process=process, draft=draft, editable=editable,
        texts=modeler_texts(), max_bytes=max_diagram_bytes(), style_nonce=style_nonce))
    response.headers["Content-Security-Policy"] = _policy_with_nonce(style_nonce)
    return response


@bp.route("/prosesser/<key>/modell.bpmn")
@access(PROCESS_OWNER)
def diagram(key: str) -> Response:
    """Serve the BPMN XML of the newest version as a file download."""
    found = _latest(key)
    response = Response(found.bpmn_xml, mimetype=BPMN_MIMETYPE)
    response.headers.set("Content-Disposition", "attachment", filename=found.file_name)
    return response
