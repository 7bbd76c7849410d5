"""Report pages: the status report for any date, "Generate now", edition progress, archive, comparison.

Access: every signed-in user may read reports and download published files; generating needs staff status.
Who may see and generate reports is the one policy's decision (``tracker/permissions.py``): every signed-in
user reads reports (they hold approved figures only); reviewers and administrators generate editions.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reporting import page_cache, services
from reporting.definitions import ReportParamsError
from reporting.forms import ReportForm
from reporting.models import EditionStatus, ReportEdition, ReportSubscription
from reporting.selectors import edition_differences, edition_file_on_disk, editions_published
from tracker import permissions
from tracker.models import Framework
from tracker.permissions import UserLike


def _may_view(user: UserLike) -> bool:
    return bool(user.is_authenticated)


def _may_generate(user: UserLike) -> bool:
    return permissions.can(user, "generate_report")


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@login_required
@require_GET
def report_page(request: HttpRequest) -> HttpResponse:
    _require(_may_view(request.user))
    form = ReportForm(request.GET) if "framework" in request.GET else ReportForm(initial=ReportForm.initial_values())
    report_section = None
    if form.is_bound and form.is_valid():
        try:
            report_section = page_cache.report_section(form.cleaned_data["params"])
        except ReportParamsError as error:
            form.add_error(None, str(error))
    elif not form.is_bound and form.initial.get("framework"):
        bound = ReportForm({k: v for k, v in form.initial.items() if v is not None})
        if bound.is_valid():
            form, report_section = bound, page_cache.report_section(bound.cleaned_data["params"])
    subscribed: set[int] = set(
        ReportSubscription.objects.filter(user=request.user.pk).values_list("framework_id", flat=True)
    )
    return render(
        request,
        "reporting/report_page.html",
        {
            "form": form,
            "report_section": report_section,
            "may_generate": _may_generate(request.user),
            "frameworks": Framework.objects.order_by("adopted_on", "slug"),
            "subscribed": subscribed,
        },
    )


@login_required
@require_POST
def edition_generate(request: HttpRequest) -> HttpResponse:
    _require(_may_generate(request.user))
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The report could not be generated: %(errors)s") % {"errors": _errors(form)})
        return redirect("reporting:report")
    try:
        edition = services.edition_request(
            params=form.cleaned_data["params"],
            requested_by=request.user,  # type: ignore[arg-type]  # login_required: never anonymous
        )
    except ReportParamsError as error:
        messages.error(request, str(error))
        return redirect("reporting:report")
    return redirect(edition)


def _errors(form: ReportForm) -> str:
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


def _edition(request: HttpRequest, pk: int) -> ReportEdition:
    edition = get_object_or_404(ReportEdition.objects.select_related("framework", "requested_by", "dispatch"), pk=pk)
    _require(_may_view(request.user))
    return edition


@login_required
@require_GET
def edition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    edition = _edition(request, pk)
    return render(request, "reporting/edition_detail.html", {"edition": edition, "files": _files(edition)})


@login_required
@require_GET
def edition_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment htmx polls while an edition is queued or being built."""
    edition = _edition(request, pk)
    return render(request, "reporting/_edition_status.html", {"edition": edition, "files": _files(edition)})


def _files(edition: ReportEdition) -> list[object]:
    # Files exist only for a published edition; nothing else is ever listed.
    return list(edition.files.all()) if edition.status == EditionStatus.PUBLISHED else []


@login_required
@require_GET
def edition_file(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    edition = _edition(request, pk)
    found = edition_file_on_disk(edition=edition, fmt=fmt)
    if found is None:
        raise Http404
    path = found[1]
    response = FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def edition_archive(request: HttpRequest) -> HttpResponse:
    _require(_may_view(request.user))
    framework = request.GET.get("framework") or None
    page = Paginator(editions_published(framework_slug=framework), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reporting/archive.html",
        {"page": page, "framework": framework, "frameworks": Framework.objects.order_by("adopted_on", "slug")},
    )


@login_required
@require_GET
def edition_compare(request: HttpRequest) -> HttpResponse:
    _require(_may_view(request.user))
    try:
        ids = sorted({int(request.GET["a"]), int(request.GET["b"])})
    except (KeyError, ValueError):
        messages.error(request, _("Choose two editions to compare."))
        return redirect("reporting:archive")
    editions = {e.pk: e for e in editions_published().filter(pk__in=ids)}
    if len(ids) != 2 or len(editions) != 2:
        messages.error(request, _("Choose two different published editions to compare."))
        return redirect("reporting:archive")
    older, newer = sorted(editions.values(), key=lambda e: (e.published_at, e.pk))
    if (older.framework_id, older.scope) != (newer.framework_id, newer.scope):
        messages.error(request, _("Only editions of the same report (framework and scope) can be compared."))
        return redirect("reporting:archive")
    return render(
        request,
        "reporting/compare.html",
        {"older": older, "newer": newer, "differences": edition_differences(older=older, newer=newer)},
    )


@login_required
@require_POST
def subscription_update(request: HttpRequest, framework: str) -> HttpResponse:
    _require(_may_view(request.user))
    target = get_object_or_404(Framework, slug=framework)
    subscribed = services.subscription_set(
        user=request.user,  # type: ignore[arg-type]
        framework=target,
        subscribed=request.POST.get("subscribe") == "1",
    )
    if subscribed:
        messages.success(request, _("You will get an email when a new %(fw)s edition is published.") % {"fw": target})
    else:
        messages.success(request, _("You will no longer get emails about %(fw)s editions.") % {"fw": target})
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(next_url)
    return redirect("reporting:report")
