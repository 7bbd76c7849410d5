"""Forms of the workflow pages. They validate input and build a service's arguments; they never save."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tracker import permissions, selectors
from tracker.choices import OUTSIDE_PUBLISHER_KINDS, BodyKind, DatePrecision, ValueQualifier
from tracker.entry_validation import ascii_digits
from tracker.models import Body, Indicator, Source
from tracker.services import ObservationInput, SourceInput, check_upload
from tracker.services.observations import INPUT_FIELD_SPECS, INPUT_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"


class FigureField(forms.DecimalField):
    """A figure as typed, Urdu or Arabic-Indic digits included; its range is the one validation's rule."""

    def to_python(self, value: Any) -> Any:
        return super().to_python(ascii_digits(value) if isinstance(value, str) else value)


class EntryDateField(forms.DateField):
    def to_python(self, value: Any) -> Any:
        return super().to_python(ascii_digits(value) if isinstance(value, str) else value)


class IndicatorChoiceField(forms.ModelChoiceField):
    """Indicators named with their framework and item: two frameworks hold indicators of the same name."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.item.framework.short_title} {obj.item.number} · {obj.name} ({obj.get_unit_display()})"

    def to_python(self, value: Any) -> Any:
        # The list offers what the body owes; any other indicator is refused by the one validation, with the
        # same message as the API and the import give, rather than by the list.
        if value in self.empty_values:
            return None
        if isinstance(value, Indicator):
            return value
        try:
            return Indicator.objects.select_related("item__framework").get(pk=value)
        except (ValueError, TypeError, Indicator.DoesNotExist) as exc:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from exc


def _input_form_field(name: str, meta: Any) -> forms.Field:
    """A form field for one entered field of ``ObservationInput``: label, requiredness and help from its
    metadata. Length caps and ranges are not form rules: the one validation reports them, the same as the API
    and the import do."""
    common = {"label": meta["label"], "required": meta["required"], "help_text": meta["help_text"]}
    textarea = forms.Textarea(attrs={"rows": 2})
    builders: dict[str, Any] = {
        "indicator": lambda: IndicatorChoiceField(
            queryset=Indicator.objects.select_related("item__framework").order_by("code"), **common
        ),
        "body": lambda: forms.ModelChoiceField(queryset=Body.objects.none(), **common),
        "period_start": lambda: EntryDateField(widget=DateInput, **common),
        "period_end": lambda: EntryDateField(widget=DateInput, **common),
        "date_precision": lambda: forms.ChoiceField(
            choices=DatePrecision.choices, initial=DatePrecision.DAY, **{**common, "required": True}
        ),
        "value": lambda: FigureField(**common),
        "value_qualifier": lambda: forms.ChoiceField(
            choices=ValueQualifier.choices, initial=ValueQualifier.EXACT, **{**common, "required": True}
        ),
        # Optional on the form: a new source or the body's own return may stand in (see ``ObservationForm.clean``).
        "source": lambda: forms.ModelChoiceField(
            queryset=Source.objects.select_related("publisher"), **{**common, "required": False}
        ),
    }
    if name in builders:
        return builders[name]()
    return forms.CharField(widget=textarea, strip=True, **common)


# The entered fields, built from the one field list; the form adds the evidence and the version it was read at.
ObservationInputFields = type(
    "ObservationInputFields",
    (forms.Form,),
    {name: _input_form_field(name, meta) for name, meta in INPUT_FIELD_SPECS},
)


class ObservationForm(ObservationInputFields):  # type: ignore[valid-type,misc]
    # A source not yet in the list: the body's own return in one tick, or one described here (found again if
    # it exists, added for the reviewer if not).
    own_return = forms.BooleanField(
        label=_("Source: our own return for this period"),
        required=False,
        help_text=_("Cites the reporting body's own return, e.g. “Punjab return, October 2026”."),
    )
    new_source_title = forms.CharField(label=_("New source: title"), required=False)
    new_source_publisher = forms.ModelChoiceField(
        label=_("Published by a body"), queryset=Body.objects.reporting().order_by("name"), required=False
    )
    new_source_publisher_name = forms.CharField(label=_("… or by a newspaper, wire service or journal"), required=False)
    new_source_publisher_kind = forms.ChoiceField(
        label=_("Kind of outside publisher"),
        choices=[(k.value, k.label) for k in BodyKind if k in OUTSIDE_PUBLISHER_KINDS],
        initial=BodyKind.NEWSPAPER,
        required=False,
    )
    new_source_date = EntryDateField(label=_("Published on"), required=False, widget=DateInput)
    new_source_precision = forms.ChoiceField(
        label=_("Publication date precision"), choices=DatePrecision.choices, initial=DatePrecision.DAY, required=False
    )
    new_source_url = forms.CharField(label=_("Web address"), required=False)
    new_source_reference = forms.CharField(label=_("… or where to find it"), required=False)
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
        body_field: forms.ModelChoiceField = self.fields["body"]
        body_field.queryset = permissions.writable_bodies(user)
        if permissions.can_report_national(user):
            body_field.empty_label = _("National figure (no body)")
        else:
            body_field.required = True
            # A reporter sees only the indicators their bodies owe (items they lead or support), not every
            # indicator of both frameworks; the one validation refuses any other all the same.
            owed = selectors.indicators_reported_by_bodies(body_ids=permissions.access(user).body_ids)
            indicator_field: forms.ModelChoiceField = self.fields["indicator"]
            indicator_field.queryset = (
                Indicator.objects.filter(pk__in=sorted(set().union(*owed.values())))
                .select_related("item__framework")
                .order_by("item__framework__adopted_on", "item__number", "position", "code")
            )
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

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("source") or data.get("own_return") or data.get("new_source_title")):
            self.add_error("source", _("Choose the source, tick “our own return”, or describe a new source."))
        return data

    def new_source(self) -> SourceInput | None:
        """The source described on the form, when no listed one is chosen."""
        data = self.cleaned_data
        if data.get("source") or data.get("own_return") or not data.get("new_source_title"):
            return None
        return SourceInput(
            title=data["new_source_title"],
            published_on=data.get("new_source_date"),
            publisher=data.get("new_source_publisher"),
            publisher_name=data.get("new_source_publisher_name") or "",
            publisher_kind=data.get("new_source_publisher_kind") or BodyKind.NEWSPAPER,
            date_precision=data.get("new_source_precision") or DatePrecision.DAY,
            url=data.get("new_source_url") or "",
            reference=data.get("new_source_reference") or "",
        )

    def to_input(self, *, source: Source | None = None) -> ObservationInput:
        data = self.cleaned_data
        values = {name: data.get(name) for name in INPUT_FIELDS}
        if source is not None:
            values["source"] = source
        for name, meta in INPUT_FIELD_SPECS:
            if meta["max_length"] is not None and values[name] is None:
                values[name] = ""
        return ObservationInput(**values)


class CorrectionForm(ObservationForm):
    reason = forms.CharField(label=_("Reason for the correction"), widget=forms.Textarea(attrs={"rows": 2}))


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
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReviewBatchForm(forms.Form):
    """Approve (or, for a provincial verifier, verify) or return several submissions at once; each is
    ``<id>:<version>`` as the reviewer saw it."""

    # No decision is preselected: the reviewer chooses one each time.
    decision = forms.ChoiceField(label=_("Decision for the selected"), choices=[])
    selected = forms.MultipleChoiceField(label=_("Submissions"), choices=[])
    reason = forms.CharField(label=_("Reason (needed to return)"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The step forward is the user's own: a provincial verifier verifies for NACTA M&E, M&E approves. Each
        # row is checked again by its service as well.
        forward = (
            ("verify", _("Verify for NACTA M&E")) if permissions.can(user, "verify_any") else ("approve", _("Approve"))
        )
        self.fields["decision"].choices = [  # type: ignore[attr-defined]
            ("", _("— choose —")),
            forward,
            ("return", _("Return with a reason")),
        ]
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
