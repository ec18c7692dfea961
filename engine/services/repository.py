"""Deploying and reading versioned process and form definitions, and process settings."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, inspect, select

from engine.errors import DefinitionInvalid, DefinitionNotFound, DefinitionProblem, FormNotFound
from engine.i18n import gettext as _
from engine.models import FormDefinition, ProcessDefinition, Setting
from engine.runtime.compiler import CompiledProcess, compile_bpmn
from engine.runtime.validation import ExpressionRejected
from engine.services import messages, start_timers
from engine.services.base import Service

log = logging.getLogger(__name__)

BPMN_SUFFIXES = (".bpmn", ".bpmn20.xml")
FORM_SUFFIX = ".form"


@dataclass
class Deployed:
    kind: str  # "process" or "form"
    key: str
    version: int
    name: str
    changed: bool

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "key": self.key, "version": self.version, "name": self.name,
                "changed": self.changed}


def _checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def read_definition_files(paths: Iterable[str | Path]) -> list[tuple[str, bytes]]:
    """Read .bpmn and .form files, expanding directories (not recursively)."""
    files: list[tuple[str, bytes]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            candidates = sorted(p for p in path.iterdir()
                                if p.name.endswith(BPMN_SUFFIXES + (FORM_SUFFIX,)))
        else:
            candidates = [path]
        for candidate in candidates:
            files.append((candidate.name, candidate.read_bytes()))
    return files


class RepositoryService(Service):
    def __init__(self, engine: Any) -> None:
        super().__init__(engine)
        self._definitions: dict[int, ProcessDefinition] = {}

    def check_expression(self, source: str, mode: str) -> None:
        from engine.runtime.sandbox import SandboxError

        try:
            self.engine.sandbox.check(source, mode)
        except SandboxError as error:
            # The sandbox describes the rule in English for developers. The user who drew the
            # diagram gets the kind of problem and the line in their own language.
            log.info("expression rejected kind=%s line=%s reason=%s", error.kind,
                     error.line, error.reason)
            if error.kind == "syntax":
                reason = (_("it is not valid Python (line %(line)s)", line=error.line)
                          if error.line else _("it is not valid Python"))
            elif error.line:
                reason = _("it breaks a sandbox rule on line %(line)s: only variables, "
                           "literals, operators and the allowed functions may be used, "
                           "without imports or names that start with an underscore",
                           line=error.line)
            else:
                reason = _("it breaks a sandbox rule: only variables, literals, operators and "
                           "the allowed functions may be used, without imports or names that "
                           "start with an underscore")
            raise ExpressionRejected(reason) from None

    # --- deploying -----------------------------------------------------------------------

    def deploy(self, files: list[tuple[str, bytes]], actor: str | None = None,
               change_note: str | None = None) -> list[Deployed]:
        """Validate every file, then store all of them or none."""
        from engine.forms.model import parse_form

        forms = [(name, content) for name, content in files if name.endswith(FORM_SUFFIX)]
        processes = [(name, content) for name, content in files if name.endswith(BPMN_SUFFIXES)]
        unknown = [name for name, _content in files
                   if not name.endswith(BPMN_SUFFIXES + (FORM_SUFFIX,))]
        problems: list[DefinitionProblem] = [
            DefinitionProblem(name, _("Only .bpmn and .form files can be deployed."))
            for name in unknown]

        with self.transaction():
            parsed_forms: dict[str, tuple[str, bytes, Any]] = {}
            for name, content in forms:
                try:
                    spec = parse_form(content, name)
                except DefinitionInvalid as invalid:
                    problems.extend(invalid.problems)
                    continue
                if spec.id in parsed_forms:
                    problems.append(DefinitionProblem(name, _(
                        "The form id %(form_id)s is also used by %(other)s. Give each form its "
                        "own id.", form_id=spec.id, other=parsed_forms[spec.id][0])))
                    continue
                parsed_forms[spec.id] = (name, content, spec)

            known_forms = set(parsed_forms) | set(self.session.scalars(
                select(FormDefinition.form_id).distinct()))
            topics = self.engine.handlers.topics()
            compiled_processes: list[tuple[str, bytes, CompiledProcess]] = []
            batch_documents = self._documents_by_process(processes)
            for name, content in processes:
                try:
                    compiled = compile_bpmn(
                        content, name, max_bytes=int(self.engine.config["MAX_DEFINITION_BYTES"]),
                        check_expression=self.check_expression,
                        load_called=lambda pid: batch_documents.get(pid) or self._deployed(pid))
                except DefinitionInvalid as invalid:
                    problems.extend(invalid.problems)
                    continue
                problems.extend(self._reference_problems(name, compiled, known_forms, topics))
                compiled_processes.append((name, content, compiled))

            keys = [c.process_id for _n, _b, c in compiled_processes]
            for key in {k for k in keys if keys.count(k) > 1}:
                problems.append(DefinitionProblem(", ".join(
                    n for n, _b, c in compiled_processes if c.process_id == key), _(
                    "Two files define the process %(key)s. Deploy one of them.", key=key)))

            if problems:
                failed = sorted({problem.file for problem in problems})
                raise DefinitionInvalid(", ".join(failed), problems)

            results: list[Deployed] = []
            form_ids: dict[str, int] = {}
            for form_id, (name, content, _spec) in parsed_forms.items():
                record, changed = self._store_form(form_id, name, content, actor)
                form_ids[form_id] = record.id
                results.append(Deployed("form", form_id, record.version, name, changed))
            for name, content, compiled in compiled_processes:
                record, changed = self._store_process(name, content, compiled, form_ids, actor,
                                                      change_note)
                results.append(Deployed("process", record.key, record.version, record.name,
                                        changed))
            return results

    def deploy_paths(self, paths: Iterable[str | Path], actor: str | None = None,
                     change_note: str | None = None) -> list[Deployed]:
        return self.deploy(read_definition_files(paths), actor=actor, change_note=change_note)

    def _documents_by_process(self, files: list[tuple[str, bytes]]
                              ) -> dict[str, tuple[bytes, str]]:
        """Map each process id defined in the batch to its file, for call activities."""
        from engine.runtime.xml import parse_xml

        documents: dict[str, tuple[bytes, str]] = {}
        for name, content in files:
            try:
                root = parse_xml(content, name, int(self.engine.config["MAX_DEFINITION_BYTES"]))
            except DefinitionInvalid:
                continue
            for process_id in root.xpath(".//*[local-name()='process']/@id"):
                documents.setdefault(str(process_id), (content, name))
        return documents

    def _deployed(self, process_id: str) -> tuple[str, str] | None:
        record = self.session.scalar(select(ProcessDefinition).where(
            ProcessDefinition.key == process_id, ProcessDefinition.active.is_(True))
            .order_by(ProcessDefinition.version.desc()).limit(1))
        return (record.bpmn_xml, record.file_name) if record is not None else None

    def _latest_versions_query(self) -> Any:
        newest = (select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("v"))
                  .where(ProcessDefinition.active.is_(True))
                  .group_by(ProcessDefinition.key).subquery())
        return select(ProcessDefinition).join(
            newest, (ProcessDefinition.key == newest.c.key)
            & (ProcessDefinition.version == newest.c.v))

    def _reference_problems(self, file_name: str, compiled: CompiledProcess,
                            known_forms: set[str], topics: set[str]) -> list[DefinitionProblem]:
        problems = []
        for form_id, element_id in compiled.facts.form_refs.items():
            if form_id not in known_forms:
                problems.append(self._element_problem(file_name, compiled, element_id, _(
                    "camunda:formRef names the form %(form_id)s, which is neither in this "
                    "deployment nor deployed before. Deploy the .form file together with the "
                    "diagram.", form_id=form_id)))
        for topic_name, element_id in compiled.facts.topics.items():
            if topic_name not in topics:
                problems.append(self._element_problem(file_name, compiled, element_id, _(
                    "No handler is registered for the topic %(topic)s. Known topics: "
                    "%(known)s.", topic=topic_name, known=", ".join(sorted(topics)) or "-")))
        return problems

    def _element_problem(self, file_name: str, compiled: CompiledProcess, element_id: str,
                         text: str) -> DefinitionProblem:
        matches = compiled.root.xpath(".//*[@id=$id]", id=element_id)
        line = matches[0].sourceline if matches else None
        return DefinitionProblem(file_name, text, line=line, element_id=element_id)

    def _store_form(self, form_id: str, name: str, content: bytes,
                    actor: str | None) -> tuple[FormDefinition, bool]:
        checksum = _checksum(content)
        latest = self.session.scalar(select(FormDefinition).where(
            FormDefinition.form_id == form_id).order_by(FormDefinition.version.desc()).limit(1))
        if latest is not None and latest.checksum == checksum:
            return latest, False
        record = FormDefinition(
            form_id=form_id, version=(latest.version + 1) if latest else 1, file_name=name,
            schema=json.loads(content), source=content.decode("utf-8"), checksum=checksum,
            deployed_by=actor,
            deployed_at=self.engine.clock.now())
        self.session.add(record)
        self.session.flush()
        self.audit("form_deployed", actor, form_id=form_id, version=record.version)
        return record, True

    def _store_process(self, name: str, content: bytes, compiled: CompiledProcess,
                       new_form_ids: dict[str, int], actor: str | None,
                       change_note: str | None) -> tuple[ProcessDefinition, bool]:
        form_versions = {}
        for form_id in compiled.facts.form_refs:
            form_versions[form_id] = new_form_ids.get(form_id) or self.latest_form(form_id).id

        checksum = _checksum(content)
        latest = self.session.scalar(select(ProcessDefinition).where(
            ProcessDefinition.key == compiled.process_id)
            .order_by(ProcessDefinition.version.desc()).limit(1))
        if latest is not None and latest.checksum == checksum and \
                latest.form_versions == form_versions and latest.active:
            return latest, False
        record = ProcessDefinition(
            key=compiled.process_id, version=(latest.version + 1) if latest else 1,
            name=compiled.name[:200], file_name=name, bpmn_xml=content.decode("utf-8"),
            checksum=checksum, start_form_ref=compiled.facts.start_form_ref,
            form_versions=form_versions, deployed_by=actor, deployed_at=self.engine.clock.now(),
            change_note=change_note, active=True, confidential=compiled.facts.confidential,
            reader_groups=compiled.facts.reader_groups)
        self.session.add(record)
        self.session.flush()
        self.engine.specs.put(record.id, compiled)
        self.engine.visibility.forget()
        start_timers.schedule(self.engine, record, compiled)
        messages.subscribe_starts(self.engine, record, compiled)
        self.audit("process_deployed", actor, key=record.key, version=record.version)
        log.info("process deployed key=%s version=%s", record.key, record.version)
        return record, True

    # --- reading -------------------------------------------------------------------------

    def latest(self, key: str) -> ProcessDefinition:
        record = self.session.scalar(select(ProcessDefinition).where(
            ProcessDefinition.key == key, ProcessDefinition.active.is_(True))
            .order_by(ProcessDefinition.version.desc()).limit(1))
        if record is None:
            raise DefinitionNotFound(key)
        return record

    def cached_definition(self, definition_id: int) -> ProcessDefinition:
        """A definition row kept across transactions: versions never change once deployed,
        so commands need not read it again. Only its `active` flag may be stale."""
        cached = self._definitions.get(definition_id)
        if cached is None:
            record = self.definition(definition_id)
            # A copy outside every session, so no transaction's object is detached or shared.
            cached = ProcessDefinition(**{column.key: getattr(record, column.key)
                                          for column in inspect(ProcessDefinition).column_attrs})
            self._definitions[definition_id] = cached
        return cached

    def definition(self, definition_id: int) -> ProcessDefinition:
        record = self.session.get(ProcessDefinition, definition_id)
        if record is None:
            raise DefinitionNotFound(str(definition_id))
        return record

    def definitions(self) -> list[ProcessDefinition]:
        return list(self.session.scalars(self._latest_versions_query()
                                         .order_by(ProcessDefinition.name)))

    def latest_form(self, form_id: str) -> FormDefinition:
        record = self.session.scalar(select(FormDefinition).where(
            FormDefinition.form_id == form_id).order_by(FormDefinition.version.desc()).limit(1))
        if record is None:
            raise FormNotFound(form_id)
        return record

    def form_for(self, definition: ProcessDefinition, form_id: str) -> FormDefinition:
        """The form version pinned to a process version, so old instances keep their form."""
        pinned = (definition.form_versions or {}).get(form_id)
        if pinned:
            record = self.session.get(FormDefinition, pinned)
            if record is not None:
                return record
        return self.latest_form(form_id)

    def compile_stored(self, definition_id: int) -> CompiledProcess:
        """Parse a stored definition again (it was valid when deployed)."""
        with self.transaction(read_only=True):
            record = self.session.get(ProcessDefinition, definition_id)
            if record is None:
                raise DefinitionNotFound(str(definition_id))
            return compile_bpmn(record.bpmn_xml, record.file_name,
                                max_bytes=max(int(self.engine.config["MAX_DEFINITION_BYTES"]),
                                              len(record.bpmn_xml.encode("utf-8"))),
                                check_expression=lambda source, mode: None,
                                load_called=self._deployed)

    # --- settings ------------------------------------------------------------------------

    def setting(self, key: str, default: Any = None) -> Any:
        record = self.session.get(Setting, key)
        return record.value if record is not None else default

    def set_setting(self, key: str, value: Any, actor: str | None = None) -> None:
        with self.transaction():
            record = self.session.get(Setting, key)
            if record is None:
                record = Setting(key=key)
                self.session.add(record)
            record.value = value
            record.updated_at = self.engine.clock.now()
            record.updated_by = actor
            self.audit("setting_changed", actor, key=key)
