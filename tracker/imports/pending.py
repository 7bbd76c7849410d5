"""Checked uploads waiting for their commit, in the database with a per-user quota and an expiry.

They used to wait in the cache for an hour, every one of them: six 5 MB uploads grew the Redis that is also the
Celery broker and the rate-limit store by 37 MB. Now only a file with something to import is kept, a user's
pending files never exceed ``NAP_IMPORT_PREVIEW_QUOTA_BYTES`` (the oldest are dropped first), and each upload
sweeps what has expired, so the table holds at most a few files per active user.
"""

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from tracker.models import PendingImport


def pending_import_keep(*, user: Any, name: str, content: bytes, submit: bool) -> str:
    """Keep a checked file for ``user``; returns the token that commits it."""
    now = timezone.now()
    quota = settings.NAP_IMPORT_PREVIEW_QUOTA_BYTES
    with transaction.atomic():
        PendingImport.objects.filter(expires_at__lte=now).delete()
        kept = list(
            PendingImport.objects.select_for_update()
            .filter(user=user)
            .order_by("-created_at", "-pk")
            .values_list("pk", "size")
        )
        # Newest first: keep what fits beside the new file, drop the rest.
        room, drop = quota - len(content), []
        for pk, size in kept:
            if size <= room:
                room -= size
            else:
                drop.append(pk)
        if drop:
            PendingImport.objects.filter(pk__in=drop).delete()
        token = secrets.token_urlsafe(24)
        PendingImport.objects.create(
            user=user,
            token=token,
            name=name[:200],
            content=content,
            size=len(content),
            submit=submit,
            expires_at=now + timedelta(seconds=settings.NAP_IMPORT_PREVIEW_SECONDS),
        )
    return token


def pending_import_get(*, user: Any, token: str) -> PendingImport | None:
    """The user's pending file under ``token`` if it has not expired; another user's token finds nothing."""
    return PendingImport.objects.filter(user=user, token=token, expires_at__gt=timezone.now()).first()


def pending_import_discard(*, user: Any, token: str) -> None:
    PendingImport.objects.filter(user=user, token=token).delete()


def pending_bytes(*, user: Any) -> int:
    return PendingImport.objects.filter(user=user).aggregate(total=Sum("size"))["total"] or 0
