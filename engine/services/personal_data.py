"""Personal data in process variables: which variables contain it, who may read their values,
and the masking of those values for everyone else.

A process lists the variables that contain personal data in its property `personalData`
(comma-separated names). Every variable of a confidential process counts as personal data.
An administrator reads the record of every case that is not confidential. The values of these
variables, though, only in a case they could read without the administrator role. That is a
case they take part in, one of a process whose reader group they belong to, or one of a unit
they lead directly or from above.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from engine.models import ProcessInstance

if TYPE_CHECKING:
    from engine.engine import ProcessEngine

PERSONAL_DATA_PROPERTY = "personalData"


def listed_variables(properties: Mapping[str, str]) -> frozenset[str]:
    """Return the variable names of a process's `personalData` property."""
    listed = properties.get(PERSONAL_DATA_PROPERTY, "")
    return frozenset(name.strip() for name in listed.split(",") if name.strip())


def personal_variables(engine: ProcessEngine, instance: ProcessInstance) -> frozenset[str]:
    """Return the personal-data variables of an instance: those its own version lists and
    those the newest version of the process lists, so a later declaration covers older
    cases too. Call inside a transaction."""
    names = set(listed_variables(engine.specs.get(instance.definition_id).facts.properties))
    newest = engine.repository.latest(instance.definition_key)
    if newest.id != instance.definition_id:
        names |= listed_variables(engine.specs.get(newest.id).facts.properties)
    return frozenset(names)


def is_personal(engine: ProcessEngine, instance: ProcessInstance, name: str) -> bool:
    """Return whether the variable `name` of the instance contains personal data."""
    if engine.visibility.is_confidential(instance.definition_key):
        return True
    return name in personal_variables(engine, instance)


def reads_personal_data(engine: ProcessEngine, instance: ProcessInstance,
                        username: str) -> bool:
    """Return whether `username` may read the personal data in the case. The administrator
    role alone does not give this right. Call inside a transaction."""
    return engine.runtime.reads_record(instance, username, administrators=False)


def hidden_variables(engine: ProcessEngine, instance: ProcessInstance, username: str,
                     variables: Mapping[str, Any]) -> frozenset[str]:
    """Return the names among `variables` whose values `username` may not see. Call inside a
    transaction."""
    if reads_personal_data(engine, instance, username):
        return frozenset()
    if engine.visibility.is_confidential(instance.definition_key):
        return frozenset(variables)
    return frozenset(variables) & personal_variables(engine, instance)
