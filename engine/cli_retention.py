"""sloyfe retention: anonymise or delete finished cases whose retention time has run out."""

from __future__ import annotations

from typing import Any

import click

from engine.cli import emit, handle_errors, main, pass_state
from engine.cli_format import local_time, table
from engine.i18n import N_
from engine.i18n import gettext as _

# The name recorded in the audit trail for what the command changes.
CLI_ACTOR = "retention"

ACTION_WORDS = {"anonymise": N_("anonymise"), "delete": N_("delete")}


@main.command("retention", help=_(
    "Anonymise or delete the finished cases whose retention time has run out. Each process "
    "sets the time with the process property retention and what happens with "
    "retentionAction; RETENTION_PERIOD and RETENTION_ACTION in the configuration apply to "
    "the rest. Run it with --dry-run first to see which cases it would change."))
@click.option("--dry-run", is_flag=True, help=_("List the cases without changing anything."))
@click.option("--limit", type=click.IntRange(min=1), default=None, help=_(
    "Handle at most this many cases in one run (RETENTION_BATCH when not given)."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
@pass_state
@handle_errors
def retention(state: Any, dry_run: bool, limit: int | None, as_json: bool) -> None:
    report = state.engine.retention.run(CLI_ACTOR, dry_run=dry_run, limit=limit).to_dict()
    emit(report, as_json, _text)


def _text(report: dict[str, Any]) -> str:
    cases = report["cases"]
    if not cases:
        return _("No finished case has passed its retention time.")
    rows = table([_("Case id"), _("Process"), _("Case number"), _("Ended"), _("Kept for"),
                  _("Action")],
                 [(c["instance_id"], c["process"], c["business_key"] or "",
                   local_time(c["ended_at"]), c["retention"],
                   _(ACTION_WORDS.get(c["action"], c["action"]))) for c in cases])
    if report["dry_run"]:
        summary = _("Dry run. To be anonymised: %(anonymise)s. To be deleted: %(delete)s. "
                    "Nothing was changed.", anonymise=report["anonymised"],
                    delete=report["deleted"])
    else:
        summary = _("Anonymised: %(anonymise)s. Deleted: %(delete)s. Attachments deleted: "
                    "%(files)s.", anonymise=report["anonymised"], delete=report["deleted"],
                    files=report["attachments_deleted"])
    return rows + "\n" + summary
