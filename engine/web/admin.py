"""Administration: every process instance, its state on the diagram, open incidents and a
heatmap per process, for users with the role administrator.

Cases of confidential processes are listed with their process, status and dates only. Their
instance page shows the engine's state (elements, timers, service calls, incidents) and leaves
out variables, the audit trail and the people involved, as engine/services/visibility.py
requires.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from engine.access import ADMINISTRATOR, access
from engine.engine import ProcessEngine
from engine.errors import DefinitionNotFound, InstanceNotFound
from engine.models import Incident, ProcessInstance
from engine.web.admin_instance import (
    action_choices,
    element_names,
    instance_marks,
    instance_view,
    process_marks,
)
from engine.web.admin_query import STATUSES, list_page, parse_admin_query
from engine.web.audit_labels import audit_action_label, audit_details
from engine.web.auth import current_user
from engine.web.context import sloyfe_engine
from engine.web.modeler import BPMN_MIMETYPE, MODELER_POLICY
from engine.web.task_list_query import process_keys

bp = Blueprint("admin", __name__, url_prefix="/admin")

INCIDENT_LIMIT = 500


def incident_kind_label(kind: str) -> str:
    """Name an incident kind (Incident.kind) in the user's language."""
    if kind.startswith("script_"):
        return _("Expression failed (%(reason)s)", reason=kind.removeprefix("script_"))
    labels = {"handler": _("Service call failed"), "assignment": _("Assignment failed"),
              "engine": _("Engine error")}
    return labels.get(kind, kind)


def format_duration(seconds: float | None) -> str:
    """Write a step's duration in minutes, hours or days, in the user's number format."""
    if seconds is None:
        return "–"
    if seconds < 3600:
        return _("%(minutes)s min", minutes=math.ceil(seconds / 60))
    if seconds < 48 * 3600:
        return _("%(hours)s h", hours=format_decimal(round(seconds / 3600, 1)))
    return _("%(days)s days", days=format_decimal(round(seconds / 86400, 1)))


def status_labels() -> dict[str, str]:
    return {"aktiv": _("Running"), "venter": _("Waiting"), "feil": _("Incident"),
            "pause": _("Suspended"), "fullfort": _("Completed"), "avsluttet": _("Terminated")}


@dataclass(frozen=True)
class InstanceRow:
    id: int
    business_key: str | None
    title: str | None
    process_name: str
    status: str
    has_incident: bool
    confidential: bool
    unit_name: str | None
    started_by: str | None
    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class BatchOutcome:
    """A batch action shown again on the list: its messages as (category, text), and the
    action, reason, selected instance ids and list address as the user sent them."""

    messages: list[tuple[str, str]]
    action: str
    reason: str
    selected: frozenset[int]
    back: str


@bp.route("/saker")
@access(ADMINISTRATOR)
def instance_list() -> tuple[str, int]:
    """List every instance, filtered by the query string, newest first."""
    return render_instance_list(request.args)


def render_instance_list(arguments: Mapping[str, str], *, batch: BatchOutcome | None = None,
                         status: int = 200) -> tuple[str, int]:
    """Render the instance list for the query `arguments`; `batch` fills the batch form
    with what the user sent and shows its messages above it."""
    engine = sloyfe_engine()
    with engine.transaction(read_only=True):
        query = parse_admin_query(engine, arguments)
        processes = process_keys(engine)
        units = sorted(engine.organisation.units(), key=lambda unit: unit.name.casefold())
        page = None if query.errors else list_page(engine, query)
        rows = _instance_rows(engine, page.rows if page else [], processes)
    return render_template(
        "admin_instances.html", query=query, page=page, rows=rows, processes=processes,
        units=[(unit.code, unit.name) for unit in units], statuses=STATUSES,
        status_labels=status_labels(), batch=batch), 400 if query.errors else status


def _instance_rows(engine: ProcessEngine, instances: list[ProcessInstance],
                   processes: dict[str, str]) -> list[InstanceRow]:
    visibility = engine.visibility
    unit_names = {unit.id: unit.name for unit in engine.organisation.units()}
    rows = []
    for instance in instances:
        confidential = visibility.is_confidential(instance.definition_key)
        rows.append(InstanceRow(
            instance.id, None if confidential else instance.business_key,
            None if confidential else instance.title,
            processes.get(instance.definition_key, instance.definition_key), instance.status,
            instance.has_incident, confidential,
            None if confidential else unit_names.get(instance.unit_id or 0),
            None if confidential else instance.started_by, instance.started_at,
            instance.ended_at))
    return rows


def _instance_or_404(instance_id: int) -> ProcessInstance:
    try:
        return sloyfe_engine().runtime.instance(instance_id)
    except InstanceNotFound:
        abort(404)


@bp.route("/saker/<int:instance_id>")
@access(ADMINISTRATOR)
def instance_page(instance_id: int) -> Response:
    """Show one instance: the diagram with its markers, open work, incidents, variables and
    the audit trail, with the forms of the administrator actions."""
    return render_instance_page(instance_id)


def render_instance_page(instance_id: int, *, action_error: tuple[str, str] | None = None,
                         form_values: dict[str, str] | None = None) -> Response:
    """Render the instance page; `action_error` (action, message) shows a rejected action's
    message at its form, which `form_values` fill as the user typed them."""
    engine = sloyfe_engine()
    user = current_user()
    with engine.transaction(read_only=True):
        instance = _instance_or_404(instance_id)
        view = instance_view(engine, instance, user.username)
        definition = engine.repository.definition(instance.definition_id)
        names = element_names(definition.bpmn_xml)
        unit_names = {unit.id: unit.name for unit in engine.organisation.units()}
        html = render_template("admin_instance.html", state=view, element_names=names,
                               kind_label=incident_kind_label,
                               action_label=audit_action_label, audit_details=audit_details,
                               unit_name=unit_names.get(instance.unit_id or 0),
                               choices=action_choices(engine, instance),
                               action_error=action_error, form_values=form_values or {})
    response = make_response(html)
    response.headers["Content-Security-Policy"] = MODELER_POLICY
    return response


@bp.route("/saker/<int:instance_id>/diagram.bpmn")
@access(ADMINISTRATOR)
def instance_diagram(instance_id: int) -> Response:
    """Serve the BPMN XML of the process version the instance runs on."""
    engine = sloyfe_engine()
    with engine.transaction(read_only=True):
        instance = _instance_or_404(instance_id)
        xml = engine.repository.definition(instance.definition_id).bpmn_xml
    return Response(xml, mimetype=BPMN_MIMETYPE)


@bp.route("/saker/<int:instance_id>/markorer.json")
@access(ADMINISTRATOR)
def instance_markers(instance_id: int) -> Response:
    """Return the element markers of the instance, with the URL of its BPMN XML."""
    engine = sloyfe_engine()
    with engine.transaction(read_only=True):
        _instance_or_404(instance_id)
        marks = instance_marks(engine, instance_id)
    return jsonify({
        "diagram_url": url_for("admin.instance_diagram", instance_id=instance_id),
        "elements": [mark.to_dict(element_id) for element_id, mark in sorted(marks.items())],
    })


@dataclass(frozen=True)
class IncidentRow:
    id: int
    instance_id: int
    process_key: str
    process_name: str
    element_id: str | None
    element_name: str | None
    kind: str
    message: str
    created_at: datetime


@bp.route("/feil")
@access(ADMINISTRATOR)
def incident_list() -> tuple[str, int]:
    """List the open incidents, newest first, filtered by process (?prosess=) and kind
    (?type=)."""
    engine = sloyfe_engine()
    key = request.args.get("prosess", "").strip() or None
    kind = request.args.get("type", "").strip() or None
    errors = []
    with engine.transaction(read_only=True):
        processes = process_keys(engine)
        kinds = sorted(engine.uow.session.scalars(
            select(Incident.kind).where(Incident.resolved_at.is_(None)).distinct()))
        if key is not None and key not in processes:
            errors.append(_("No process has the key %(value)s. Choose a process from the "
                            "list.", value=key[:40]))
        if kind is not None and kind not in kinds:
            errors.append(_("No open incident is of the kind %(value)s. Choose a kind from "
                            "the list.", value=kind[:40]))
        rows: list[IncidentRow] = []
        if not errors:
            query = (select(Incident, ProcessInstance.definition_key)
                     .join(ProcessInstance, ProcessInstance.id == Incident.instance_id)
                     .where(Incident.resolved_at.is_(None))
                     .order_by(Incident.id.desc()).limit(INCIDENT_LIMIT))
            if key is not None:
                query = query.where(ProcessInstance.definition_key == key)
            if kind is not None:
                query = query.where(Incident.kind == kind)
            names_by_definition: dict[int, dict[str, str]] = {}
            for incident, process_key in engine.uow.session.execute(query):
                instance = engine.runtime.instance(incident.instance_id)
                if instance.definition_id not in names_by_definition:
                    definition = engine.repository.definition(instance.definition_id)
                    names_by_definition[instance.definition_id] = element_names(
                        definition.bpmn_xml)
                names = names_by_definition[instance.definition_id]
                rows.append(IncidentRow(
                    incident.id, incident.instance_id, process_key,
                    processes.get(process_key, process_key), incident.element_id,
                    names.get(incident.element_id or ""), incident.kind, incident.message,
                    incident.created_at))
    return render_template("admin_incidents.html", rows=rows, errors=errors,
                           processes=processes, kinds=kinds,
                           kind_label=incident_kind_label,
                           values={"prosess": key or "", "type": kind or ""},
                           limit=INCIDENT_LIMIT), 400 if errors else 200


@dataclass(frozen=True)
class HeatRow:
    element_id: str
    name: str
    active: int
    incidents: int
    completed: int
    median_seconds: float | None
    p90_seconds: float | None


@bp.route("/prosesser/<key>/varmekart")
@access(ADMINISTRATOR)
def heatmap(key: str) -> Response:
    """Show per element of the process how many instances are there now and how long its
    user tasks took."""
    engine = sloyfe_engine()
    with engine.transaction(read_only=True):
        try:
            definition = engine.repository.latest(key)
        except DefinitionNotFound:
            abort(404)
        names = element_names(definition.bpmn_xml)
        marks = process_marks(engine, key)
        rows = sorted(
            (HeatRow(element_id, names.get(element_id, element_id), mark.active,
                     mark.incidents, mark.samples, mark.median_seconds, mark.p90_seconds)
             for element_id, mark in marks.items()),
            key=lambda row: (-row.active, row.name.casefold()))
        html = render_template("admin_heatmap.html", definition=definition, rows=rows,
                               process_name=definition.name or key,
                               duration=format_duration)
    response = make_response(html)
    response.headers["Content-Security-Policy"] = MODELER_POLICY
    return response


@bp.route("/prosesser/<key>/varmekart.json")
@access(ADMINISTRATOR)
def heatmap_markers(key: str) -> Response:
    """Return the heatmap's element markers, with the URL of the newest version's XML."""
    engine = sloyfe_engine()
    with engine.transaction(read_only=True):
        try:
            engine.repository.latest(key)
        except DefinitionNotFound:
            abort(404)
        marks = process_marks(engine, key)
    return jsonify({
        "diagram_url": url_for("admin.heatmap_diagram", key=key),
        "elements": [mark.to_dict(element_id) for element_id, mark in sorted(marks.items())],
    })


@bp.route("/prosesser/<key>/varmekart.bpmn")
@access(ADMINISTRATOR)
def heatmap_diagram(key: str) -> Response:
    engine = sloyfe_engine()
    with engine.transaction(read_only=True):
        try:
            xml = engine.repository.latest(key).bpmn_xml
        except DefinitionNotFound:
            abort(404)
    return Response(xml, mimetype=BPMN_MIMETYPE)

