"""``Authorization: Bearer <token>``: knox's check of the digest and expiry, plus the time of last use."""

from typing import Any

from django.utils.translation import gettext as _
from knox.auth import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from apikeys.models import note_use
from tracker.accounts.factors import meets_mfa_requirement


class BearerTokenAuthentication(TokenAuthentication):
    """A personal API token acts as its user: the permission policy then applies exactly as for the session.

    It works only while its owner meets the role's second-factor requirement, as a session would: changes to
    the account revoke tokens (``apikeys.signals``), and this check also stops any token made before them.
    """

    def validate_user(self, auth_token: Any) -> tuple[Any, Any]:
        user, token = super().validate_user(auth_token)
        if not meets_mfa_requirement(user):
            raise AuthenticationFailed(
                _("Your role requires two-factor authentication: enrol an authenticator, then create a new token.")
            )
        note_use(token)
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return "Bearer"
