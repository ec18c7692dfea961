"""Drafts of processes and forms, validation without deploying, version history and diffs.

Process owners edit a diagram and its forms in the browser, save the work as drafts, check it
and deploy it as a new version. Administrators may always edit a process, and so may members
of a group that the process property ownerGroups names. A process that names no owner groups,
or has never been deployed, is open to users with the role prosesseier.
"""

from __future__ import annotations

import ast
import logging
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from sqlalchemy import func, select

from engine.errors import (
    DefinitionInvalid,
    DefinitionNotFound,
    DefinitionProblem,
    EngineError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from engine.i18n import N_
from engine.i18n import gettext as _
from engine.models import (
    FormDefinition,
    Group,
    ProcessDefinition,
    ProcessDraft,
    ProcessInstance,
    RoleAssignment,
    Unit,
)
from engine.runtime import expressions
from engine.runtime.bpmn_schema import schema_problems
from engine.runtime.compiler import compile_bpmn
from engine.runtime.parser import CAMUNDA, element_properties, lane_candidate_groups
from engine.runtime.validation import BPMN_NS, B, check_document
from engine.runtime.xml import parse_xml
from engine.services.base import Service
from engine.services.diagram_diff import diff_diagrams
from engine.services.form_files import form_bytes, form_schema
from engine.services.repository import BPMN_SUFFIXES, FORM_SUFFIX

log = logging.getLogger(__name__)

ADMINISTRATOR_ROLE = "administrator"
PROCESS_OWNER_ROLE = "prosesseier"
DRAFT_FILE = "utkast.bpmn"
MAX_LABEL = 200


class DraftNotFound(NotFound):
    code = "draft_not_found"
    message = N_("No draft with id %(draft_id)s exists. It may have been deleted; open the "
                 "list of drafts of the process.")

    def __init__(self, draft_id: Any) -> None:
        super().__init__(draft_id=draft_id)


class NotProcessOwner(PermissionDenied):
    code = "not_process_owner"
    message = N_("You may not change the process %(key)s. Its owners are the groups "
                 "%(owners)s; ask one of them or an administrator.")

    def __init__(self, key: str, owners: str) -> None:
        super().__init__(key=key, owners=owners)


class NewProcessNotAllowed(PermissionDenied):
    code = "new_process_not_allowed"
    message = N_("Only process owners (the role prosesseier) and administrators may draw new "
                 "processes. Ask an administrator for the role.")


class NotDraftEditor(PermissionDenied):
    code = "not_draft_editor"
    message = N_("Only the author of the draft (%(author)s) or an owner of the process may "
                 "change or delete it.")

    def __init__(self, author: str) -> None:
        super().__init__(author=author)


class ChangeNoteMissing(InvalidInput):
    code = "change_note_missing"
    message = N_("Write a change note: say in a sentence what the new version changes, so "
                 "others can follow the history of the process.")

    def __init__(self) -> None:
        EngineError.__init__(self)


class VersionNotFound(NotFound):
    code = "version_not_found"
    message = N_("The process %(key)s has no version %(version)s. Open the version history "
                 "to see which versions exist.")

    def __init__(self, key: str, version: int) -> None:
        super().__init__(key=key, version=version)


@dataclass
class Finding:
    """One result of validating a draft: an error blocks deploying, a warning does not."""

    kind: str
    message: str
    element_id: str | None = None
    line: int | None = None
    file: str = DRAFT_FILE

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "element_id": self.element_id,
                "line": self.line, "file": self.file}


@dataclass
class ValidationReport:
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    process_key: str | None = None

    @property
    def valid(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "process_key": self.process_key,
                "errors": [item.to_dict() for item in self.errors],
                "warnings": [item.to_dict() for item in self.warnings]}

    def problems(self) -> list[DefinitionProblem]:
        return [DefinitionProblem(item.file, item.message, line=item.line,
                                  element_id=item.element_id) for item in self.errors]


def _problem_finding(kind: str, problem: DefinitionProblem) -> Finding:
    return Finding(kind, problem.text, problem.element_id, problem.line, problem.file)


def field_keys(schema: Any) -> set[str]:
    """Return the top-level variable names a form-js schema writes: the first part of every key and
    group path."""
    names: set[str] = set()
    stack = [schema]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for attribute in ("key", "path"):
                value = item.get(attribute)
                if isinstance(value, str) and value and item.get("type") != "default":
                    names.add(value.split(".")[0])
            stack.extend(value for value in item.values() if isinstance(value, (dict, list)))
        elif isinstance(item, list):
            stack.extend(item)
    return names


def _read_names(source: str) -> list[str]:
    """Variable names an expression reads, in order, without the ones it binds itself."""
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        return []
    bound = {node.id for node in ast.walk(tree)
             if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    bound |= {arg.arg for node in ast.walk(tree) if isinstance(node, ast.Lambda)
              for arg in node.args.args}
    names = [node.id for node in ast.walk(tree)
             if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)]
    return list(dict.fromkeys(name for name in names if name not in bound))


def _assigned_names(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.id for node in ast.walk(tree)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}


class DraftService(Service):
    # --- who may edit ------------------------------------------------------------------------

    def newest_definition(self, key: str) -> ProcessDefinition | None:
        return self.session.scalar(select(ProcessDefinition).where(
            ProcessDefinition.key == key).order_by(ProcessDefinition.version.desc()).limit(1))

    def owner_groups(self, key: str) -> list[str]:
        """The groups the newest deployed version names in ownerGroups (empty if none)."""
        record = self.newest_definition(key)
        if record is None:
            return []
        compiled = self.engine.specs.get(record.id)
        return list(compiled.facts.owner_groups)

    def may_edit(self, username: str | None, key: str | None) -> bool:
        """Return whether the user may change the process `key` (None: draw a new process)."""
        if username is None:
            return False
        with self.transaction(read_only=True):
            profile = self.engine.organisation.profile(username)
            if profile is None or not profile.active:
                return False
            if ADMINISTRATOR_ROLE in profile.roles:
                return True
            owners = self.owner_groups(key) if key else []
            if owners:
                return bool(set(owners) & profile.group_keys)
            return PROCESS_OWNER_ROLE in profile.roles

    def require_edit(self, username: str, key: str | None) -> None:
        if self.may_edit(username, key):
            return
        if key is None or self.newest_definition(key) is None:
            raise NewProcessNotAllowed()
        owners = self.owner_groups(key)
        described = ", ".join(self.engine.organisation.describe_group(group) for group in owners)
        raise NotProcessOwner(key, described or PROCESS_OWNER_ROLE)

    def require_edit_files(self, username: str, files: list[tuple[str, bytes]]) -> None:
        """Raise unless the user may change every process the uploaded BPMN files define.
        A file that cannot be read is left to the deploy, which reports it."""
        with self.transaction(read_only=True):
            for name, content in files:
                if not name.endswith(BPMN_SUFFIXES):
                    continue
                key, _name = self._diagram_key(content.decode("utf-8", errors="replace"))
                if key is not None:
                    self.require_edit(username, key)

    # --- drafts ------------------------------------------------------------------------------

    def save(self, actor: str, bpmn_xml: str, forms: dict[str, Any] | None = None, *,
             label: str | None = None, draft_id: int | None = None,
             process_key: str | None = None) -> ProcessDraft:
        """Create a draft, or update draft `draft_id`. A draft is saved even when it does not
        validate yet; the process key comes from the diagram when it can be read."""
        limit = int(self.engine.config["MAX_DEFINITION_BYTES"])
        if len(bpmn_xml.encode("utf-8")) > limit:
            raise InvalidInput(_("the diagram is larger than %(limit)s bytes, the most a "
                                 "process may be", limit=limit))
        forms = dict(forms or {})
        key, name = self._diagram_key(bpmn_xml)
        key = key or process_key
        now = self.engine.clock.now()
        with self.transaction():
            if draft_id is None:
                self.require_edit(actor, key)
                newest = self.newest_definition(key) if key else None
                draft = ProcessDraft(process_key=key, author=actor, created_at=now,
                                     base_version=newest.version if newest else None)
                self.session.add(draft)
            else:
                draft = self._draft(draft_id)
                self._require_draft_editor(actor, draft)
                if key != draft.process_key:
                    self.require_edit(actor, key)
                draft.process_key = key
            draft.label = (label or draft.label or name or key or _("New process")).strip()[
                :MAX_LABEL]
            draft.bpmn_xml = bpmn_xml
            draft.forms = forms
            draft.updated_at = now
            draft.updated_by = actor
            self.session.flush()
            self.audit("draft_saved", actor, draft_id=draft.id, key=key)
            return draft

    def drafts(self, actor: str, key: str | None) -> list[ProcessDraft]:
        """Return the drafts of a process (None: of new processes), newest first, for a user who
        may edit the process."""
        with self.transaction(read_only=True):
            self.require_edit(actor, key)
            query = select(ProcessDraft).order_by(ProcessDraft.updated_at.desc(),
                                                  ProcessDraft.id.desc())
            query = query.where(ProcessDraft.process_key.is_(None) if key is None
                                else ProcessDraft.process_key == key)
            return list(self.session.scalars(query))

    def get(self, actor: str, draft_id: int) -> ProcessDraft:
        with self.transaction(read_only=True):
            draft = self._draft(draft_id)
            if draft.author != actor:
                self.require_edit(actor, draft.process_key)
            return draft

    def delete(self, actor: str, draft_id: int) -> None:
        with self.transaction():
            draft = self._draft(draft_id)
            self._require_draft_editor(actor, draft)
            self.session.delete(draft)
            self.audit("draft_deleted", actor, draft_id=draft_id, key=draft.process_key)

    def deploy(self, actor: str, draft_id: int, change_note: str | None) -> ProcessDraft:
        """Validate the draft and deploy it as a new version of its process and forms.

        The draft is kept and records the version it became."""
        note = (change_note or "").strip()
        if not note:
            raise ChangeNoteMissing()
        with self.transaction():
            draft = self._draft(draft_id)
            self.require_edit(actor, draft.process_key)
            report = self.validate(draft.bpmn_xml, draft.forms)
            if report.errors:
                raise DefinitionInvalid(DRAFT_FILE, report.problems())
            key = report.process_key
            assert key is not None
            self.require_edit(actor, key)
            newest = self.newest_definition(key)
            file_name = newest.file_name if newest is not None else f"{key}.bpmn"
            files = [(f"{form_id}{FORM_SUFFIX}", form_bytes(value))
                     for form_id, value in sorted(draft.forms.items())]
            files.append((file_name, draft.bpmn_xml.encode("utf-8")))
            results = self.engine.repository.deploy(files, actor=actor, change_note=note)
            process = next(result for result in results if result.kind == "process")
            draft.process_key = key
            draft.deployed_version = process.version
            draft.deployed_at = self.engine.clock.now()
            self.audit("draft_deployed", actor, draft_id=draft.id, key=key,
                       version=process.version)
            return draft

    def _draft(self, draft_id: int) -> ProcessDraft:
        draft = self.session.get(ProcessDraft, draft_id)
        if draft is None:
            raise DraftNotFound(draft_id)
        return draft

    def _require_draft_editor(self, actor: str, draft: ProcessDraft) -> None:
        if draft.author == actor or self.may_edit(actor, draft.process_key):
            return
        raise NotDraftEditor(draft.author)

    def _diagram_key(self, bpmn_xml: str) -> tuple[str | None, str | None]:
        """Return the id and name of the first executable process, or None when unreadable."""
        try:
            root = parse_xml(bpmn_xml, DRAFT_FILE, int(self.engine.config["MAX_DEFINITION_BYTES"]))
        except DefinitionInvalid:
            return None, None
        for process in root.findall(B + "process"):
            if process.get("isExecutable", "true") == "true" and process.get("id"):
                return process.get("id"), (process.get("name") or "").strip() or None
        return None, None

    # --- validation --------------------------------------------------------------------------

    def validate(self, bpmn_xml: str | bytes, forms: dict[str, Any] | None = None
                 ) -> ValidationReport:
        """Check a diagram and its forms as a deploy would, plus checks that only warn.

        Nothing is stored."""
        from engine.forms.model import parse_form

        report = ValidationReport()
        forms = dict(forms or {})
        limit = int(self.engine.config["MAX_DEFINITION_BYTES"])
        with self.transaction(read_only=True):
            for form_id, value in forms.items():
                try:
                    spec = parse_form(value if isinstance(value, dict) else str(value),
                                      f"{form_id}{FORM_SUFFIX}")
                except DefinitionInvalid as invalid:
                    report.errors.extend(_problem_finding("form", p) for p in invalid.problems)
                    continue
                if spec.id != form_id:
                    report.errors.append(Finding("form", _(
                        "The form is saved as %(form_id)s but its id is %(other)s. Give the "
                        "form the same id as its name in the draft.", form_id=form_id,
                        other=spec.id), file=f"{form_id}{FORM_SUFFIX}"))
            try:
                root = parse_xml(bpmn_xml, DRAFT_FILE, limit)
            except DefinitionInvalid as invalid:
                report.errors.extend(_problem_finding("xml", p) for p in invalid.problems)
                return report
            report.warnings.extend(Finding("schema", problem.message, problem.element_id,
                                           problem.line) for problem in schema_problems(root))
            problems, facts = check_document(root, DRAFT_FILE,
                                             self.engine.repository.check_expression)
            report.process_key = facts.process_id
            report.errors.extend(_problem_finding("model", p) for p in problems)
            if not problems:
                try:
                    compile_bpmn(bpmn_xml, DRAFT_FILE, max_bytes=limit,
                                 check_expression=lambda source, mode: None,
                                 load_called=self.engine.repository._deployed)
                except DefinitionInvalid as invalid:
                    report.errors.extend(_problem_finding("model", p) for p in invalid.problems)
            if facts.process_id is None:
                return report
            checker = _ExtraChecks(self, root, forms, report)
            checker.run(facts.topics)
        return report

    # --- versions ----------------------------------------------------------------------------

    def versions(self, key: str) -> list[dict[str, Any]]:
        """Every deployed version of a process, newest first, with its running cases."""
        with self.transaction(read_only=True):
            rows = list(self.session.scalars(select(ProcessDefinition).where(
                ProcessDefinition.key == key).order_by(ProcessDefinition.version.desc())))
            if not rows:
                raise DefinitionNotFound(key)
            running = {definition_id: count for definition_id, count in self.session.execute(
                select(ProcessInstance.definition_id, func.count())
                .where(ProcessInstance.definition_key == key,
                       ProcessInstance.status == "running")
                .group_by(ProcessInstance.definition_id))}
            names = self.engine.organisation.display_names(
                row.deployed_by for row in rows if row.deployed_by)
            return [{"version": row.version, "name": row.name, "deployed_by": row.deployed_by,
                     "deployed_by_name": names.get(row.deployed_by or "", row.deployed_by),
                     "deployed_at": row.deployed_at, "change_note": row.change_note,
                     "active": row.active, "running_instances": running.get(row.id, 0)}
                    for row in rows]

    def version(self, key: str, version: int) -> ProcessDefinition:
        with self.transaction(read_only=True):
            record = self.session.scalar(select(ProcessDefinition).where(
                ProcessDefinition.key == key, ProcessDefinition.version == version))
            if record is None:
                if self.newest_definition(key) is None:
                    raise DefinitionNotFound(key)
                raise VersionNotFound(key, version)
            return record

    def diff(self, key: str, old: int, new: int) -> dict[str, Any]:
        """Compare two versions: the elements added, removed and changed, by element id."""
        before = self.version(key, old).bpmn_xml
        after = self.version(key, new).bpmn_xml
        return {"key": key, "from_version": old, "to_version": new,
                **diff_diagrams(before, after)}

    # --- pickers -----------------------------------------------------------------------------

    def form_summaries(self) -> list[dict[str, Any]]:
        """The newest version of every deployed form, for the modeler's form picker."""
        with self.transaction(read_only=True):
            newest = (select(FormDefinition.form_id, func.max(FormDefinition.version).label("v"))
                      .group_by(FormDefinition.form_id).subquery())
            rows = self.session.scalars(select(FormDefinition).join(
                newest, (FormDefinition.form_id == newest.c.form_id)
                & (FormDefinition.version == newest.c.v)).order_by(FormDefinition.form_id))
            return [{"id": row.form_id, "version": row.version,
                     "fields": sorted(field_keys(row.schema)), "deployed_at": row.deployed_at}
                    for row in rows]

    def group_summaries(self) -> list[dict[str, Any]]:
        """List every group, for the modeler's pickers of candidate, reader and owner groups."""
        with self.transaction(read_only=True):
            rows = self.session.execute(select(Group.key, Group.name, Unit.code)
                                        .outerjoin(Unit, Unit.id == Group.unit_id)
                                        .order_by(Group.key))
            return [{"key": key, "name": name, "unit": unit} for key, name, unit in rows]


class _ExtraChecks:
    """The checks a deploy does not make: references against drafts, form keys, and the
    variables conditions read."""

    def __init__(self, service: DraftService, root: etree._Element, forms: dict[str, Any],
                 report: ValidationReport) -> None:
        self.service = service
        self.root = root
        self.forms = {form_id: form_schema(value) or {} for form_id, value in forms.items()}
        self.report = report
        self.session = service.session

    def error(self, kind: str, node: etree._Element, text: str) -> None:
        self.report.errors.append(Finding(kind, text, node.get("id"), node.sourceline))

    def warning(self, kind: str, node: etree._Element, text: str) -> None:
        self.report.warnings.append(Finding(kind, text, node.get("id"), node.sourceline))

    def run(self, topics: dict[str, str]) -> None:
        deployed = set(self.session.scalars(select(FormDefinition.form_id).distinct()))
        known_forms = deployed | set(self.forms)
        used_forms = self._check_form_references(known_forms)
        self._check_topics(topics)
        self._check_candidate_groups()
        self._check_condition_fields(used_forms)

    def _nodes(self, attribute: str) -> list[etree._Element]:
        return [node for node in self.root.iter()
                if isinstance(node.tag, str) and node.get(CAMUNDA + attribute)]

    def _check_form_references(self, known_forms: set[str]) -> set[str]:
        used: set[str] = set()
        for node in self._nodes("formRef"):
            form_id = (node.get(CAMUNDA + "formRef") or "").strip()
            used.add(form_id)
            if form_id not in known_forms:
                self.error("reference", node, _(
                    "The form %(form_id)s does not exist: it is neither deployed nor among "
                    "the forms of this draft. Pick an existing form or add it to the draft.",
                    form_id=form_id))
        for node in self._nodes("formKey"):
            form_key = (node.get(CAMUNDA + "formKey") or "").strip()
            if form_key in known_forms:
                text = _("Sløyfe opens forms named by the form reference (camunda:formRef), "
                         "not the form key. Move %(form_id)s from Form key to Form "
                         "reference.", form_id=form_key)
                used.add(form_key)
            else:
                text = _("The form key %(form_key)s names no form here, and Sløyfe does not "
                         "read form keys. Use a form reference (camunda:formRef) to an "
                         "existing form.", form_key=form_key)
            self.warning("reference", node, text)
        return used

    def _check_topics(self, topics: dict[str, str]) -> None:
        known = self.service.engine.handlers.topics()
        for topic_name, element_id in topics.items():
            if topic_name in known:
                continue
            node = self._by_id(element_id)
            if node is not None:
                self.error("reference", node, _(
                    "No handler has the topic %(topic)s. Pick one of the topics the "
                    "installation knows: %(known)s.", topic=topic_name,
                    known=", ".join(sorted(known)) or "-"))

    def _check_candidate_groups(self) -> None:
        """Warn about user tasks whose fixed candidate groups, given directly or by their
        lane, name no group or role. Scoped keys (leder@enhet) and expressions are not
        checked, because their group is known only when the case runs."""
        lane_groups = lane_candidate_groups(self.root)
        known = set(self.session.scalars(select(Group.key))) | set(self.session.scalars(
            select(RoleAssignment.role).distinct()))
        for node in self.root.iter(B + "userTask"):
            node_id = str(node.get("id") or "")
            direct = (node.get(CAMUNDA + "candidateGroups") or "").strip()
            value = direct or ("" if node.get(CAMUNDA + "assignee") or
                               node.get(CAMUNDA + "candidateUsers")
                               else lane_groups.get(node_id, ""))
            if not value or "${" in value:
                continue
            for group in (part.strip() for part in value.split(",")):
                if group and "@" not in group and group not in known:
                    self.warning("assignment", node, _(
                        "No group or role has the key %(group)s, so nobody can take the task "
                        "yet. Pick an existing group, or create the group before the first "
                        "case reaches the task.", group=group))

    def _by_id(self, element_id: str) -> etree._Element | None:
        matches = self.root.xpath(".//*[@id=$id]", id=element_id)
        return matches[0] if matches else None

    def _known_variables(self, used_forms: set[str]) -> set[str]:
        from engine.runtime.sandbox_builtins import build_builtins

        names = set(build_builtins())
        for form_id in used_forms:
            if form_id in self.forms:
                names |= field_keys(self.forms[form_id])
                continue
            record = self.session.scalar(select(FormDefinition).where(
                FormDefinition.form_id == form_id).order_by(FormDefinition.version.desc())
                .limit(1))
            if record is not None:
                names |= field_keys(record.schema)
        for node in self.root.iter():
            if not isinstance(node.tag, str):
                continue
            for attribute in ("initiator", "elementVariable", "collection", "resultVariable"):
                value = (node.get(CAMUNDA + attribute) or "").strip()
                if value and "${" not in value:
                    names.add(value)
            if node.tag == CAMUNDA + "outputParameter" and node.get("name"):
                names.add(str(node.get("name")))
            if node.tag == B + "script" and node.text:
                names |= _assigned_names(node.text)
        for value in element_properties(self._main_process()).values():
            names.update(part.strip() for part in value.split(",") if part.strip().isidentifier())
        # NOTE: a handler's outputs count wherever its task sits in the process, also after
        # the condition that reads them.
        handlers = self.service.engine.handlers
        for node in self._nodes("topic"):
            names |= handlers.outputs(str(node.get(CAMUNDA + "topic")).strip())
        return names

    def _main_process(self) -> etree._Element:
        return self.root.xpath(".//bpmn:process", namespaces={"bpmn": BPMN_NS})[0]

    def _check_condition_fields(self, used_forms: set[str]) -> None:
        known = self._known_variables(used_forms)
        has_handlers = bool(self._nodes("topic"))
        warned: set[str] = set()
        for flow in self.root.iter(B + "sequenceFlow"):
            condition = flow.find(B + "conditionExpression")
            if condition is None or not (condition.text or "").strip():
                continue
            source = expressions.python_source(condition.text.strip())
            for name in _read_names(source):
                # One warning per variable: the first condition that reads it.
                if name in known or name in warned:
                    continue
                warned.add(name)
                if has_handlers:
                    text = _("The condition reads %(name)s, which no form of the process "
                             "asks for. If a handler sets it, all is well; otherwise check "
                             "the spelling against the form fields.", name=name)
                else:
                    text = _("The condition reads %(name)s, which no form of the process "
                             "asks for and no script sets. Check the spelling against the "
                             "form fields.", name=name)
                self.warning("condition_field", flow, text)
