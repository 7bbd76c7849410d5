"""Who a user is in the portal: one role, and the bodies whose data they work on."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tracker.choices import Role


class UserRole(models.Model):
    """The user's single role. A user without one reads approved data and writes nothing."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="nap_role",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("user role")
        verbose_name_plural = _("user roles")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class Membership(models.Model):
    """A user works for a body: a reporter enters and sees that body's drafts. A user may have several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    body = models.ForeignKey(
        "tracker.Body", verbose_name=_("body"), on_delete=models.PROTECT, related_name="memberships"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["user", "body__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "body"], name="membership_unique_body")]

    def __str__(self) -> str:
        return f"{self.user} — {self.body}"
