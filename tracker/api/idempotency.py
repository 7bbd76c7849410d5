"""``Idempotency-Key`` for API writes (the IETF draft's shape, as Stripe and others answer it).

A client that may retry a POST (a time-out, a lost answer) sends a key it made up for that request:
- the same key and the same body again → the first answer again (status and body), nothing written twice;
- the same key with another body → 422, nothing written;
- a request refused (4xx) leaves no trace, so the corrected request may reuse its key.
The key is taken before the write, in the write's transaction: a retry that arrives while the first is still
running waits on the key's unique index and then answers the first's result. Keys expire after a day.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from tracker.models import IdempotentRequest

HEADER = "Idempotency-Key"
KEY_MAX_LENGTH = 200
LIFETIME = timedelta(days=1)

PARAMETER = OpenApiParameter(
    name=HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="A key you choose for this write (a UUID): a retry with the same key and body answers the first "
    "response again instead of writing twice; the same key with another body answers 422. Kept for a day.",
)


def fingerprint(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def _error(code: int, message: str) -> Response:
    return Response({"status": code, "message": message, "errors": {HEADER: [message]}}, status=code)


def _replay(record: IdempotentRequest, print_: str) -> Response:
    if record.fingerprint != print_:
        return _error(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            _("This Idempotency-Key was used for a request with another body: use a new key for a new request."),
        )
    return Response(record.response_body, status=record.response_status, headers={"Idempotent-Replayed": "true"})


def idempotent(request: Request, *, route: str, write: Callable[[], Response]) -> Response:
    """Answer ``write()`` once per (user, route, key); see the module's docstring."""
    key = request.headers.get(HEADER, "")
    if not key:
        return write()
    if len(key) > KEY_MAX_LENGTH or not key.isprintable():
        return _error(
            status.HTTP_400_BAD_REQUEST,
            _("An Idempotency-Key is at most %(n)s printable characters.") % {"n": KEY_MAX_LENGTH},
        )
    print_ = fingerprint(request.data)
    user_id = int(request.user.pk or 0)  # the API lets no anonymous write reach a view
    mine = IdempotentRequest.objects.filter(user_id=user_id, route=route, key=key)
    mine.filter(created_at__lt=timezone.now() - LIFETIME).delete()
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotentRequest.objects.create(user_id=user_id, route=route, key=key, fingerprint=print_)
        except IntegrityError:
            return _replay(mine.get(), print_)
        response = write()  # a refusal raises: the key goes with the rolled-back write
        record.response_status = response.status_code
        record.response_body = response.data
        record.save(update_fields=["response_status", "response_body"])
    return response
