"""Workflow pages: My updates, the observation form and page, the review queue and the audit trail.

Views stay thin: they check the policy, validate a form, call one service and choose a response.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tracker import permissions, services
from tracker.exceptions import StaleVersion, WorkflowError
from tracker.filters import AuditEntryFilter
from tracker.forms.workflow import (
    CorrectionForm,
    EvidenceForm,
    ObservationForm,
    ReturnForm,
    ReviewBatchForm,
    VersionForm,
)
from tracker.models import AuditEntry, Evidence, Observation, Source
from tracker.selectors import workflow as selectors
from tracker.services import ObservationInput
from tracker.views.entry_form import evidence_to_attach, form_page_context, keep_evidence
from tracker.views.entry_grid import grid_links

REVIEW_PAGE_SIZE = 50
AUDIT_PAGE_SIZE = 50


def _form_errors(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _detail(obs: Observation) -> HttpResponseRedirect:
    return redirect("tracker:observation-detail", pk=obs.pk)


@login_required
def my_updates(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, "my_updates")
    today = timezone.localdate()
    assignments = selectors.my_assignments(user=request.user, today=today)
    return render(
        request,
        "tracker/workflow/my_updates.html",
        {
            "open_items": list(selectors.my_open_observations(user=request.user)),
            "assignments": assignments,
            "grids": grid_links(assignments),
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def observation_create(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, "report")
    form = ObservationForm(request.POST or None, request.FILES or None, user=request.user, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # a source added here goes only with the figure that cites it
                data = form.to_input(source=_cited_source(request, form))
                obs = services.observation_create_draft(actor=permissions.signed_in(request.user), data=data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return _after_save(request, obs, form)
    return _form_page(request, form, {"title": _("New update")})


def _form_page(request: HttpRequest, form: Form, context: dict[str, Any]) -> HttpResponse:
    """The single-figure form, refused or fresh; evidence sent with a refused form is held, not dropped."""
    if request.method == "POST":
        keep_evidence(request, form)
    return render(
        request,
        "tracker/workflow/observation_form.html",
        {"form": form, **form_page_context(request, form), **context},
    )


# Where a source's own field names land on the entry form.
_SOURCE_FORM_FIELDS = {
    "publisher": "new_source_publisher_name",
    "publisher_kind": "new_source_publisher_kind",
    "title": "new_source_title",
    "published_on": "new_source_date",
    "date_precision": "new_source_precision",
    "url": "new_source_url",
    "reference": "new_source_reference",
}


def _cited_source(request: HttpRequest, form: ObservationForm) -> Source | None:
    """The source the form cites when none is chosen from the list: the body's own return, or the one described
    (found again, or added and marked for the reviewer). Errors come back on the form's source fields."""
    data = form.cleaned_data
    try:
        if data.get("own_return") and not data.get("source"):
            body = data.get("body")
            if body is None:
                raise ValidationError({"own_return": _("A national figure has no reporting body of its own.")})
            return services.source_own_return(
                actor=permissions.signed_in(request.user),
                body=body,
                period_end=data["period_end"],
                date_precision=data["date_precision"],
            )
        described = form.new_source()
        if described is not None:
            return services.source_find_or_create(actor=permissions.signed_in(request.user), data=described)[0]
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise ValidationError(
                {_SOURCE_FORM_FIELDS.get(name, name): errors for name, errors in exc.error_dict.items()}
            ) from exc
        raise
    return None


def _after_save(request: HttpRequest, obs: Observation, form: Form) -> HttpResponse:
    """Attach the evidence and submit when asked; each is its own audited write."""
    upload = evidence_to_attach(request, form)
    if upload:
        services.evidence_attach(actor=permissions.signed_in(request.user), observation_id=obs.pk, upload=upload)
    if "submit" in request.POST:
        try:
            obs.refresh_from_db()
            services.observation_submit(
                actor=permissions.signed_in(request.user), observation_id=obs.pk, version=obs.version
            )
        except (ValidationError, WorkflowError) as exc:
            messages.error(request, _("Saved as a draft, but not submitted: %(error)s") % {"error": _message(exc)})
            return _detail(obs)
        messages.success(request, _("Update submitted for review."))
    else:
        messages.success(request, _("Draft saved."))
    return _detail(obs)


def _message(exc: Exception) -> str:
    if isinstance(exc, WorkflowError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


@login_required
def observation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obs = selectors.observation_detail(user=request.user, pk=pk)
    may_view_audit = permissions.can(request.user, "view_audit")
    return render(
        request,
        "tracker/workflow/observation_detail.html",
        {
            "obs": obs,
            "evidence": list(Evidence.objects.filter(observation=obs)),
            "chain": selectors.correction_chain(user=request.user, observation=obs),
            "history": list(selectors.audit_for_object(obj=obs)) if may_view_audit else None,
            "may": {
                action: permissions.can(request.user, action, obs)
                for action in ("edit", "submit", "approve", "return", "correct", "attach_evidence")
            },
            "return_form": ReturnForm(initial={"version": obs.version}),
            "evidence_form": EvidenceForm(),
        },
    )


def _input_of(obs: Observation) -> ObservationInput:
    return ObservationInput.of(obs)


def _initial(obs: Observation) -> dict[str, Any]:
    data = _input_of(obs)
    return {**{name: getattr(data, name) for name in services.observations.INPUT_FIELDS}, "version": obs.version}


@login_required
@require_http_methods(["GET", "POST"])
def observation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    obs = selectors.observation_detail(user=request.user, pk=pk)
    permissions.require(request.user, "edit", obs)
    fixed = _input_of(obs) if obs.supersedes_id else None
    form = ObservationForm(
        request.POST or None, request.FILES or None, user=request.user, initial=_initial(obs), fixed=fixed
    )
    stale: StaleVersion | None = None
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                obs = services.observation_update(
                    actor=permissions.signed_in(request.user),
                    observation_id=obs.pk,
                    version=form.cleaned_data["version"] or 0,
                    data=form.to_input(source=_cited_source(request, form)),
                )
        except StaleVersion as exc:
            stale = exc
            form.add_error(None, exc.message)
            # The next save knowingly overwrites what the reviewer now sees; the input is kept.
            data = request.POST.copy()
            data["version"] = str(exc.current_version)
            form.data = data
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return _after_save(request, obs, form)
    return _form_page(request, form, {"obs": obs, "stale": stale, "title": _("Edit update")})


def _transition_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    obs = selectors.observation_detail(user=request.user, pk=pk)
    permissions.require(request.user, action, obs)
    form: Form = ReturnForm(request.POST) if action == "return" else VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return _detail(obs)
    version = form.cleaned_data["version"]
    try:
        if action == "submit":
            services.observation_submit(
                actor=permissions.signed_in(request.user), observation_id=obs.pk, version=version
            )
            messages.success(request, _("Update submitted for review."))
        elif action == "approve":
            services.observation_approve(
                actor=permissions.signed_in(request.user), observation_id=obs.pk, version=version
            )
            messages.success(request, _("Update approved."))
        else:
            services.observation_return(
                actor=permissions.signed_in(request.user),
                observation_id=obs.pk,
                version=version,
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("Update returned to its reporter."))
    except (ValidationError, WorkflowError) as exc:
        messages.error(request, _message(exc))
    return _detail(obs)


@login_required
@require_POST
def observation_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition_view(request, pk, "submit")


@login_required
@require_POST
def observation_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition_view(request, pk, "approve")


@login_required
@require_POST
def observation_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition_view(request, pk, "return")


@login_required
@require_http_methods(["GET", "POST"])
def observation_correct(request: HttpRequest, pk: int) -> HttpResponse:
    original = selectors.observation_detail(user=request.user, pk=pk)
    permissions.require(request.user, "correct", original)
    fixed = _input_of(original)
    form = CorrectionForm(
        request.POST or None, request.FILES or None, user=request.user, initial=_initial(original), fixed=fixed
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                obs = services.observation_correct(
                    actor=permissions.signed_in(request.user),
                    observation_id=original.pk,
                    data=form.to_input(source=_cited_source(request, form)),
                    reason=form.cleaned_data["reason"],
                )
        except ValidationError as exc:
            _form_errors(form, exc)
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            return _after_save(request, obs, form)
    return _form_page(request, form, {"obs": original, "title": _("Correct an approved figure"), "correcting": True})


@login_required
@require_POST
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    obs = selectors.observation_detail(user=request.user, pk=pk)
    permissions.require(request.user, "attach_evidence", obs)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        services.evidence_attach(
            actor=permissions.signed_in(request.user), observation_id=obs.pk, upload=form.cleaned_data["file"]
        )
        messages.success(request, _("Evidence attached."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return _detail(obs)


@login_required
def evidence_download(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponseBase:
    evidence = Evidence.objects.select_related("observation").filter(pk=evidence_pk, observation_id=pk).first()
    if evidence is None:
        raise Http404
    permissions.require(request.user, "view_evidence", evidence)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def review_queue(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, "review")
    if request.method == "POST":
        return _review_batch(request)
    page = Paginator(selectors.review_queue(user=request.user), REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tracker/workflow/review_queue.html",
        {"page": page, "rows": selectors.review_rows(page), "form": ReviewBatchForm()},
    )


def _review_batch(request: HttpRequest) -> HttpResponse:
    form = ReviewBatchForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("tracker:review-queue")
    done, refused = 0, []
    for pk, version in form.cleaned_data["selected"]:
        # One transaction per submission: a refusal of one leaves the others decided.
        try:
            if form.cleaned_data["decision"] == "approve":
                services.observation_approve(
                    actor=permissions.signed_in(request.user), observation_id=pk, version=version
                )
            else:
                services.observation_return(
                    actor=permissions.signed_in(request.user),
                    observation_id=pk,
                    version=version,
                    reason=form.cleaned_data["reason"],
                )
            done += 1
        except (ValidationError, WorkflowError) as exc:
            refused.append(f"#{pk}: {_message(exc)}")
        except (Http404, PermissionDenied) as exc:
            refused.append(f"#{pk}: {_message(exc) or _('not allowed')}")
    if done:
        messages.success(request, _("%(count)s update(s) decided.") % {"count": done})
    for line in refused:
        messages.error(request, line)
    return redirect("tracker:review-queue")


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, "view_audit")
    queryset: QuerySet[AuditEntry] = AuditEntry.objects.all()
    filterset = AuditEntryFilter(request.GET or None, queryset=queryset)
    page = Paginator(filterset.qs, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tracker/workflow/audit_log.html",
        {"filter": filterset, "page": page, "query": query.urlencode(), "audit_url": reverse("tracker:audit-log")},
    )
