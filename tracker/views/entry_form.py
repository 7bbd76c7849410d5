"""The single-figure form's helpers: the panel beside the figure (unit, target, last approved figure), kept
fresh through htmx when the indicator or body changes, and the evidence held across a refused form."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.forms import Form
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from tracker import permissions
from tracker.selectors.entry_form import figure_context
from tracker.services.evidence_pending import evidence_held, evidence_hold, evidence_take

PENDING_FIELD = "pending_evidence"
# The form's fields in the groups the page shows; a field not named here lands in the last group.
FIELD_GROUPS = (
    (
        _("The figure"),
        (
            "indicator",
            "body",
            "period_start",
            "period_end",
            "date_precision",
            "value",
            "value_qualifier",
            "text_value",
            "reason",
        ),
    ),
    (
        _("Its source"),
        (
            "source",
            "own_return",
            "new_source_title",
            "new_source_publisher",
            "new_source_publisher_name",
            "new_source_publisher_kind",
            "new_source_date",
            "new_source_precision",
            "new_source_url",
            "new_source_reference",
            "quote",
        ),
    ),
    (_("Note and evidence"), ("note", "evidence")),
)


def field_groups(form: Form) -> list[tuple[str, list[Any]]]:
    visible = {bound.name: bound for bound in form.visible_fields()}
    groups = [(str(legend), [visible.pop(n) for n in names if n in visible]) for legend, names in FIELD_GROUPS]
    groups[-1][1].extend(visible.values())
    return [(legend, fields) for legend, fields in groups if fields]


def _chosen(form: Form, name: str) -> Any:
    if form.is_bound and name in form.data and not form.fields[name].disabled:
        return form.data.get(name)
    value = form.initial.get(name)
    return getattr(value, "pk", value)


def form_page_context(request: HttpRequest, form: Form) -> dict[str, Any]:
    """What the form page shows besides the form; the indicator and body selects refresh the panel."""
    url = reverse("tracker:observation-figure-context")
    for name in ("indicator", "body"):
        form.fields[name].widget.attrs.update(
            {
                "hx-get": url,
                "hx-trigger": "change",
                "hx-target": "#figure-context",
                "hx-swap": "outerHTML",
                "hx-include": "[name=indicator],[name=body]",
            }
        )
    token = form.data.get(PENDING_FIELD, "") if form.is_bound else ""
    return {
        "figure": figure_context(indicator=_chosen(form, "indicator"), body=_chosen(form, "body")),
        "held_evidence": evidence_held(actor=permissions.signed_in(request.user), token=token),
        "pending_token": token,
        "field_groups": field_groups(form),
    }


def keep_evidence(request: HttpRequest, form: Form) -> None:
    """A form coming back with an error keeps the evidence chosen with it (a browser never sends it again)."""
    upload = form.cleaned_data.get("evidence") if hasattr(form, "cleaned_data") else None
    if not upload:
        return
    try:
        token = evidence_hold(actor=permissions.signed_in(request.user), upload=upload)
    except ValidationError:
        return  # the form already says why the file is refused
    data = QueryDict(mutable=True)
    data.update(form.data)
    data[PENDING_FIELD] = token
    form.data = data


def evidence_to_attach(request: HttpRequest, form: Form) -> File | None:
    """The evidence of a saved form: the file sent now, or the one held from a refused attempt."""
    upload = form.cleaned_data.get("evidence")
    if upload:
        return upload
    return evidence_take(actor=permissions.signed_in(request.user), token=request.POST.get(PENDING_FIELD, ""))


@login_required
@require_GET
def observation_figure_context(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, "report")
    context = figure_context(indicator=request.GET.get("indicator"), body=request.GET.get("body"))
    return render(request, "tracker/entry/_figure_context.html", {"panel": context})
