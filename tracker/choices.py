"""Choices shared by models, forms, serializers and fixtures."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemCategory(models.TextChoices):
    KINETIC = "kinetic", _("Kinetic")
    NON_KINETIC = "non_kinetic", _("Non-kinetic")


class BodyKind(models.TextChoices):
    FEDERAL_MINISTRY = "federal_ministry", _("Federal ministry or division")
    FEDERAL_AGENCY = "federal_agency", _("Federal agency")
    REGULATOR = "regulator", _("Regulator")
    ARMED_FORCES = "armed_forces", _("Armed forces")
    PROVINCE = "province", _("Province")
    REGION = "region", _("Region")
    FEDERAL_TERRITORY = "federal_territory", _("Federal territory")
    PROVINCIAL_DEPARTMENT = "provincial_department", _("Provincial department")
    APEX_COMMITTEE = "apex_committee", _("Apex committee")
    COURT = "court", _("Court")
    INTERNATIONAL_PARTNER = "international_partner", _("International partner")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    RELIGIOUS_BOARD = "religious_board", _("Religious education board")
    # Outside publishers: cited as sources, never a reporting body (no scope list, no membership, no figures).
    NEWSPAPER = "newspaper", _("Newspaper")
    WIRE_SERVICE = "wire_service", _("Wire service or news agency")
    JOURNAL = "journal", _("Journal")
    OTHER_PUBLISHER = "other_publisher", _("Other outside publisher")


# Kinds of body that only publish: the portal cites them and never lists them as reporting bodies.
OUTSIDE_PUBLISHER_KINDS = frozenset(
    {BodyKind.NEWSPAPER, BodyKind.WIRE_SERVICE, BodyKind.JOURNAL, BodyKind.OTHER_PUBLISHER}
)


class ResponsibilityRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    SUPPORTING = "supporting", _("Supporting")


class Unit(models.TextChoices):
    COUNT = "count", _("Count")
    PKR = "pkr", _("Pakistani rupees")
    USD = "usd", _("US dollars")
    PERCENT = "percent", _("Percent")
    PERCENT_CHANGE = "percent_change", _("Percent change")
    TEXT = "text", _("Text status")


class Scale(models.IntegerChoices):
    """Power of ten used for display: 98,300,000 with scale MILLION reads "98.3 million"."""

    UNITS = 0, _("units")
    THOUSAND = 3, _("thousand")
    MILLION = 6, _("million")
    BILLION = 9, _("billion")


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "up", _("Higher is better")
    LOWER_IS_BETTER = "down", _("Lower is better")
    NEUTRAL = "neutral", _("Neutral")


class Accumulation(models.TextChoices):
    RUNNING_TOTAL = "stock", _("Running total")
    PER_PERIOD = "flow", _("Per period")


class DatePrecision(models.TextChoices):
    """How precisely the source dates a figure. A year-precise period is stored as 1 Jan – 31 Dec."""

    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class ValueQualifier(models.TextChoices):
    """How the source qualifies a number, kept so "about 30,000" is never shown as "30,000"."""

    EXACT = "exact", _("exactly")
    ABOUT = "about", _("about")
    MORE_THAN = "more_than", _("more than")
    AT_LEAST = "at_least", _("at least")
    LESS_THAN = "less_than", _("less than")


class ObservationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    VERIFIED = "verified", _("Verified by the province")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


# The observation workflow, in one place: which state may follow which. Approved is final: a correction is
# a new observation that supersedes the approved one.
OBSERVATION_TRANSITIONS: dict[str, frozenset[str]] = {
    ObservationState.DRAFT: frozenset({ObservationState.SUBMITTED}),
    ObservationState.RETURNED: frozenset({ObservationState.SUBMITTED}),
    # A body that requires provincial verification sends its submissions through VERIFIED first; the policy
    # decides which path applies (tracker/permissions.py), the model only which steps exist.
    ObservationState.SUBMITTED: frozenset(
        {ObservationState.VERIFIED, ObservationState.APPROVED, ObservationState.RETURNED}
    ),
    ObservationState.VERIFIED: frozenset({ObservationState.APPROVED, ObservationState.RETURNED}),
    ObservationState.APPROVED: frozenset(),
}
# States in which the values of an observation may still be edited by its reporter.
EDITABLE_STATES = frozenset({ObservationState.DRAFT, ObservationState.RETURNED})
# States in which a submission waits for a decision (provincial verification or NACTA M&E's review).
AWAITING_DECISION_STATES = frozenset({ObservationState.SUBMITTED, ObservationState.VERIFIED})


class Rating(models.TextChoices):
    SATISFACTORY = "satisfactory", _("Satisfactory")
    PARTLY_SATISFACTORY = "partly_satisfactory", _("Partly satisfactory")
    UNSATISFACTORY = "unsatisfactory", _("Unsatisfactory")
    NOT_ASSESSED = "not_assessed", _("Not assessed")


class Role(models.TextChoices):
    """What a user does in the portal; the scope (which bodies) comes from memberships."""

    REPORTER = "reporter", _("Reporter")
    REVIEWER = "reviewer", _("Reviewer")
    ANALYST = "analyst", _("Analyst")
    VERIFIER = "verifier", _("Provincial verifier")
    ADMINISTRATOR = "administrator", _("Administrator")


class Cadence(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    ANNUAL = "annual", _("Annual")


class DueStatus(models.TextChoices):
    UP_TO_DATE = "up_to_date", _("Up to date")
    DUE = "due", _("Due")
    OVERDUE = "overdue", _("Overdue")


class RuleKind(models.TextChoices):
    PARTS_WHOLE = "parts_whole", _("Parts and whole")
    RANGE = "range", _("Plausible range")
    STOCK = "stock", _("Running total does not fall")
    RELATION = "relation", _("Relation between indicators")
    COMPLETENESS = "completeness", _("Completeness and timeliness")


class Severity(models.TextChoices):
    WARNING = "warning", _("Warning")
    ERROR = "error", _("Error")


class FindingState(models.TextChoices):
    OPEN = "open", _("Open")
    FOLLOWED_UP = "followed_up", _("Followed up")
    RESOLVED = "resolved", _("Resolved")


class ProposalState(models.TextChoices):
    """Where a reporter's proposed indicator stands: waiting for NACTA M&E, accepted (it became an indicator)
    or declined (with the reviewer's reason)."""

    PENDING = "pending", _("Waiting for a reviewer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
