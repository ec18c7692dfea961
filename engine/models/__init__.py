"""SQLAlchemy models; importing this package registers every table on Base.metadata."""

from engine.models.attachment import Attachment
from engine.models.base import Base
from engine.models.definition import FormDefinition, ProcessDefinition, Setting
from engine.models.draft import ProcessDraft
from engine.models.history import AuditEvent
from engine.models.notification import Notification
from engine.models.organisation import (
    ExternalIdentity,
    Group,
    Membership,
    RoleAssignment,
    Unit,
    User,
)
from engine.models.runtime import (
    Incident,
    Job,
    MessageSubscription,
    ProcessInstance,
    Task,
    TaskCandidate,
    Timer,
)
from engine.models.scheduler import ScheduledRun, SchedulerHeartbeat
from engine.models.security import ApiToken, LoginAttempt

__all__ = [
    "ApiToken", "Attachment", "AuditEvent", "Base", "ExternalIdentity", "FormDefinition",
    "Group", "Incident", "Job", "LoginAttempt", "Membership", "MessageSubscription",
    "Notification", "ProcessDefinition", "ProcessDraft", "ProcessInstance", "RoleAssignment",
    "ScheduledRun", "SchedulerHeartbeat", "Setting", "Task", "TaskCandidate", "Timer", "Unit",
    "User",
]
