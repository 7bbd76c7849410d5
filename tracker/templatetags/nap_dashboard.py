"""Template filters and tags for the dashboard: chart points (plain values, not observations) and the compliance
matrix's cells."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tracker.compliance import CellStatus
from tracker.formatting import Figure, format_date, format_figure
from tracker.models import Framework, Indicator
from tracker.selectors.dashboard import MatrixRow, SeriesPoint

register = template.Library()


@register.filter
def point_figure(point: SeriesPoint, indicator: Indicator) -> str:
    """A chart point's value as its source gives it, in its indicator's unit and scale."""
    return format_figure(
        Figure(value=point.value, unit=indicator.unit, scale=indicator.scale, qualifier=point.qualifier)
    )


@register.simple_tag
def matrix_cells(row: MatrixRow, framework: Framework) -> SafeString:
    """A matrix row's cells: each a link to its figures in the explorer, titled with the item and its latest
    figure's date. One tag per row rather than template nodes per cell: a framework's matrix has bodies × items
    cells (about 800 at volume), and rendering each through nested tags and a URL reversal was most of the page's
    rendering time."""
    explorer = reverse("tracker:explorer")
    body = row.body.slug if row.body is not None else "national"
    not_expected = format_html(
        '<span class="cell cell--not_expected" title="{}">—</span>', _("Not expected to report on this item")
    )
    latest = _("latest")
    # A row's cells differ only by item: the rest of the link, the labels and the few dates are made once.
    framework_query = urlencode({"framework": framework.slug})
    body_query = urlencode({"body": body, "state": "approved"})
    labels = {status.value: str(status.label) for status in CellStatus}
    dates: dict[date, str] = {}
    cells = []
    for cell in row.cells:
        if cell.status == CellStatus.NOT_EXPECTED:
            cells.append(not_expected)
            continue
        query = f"{framework_query}&item={cell.item.pk}&{body_query}"
        title = f"{cell.item.number}. {cell.item.title}"
        if cell.latest_end is not None:
            if cell.latest_end not in dates:
                dates[cell.latest_end] = format_date(cell.latest_end)
            title += f" · {latest} {dates[cell.latest_end]}"
        cells.append(
            format_html(
                '<a class="cell cell--{}" href="{}?{}" title="{}">{}</a>',
                cell.status,
                explorer,
                query,
                title,
                labels[cell.status],
            )
        )
    return format_html_join("", '<td class="matrix__cell">{}</td>', ((cell,) for cell in cells))
