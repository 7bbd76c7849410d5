from tracker.models.access import Membership, UserRole
from tracker.models.audit import AuditEntry, AuditImmutable
from tracker.models.bodies import Body, Responsibility
from tracker.models.frameworks import AgendaItem, CrosswalkLink, Framework
from tracker.models.indicators import Assessment, Indicator, Observation, Source

__all__ = [
    "AgendaItem",
    "Assessment",
    "AuditEntry",
    "AuditImmutable",
    "Body",
    "CrosswalkLink",
    "Framework",
    "Indicator",
    "Membership",
    "Observation",
    "Responsibility",
    "Source",
    "UserRole",
]
