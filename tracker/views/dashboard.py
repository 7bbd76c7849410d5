"""Home, the M&E dashboard, the analyst explorer with its exports, and the indicator page.

Thin views: each reads its parameters, asks the selectors (which start from the permission policy) and
renders. htmx requests get only the part of the page that changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template, render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker import exports, page_cache, permissions
from tracker.charts import chart_payload
from tracker.filters import ObservationFilter
from tracker.forms.dashboard import DashboardForm, DashboardParams
from tracker.models import Body, Indicator
from tracker.pagination import EstimatedCountPaginator
from tracker.selectors import charts as chart_selectors
from tracker.selectors import dashboard as selectors
from tracker.selectors import explorer as explorer_selectors
from tracker.selectors.histories import RECENT_LINKED, Cursor
from tracker.services import export_jobs
from tracker.validation.selectors import completeness_matrix

EXPLORER_PAGE_SIZE = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The explorer's columns: (sort parameter or None, heading, numeric).
EXPLORER_COLUMNS = (
    ("period", gettext_lazy("Period"), False),
    ("indicator", gettext_lazy("Indicator"), False),
    ("body", gettext_lazy("Reported for"), False),
    ("value", gettext_lazy("Value"), True),
    ("state", gettext_lazy("Status"), False),
    ("approved", gettext_lazy("Approved"), False),
    (None, gettext_lazy("Source"), False),
)


def _chart_labels() -> dict[str, str]:
    return {"source": _("Source"), "target": _("Target"), "period": _("Period")}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's home: My updates for reporters (once that page exists), the dashboard otherwise."""
    if permissions.can(request.user, "my_updates"):
        try:
            return redirect(reverse("tracker:my-updates"))
        except NoReverseMatch:
            pass
    return redirect("tracker:dashboard")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    frameworks = selectors.dashboard_frameworks()
    default = selectors.default_framework(frameworks)
    bound = bool(request.GET)
    form = DashboardForm(
        request.GET if bound else None, frameworks=frameworks, default=default, today=timezone.localdate()
    )
    params = form.params()
    if not bound:
        form = DashboardForm(
            initial=form.initial_for(params), frameworks=frameworks, default=default, today=timezone.localdate()
        )
    context: dict[str, Any] = {"form": form, "params": params, "frameworks": frameworks}
    if params.framework is not None:
        # What each card's "figures by body" fragment is asked with, so it reads what the page shows.
        context["bodies_query"] = _dashboard_query(params)
        # Each chart loads its own points (dashboard_chart) when it scrolls into view: the page carries none.
        context["chart_data"] = {"labels": _chart_labels(), "charts": []}
        context["review_url"] = _optional_url("tracker:review-queue")
        # The reader's own: pending counts, backlog, activity (empty for a reader of published figures only).
        context["work"] = selectors.dashboard_work(
            user=request.user, framework=params.framework, category=params.category
        )
        if permissions.can(request.user, "view_validation"):
            # Returns expected, received, on time, late and missing per body and quarter (two queries). Outside
            # the cached part: a submission counts as received before it is approved.
            context["completeness"] = completeness_matrix(as_of=params.as_of, framework=params.framework)
    context["published_part"] = _published_part(request, params, context)
    template = "tracker/dashboard/_body.html" if getattr(request, "htmx", False) else "tracker/dashboard/dashboard.html"
    return render(request, template, context)


def _published_part(request: HttpRequest, params: DashboardParams, context: dict[str, Any]) -> SafeString:
    """The cards, the compliance matrix and the charts: published figures only, the same for everyone of the
    reader's audience, so they come from the cache until the data change (``tracker.page_cache``). What is the
    reader's own (pending counts on the cards, the backlog and activity in the contents) fills its slots on
    every request."""
    user = request.user

    def render() -> str:
        if params.framework is not None:
            context["data"] = selectors.dashboard(
                user=user,
                framework=params.framework,
                as_of=params.as_of,
                compare=params.compare,
                category=params.category,
            )
        # No request: nothing of the reader's own (a CSRF token, a name) may reach a part others read.
        return render_to_string("tracker/dashboard/_published.html", context)

    question = [
        params.framework.slug if params.framework is not None else "",
        params.as_of.isoformat(),
        params.compare.isoformat() if params.compare else "",
        params.category,
        # The settings as given: the form's messages about unusable ones are part of the page.
        request.GET.urlencode(),
    ]
    part = page_cache.published_html(
        "dashboard", audience=permissions.published_audience(user), parts=question, render=render
    )
    return page_cache.fill_slots(part, _reader_slots(context.get("work"), context.get("review_url")))


def _reader_slots(work: selectors.DashboardWork | None, review_url: str | None) -> Callable[[str], str]:
    """What fills the dashboard's slots for this reader: "toc" (links to their backlog and activity) and
    "pending:<item id>" (the card's submissions awaiting review, for readers who see unpublished figures)."""
    if work is None:
        return lambda name: ""
    toc = render_to_string("tracker/dashboard/_work_toc.html", {"work": work})
    pending_line = get_template("tracker/dashboard/_pending.html")
    pending = work.pending

    def fill(name: str) -> str:
        if name == "toc":
            return toc
        kind, _sep, item = name.partition(":")
        if kind == "pending" and pending is not None and item.isdigit():
            return pending_line.render({"n": pending.get(int(item), 0), "review_url": review_url})
        return ""

    return fill


def _dashboard_query(params: DashboardParams) -> str:
    framework = params.framework.slug if params.framework is not None else ""
    return urlencode({"framework": framework, "as_of": params.as_of.isoformat(), "category": params.category})


@login_required
def dashboard_bodies(request: HttpRequest, code: str) -> HttpResponse:
    """One indicator's figures by body (an HTML fragment htmx loads when the card's "figures by body" opens, a
    page of its own without JavaScript), with the dashboard's settings: the indicator must be in the framework
    and category shown (404 otherwise), and the figures are those the policy lets the user see, as of the
    dashboard's date."""
    frameworks = selectors.dashboard_frameworks()
    form = DashboardForm(
        request.GET,
        frameworks=frameworks,
        default=selectors.default_framework(frameworks),
        today=timezone.localdate(),
    )
    params = form.params()
    indicators = Indicator.objects.select_related("item__framework").filter(code=code, item__framework=params.framework)
    if params.category:
        indicators = indicators.filter(item__category=params.category)
    indicator = indicators.first()
    if indicator is None or not permissions.is_visible(request.user, indicator):
        raise Http404(_("No indicator with this code in this selection."))
    figures = selectors.body_figures(request.user, indicator=indicator, as_of=params.as_of)
    context = {"indicator": indicator, "figures": figures, "as_of": params.as_of}
    if getattr(request, "htmx", False):
        return render(request, "tracker/dashboard/_bodies.html", context)
    # Without JavaScript the card's link opens the figures as a page of their own.
    return render(request, "tracker/dashboard/bodies.html", {**context, "dashboard_query": _dashboard_query(params)})


@login_required
def dashboard_chart(request: HttpRequest, code: str) -> JsonResponse:
    """One dashboard chart's points as JSON, aggregated in SQL (tracker.selectors.charts), as of ``as_of``."""
    try:
        indicator = Indicator.objects.get(code=code)
    except Indicator.DoesNotExist:
        raise Http404(_("No indicator with this code.")) from None
    as_of = parse_date(request.GET.get("as_of", "")) or timezone.localdate()

    def payload() -> dict[str, Any]:
        points = chart_selectors.chart_points(request.user, indicator_ids=[indicator.pk], as_of=as_of)
        charts = [chart_payload(indicator, points)] if points and indicator.is_numeric else []
        return {"labels": _chart_labels(), "charts": charts}

    # Published figures only: the same points for everyone of the reader's audience, until the data change.
    data = page_cache.published_cached(
        "chart", audience=permissions.published_audience(request.user), parts=[code, as_of.isoformat()], build=payload
    )
    return JsonResponse(data)


def _optional_url(name: str) -> str:
    """A page another part of the portal provides, if it is there yet."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _explorer_filter(request: HttpRequest) -> ObservationFilter:
    return ObservationFilter(
        request.GET or None, queryset=explorer_selectors.explorer_observations(user=request.user), user=request.user
    )


@login_required
def explorer(request: HttpRequest) -> HttpResponse:
    filterset = _explorer_filter(request)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "columns": _sort_columns(request),
        "query": query.urlencode(),
        "can_export": permissions.can(request.user, "export"),
        "sees_unapproved": permissions.can(request.user, "see_unapproved"),
    }

    def results() -> str:
        page = EstimatedCountPaginator(filterset.qs, EXPLORER_PAGE_SIZE).get_page(request.GET.get("page"))
        # No request: nothing of the reader's own may reach what others of the audience read.
        return render_to_string("tracker/explorer/_results.html", {**context, "page": page})

    if not permissions.reads_published_only(request.user):
        # Drafts and submissions change without a new data version: built each time.
        context["results"] = mark_safe(results())  # noqa: S308 (rendered by our template, its values escaped there)
    else:
        # Approved figures only: the same page of rows for everyone of the reader's audience and query.
        question = [request.GET.urlencode(), str(context["can_export"])]
        context["results"] = page_cache.published_html(
            "explorer", audience=permissions.published_audience(request.user), parts=question, render=results
        )
    if getattr(request, "htmx", False):
        return HttpResponse(context["results"])
    return render(request, "tracker/explorer/explorer.html", context)


def _sort_columns(request: HttpRequest) -> list[dict[str, Any]]:
    """Column headings that sort the table (a second click reverses), keeping the other filters."""
    current = request.GET.get("sort", "")
    columns = []
    for param, label, numeric in EXPLORER_COLUMNS:
        url, state = "", ""
        if param is not None:
            query = request.GET.copy()
            query.pop("page", None)
            query["sort"] = f"-{param}" if current == param else param
            url = query.urlencode()
            if current == param:
                state = "ascending"
            elif current == f"-{param}" or (not current and param == "period"):
                state = "descending"
        columns.append({"label": label, "url": url, "current": state, "numeric": numeric})
    return columns


def _export_selection(request: HttpRequest) -> tuple[ObservationFilter, Any]:
    permissions.require(request.user, "export")
    return explorer_selectors.export_selection(user=request.user, params=request.GET)


def _filename(extension: str) -> str:
    return f"nap-observations-{timezone.localdate():%Y-%m-%d}.{extension}"


@login_required
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Streams whatever the size: the first line leaves at once and gunicorn's gthread workers (compose) do
    not time a running request out."""
    _filterset, observations = _export_selection(request)
    response = StreamingHttpResponse(exports.csv_lines(observations), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    """Small selections at once; above ``EXPORT_JOB_THRESHOLD`` rows a background job and its progress page."""
    filterset, observations = _export_selection(request)
    total = observations.count()
    if total > exports.EXPORT_JOB_THRESHOLD:
        job = export_jobs.export_job_start(user=permissions.signed_in(request.user), query=request.GET, total=total)
        return redirect("tracker:export-job", job_id=job.id)
    content = exports.xlsx_bytes(
        observations,
        filters=filterset.applied,
        title=_("NAP Portal: observations (approved figures)"),
    )
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response


@login_required
def export_job(request: HttpRequest, job_id: str) -> HttpResponse:
    """A background export's progress (htmx polls the status part until it is done), then its link."""
    job = export_jobs.export_job_get(user=permissions.signed_in(request.user), job_id=job_id)
    context = {"job": job, "done": job.state == export_jobs.DONE, "failed": job.state == export_jobs.FAILED}
    if getattr(request, "htmx", False):
        return render(request, "tracker/explorer/_export_job_status.html", context)
    return render(request, "tracker/explorer/export_job.html", context)


@login_required
def export_job_file(request: HttpRequest, job_id: str) -> FileResponse:
    job = export_jobs.export_job_get(user=permissions.signed_in(request.user), job_id=job_id)
    if job.state != export_jobs.DONE:
        raise Http404(_("This export is not ready yet."))
    return FileResponse(
        default_storage.open(job.path, "rb"),
        as_attachment=True,
        filename=_filename("xlsx"),
        content_type=XLSX_TYPE,
    )


@login_required
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One series of an indicator at a time (national, or ``?body=<slug>``), its history a page at a time
    (``?after=`` / ``?before=`` a cursor)."""
    indicator = Indicator.objects.select_related("item__framework").filter(code=code).first()
    if indicator is None:
        raise Http404(_("No indicator with this code."))

    def content() -> str:
        try:
            page = explorer_selectors.indicator_page(
                user=request.user,
                code=code,
                body_slug=request.GET.get("body") or None,
                after=Cursor.parse(request.GET.get("after")),
                before=Cursor.parse(request.GET.get("before")),
            )
        except Indicator.DoesNotExist:
            raise Http404(_("No indicator with this code.")) from None
        except Body.DoesNotExist:
            raise Http404(_("No body with this address.")) from None
        linked = {ind.pk: ind for ind in (*page.earlier, *page.later)}
        labels = {ind.pk: ind.item.framework.short_title for ind in (page.indicator, *linked.values())}
        chart = chart_payload(page.indicator, page.points, series_label=labels if linked else None, indicators=linked)
        context = {
            "page": page,
            "indicator": page.indicator,
            "item": page.indicator.item,
            "framework": page.indicator.item.framework,
            "chart_data": {"labels": _chart_labels(), "charts": [chart] if page.points else []},
            "body_query": urlencode({"body": page.body.slug}) if page.body is not None else "",
            "recent_linked": RECENT_LINKED,
        }
        # No request: nothing of the reader's own may reach what others of the audience read.
        return render_to_string("tracker/_indicator_content.html", context)

    # Approved figures only (a corrected one marked so), the bodies the policy shows: the same for everyone of the
    # reader's audience. The chart runs to today; the page's series and cursor are in its query.
    question = [code, request.GET.urlencode(), timezone.localdate().isoformat()]
    cached = page_cache.published_html(
        "indicator", audience=permissions.published_audience(request.user), parts=question, render=content
    )
    context = {"indicator": indicator, "item": indicator.item, "framework": indicator.item.framework}
    return render(request, "tracker/indicator_detail.html", {**context, "content": cached})
