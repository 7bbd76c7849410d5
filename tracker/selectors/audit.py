"""The audit trail as people read it: actions in words, each change as "field: old → new" with the field's
label and the values as the portal shows them (names instead of ids, labels instead of codes, dates and
numbers through tracker.formatting).

Entries store raw values (ids, codes, ISO dates) so they stay exact; this module only reads them. Names are
resolved for a whole page (or export chunk) at once: one query per kind of object named on it, whatever the
number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.formatting import format_date, format_number
from tracker.models import AuditEntry

# Every action the portal writes, in words. The filter offers these; an unknown code still shows (as itself).
ACTION_GROUPS: list[tuple[Any, list[tuple[str, Any]]]] = [
    (
        gettext_lazy("Figures"),
        [
            ("observation.", gettext_lazy("Any action on a figure")),
            ("observation.create", gettext_lazy("Figure entered as a draft")),
            ("observation.update", gettext_lazy("Figure edited")),
            ("observation.submit", gettext_lazy("Figure submitted for review")),
            ("observation.verify", gettext_lazy("Figure verified by its province")),
            ("observation.return", gettext_lazy("Figure returned with a reason")),
            ("observation.approve", gettext_lazy("Figure approved")),
            ("observation.correct", gettext_lazy("Correction started")),
            ("observation.import", gettext_lazy("Figure imported")),
        ],
    ),
    (
        gettext_lazy("Conversation and evidence"),
        [
            ("comment.create", gettext_lazy("Comment written")),
            ("evidence.", gettext_lazy("Any action on evidence")),
            ("evidence.attach", gettext_lazy("Evidence attached")),
            ("evidence.remove", gettext_lazy("Evidence removed")),
        ],
    ),
    (
        gettext_lazy("People and access"),
        [
            ("user.", gettext_lazy("Any action on an account")),
            ("user.login", gettext_lazy("Signed in")),
            ("user.login_failed", gettext_lazy("Failed sign-in")),
            ("user.logout", gettext_lazy("Signed out")),
            ("user.create", gettext_lazy("Account created")),
            ("user.update", gettext_lazy("Account changed")),
            ("user.role_change", gettext_lazy("Role changed")),
            ("user.membership_add", gettext_lazy("Body added to an account")),
            ("user.membership_remove", gettext_lazy("Body removed from an account")),
            ("user.password_set", gettext_lazy("Password set")),
            ("user.password_reset", gettext_lazy("Password reset")),
            ("user.notice_preference", gettext_lazy("Email preference for notices changed")),
            ("api_token.create", gettext_lazy("API token created")),
            ("api_token.revoke", gettext_lazy("API token revoked")),
        ],
    ),
    (
        gettext_lazy("Assessments, assignments and reports"),
        [
            ("assessment.create", gettext_lazy("Assessment made")),
            ("assignment.create", gettext_lazy("Reporting assignment created")),
            ("assignment.update", gettext_lazy("Reporting assignment changed")),
            ("report_edition.request", gettext_lazy("Report edition requested")),
        ],
    ),
]
ACTION_LABELS: dict[str, Any] = {code: label for _group, options in ACTION_GROUPS for code, label in options}
# The admin writes "<model>.create|change|delete" for reference data.
_ADMIN_VERBS = {
    "create": gettext_lazy("%(model)s created"),
    "change": gettext_lazy("%(model)s changed"),
    "delete": gettext_lazy("%(model)s deleted"),
}

# Keys some services store that are not model fields.
_EXTRA_LABELS: dict[str, Any] = {
    "observation": gettext_lazy("Figure"),
    "corrects": gettext_lazy("Corrects figure"),
    "name": gettext_lazy("File name"),
    "type": gettext_lazy("File type"),
    "size": gettext_lazy("Size"),
    "sha256": gettext_lazy("SHA-256"),
    "bodies": gettext_lazy("Bodies"),
    "role": gettext_lazy("Role"),
    "email": gettext_lazy("Email"),
    "is_active": gettext_lazy("Active"),
    "evidence": gettext_lazy("Evidence"),
    "comment": gettext_lazy("Comment"),
}


def action_label(code: str) -> str:
    if code in ACTION_LABELS:
        return str(ACTION_LABELS[code])
    model_name, _sep, verb = code.rpartition(".")
    if verb in _ADMIN_VERBS and model_name:
        model = _model_named(model_name)
        name = capfirst(str(model._meta.verbose_name)) if model else model_name
        return str(_ADMIN_VERBS[verb]) % {"model": name}
    return code


def _model_named(name: str) -> type[models.Model] | None:
    for app in ("tracker", "reporting", "apikeys"):
        try:
            return apps.get_model(app, name)
        except LookupError:
            continue
    return None


def _model_of(object_type: str) -> type[models.Model] | None:
    if "." not in object_type:
        return None
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str
    added: bool  # nothing before: a value set (creation), not a change


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    action: str
    who: str
    changes: list[FieldChange]

    @property
    def changes_text(self) -> str:
        return "; ".join(f"{c.label}: {c.new}" if c.added else f"{c.label}: {c.old} → {c.new}" for c in self.changes)


def audit_entries(*, filters: QuerySet[AuditEntry] | None = None) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.all() if filters is None else filters
    return qs.select_related("actor")


def user_name(user: User, fallback: str = "") -> str:
    """A person as the trail names them: "Full Name (email)", or the email alone when no name is set."""
    full = user.get_full_name().strip()
    email = user.email or fallback or str(user)
    return f"{full} ({email})" if full else email


def who(entry: AuditEntry) -> str:
    actor = entry.actor
    if actor is None:
        return entry.actor_label or _("the system")
    return user_name(actor, entry.actor_label)


_STR_JOINS = {"tracker.source": ("publisher",), "tracker.observation": ("indicator",)}


class ObjectNames:
    """Names of the objects a batch of entries refers to by id, fetched in one query per model."""

    def __init__(self) -> None:
        self.wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        self.found: dict[type[models.Model], dict[Any, str]] = {}

    def want(self, model: type[models.Model], pk: Any) -> None:
        if pk not in (None, "") and _is_key(model, pk):
            self.wanted[model].add(pk)

    def fetch(self) -> None:
        user_model = get_user_model()
        for model, pks in self.wanted.items():
            objects = model._default_manager.filter(pk__in=list(pks))
            # What each model's __str__ reads beyond its own row, joined in the same query.
            joins = _STR_JOINS.get(model._meta.label_lower)
            if joins:
                objects = objects.select_related(*joins)
            if model is user_model:
                # The same words as the "Who" column, so a change of "Approved by" names the person alike.
                self.found[model] = {u.pk: user_name(u) for u in user_model.objects.filter(pk__in=list(pks))}
            else:
                self.found[model] = {o.pk: str(o) for o in objects}

    def name(self, model: type[models.Model], pk: Any) -> str:
        # A name that no longer resolves (a deleted reference row) shows as its id; a value that is no id (an
        # edition's request names its framework by slug) as it is.
        if not _is_key(model, pk):
            return str(pk)
        return self.found.get(model, {}).get(pk, f"#{pk}")


def _is_key(model: type[models.Model], value: Any) -> bool:
    """Whether ``value`` can be a primary key of ``model`` (a query with anything else raises)."""
    try:
        model._meta.pk.get_prep_value(value)
    except (TypeError, ValueError):
        return False
    return True


def _field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def field_label(model: type[models.Model] | None, name: str) -> str:
    field = _field(model, name)
    if field is not None:
        return capfirst(str(field.verbose_name))
    if name in _EXTRA_LABELS:
        return str(_EXTRA_LABELS[name])
    return capfirst(name.replace("_", " "))


def display_value(model: type[models.Model] | None, name: str, value: Any, names: ObjectNames) -> str:
    if value is None or value == "" or value == []:
        return "—"
    field = _field(model, name)
    if field is not None and field.is_relation and field.related_model is not None:
        related = field.related_model
        if isinstance(related, type):
            return names.name(related, value)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool) or isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(field, models.DateTimeField) or (field is None and isinstance(value, str) and "T" in value):
        moment = parse_datetime(value) if isinstance(value, str) else value
        if isinstance(moment, datetime):
            return date_format(timezone.localtime(moment) if timezone.is_aware(moment) else moment, "j M Y H:i")
    if isinstance(field, models.DateField):
        day = parse_date(value) if isinstance(value, str) else value
        if isinstance(day, date):
            return format_date(day)
    if isinstance(field, models.DecimalField | models.IntegerField) and not isinstance(field, models.AutoField):
        try:
            return format_number(Decimal(str(value)), max_decimals=4)
        except InvalidOperation:
            return str(value)
    if name == "size" and isinstance(value, int):
        return str(filesizeformat(value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _related_model(model: type[models.Model] | None, name: str) -> type[models.Model] | None:
    field = _field(model, name)
    if field is not None and field.is_relation and isinstance(field.related_model, type):
        return field.related_model
    return None


def _field_order(model: type[models.Model] | None) -> dict[str, int]:
    if model is None:
        return {}
    return {f.name: i for i, f in enumerate(model._meta.get_fields())}


def present(entries: Iterable[AuditEntry]) -> list[AuditRow]:
    """The entries of one page or chunk, ready to show: names resolved in one query per kind of object."""
    entries = list(entries)
    names = ObjectNames()
    for entry in entries:
        model = _model_of(entry.object_type)
        for values in (entry.before or {}, entry.after or {}):
            if not isinstance(values, dict):
                continue
            for name, value in values.items():
                related = _related_model(model, name)
                if related is not None:
                    names.want(related, value)
    names.fetch()
    rows = []
    for entry in entries:
        model = _model_of(entry.object_type)
        before = entry.before if isinstance(entry.before, dict) else {}
        after = entry.after if isinstance(entry.after, dict) else {}
        changes = []
        # In the order of the form (PostgreSQL's jsonb keeps keys in its own order).
        order = _field_order(model)
        names_in_entry = sorted({*after, *before}, key=lambda n: (order.get(n, len(order)), n))
        for name in names_in_entry:
            if name == "version":
                continue  # bookkeeping of the workflow, not something a person changed
            old, new = before.get(name), after.get(name)
            if name not in before and new in (None, "", []):
                continue  # a creation lists what was filled in, not every empty field
            changes.append(
                FieldChange(
                    label=field_label(model, name),
                    old=display_value(model, name, old, names),
                    new=display_value(model, name, new, names),
                    added=name not in before,
                )
            )
        rows.append(AuditRow(entry=entry, action=action_label(entry.action), who=who(entry), changes=changes))
    return rows


def present_in_chunks(queryset: QuerySet[AuditEntry], *, chunk: int = 2000) -> Iterator[AuditRow]:
    """Every entry of ``queryset``, read ``chunk`` rows at a time (for the CSV export)."""
    batch: list[AuditEntry] = []
    for entry in queryset.iterator(chunk_size=chunk):
        batch.append(entry)
        if len(batch) >= chunk:
            yield from present(batch)
            batch = []
    if batch:
        yield from present(batch)
