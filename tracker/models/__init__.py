from tracker.models.access import Membership, UserRole
from tracker.models.audit import AuditEntry, AuditImmutable
from tracker.models.bodies import Body, Responsibility
from tracker.models.conversation import CommentKind, ObservationComment
from tracker.models.frameworks import AgendaItem, CrosswalkLink, Framework
from tracker.models.idempotency import IdempotentRequest
from tracker.models.imports import PendingImport
from tracker.models.indicators import Assessment, Indicator, Observation, Source
from tracker.models.latest import LatestFigure
from tracker.models.notices import Notice, NoticeKind, NoticeMail, NoticePreference
from tracker.models.proposals import IndicatorProposal
from tracker.models.validation import Finding, LearntBound, ValidationRule, ValidationRun
from tracker.models.versions import DataVersion
from tracker.models.workflow import Evidence, NotificationLog, ObservationSnapshot, ReportingAssignment

__all__ = [
    "AgendaItem",
    "Assessment",
    "AuditEntry",
    "AuditImmutable",
    "Body",
    "CommentKind",
    "CrosswalkLink",
    "DataVersion",
    "Evidence",
    "Finding",
    "Framework",
    "IdempotentRequest",
    "Indicator",
    "IndicatorProposal",
    "LatestFigure",
    "LearntBound",
    "Membership",
    "Notice",
    "NoticeKind",
    "NoticeMail",
    "NoticePreference",
    "NotificationLog",
    "Observation",
    "ObservationComment",
    "ObservationSnapshot",
    "PendingImport",
    "ReportingAssignment",
    "Responsibility",
    "Source",
    "UserRole",
    "ValidationRule",
    "ValidationRun",
]
