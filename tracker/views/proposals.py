"""Indicator proposals: a reporter proposes, NACTA M&E accepts (perhaps edited) or declines with a reason."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tracker import permissions, services
from tracker.choices import ProposalState
from tracker.exceptions import WorkflowError
from tracker.forms.proposals import DecisionForm, ProposalForm
from tracker.selectors import proposals as selectors

PAGE_SIZE = 50


def _form_errors(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _may_use(request: HttpRequest) -> None:
    if not (permissions.can(request.user, "propose_indicator") or permissions.can(request.user, "decide_proposals")):
        raise PermissionDenied


@login_required
@require_GET
def proposal_list(request: HttpRequest) -> HttpResponse:
    _may_use(request)
    state = request.GET.get("state", "")
    page = Paginator(selectors.proposals_for(user=request.user, state=state), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "tracker/proposals/list.html",
        {
            "page": page,
            "state": state,
            "states": ProposalState.choices,
            "may_propose": permissions.can(request.user, "propose_indicator"),
            "may_decide": permissions.can(request.user, "decide_proposals"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, "propose_indicator")
    form = ProposalForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.indicator_propose(actor=permissions.signed_in(request.user), data=form.to_input())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Proposed. NACTA M&E will accept, edit or decline it; you will see it here."))
            return redirect("tracker:proposal-detail", pk=proposal.pk)
    return render(request, "tracker/proposals/form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_detail(user=request.user, pk=pk)  # 404 outside the user's scope
    if request.method == "POST":
        permissions.require(request.user, "decide_proposals")  # 403: the reporters of its body only read it
    form = None
    if request.method == "POST" or permissions.can(request.user, "decide", proposal):
        form = DecisionForm(
            request.POST or None,
            initial={"item": proposal.item, "name": proposal.name, "unit": proposal.unit},
        )
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        actor = permissions.signed_in(request.user)
        try:
            if data["decision"] == "accept":
                services.proposal_accept(
                    actor=actor,
                    proposal_id=proposal.pk,
                    name=data["name"],
                    unit=data["unit"],
                    item=data["item"],
                    reason=data["reason"],
                )
                messages.success(request, _("Accepted: the indicator can now be reported."))
            else:
                services.proposal_decline(actor=actor, proposal_id=proposal.pk, reason=data["reason"])
                messages.success(request, _("Declined. The reporter sees your reason."))
        except ValidationError as exc:
            _form_errors(form, exc)
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("tracker:proposal-list")
    return render(request, "tracker/proposals/detail.html", {"proposal": proposal, "form": form})
