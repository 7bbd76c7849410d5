"""Forms of the entry grid: one small form per row (prefixed by the indicator), and the source for the grid.

The row's fields are built from ``ObservationInput``'s one field list, like the single-figure form, so a
figure typed in the grid is read and refused exactly as anywhere else.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tracker.forms.workflow import _input_form_field
from tracker.models import Indicator, Source
from tracker.services.observations import INPUT_FIELD_SPECS

# What a row of the grid takes; indicator, body and period are the grid's, the source is chosen once for all.
ROW_FIELDS = ("value", "value_qualifier", "text_value", "note")
_SPECS = dict(INPUT_FIELD_SPECS)


def row_prefix(indicator_id: int) -> str:
    return f"r{indicator_id}"


class GridRowForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, indicator: Indicator, text: bool, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", row_prefix(indicator.pk))
        super().__init__(*args, **kwargs)
        # A text status has no number and so no qualifier; a number has no text status.
        skipped = {"value", "value_qualifier"} if text else {"text_value"}
        for name in ROW_FIELDS:
            if name in skipped:
                continue
            self.fields[name] = _input_form_field(name, _SPECS[name])
        if text:
            self.fields["text_value"].widget = forms.TextInput()
        else:
            # Text, not a number input: browsers refuse Urdu and Arabic-Indic digits in a number input, and the
            # one validation reads them.
            self.fields["value"].widget = forms.TextInput()
        self.fields["note"].widget = forms.TextInput()
        # The row's heading names the indicator; the figure's own label says which one it is for screen readers.
        main = self.fields["text_value" if text else "value"]
        main.label = indicator.name
        main.help_text = ""
        main.widget.attrs.update({"inputmode": "text" if text else "decimal", "autocomplete": "off"})
        self.fields["note"].help_text = ""

    def is_blank(self) -> bool:
        """Nothing typed in the row: the grid skips it rather than refusing it."""
        data = self.cleaned_data
        return data.get("value") is None and not (data.get("text_value") or "").strip()


class GridSourceForm(forms.Form):
    """The source every figure of this grid cites: by default the body's own return for the period."""

    source = forms.ModelChoiceField(
        label=_("Source of these figures"),
        queryset=Source.objects.none(),
        required=False,
        empty_label=_("Our own return for this period"),
        help_text=_("Choose a published source if these figures come from one."),
    )

    def __init__(self, *args: Any, sources: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources  # type: ignore[attr-defined]
