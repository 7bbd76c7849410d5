"""The two NAP frameworks, their agenda items and the crosswalk between them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tracker.choices import DatePrecision, ItemCategory


class Framework(models.Model):
    """A version of the National Action Plan: the 20-point plan of 2014 or the 14-point plan of 2021."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    short_title = models.CharField(_("short title"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    adopted_precision = models.CharField(
        _("precision of the adoption date"), max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    source = models.ForeignKey(
        "tracker.Source",
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["adopted_on", "slug"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")

    def __str__(self) -> str:
        return self.short_title

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class AgendaItem(models.Model):
    """One numbered point of a framework ("1. Death sentence to convicted terrorists")."""

    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.PROTECT, related_name="items"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=12, choices=ItemCategory.choices)
    # The 2021 framework says "five kinetic and nine non-kinetic" without naming them: which is which is
    # the portal's reading, and is shown as such.
    category_is_editorial = models.BooleanField(_("category is the portal's reading"), default=False)

    class Meta:
        ordering = ["framework", "number"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="agenda_item_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="agenda_item_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.framework.short_title} {self.number}. {self.title}"


class CrosswalkLink(models.Model):
    """Links a 2014 item to a 2021 item that continues it, so figures carry across the revision.

    The framework columns repeat the items' frameworks so that the database itself can refuse a link
    inside one framework.
    """

    from_item = models.ForeignKey(
        AgendaItem, verbose_name=_("earlier item"), on_delete=models.CASCADE, related_name="links_forward"
    )
    to_item = models.ForeignKey(
        AgendaItem, verbose_name=_("later item"), on_delete=models.CASCADE, related_name="links_back"
    )
    from_framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="+", editable=False)
    to_framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="+", editable=False)
    note = models.TextField(_("note"), blank=True)
    is_editorial = models.BooleanField(_("the portal's reading"), default=True)

    class Meta:
        ordering = ["from_item__framework", "from_item__number", "to_item__number"]
        verbose_name = _("crosswalk link")
        verbose_name_plural = _("crosswalk links")
        constraints = [
            models.UniqueConstraint(fields=["from_item", "to_item"], name="crosswalk_unique_pair"),
            models.CheckConstraint(condition=~Q(from_framework=F("to_framework")), name="crosswalk_across_frameworks"),
        ]

    def __str__(self) -> str:
        return f"{self.from_item} → {self.to_item}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.from_framework_id = self.from_item.framework_id
        self.to_framework_id = self.to_item.framework_id
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        if self.from_item_id and self.to_item_id and self.from_item.framework_id == self.to_item.framework_id:
            raise ValidationError(_("A crosswalk link must join items of two different frameworks."))
