"""Responsible bodies (ministries, agencies, provinces, committees, courts) and who leads which item."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tracker.choices import OUTSIDE_PUBLISHER_KINDS, BodyKind, ResponsibilityRole


class BodyQuerySet(models.QuerySet["Body"]):
    def reporting(self) -> "BodyQuerySet":
        """Bodies that report, lead or support: every body but the outside publishers (newspapers, wire
        services, journals), which are only cited as sources."""
        return self.exclude(kind__in=OUTSIDE_PUBLISHER_KINDS)

    def outside_publishers(self) -> "BodyQuerySet":
        return self.filter(kind__in=OUTSIDE_PUBLISHER_KINDS)

    def get_by_natural_key(self, slug: str) -> "Body":
        return self.get(slug=slug)


class Body(models.Model):
    """An institution that leads, supports, reports on or publishes figures about NAP items."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40)
    kind = models.CharField(_("kind"), max_length=24, choices=BodyKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    requires_verification = models.BooleanField(
        _("requires provincial verification"),
        default=False,
        help_text=_(
            "Submissions for this body are verified by one of its verifiers (e.g. the apex-committee "
            "secretariat) before NACTA M&E reviews them."
        ),
    )

    objects = BodyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("body")
        verbose_name_plural = _("bodies")

    def __str__(self) -> str:
        return self.short_name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def is_outside_publisher(self) -> bool:
        return self.kind in OUTSIDE_PUBLISHER_KINDS


class Responsibility(models.Model):
    """A body's role on an agenda item: lead or supporting."""

    item = models.ForeignKey(
        "tracker.AgendaItem",
        verbose_name=_("agenda item"),
        on_delete=models.CASCADE,
        related_name="responsibilities",
    )
    body = models.ForeignKey(Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="responsibilities")
    role = models.CharField(_("role"), max_length=12, choices=ResponsibilityRole.choices)
    # Most assignments are the portal's reading of the plan; the sources name only some bodies.
    is_editorial = models.BooleanField(_("the portal's reading"), default=True)

    class Meta:
        ordering = ["item", "role", "body__name"]
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")
        constraints = [models.UniqueConstraint(fields=["item", "body"], name="responsibility_unique_body")]

    def __str__(self) -> str:
        return f"{self.body} ({self.get_role_display()}) — {self.item}"
