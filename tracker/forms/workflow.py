"""Forms of the workflow pages. They validate input and build a service's arguments; they never save."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tracker import permissions
from tracker.choices import DatePrecision, ValueQualifier
from tracker.models import Body, Indicator, Source
from tracker.services import ObservationInput, check_upload


class DateInput(forms.DateInput):
    input_type = "date"


class ObservationForm(forms.Form):
    indicator = forms.ModelChoiceField(
        label=_("Indicator"), queryset=Indicator.objects.select_related("item__framework").order_by("code")
    )
    body = forms.ModelChoiceField(label=_("Reporting body"), queryset=Body.objects.none(), required=False)
    period_start = forms.DateField(label=_("Period start"), required=False, widget=DateInput)
    period_end = forms.DateField(label=_("Period end or as-of date"), widget=DateInput)
    date_precision = forms.ChoiceField(
        label=_("Date precision"), choices=DatePrecision.choices, initial=DatePrecision.DAY
    )
    value = forms.DecimalField(label=_("Value"), required=False, max_digits=24, decimal_places=4)
    value_qualifier = forms.ChoiceField(
        label=_("Qualifier"), choices=ValueQualifier.choices, initial=ValueQualifier.EXACT
    )
    text_value = forms.CharField(label=_("Text status"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    source = forms.ModelChoiceField(label=_("Source"), queryset=Source.objects.select_related("publisher"))
    quote = forms.CharField(label=_("Source wording"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(
        label=_("Evidence"),
        required=False,
        help_text=_("PDF, image, XLSX or DOCX; checked from its content."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reply = forms.CharField(
        label=_("Reply to the reviewer"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Goes to the figure's review conversation, never to the public note."),
    )

    def __init__(
        self, *args: Any, user: Any, fixed: ObservationInput | None = None, replying: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if not replying:
            del self.fields["reply"]
        body_field: forms.ModelChoiceField = self.fields["body"]  # type: ignore[assignment]
        body_field.queryset = permissions.writable_bodies(user)
        if permissions.can_report_national(user):
            body_field.empty_label = _("National figure (no body)")
        else:
            body_field.required = True
        if fixed is not None:
            # A correction keeps the indicator and body of the figure it corrects.
            for name in ("indicator", "body"):
                self.fields[name].disabled = True
                self.fields[name].required = False
                self.initial[name] = getattr(fixed, name)
            body_field.queryset = Body.objects.filter(pk=fixed.body.pk) if fixed.body else Body.objects.none()

    def clean_evidence(self) -> Any:
        upload = self.cleaned_data.get("evidence")
        if upload:
            check_upload(upload)  # a bad file is refused before anything is saved
        return upload

    def to_input(self) -> ObservationInput:
        data = self.cleaned_data
        return ObservationInput(
            indicator=data["indicator"],
            body=data.get("body"),
            period_start=data.get("period_start"),
            period_end=data["period_end"],
            date_precision=data["date_precision"],
            value=data.get("value"),
            value_qualifier=data["value_qualifier"],
            text_value=data.get("text_value") or "",
            source=data["source"],
            quote=data.get("quote") or "",
            note=data.get("note") or "",
        )


class CorrectionForm(ObservationForm):
    reason = forms.CharField(
        label=_("Reason for the correction"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Evidence file"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        check_upload(upload)
        return upload


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    evidence = forms.FileField(
        label=_("Evidence (optional)"),
        required=False,
        help_text=_("PDF, image, XLSX or DOCX; checked from its content."),
    )

    def clean_evidence(self) -> Any:
        upload = self.cleaned_data.get("evidence")
        if upload:
            check_upload(upload)
        return upload


class ReturnForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReviewBatchForm(forms.Form):
    """Approve or return several submissions at once; each is ``<id>:<version>`` as the reviewer saw it."""

    # No decision is preselected: the reviewer chooses one each time.
    decision = forms.ChoiceField(
        label=_("Decision for the selected"),
        choices=[("", _("— choose —")), ("approve", _("Approve")), ("return", _("Return with a reason"))],
    )
    selected = forms.MultipleChoiceField(label=_("Submissions"), choices=[])
    reason = forms.CharField(label=_("Reason (needed to return)"), required=False, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The choices are whatever was posted: each one is checked again by the service.
        posted = self.data.getlist("selected") if hasattr(self.data, "getlist") else []
        self.fields["selected"].choices = [(v, v) for v in posted]  # type: ignore[attr-defined]

    def clean_selected(self) -> list[tuple[int, int]]:
        pairs = []
        for raw in self.cleaned_data["selected"]:
            try:
                pk, version = (int(part) for part in raw.split(":", 1))
            except ValueError as exc:
                raise forms.ValidationError(_("Invalid selection.")) from exc
            pairs.append((pk, version))
        return pairs

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "return" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the updates are returned: the reporters see this reason."))
        return data
