"""Writing the audit trail. Services call ``record`` inside their own transaction, beside the change itself.

The request id and client address come from ``RequestContextMiddleware`` through a context variable, so a
service does not need the request to say where a change came from (tasks and commands leave them empty).
"""

import contextvars
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models

from tracker.bulk import insert_many
from tracker.models import AuditEntry


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None


current_request: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "nap_request_context",
    default=RequestContext(),  # noqa: B039  (frozen dataclass: immutable)
)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of ``fields`` as the audit trail stores them (foreign keys by id)."""
    values: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        values[name] = getattr(obj, field.attname)  # type: ignore[union-attr]
    return values


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    """Append one audit entry. Call it inside the transaction that makes the change."""
    ctx = current_request.get()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_label = object_label or str(obj)
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_label=(user.get_username() if user is not None else ""),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label[:300],
        before=before,
        after=after,
        reason=reason,
        request_id=ctx.request_id,
        ip=ctx.ip,
    )


def record_many(*, actor: Any, action: str, objects: Iterable[models.Model], afters: Iterable[dict[str, Any]]) -> None:
    """One audit entry per object, written in one statement: for bulk writes such as an import.

    Same content as ``record`` for each object; call it inside the transaction that makes the change.
    """
    ctx = current_request.get()
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    entries = [
        AuditEntry(
            actor=user,
            actor_label=(user.get_username() if user is not None else ""),
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_label=str(obj)[:300],
            after=after,
            request_id=ctx.request_id,
            ip=ctx.ip,
        )
        for obj, after in zip(objects, afters, strict=True)
    ]
    insert_many(entries)
