"""The BPMN modeler for process owners: the deployed processes, and one opened in bpmn-js.

The modeler page loads the newest deployed version of a process from the .bpmn route below,
so the same route also serves the file to download without JavaScript. The browser side is
engine/web/assets/modeler (bundled into static/dist/modeler.js by `make`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, Response, abort, render_template

from engine.access import PROCESS_OWNER, access
from engine.errors import DefinitionNotFound
from engine.web.context import sloyfe_engine

bp = Blueprint("modeler", __name__)

BPMN_MIMETYPE = "application/xml"


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
def modeler_page(key: str) -> str:
    return render_template("modeler.html", process=_latest(key))


@bp.route("/prosesser/<key>/modell.bpmn")
@access(PROCESS_OWNER)
def diagram(key: str) -> Response:
    """Serve the BPMN XML of the newest version as a file download."""
    found = _latest(key)
    response = Response(found.bpmn_xml, mimetype=BPMN_MIMETYPE)
    response.headers.set("Content-Disposition", "attachment", filename=found.file_name)
    return response
