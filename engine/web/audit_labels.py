"""Bokmål labels of the audit actions and their details on the administrators' pages.

Every action the engine writes to the audit trail needs a label here. A test reads the
source for the actions written and fails when one is missing. The page still shows the
action code, for engineers.
"""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _

from engine.i18n import N_

AUDIT_ACTION_LABELS = {
    "api_token_created": N_("API token created"),
    "api_token_revoked": N_("API token revoked"),
    "attachment_added": N_("Attachment added"),
    "attachment_deleted": N_("Attachment deleted"),
    "attachment_downloaded": N_("Attachment downloaded"),
    "attachments_deleted": N_("Attachments deleted"),
    "budget_adopted": N_("Budget adopted"),
    "budget_deadline_escalated": N_("Budget deadline sent to the superior leader"),
    "budget_deadline_reminder": N_("Reminder of a budget deadline sent"),
    "case_transferred": N_("Case transferred to another unit"),
    "conversation_filed": N_("Conversation filed"),
    "conversations_overdue": N_("Conversations past their deadline"),
    "decision_point_reported": N_("Decision point reported"),
    "decision_point_status": N_("Status of a decision point changed"),
    "development_needs_filed": N_("Development needs filed"),
    "draft_deleted": N_("Draft deleted"),
    "draft_deployed": N_("Draft published"),
    "draft_saved": N_("Draft saved"),
    "escalation_skipped": N_("Escalation skipped"),
    "form_deployed": N_("Form published"),
    "group_created": N_("Group created"),
    "identity_linked": N_("Log-in identity linked"),
    "identity_unlinked": N_("Log-in identity unlinked"),
    "incident_created": N_("Step failed"),
    "incident_retried": N_("Failed step retried"),
    "incident_retry_requested": N_("Retry of a failed step requested"),
    "instance_anonymised": N_("Case anonymised"),
    "instance_completed": N_("Case completed"),
    "instance_deleted": N_("Case deleted"),
    "instance_migrated": N_("Moved to another version"),
    "instance_moved_back": N_("Moved back to an earlier task"),
    "instance_resumed": N_("Case resumed"),
    "instance_started": N_("Case started"),
    "instance_suspended": N_("Case put on hold"),
    "instance_terminated": N_("Case terminated"),
    "job_completed": N_("Automatic step done"),
    "job_retry_scheduled": N_("Automatic step failed, retry planned"),
    "locale_set": N_("Language chosen"),
    "mail_failed": N_("E-mail failed"),
    "mail_not_sent": N_("E-mail not sent"),
    "mail_sent": N_("E-mail sent"),
    "member_added": N_("Member added"),
    "member_removed": N_("Member removed"),
    "message_received": N_("Message received"),
    "organisation_imported": N_("Organisation imported"),
    "password_set": N_("Password set"),
    "process_deployed": N_("Process published"),
    "reminder_sent": N_("Reminder sent"),
    "risk_review_approved": N_("Risk assessment approved"),
    "role_granted": N_("Role granted"),
    "role_revoked": N_("Role revoked"),
    "sessions_ended": N_("Sessions ended"),
    "setting_changed": N_("Setting changed"),
    "status_changed": N_("Case status changed"),
    "task_assigned": N_("Task assigned by a leader"),
    "task_cancelled": N_("Task cancelled"),
    "task_claimed": N_("Task claimed"),
    "task_completed": N_("Task completed"),
    "task_created": N_("Task created"),
    "task_delegated": N_("Task delegated"),
    "task_escalated": N_("Task sent to the superior leader"),
    "task_reassigned": N_("Task reassigned"),
    "task_reassigned_by_administrator": N_("Task reassigned by an administrator"),
    "task_unclaimed": N_("Task put back"),
    "timer_fired": N_("Timer fired"),
    "unit_created": N_("Unit created"),
    "unit_leader_set": N_("Unit leader set"),
    "unit_updated": N_("Unit changed"),
    "user_activated": N_("User activated"),
    "user_created": N_("User created"),
    "user_deactivated": N_("User deactivated"),
    "user_updated": N_("User changed"),
    "user_updated_from_provider": N_("User changed from the log-in provider"),
    "variable_set": N_("Variable changed by an administrator"),
}

# Detail fields with a label of their own. Other fields keep their name.
DETAIL_LABELS = {
    "assignee": N_("assignee"),
    "cancelled_tasks": N_("cancelled tasks"),
    "changes": N_("changes"),
    "count": N_("count"),
    "deadline": N_("deadline"),
    "due_at": N_("due"),
    "force": N_("retry anyway"),
    "from_unit": N_("from unit"),
    "from_version": N_("from version"),
    "incident_id": N_("incident"),
    "kind": N_("kind"),
    "left_element_id": N_("left step"),
    "message": N_("message"),
    "name": N_("name"),
    "new_value": N_("new value"),
    "old_value": N_("old value"),
    "previous": N_("previous"),
    "reason": N_("reason"),
    "recipient": N_("recipient"),
    "status": N_("status"),
    "to_unit": N_("to unit"),
    "to_version": N_("to version"),
    "topic": N_("topic"),
    "unit": N_("unit"),
    "version": N_("version"),
}

# Detail fields that only the engine uses, left out of the page.
HIDDEN_DETAILS = frozenset({"masked", "from_definition_id", "to_definition_id"})


def audit_action_label(action: str) -> str:
    """Return the bokmål label of an audit action, or the code for an unknown one."""
    label = AUDIT_ACTION_LABELS.get(action)
    return _(label) if label else action


def audit_details(details: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Return the details of an audit event as (field label, value) pairs, leaving out
    empty values and fields only the engine needs."""
    pairs: list[tuple[str, str]] = []
    for name, value in (details or {}).items():
        if value is None or value == "" or value == [] or name in HIDDEN_DETAILS:
            continue
        label = DETAIL_LABELS.get(name)
        pairs.append((_(label) if label else name, _detail_value(value)))
    return pairs


def _detail_value(value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_detail_value(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
