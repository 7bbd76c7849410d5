"""``Authorization: Bearer <token>``: knox's check of the digest and expiry, plus the time of last use."""

from typing import Any

from knox.auth import TokenAuthentication
from rest_framework.request import Request

from apikeys.models import note_use


class BearerTokenAuthentication(TokenAuthentication):
    """A personal API token acts as its user: the permission policy then applies exactly as for the session."""

    def validate_user(self, auth_token: Any) -> tuple[Any, Any]:
        user, token = super().validate_user(auth_token)
        note_use(token)
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return "Bearer"
