"""The version history of a process and the comparison of two of its versions.

The history lists every deployed version with its change note and running cases, and works
without JavaScript. The comparison page lists the changed elements, rendered on the server.
With JavaScript, static/version_diff.js also shows both diagrams in bpmn-js viewers and
marks the changed elements on them. Both pages are open to those who may open the modeler
(PROCESS_OWNER).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, make_response, render_template, request

from engine.access import PROCESS_OWNER, access
from engine.errors import EngineError
from engine.i18n import N_
from engine.web.context import sloyfe_engine
from engine.web.modeler import BPMN_MIMETYPE, MODELER_POLICY
from engine.web.version_diff import change_rows

log = logging.getLogger(__name__)

bp = Blueprint("versions", __name__)

FROM_FIELD = "fra"
TO_FIELD = "til"


class SameVersionTwice(EngineError):
    code = "same_version_twice"
    http_status = 400
    message = N_("Version %(version)s was chosen twice. Choose two different versions to "
                 "compare them.")

    def __init__(self, version: int) -> None:
        super().__init__(version=version)


class VersionNumberInvalid(EngineError):
    code = "version_number_invalid"
    http_status = 400
    message = N_("%(value)s is not a version number. Choose the versions to compare from "
                 "the lists on the version history page.")

    def __init__(self, value: str) -> None:
        super().__init__(value=value)


class NothingToCompare(EngineError):
    code = "nothing_to_compare"
    http_status = 400
    message = N_("The process %(key)s has only one version, so there is nothing to compare "
                 "yet. A comparison is possible after the next deploy.")

    def __init__(self, key: str) -> None:
        super().__init__(key=key)


@dataclass(frozen=True)
class VersionRow:
    version: int
    name: str
    deployed_by: str
    deployed_at: datetime
    change_note: str
    running_instances: int
    active: bool


def _version_rows(key: str) -> list[VersionRow]:
    """Return every deployed version of the process, newest first (404 for an unknown key)."""
    return [VersionRow(item["version"], item["name"] or key,
                       item["deployed_by_name"] or item["deployed_by"] or "",
                       item["deployed_at"], item["change_note"] or "",
                       item["running_instances"], item["active"])
            for item in sloyfe_engine().drafts.versions(key)]


def _chosen_version(name: str, default: int) -> int:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or len(raw) > 9:
        raise VersionNumberInvalid(raw)
    return int(raw)


def _compared_versions(key: str, rows: list[VersionRow]) -> tuple[int, int]:
    """Return the versions the request compares: by default the newest and the one before."""
    if len(rows) < 2 and not request.args.get(FROM_FIELD) and not request.args.get(TO_FIELD):
        raise NothingToCompare(key)
    newest = rows[0].version
    older = rows[1].version if len(rows) > 1 else newest
    old = _chosen_version(FROM_FIELD, older)
    new = _chosen_version(TO_FIELD, newest)
    if old == new:
        raise SameVersionTwice(old)
    return old, new


@bp.route("/prosesser/<key>/versjoner")
@access(PROCESS_OWNER)
def history(key: str) -> str:
    """List the deployed versions of a process, newest first, with the comparison form."""
    rows = _version_rows(key)
    return render_template("process_versions.html", key=key, name=rows[0].name, rows=rows)


@bp.route("/prosesser/<key>/versjoner/sammenlign")
@access(PROCESS_OWNER)
def compare(key: str) -> Response:
    """Compare two versions: the changed elements as a list, and both diagrams marked."""
    rows = _version_rows(key)
    old, new = _compared_versions(key, rows)
    diff = sloyfe_engine().drafts.diff(key, old, new)
    log.info("versions compared key=%s from=%s to=%s added=%s removed=%s changed=%s", key,
             old, new, len(diff["added"]), len(diff["removed"]), len(diff["changed"]))
    response = make_response(render_template(
        "process_version_diff.html", key=key, name=rows[0].name, rows=rows, old=old, new=new,
        changes=change_rows(diff), counts=_counts(diff)))
    response.headers["Content-Security-Policy"] = MODELER_POLICY
    return response


def _counts(diff: dict[str, Any]) -> dict[str, int]:
    return {kind: len(diff[kind]) for kind in ("added", "removed", "changed")}


@bp.route("/prosesser/<key>/versjoner/<int(max=2147483647):version>.bpmn")
@access(PROCESS_OWNER)
def download(key: str, version: int) -> Response:
    """Serve the BPMN XML of one version as a file download."""
    record = sloyfe_engine().drafts.version(key, version)
    response = Response(record.bpmn_xml, mimetype=BPMN_MIMETYPE)
    response.headers.set("Content-Disposition", "attachment",
                         filename=f"{key}-versjon-{version}.bpmn")
    return response
