"""The entry grid: one body, one period, every indicator the body owes on that cadence, on one screen.

A row is saved on its own (htmx posts the row and swaps it back; without script, the row's button posts the
whole page); "Submit all" saves what is typed and submits every draft of the period. Every save goes through
the workflow services and so through the one validation: a refused row comes back with the same message as
the single-figure form, the API and the import give, and with what was typed. A saved row shows the
data-quality warnings its figure raises, and "Submit all" holds back a row whose warnings the reporter has not
seen yet: the next "Submit all" sends it, with the reporter's comment on each finding (as the form does).
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from tracker import permissions, services
from tracker.choices import Cadence
from tracker.exceptions import WorkflowError
from tracker.forms.entry_grid import GridRowForm, GridSourceForm
from tracker.models import Observation, Source
from tracker.selectors import entry_grid as selectors
from tracker.selectors.entry_grid import Grid, GridRow
from tracker.services import ObservationInput
from tracker.validation.entry import (
    COMMENT_FIELD,
    CONFIRM_FIELD,
    EntryFinding,
    drafts_findings,
    findings_seal,
)


@dataclass
class RowView:
    """A grid row as the page shows it: the row, its form (bound after a post) and what just happened."""

    row: GridRow
    form: GridRowForm | None
    saved: str = ""
    errors: list[str] = field(default_factory=list)
    # Data-quality warnings on the row's figure, shown before it is submitted (``findings_seal`` confirms them).
    findings: list[EntryFinding] = field(default_factory=list)

    @property
    def seal(self) -> str:
        return findings_seal(self.findings)

    def posted(self, name: str) -> str:
        """A field of the row's findings panel as posted (the confirmation, the comment); not a form field, so
        typing a comment does not count as changing the figure."""
        if self.form is None or not self.form.is_bound:
            return ""
        return (self.form.data.get(self.form.add_prefix(name)) or "").strip()

    @property
    def comment(self) -> str:
        return self.posted(COMMENT_FIELD)[:2000]


def _grid_for(request: HttpRequest, slug: str, cadence: str) -> Grid:
    permissions.require(request.user, "report")
    if cadence not in Cadence.values:
        raise Http404
    # Another body's grid does not exist for a reporter: the policy's writable bodies, else 404.
    body = permissions.writable_bodies(request.user).filter(slug=slug).first()
    if body is None:
        raise Http404
    today = timezone.localdate()
    asked = request.GET.get("end") or request.POST.get("end")
    end = parse_date(asked) if asked else None
    period = selectors.grid_period(cadence, today=today, end=end)
    return selectors.entry_grid(user=request.user, body=body, cadence=cadence, period=period, today=today)


def _row_form(row: GridRow, data: Any = None) -> GridRowForm | None:
    if not row.editable:
        return None
    obs = row.entered
    initial: dict[str, Any] = {}
    if obs is not None:
        initial = {
            # 7, not 7.0000: the column's four decimal places are not the figure's.
            "value": None if obs.value is None else format(obs.value.normalize(), "f"),
            "value_qualifier": obs.value_qualifier,
            "text_value": obs.text_value,
            "note": obs.note,
            "version": obs.version,
        }
    return GridRowForm(data, indicator=row.indicator, text=row.is_text, initial=initial)


def _source(request: HttpRequest, grid: Grid, source_form: GridSourceForm, saved: dict[str, Source]) -> Source:
    chosen = source_form.cleaned_data.get("source")
    if chosen is not None:
        return chosen
    if "own_return" in saved:  # found or added by an earlier row of this post, and committed with it
        return saved["own_return"]
    return services.source_own_return(
        actor=permissions.signed_in(request.user),
        body=grid.body,
        period_end=grid.period.end,
        date_precision=grid.precision,
    )


def _messages_of(exc: Exception) -> list[str]:
    if isinstance(exc, WorkflowError):
        return [exc.message]
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    return [str(exc) or _("Not allowed.")]


def _save_row(
    request: HttpRequest, grid: Grid, view: RowView, source_form: GridSourceForm, saved: dict[str, Source]
) -> Observation | None:
    """Save one row as a draft (new, or the open one updated). Refusals land on the row; nothing is lost.

    ``saved`` carries the body's own return from one row to the next of the same post, once a row that cites it
    has committed, so submitting a whole grid looks it up once rather than once per row."""
    form = view.form
    if form is None or not form.is_valid() or not source_form.is_valid():
        return None
    obs = view.row.entered
    if form.is_blank() or (obs is not None and not form.has_changed() and not source_form.has_changed()):
        return obs
    data = form.cleaned_data
    try:
        with transaction.atomic():  # the body's own return is added only with a figure that cites it
            source = obs.source if obs is not None and not source_form.cleaned_data.get("source") else None
            entered = ObservationInput(
                indicator=view.row.indicator,
                body=grid.body,
                period_start=grid.period.start,
                period_end=grid.period.end,
                date_precision=grid.precision,
                value=data.get("value"),
                value_qualifier=data.get("value_qualifier") or "exact",
                text_value=data.get("text_value") or "",
                source=source or _source(request, grid, source_form, saved),
                quote=obs.quote if obs is not None else "",
                note=data.get("note") or "",
            )
            if obs is None:
                obs = services.observation_create_draft(actor=permissions.signed_in(request.user), data=entered)
            else:
                obs = services.observation_update(
                    actor=permissions.signed_in(request.user),
                    observation_id=obs.pk,
                    version=data.get("version") or 0,
                    data=entered,
                )
    except (ValidationError, WorkflowError, PermissionDenied, Http404) as exc:
        _row_errors(form, exc)
        return None
    if source is None and not source_form.cleaned_data.get("source"):
        saved.setdefault("own_return", entered.source)  # the row cited the body's own return
    view.saved = _("Draft saved.")
    view.row = GridRow(owed=view.row.owed, status=view.row.status, entered=obs)
    # The next save of this row edits the draft just made, at its new version.
    data_now = QueryDict(mutable=True)
    data_now.update(form.data)
    data_now[form.add_prefix("version")] = str(obs.version)
    form.data = data_now
    return obs


def _row_errors(form: GridRowForm, exc: Exception) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, _messages_of(exc))


def _submit_row(request: HttpRequest, view: RowView, obs: Observation) -> bool:
    try:
        services.observation_submit(
            actor=permissions.signed_in(request.user),
            observation_id=obs.pk,
            version=obs.version,
            comment=view.comment if view.findings else "",
        )
    except (ValidationError, WorkflowError, PermissionDenied, Http404) as exc:
        view.errors = _messages_of(exc)
        return False
    return True


def _context(grid: Grid, views: list[RowView], source_form: GridSourceForm) -> dict[str, Any]:
    by_id = {v.row.indicator.pk: v for v in views}
    return {
        "grid": grid,
        "groups": [(group, [by_id[r.indicator.pk] for r in group.rows]) for group in grid.groups],
        "source_form": source_form,
        "grid_url": _grid_url(grid),
        "earlier_end": _earlier(grid),
    }


def _grid_url(grid: Grid) -> str:
    url = reverse("tracker:entry-grid", args=[grid.body.slug, grid.cadence])
    return f"{url}?end={grid.period.end.isoformat()}"


def _earlier(grid: Grid) -> date:
    return grid.period.start.fromordinal(grid.period.start.toordinal() - 1)


@login_required
@require_http_methods(["GET", "POST"])
def entry_grid(request: HttpRequest, body: str, cadence: str) -> HttpResponse:
    grid = _grid_for(request, body, cadence)
    posted = request.POST if request.method == "POST" else None
    source_form = GridSourceForm(posted, sources=selectors.citable_sources())
    views = [RowView(row=row, form=_row_form(row, posted)) for row in grid.rows]
    if posted is None:
        return render(request, "tracker/entry/grid.html", _context(grid, views, source_form))

    if "save_row" in posted:
        try:
            wanted = int(posted["save_row"])
        except ValueError as exc:
            raise Http404 from exc
        view = next((v for v in views if v.row.indicator.pk == wanted), None)
        if view is None:
            raise Http404
        obs = _save_row(request, grid, view, source_form, {})
        if obs is not None and view.form is not None and not view.form.errors:
            # The warnings the submission would raise, shown now; the reporter may still submit, with a comment.
            view.findings = drafts_findings([obs]).get(obs.pk, [])
        if request.headers.get("HX-Request"):
            return render(
                request,
                "tracker/entry/_row.html",
                {"view": view, "grid": grid, "grid_url": _grid_url(grid), "source_form": source_form},
            )
        return render(request, "tracker/entry/grid.html", _context(grid, views, source_form))

    # Submit all: each row saved and submitted in its own transaction, so one refused row holds back no other.
    submitted = 0
    held = 0
    saved: list[tuple[RowView, Observation]] = []
    own_return: dict[str, Source] = {}
    for view in views:
        if view.form is None:
            continue
        obs = _save_row(request, grid, view, source_form, own_return)
        if view.form.errors or (source_form.errors and not view.form.is_blank()):
            held += 1
            continue
        if obs is not None:
            saved.append((view, obs))
    # The data-quality warnings of every row at once; a row with warnings its reporter has not yet seen stays a
    # draft and shows them, with a comment box: submitting again sends it, the comment beside each finding.
    findings = drafts_findings([obs for _view, obs in saved])
    warned = 0
    for view, obs in saved:
        view.findings = findings.get(obs.pk, [])
        if view.findings and view.posted(CONFIRM_FIELD) != view.seal:
            warned += 1
            continue
        if _submit_row(request, view, obs):
            submitted += 1
            view.saved = _("Submitted for review.")
        else:
            held += 1
    if submitted:
        messages.success(
            request,
            ngettext("%(count)s figure submitted for review.", "%(count)s figures submitted for review.", submitted)
            % {"count": submitted},
        )
    if warned:
        messages.warning(
            request,
            ngettext(
                "%(count)s figure raises data-quality warnings and was saved as a draft: read them on its row, "
                "add a comment if the figure is right, and submit again.",
                "%(count)s figures raise data-quality warnings and were saved as drafts: read them on their rows, "
                "add a comment if the figures are right, and submit again.",
                warned,
            )
            % {"count": warned},
        )
    if held:
        messages.error(
            request,
            ngettext(
                "%(count)s row needs attention: its input is kept below.",
                "%(count)s rows need attention: their input is kept below.",
                held,
            )
            % {"count": held},
        )
    if held or warned:
        grid = selectors.entry_grid(
            user=request.user, body=grid.body, cadence=grid.cadence, period=grid.period, today=timezone.localdate()
        )
        kept = {v.row.indicator.pk: v for v in views}
        for row in grid.rows:
            view = kept[row.indicator.pk]
            view.row = row
            if not row.editable:
                view.form = None
        return render(request, "tracker/entry/grid.html", _context(grid, views, source_form))
    if not submitted:
        messages.info(request, _("Nothing to submit: type a figure in a row first."))
    return redirect(_grid_url(grid))


def grid_links(rows: list[Any]) -> list[dict[str, Any]]:
    """The grids behind My updates' assignment rows, as links."""
    return [
        {
            "body": body,
            "cadence": Cadence(cadence).label,
            "period": period,
            "status": status,
            "url": reverse("tracker:entry-grid", args=[body.slug, cadence]),
        }
        for body, cadence, period, status in selectors.grids_for_assignments(rows)
    ]


__all__ = ["entry_grid", "grid_links"]
