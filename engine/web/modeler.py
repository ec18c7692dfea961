"""The BPMN modeler for process owners: the deployed processes, and one opened in bpmn-js.

The modeler page loads the newest deployed version of a process from the .bpmn route below,
so the same route also serves the file to download without JavaScript. The browser side is
engine/web/assets/modeler (bundled into static/dist/modeler.js by `make`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, Response, abort, make_response, render_template

from engine.access import PROCESS_OWNER, access
from engine.errors import DefinitionNotFound
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


@bp.route("/prosesser/<key>/modell")
@access(PROCESS_OWNER)
def modeler_page(key: str) -> Response:
    response = make_response(render_template("modeler.html", process=_latest(key)))
    response.headers["Content-Security-Policy"] = MODELER_POLICY
    return response


@bp.route("/prosesser/<key>/modell.bpmn")
@access(PROCESS_OWNER)
def diagram(key: str) -> Response:
    """Serve the BPMN XML of the newest version as a file download."""
    found = _latest(key)
    response = Response(found.bpmn_xml, mimetype=BPMN_MIMETYPE)
    response.headers.set("Content-Disposition", "attachment", filename=found.file_name)
    return response
