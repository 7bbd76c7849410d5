"""The validation pages: findings with filters (paginated), their exports, and a reviewer's follow-up.

Thin views: the policy decides (``view_validation``, ``follow_up``), a filter set narrows, a service writes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tracker import permissions
from tracker.models import Finding, ValidationRun
from tracker.validation import exports, selectors, services
from tracker.validation.filters import FindingFilter
from tracker.validation.messages import finding_figures, finding_message, finding_period

PAGE_SIZE = 25
EXPORT_LIMIT = 50_000


def _filtered(request: HttpRequest) -> tuple[FindingFilter, QuerySet[Finding]]:
    permissions.require(request.user, "view_validation")
    base = selectors.visible_findings(request.user).select_related(
        "rule", "body", "indicator__item__framework", "observation", "changed_by"
    )
    filterset = FindingFilter(request.GET or None, queryset=base)
    return filterset, filterset.qs


def annotate(findings: list[Finding]) -> list[Finding]:
    """Attach the message and figures in the reader's language (``finding.message`` / ``finding.figures``)."""
    for f in findings:
        f.message = finding_message(f.rule.kind, f.params)  # type: ignore[attr-defined]
        f.figures = finding_figures(f.rule.kind, f.params)  # type: ignore[attr-defined]
        f.period_label = finding_period(f.period_start, f.period_end)  # type: ignore[attr-defined]
    return findings


@login_required
def validation_page(request: HttpRequest) -> HttpResponse:
    filterset, findings = _filtered(request)
    page = Paginator(findings, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tracker/validation/validation.html",
        {
            "filter": filterset,
            "page": page,
            "findings": annotate(list(page.object_list)),
            "query": query.urlencode(),
            "last_run": ValidationRun.objects.order_by("-started_at").first(),
            "may_follow_up": permissions.can(request.user, "follow_up"),
        },
    )


def _filename(ext: str) -> str:
    return f"nap-findings-{timezone.localdate():%Y-%m-%d}.{ext}"


@login_required
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    _filterset, findings = _filtered(request)
    response = StreamingHttpResponse(
        exports.csv_lines(findings[:EXPORT_LIMIT].iterator(chunk_size=2000)), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    filterset, findings = _filtered(request)
    content = exports.xlsx_bytes(findings[:EXPORT_LIMIT].iterator(chunk_size=2000), filters=filterset.applied)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("tracker:validation")


@login_required
@require_POST
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        if request.POST.get("action") == "return":
            services.finding_return(
                actor=permissions.signed_in(request.user), finding_id=pk, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("The figure was returned to its reporter; the finding is followed up."))
        else:
            services.finding_follow_up(
                actor=permissions.signed_in(request.user), finding_id=pk, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Follow-up recorded."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        if not str(exc):
            raise
        messages.error(request, str(exc))
    return _back(request)


def observation_findings_context(request: HttpRequest, observation_id: int) -> dict[str, object]:
    """What the figure's page shows of its findings (two queries: the findings, then nothing per row)."""
    findings = selectors.findings_of_observation(observation_id=observation_id).select_related(
        "body", "indicator", "observation"
    )
    return {
        "findings": annotate(list(findings)),
        "may_follow_up": permissions.can(request.user, "follow_up"),
    }
