"""Who may read the cases of a process, beyond the people who take part in them.

Two process properties decide it (camunda:properties on the process element):

- `confidential` = true: only the people who take part (the starter, assignees, completers
  and candidates of its tasks) and the reader groups may read a case. Unit leaders above them
  and administrators may not.
- `readerGroups` = a comma-separated list of group keys whose members may read every case of
  the process, confidential or not (HR for employee conversations, the quality adviser for
  deviations).

The newest deployed version of a process decides for all its cases, so marking a process
confidential also protects the cases that began on an earlier version.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, select, true

from engine.models import ProcessDefinition
from engine.services.base import Service


@dataclass(frozen=True)
class ReadingRules:
    """The confidential process keys and the reader groups of each key."""

    confidential: frozenset[str] = frozenset()
    readers: dict[str, frozenset[str]] = field(default_factory=dict)

    def is_confidential(self, key: str) -> bool:
        return key in self.confidential

    def readable_keys(self, group_keys: Iterable[str]) -> frozenset[str]:
        """Return the process keys whose every case a member of `group_keys` may read."""
        groups = set(group_keys)
        return frozenset(key for key, readers in self.readers.items() if readers & groups)


class VisibilityService(Service):
    def __init__(self, engine: Any) -> None:
        super().__init__(engine)
        self._rules: tuple[float, ReadingRules] | None = None

    def rules(self) -> ReadingRules:
        """The reading rules of the newest version of every process, remembered for as long
        as user profiles are (ORGANISATION_CACHE_SECONDS); a deploy in this process is seen at
        once."""
        now = time.monotonic()
        if self._rules is not None and self._rules[0] > now:
            return self._rules[1]
        newest = select(func.max(ProcessDefinition.id)).group_by(ProcessDefinition.key)
        rows = self.session.execute(
            select(ProcessDefinition.key, ProcessDefinition.confidential,
                   ProcessDefinition.reader_groups)
            .where(ProcessDefinition.id.in_(newest)))
        confidential: set[str] = set()
        readers: dict[str, frozenset[str]] = {}
        for key, is_confidential, groups in rows:
            if is_confidential:
                confidential.add(key)
            if groups:
                readers[key] = frozenset(groups)
        rules = ReadingRules(frozenset(confidential), readers)
        ttl = float(self.engine.config.get("ORGANISATION_CACHE_SECONDS", 5))
        if ttl > 0:
            self._rules = (now + ttl, rules)
        return rules

    def forget(self) -> None:
        """Drop the remembered rules after a deploy."""
        self._rules = None

    def is_confidential(self, key: str) -> bool:
        return self.rules().is_confidential(key)

    def reads_every_case(self, username: str, key: str) -> bool:
        """Return whether `username` is in a reader group of the process `key`."""
        readers = self.rules().readers.get(key)
        if not readers:
            return False
        return bool(readers & self.engine.organisation.group_keys(username))

    def open_to_roles(self, key_column: Any) -> ColumnElement[bool]:
        """Build a WHERE clause that is true for rows of processes that are not confidential, whose
        cases unit leaders and administrators may read."""
        confidential = self.rules().confidential
        if not confidential:
            return true()
        return key_column.notin_(sorted(confidential))

    def read_by_groups(self, key_column: Any, group_keys: Iterable[str]) -> ColumnElement[bool]:
        """Build a WHERE clause that is true for the processes a member of `group_keys` reads."""
        return key_column.in_(sorted(self.rules().readable_keys(group_keys)))
