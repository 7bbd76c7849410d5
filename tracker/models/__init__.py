from tracker.models.access import Membership, UserRole
from tracker.models.audit import AuditEntry, AuditImmutable
from tracker.models.bodies import Body, Responsibility
from tracker.models.frameworks import AgendaItem, CrosswalkLink, Framework
from tracker.models.idempotency import IdempotentRequest
from tracker.models.imports import PendingImport
from tracker.models.indicators import Assessment, Indicator, Observation, Source
from tracker.models.workflow import Evidence, NotificationLog, ReportingAssignment

__all__ = [
    "AgendaItem",
    "Assessment",
    "AuditEntry",
    "AuditImmutable",
    "Body",
    "CrosswalkLink",
    "Evidence",
    "Framework",
    "IdempotentRequest",
    "Indicator",
    "Membership",
    "NotificationLog",
    "Observation",
    "PendingImport",
    "ReportingAssignment",
    "Responsibility",
    "Source",
    "UserRole",
]
