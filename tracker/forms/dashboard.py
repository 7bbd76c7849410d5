"""The dashboard's controls: framework, as-of date, comparison date and category, read from the URL.

Bad input never empties the page: the field in error falls back to its default, the others keep their
values, and the page says what was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from tracker.choices import ItemCategory
from tracker.models import Framework

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def a_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class DashboardParams:
    framework: Framework | None
    as_of: date
    compare: date | None
    category: str


class DashboardForm(forms.Form):
    framework = forms.ChoiceField(label=_("Framework"), required=False)
    as_of = forms.DateField(label=_("As of"), required=False, widget=DATE_INPUT)
    compare = forms.DateField(
        label=_("Compare with"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Figures at this earlier date are shown beside the current ones."),
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("Kinetic and non-kinetic")), *ItemCategory.choices]
    )

    def __init__(self, *args: object, frameworks: list[Framework], default: Framework | None, today: date, **kwargs):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.frameworks = {fw.slug: fw for fw in frameworks}
        self.default_framework = default
        self.today = today
        self.fields["framework"].choices = [(fw.slug, fw.title) for fw in frameworks]  # type: ignore[attr-defined]
        self.fields["as_of"].widget.attrs["max"] = "9999-12-31"

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        as_of, compare = data.get("as_of"), data.get("compare")
        if as_of and compare and compare >= as_of:
            self.add_error("compare", _("Choose a comparison date before the as-of date."))
        return data

    def params(self) -> DashboardParams:
        """The values to show: each valid field's value, the default for the rest."""
        if self.is_bound:
            self.is_valid()
        data = getattr(self, "cleaned_data", {})
        as_of = data.get("as_of") or self.today
        if data.get("compare") is not None:
            compare: date | None = data["compare"]
        elif self.is_bound and self.data.get("compare") == "":
            compare = None  # the user cleared it: no comparison
        else:
            compare = a_year_before(as_of)
        return DashboardParams(
            framework=self.frameworks.get(data.get("framework") or "", self.default_framework),
            as_of=as_of,
            compare=compare if compare and compare < as_of else None,
            category=data.get("category") or "",
        )

    def initial_for(self, params: DashboardParams) -> dict[str, object]:
        return {
            "framework": params.framework.slug if params.framework else "",
            "as_of": params.as_of,
            "compare": params.compare,
            "category": params.category,
        }
