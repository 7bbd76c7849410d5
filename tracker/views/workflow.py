"""Workflow pages: My updates, the observation form and page, the review queue and the audit trail.

Views stay thin: they check the policy, validate a form, call one service and choose a response.
"""

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tracker import permissions, services
from tracker.choices import ObservationState
from tracker.exceptions import StaleVersion, WorkflowError
from tracker.filters import AuditEntryFilter, ReviewQueueFilter
from tracker.formatting import spreadsheet_safe
from tracker.forms.workflow import (
    CommentForm,
    CorrectionForm,
    EvidenceForm,
    ObservationForm,
    ReturnForm,
    ReviewBatchForm,
    VersionForm,
)
from tracker.models import Evidence, Observation, Source
from tracker.selectors import audit as audit_selectors
from tracker.selectors import review as review_selectors
from tracker.selectors import workflow as selectors
from tracker.services import ObservationInput
from tracker.validation.entry import EntryFinding, findings_seal, findings_to_confirm, submission_comment
from tracker.validation.selectors import open_finding_counts
from tracker.validation.views import observation_findings_context
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
    findings: list[EntryFinding] = []
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # a source added here goes only with the figure that cites it
                data = form.to_input(source=_cited_source(request, form))
                findings = findings_to_confirm(request.POST, data)
                if findings:
                    # The reporter confirms the data-quality findings first; a source described here waits too.
                    transaction.set_rollback(True)
                else:
                    obs = services.observation_create_draft(actor=permissions.signed_in(request.user), data=data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if not findings:
                return _after_save(request, obs, form)
    return _form_page(request, form, {"title": _("New update"), "findings": findings})


def _form_page(request: HttpRequest, form: Form, context: dict[str, Any]) -> HttpResponse:
    """The single-figure form, refused or fresh; evidence sent with a refused form is held, not dropped."""
    if request.method == "POST":
        keep_evidence(request, form)
    if context.get("findings"):
        # The confirmation names the findings shown; the comment typed so far comes back with them.
        context = {
            **context,
            "findings_seal": findings_seal(context["findings"]),
            "findings_comment": submission_comment(request.POST),
        }
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
    """Attach the evidence, post the reply and submit when asked; each is its own audited write."""
    upload = evidence_to_attach(request, form)
    if upload:
        evidence = services.evidence_attach(
            actor=permissions.signed_in(request.user), observation_id=obs.pk, upload=upload
        )
        if getattr(evidence, "already_attached", False):
            messages.info(request, _("“%(name)s” is already attached: it was not stored again.") % {"name": evidence})
    reply = (form.cleaned_data.get("reply") or "").strip()
    if reply:
        services.comment_create(actor=permissions.signed_in(request.user), observation_id=obs.pk, text=reply)
    if "submit" in request.POST:
        try:
            obs.refresh_from_db()
            services.observation_submit(
                actor=permissions.signed_in(request.user),
                observation_id=obs.pk,
                version=obs.version,
                comment=submission_comment(request.POST),
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
    thread = selectors.comment_thread(user=request.user, observation=obs)
    evidence = [
        e
        for e in Evidence.objects.filter(observation=obs).select_related("uploaded_by")
        if e.comment_id is None or thread is not None
    ]
    for e in evidence:
        e.observation = obs  # the policy reads the figure's state; no query per file
    return render(
        request,
        "tracker/workflow/observation_detail.html",
        {
            "obs": obs,
            "evidence": evidence,
            "removable": {e.pk for e in evidence if permissions.can(request.user, "remove_evidence", e)},
            "thread": thread,
            "comment_form": CommentForm(),
            "chain": selectors.correction_chain(user=request.user, observation=obs),
            "history": list(selectors.audit_for_object(obj=obs)) if may_view_audit else None,
            "may": {
                action: permissions.can(request.user, action, obs)
                for action in ("edit", "submit", "verify", "approve", "return", "correct", "attach_evidence", "comment")
            },
            "return_form": ReturnForm(initial={"version": obs.version}),
            "evidence_form": EvidenceForm(),
            **observation_findings_context(request, obs.pk),
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
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial=_initial(obs),
        fixed=fixed,
        replying=obs.state == ObservationState.RETURNED and permissions.can(request.user, "comment", obs),
    )
    stale: StaleVersion | None = None
    findings: list[EntryFinding] = []
    if request.method == "POST" and form.is_valid():
        findings = findings_to_confirm(request.POST, form.to_input(), observation=obs, supersedes=obs.supersedes)
    if request.method == "POST" and form.is_valid() and not findings:
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
    return _form_page(request, form, {"obs": obs, "stale": stale, "title": _("Edit update"), "findings": findings})


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
        elif action == "verify":
            services.observation_verify(
                actor=permissions.signed_in(request.user), observation_id=obs.pk, version=version
            )
            messages.success(request, _("Update verified: it goes on to NACTA M&E."))
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
def observation_verify(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition_view(request, pk, "verify")


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
    findings: list[EntryFinding] = []
    if request.method == "POST" and form.is_valid():
        findings = findings_to_confirm(request.POST, form.to_input(), supersedes=original)
    if request.method == "POST" and form.is_valid() and not findings:
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
    return _form_page(
        request,
        form,
        {"obs": original, "title": _("Correct an approved figure"), "correcting": True, "findings": findings},
    )


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
@require_POST
def evidence_remove(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    obs = selectors.observation_detail(user=request.user, pk=pk)
    services.evidence_remove(actor=permissions.signed_in(request.user), observation_id=obs.pk, evidence_id=evidence_pk)
    messages.success(request, _("Evidence removed."))
    return _detail(obs)


@login_required
@require_POST
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    obs = selectors.observation_detail(user=request.user, pk=pk)
    permissions.require(request.user, "comment", obs)
    form = CommentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.comment_create(
                actor=permissions.signed_in(request.user),
                observation_id=obs.pk,
                text=form.cleaned_data["text"],
                upload=form.cleaned_data.get("evidence"),
            )
        except ValidationError as exc:
            messages.error(request, _message(exc))
        else:
            messages.success(request, _("Comment added to the conversation."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(reverse("tracker:observation-detail", args=[obs.pk]) + "#conversation")


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
    permissions.require(request.user, "review_queue")
    if request.method == "POST":
        return _review_batch(request)
    filterset = ReviewQueueFilter(
        request.GET or None, queryset=review_selectors.review_queue(user=request.user), request=request
    )
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    page = Paginator(queryset, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    rows = review_selectors.review_rows(page, user=request.user)
    return render(
        request,
        "tracker/workflow/review_queue.html",
        {
            "page": page,
            "rows": rows,
            # The data-quality flags of the page's submissions, in one query.
            "flags": open_finding_counts(observation_ids=[row.observation.pk for row in rows]),
            "form": ReviewBatchForm(user=request.user),
            "filter": filterset,
            "query": query.urlencode(),
        },
    )


def _review_batch(request: HttpRequest) -> HttpResponse:
    form = ReviewBatchForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("tracker:review-queue")
    done, refused = 0, []
    for pk, version in form.cleaned_data["selected"]:
        # One transaction per submission: a refusal of one leaves the others decided.
        try:
            if form.cleaned_data["decision"] == "verify":
                services.observation_verify(
                    actor=permissions.signed_in(request.user), observation_id=pk, version=version
                )
            elif form.cleaned_data["decision"] == "approve":
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


def _audit_filter(request: HttpRequest) -> AuditEntryFilter:
    permissions.require(request.user, "view_audit")
    return AuditEntryFilter(request.GET or None, queryset=audit_selectors.audit_entries())


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    filterset = _audit_filter(request)
    page = Paginator(filterset.qs, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tracker/workflow/audit_log.html",
        {
            "filter": filterset,
            "page": page,
            "rows": audit_selectors.present(page.object_list),
            "query": query.urlencode(),
            "audit_url": reverse("tracker:audit-log"),
        },
    )


@login_required
def audit_export_csv(request: HttpRequest) -> HttpResponseBase:
    """The filtered trail as CSV, streamed in chunks: the same words and values the page shows."""
    filterset = _audit_filter(request)
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()

    def rows() -> Iterator[list[str]]:
        yield [
            _("When"),
            _("Who"),
            _("Action"),
            _("Object"),
            _("Changes"),
            _("Reason"),
            _("Request id"),
            _("IP address"),
        ]
        for row in audit_selectors.present_in_chunks(queryset):
            e = row.entry
            yield [
                timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                row.who,
                row.action,
                f"{e.object_label} (#{e.object_id})" if e.object_id else e.object_label,
                row.changes_text,
                e.reason,
                e.request_id,
                e.ip or "",
            ]

    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow([spreadsheet_safe(str(cell)) for cell in line]) for line in rows()),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


class _Echo:
    """csv.writer writes into this and gets the line back, so the response can stream it."""

    def write(self, value: str) -> str:
        return value
