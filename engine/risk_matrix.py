"""The risk matrix of a risk review (risikovurdering): scales, risk levels and acceptance.

The setting `risikovurdering.matrise` describes the matrix, so each municipality uses its own:

    {"sannsynlighet": ["Svært lite sannsynlig", ...],   # labels of likelihood 1..n
     "konsekvens": ["Ubetydelig", ...],                 # labels of consequence 1..m
     "nivaaer": [{"navn": "Lav", "farge": "gronn"}, ...],  # risk levels, lowest first
     "celler": [["Lav", ...], ...],   # n rows (likelihood 1..n) of m level names
     "akseptgrense": "Middels"}       # the highest level that is acceptable

The lengths of the two scales give the size of the matrix. DEFAULT_MATRIX applies to every key
the setting leaves out. A review copies the matrix into its variable `matrise` when a round
starts, so a later change of the setting does not move the events of an approved review.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.i18n import gettext as _

SETTING = "risikovurdering.matrise"
COLOURS = ("gronn", "gul", "oransje", "rod")

DEFAULT_MATRIX: dict[str, Any] = {
    "sannsynlighet": ["Svært lite sannsynlig", "Lite sannsynlig", "Mulig", "Sannsynlig",
                      "Svært sannsynlig"],
    "konsekvens": ["Ubetydelig", "Liten", "Moderat", "Alvorlig", "Svært alvorlig"],
    "nivaaer": [{"navn": "Lav", "farge": "gronn"}, {"navn": "Middels", "farge": "gul"},
                {"navn": "Høy", "farge": "rod"}],
    # Row i is likelihood i + 1, column j consequence j + 1. A product of likelihood and
    # consequence up to 4 is low and from 10 high, as in the usual 5 x 5 municipal matrix.
    "celler": [
        ["Lav", "Lav", "Lav", "Lav", "Middels"],
        ["Lav", "Lav", "Middels", "Middels", "Høy"],
        ["Lav", "Middels", "Middels", "Høy", "Høy"],
        ["Lav", "Middels", "Høy", "Høy", "Høy"],
        ["Middels", "Høy", "Høy", "Høy", "Høy"],
    ],
    # Middle risk is acceptable once measures have been considered; high risk is not.
    "akseptgrense": "Middels",
}


class InvalidMatrix(ValueError):
    """The matrix setting cannot be used; the message names the key to correct."""


@dataclass(frozen=True)
class Level:
    name: str
    colour: str
    acceptable: bool


@dataclass(frozen=True)
class RiskMatrix:
    likelihood_labels: tuple[str, ...]
    consequence_labels: tuple[str, ...]
    levels: tuple[Level, ...]
    cells: tuple[tuple[str, ...], ...]

    @property
    def likelihood_size(self) -> int:
        return len(self.likelihood_labels)

    @property
    def consequence_size(self) -> int:
        return len(self.consequence_labels)

    def level(self, likelihood: int, consequence: int) -> Level:
        """Return the level of a cell; both values count from 1."""
        if not 1 <= likelihood <= self.likelihood_size:
            raise ValueError(f"likelihood {likelihood} is outside 1..{self.likelihood_size}")
        if not 1 <= consequence <= self.consequence_size:
            raise ValueError(f"consequence {consequence} is outside 1..{self.consequence_size}")
        name = self.cells[likelihood - 1][consequence - 1]
        return next(level for level in self.levels if level.name == name)

    def to_variable(self) -> dict[str, Any]:
        """Return the matrix as the process variable `matrise` stores it."""
        limit = [level.name for level in self.levels if level.acceptable]
        return {"sannsynlighet": list(self.likelihood_labels),
                "konsekvens": list(self.consequence_labels),
                "nivaaer": [{"navn": level.name, "farge": level.colour}
                            for level in self.levels],
                "celler": [list(row) for row in self.cells],
                "akseptgrense": limit[-1] if limit else None}


def merged_setting(setting: Any) -> dict[str, Any]:
    """Merge the setting over DEFAULT_MATRIX; a setting that is not an object is ignored."""
    if not isinstance(setting, dict):
        return dict(DEFAULT_MATRIX)
    return {**DEFAULT_MATRIX, **setting}


def parse_matrix(value: dict[str, Any]) -> RiskMatrix:
    """Check and read a matrix description; raise InvalidMatrix naming the faulty key."""
    likelihood = _labels(value, "sannsynlighet")
    consequence = _labels(value, "konsekvens")

    raw_levels = value.get("nivaaer")
    if not isinstance(raw_levels, list) or not raw_levels:
        raise InvalidMatrix(_("nivaaer must be a list of levels with navn and farge"))
    names: list[str] = []
    colours: list[str] = []
    for raw in raw_levels:
        name = str(raw.get("navn") or "").strip() if isinstance(raw, dict) else ""
        colour = str(raw.get("farge") or "") if isinstance(raw, dict) else ""
        if not name or name in names:
            raise InvalidMatrix(_("every level in nivaaer needs its own navn"))
        if colour not in COLOURS:
            raise InvalidMatrix(_("the level %(name)s has the colour %(colour)s; use one of "
                                   "%(colours)s", name=name, colour=repr(colour),
                                   colours=", ".join(COLOURS)))
        names.append(name)
        colours.append(colour)

    limit = value.get("akseptgrense")
    if limit not in names:
        raise InvalidMatrix(_("akseptgrense must name one of the levels %(levels)s",
                               levels=", ".join(names)))
    limit_index = names.index(limit)
    levels = tuple(Level(name, colour, index <= limit_index)
                   for index, (name, colour) in enumerate(zip(names, colours, strict=True)))

    rows = value.get("celler")
    if not isinstance(rows, list) or len(rows) != len(likelihood):
        raise InvalidMatrix(_("celler must have one row per likelihood (%(count)s)",
                               count=len(likelihood)))
    cells = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, list) or len(row) != len(consequence):
            raise InvalidMatrix(_("row %(row)s of celler must have one level per consequence "
                                   "(%(count)s)", row=number, count=len(consequence)))
        unknown = [cell for cell in row if cell not in names]
        if unknown:
            raise InvalidMatrix(_("row %(row)s of celler names the unknown level %(level)s",
                                   row=number, level=repr(unknown[0])))
        cells.append(tuple(str(cell) for cell in row))
    return RiskMatrix(likelihood, consequence, levels, tuple(cells))


def _labels(value: dict[str, Any], key: str) -> tuple[str, ...]:
    labels = value.get(key)
    if not isinstance(labels, list) or not 2 <= len(labels) <= 10 or not all(
            isinstance(label, str) and label.strip() for label in labels):
        raise InvalidMatrix(_("%(key)s must be a list of 2 to 10 labels, lowest first", key=key))
    return tuple(label.strip() for label in labels)


def review_variables(engine: Any, instance_id: int) -> dict[str, Any]:
    """Return the variables of a risk review as its latest completed step left them.

    A round runs in an embedded subprocess, and RuntimeService.variables reads the top level
    only, which the subprocess updates when the round ends. The matrix must show the round in
    progress, so this reads the latest completed step of any (sub)workflow. Call it inside a
    transaction.
    """
    from engine.services.execution import Execution

    workflow = Execution.load(engine, instance_id, None, lock=False).workflow
    candidates = [workflow.last_task, *(sub.last_task for sub in workflow.subprocesses.values())]
    finished = [task for task in candidates if task is not None]
    if not finished:
        return dict(workflow.data)
    latest = max(finished, key=lambda task: task.last_state_change)
    return dict(latest.data)
