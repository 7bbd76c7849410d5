from django import forms
from django.utils.translation import gettext_lazy as _

LIFETIME_CHOICES = [
    ("7d", _("7 days")),
    ("30d", _("30 days")),
    ("90d", _("90 days")),
    ("366d", _("1 year")),
]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What will use the token, e.g. “monthly upload script”.")
    )
    lifetime = forms.ChoiceField(label=_("Expires after"), choices=LIFETIME_CHOICES, initial="30d")
