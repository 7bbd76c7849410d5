"""Forms of the indicator proposals: the reporter's proposal and the reviewer's decision. They never save."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tracker import permissions
from tracker.choices import Unit
from tracker.models import AgendaItem
from tracker.services import ProposalInput


class AgendaItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.framework.short_title} {obj.number}. {obj.title}"


def _items() -> Any:
    return AgendaItem.objects.select_related("framework").order_by("framework__adopted_on", "framework__slug", "number")


class ProposalForm(forms.Form):
    """The name and the reason are checked by the service (``proposal_errors``), so the form, and any other path,
    give one message per rule."""

    body: forms.ModelChoiceField = forms.ModelChoiceField(label=_("For"), queryset=None, empty_label=None)
    item = AgendaItemChoiceField(
        label=_("Agenda item"), queryset=None, help_text=_("The point of the plan it measures.")
    )
    name = forms.CharField(
        label=_("Name"), required=False, help_text=_("What is counted or described, e.g. “Madaris registered”.")
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=[("", _("— choose —")), *Unit.choices])
    why = forms.CharField(
        label=_("Why it is needed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Which figures it would carry and which source publishes them."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bodies = permissions.proposing_bodies(user).order_by("name")
        self.fields["body"].queryset = bodies  # type: ignore[attr-defined]
        self.fields["item"].queryset = _items()  # type: ignore[attr-defined]
        if bodies.count() == 1:
            self.fields["body"].widget = forms.HiddenInput()
            self.initial.setdefault("body", bodies.first())

    def to_input(self) -> ProposalInput:
        data = self.cleaned_data
        return ProposalInput(
            body=data["body"], item=data["item"], name=data["name"], unit=data["unit"], why=data["why"]
        )


class DecisionForm(forms.Form):
    """Accept (perhaps with the name, unit or item edited) or decline with a reason."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("", _("— choose —")), ("accept", _("Accept as an indicator")), ("decline", _("Decline"))],
    )
    item = AgendaItemChoiceField(label=_("Agenda item"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=1000)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The reporter reads it; required to decline."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = _items()  # type: ignore[attr-defined]
