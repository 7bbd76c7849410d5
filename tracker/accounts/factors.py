"""Whether an account meets its role's second-factor requirement: asked by the enrolment gate and the API tokens."""

from typing import Any


def has_second_factor(user: Any) -> bool:
    from allauth.mfa.models import Authenticator

    # Recovery codes alone are not a second factor: they come with TOTP or a security key.
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


def meets_mfa_requirement(user: Any) -> bool:
    """True unless the user's role requires a second factor (reviewers, administrators) and none is enrolled."""
    from tracker import permissions

    if not permissions.needs_second_factor(user):
        return True
    return has_second_factor(user)
