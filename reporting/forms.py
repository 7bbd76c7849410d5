"""The report form: one set of fields for the report page, "Generate now" and the archive filter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language, get_supported_language_variant
from django.utils.translation import gettext_lazy as _

from reporting.definitions import NATIONAL, ReportParams, ReportParamsError
from tracker.formatting import INTERNATIONAL, SOUTH_ASIAN, default_number_style
from tracker.models import Body, Framework


class ReportForm(forms.Form):
    framework = forms.ModelChoiceField(
        label=_("Framework"),
        queryset=Framework.objects.order_by("adopted_on", "slug"),
        to_field_name="slug",
        empty_label=None,
    )
    as_of = forms.DateField(label=_("Status as of"), widget=forms.DateInput(attrs={"type": "date"}))
    compare = forms.DateField(
        label=_("Compare with"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional: show the change since this date."),
    )
    known_on = forms.DateField(
        label=_("As known on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Only figures published by this date. Default: the as-of date."),
    )
    hindsight = forms.BooleanField(
        label=_("With hindsight"),
        required=False,
        help_text=_("Use every figure known today, including those published after the as-of date."),
    )
    # Optional so that a link with only framework and as_of shows a report: empty means the default.
    scope = forms.ChoiceField(label=_("Figures"), required=False)
    number_style = forms.ChoiceField(
        label=_("Number style"),
        required=False,
        choices=[(SOUTH_ASIAN, _("South Asian (5,06,072)")), (INTERNATIONAL, _("International (506,072)"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bodies = Body.objects.reporting().order_by("name").values_list("slug", "name")
        scope = self.fields["scope"]
        assert isinstance(scope, forms.ChoiceField)
        scope.choices = [(NATIONAL, _("National")), *bodies]

    @classmethod
    def initial_values(cls) -> dict[str, object]:
        framework = Framework.objects.order_by("adopted_on", "slug").values_list("slug", flat=True).first()
        return {
            "framework": framework,
            "as_of": timezone.localdate(),
            "scope": NATIONAL,
            "number_style": default_number_style(),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            data["params"] = ReportParams(
                framework=data["framework"].slug,
                as_of=data["as_of"],
                compare=data.get("compare"),
                scope=data.get("scope") or NATIONAL,
                number_style=data.get("number_style") or default_number_style(),
                language=_current_language(),
                known_on=data.get("known_on"),
                hindsight=bool(data.get("hindsight")),
            )
        except ReportParamsError as error:
            raise forms.ValidationError(str(error)) from error
        return data


def _current_language() -> str:
    try:
        return get_supported_language_variant(get_language() or settings.LANGUAGE_CODE)
    except LookupError:
        return str(settings.LANGUAGE_CODE)
