"""The report table's status and change columns, written in Python: a national report has about a thousand
cells and two thousand figures, and resolving a dozen template variables for each of them cost most of the
report page's rendering time (cProfile at a million observations). The markup is the one the template wrote.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from reporting.builder import StatusCell

register = template.Library()

NONE = '<span class="none">—</span>'


@register.simple_tag
def status_figures(cells: Iterable[StatusCell], national_only: bool = False) -> SafeString:
    """Every figure of ``cells``, each with its body's name (a body's figure never reads as national), its
    source's footnote and its crosswalk note. ``national_only`` (the PDF's table) leaves bodies' figures to
    the annex and says so."""
    parts = []
    annexed = False
    for cell in cells:
        if national_only and cell.body:
            annexed = True
            continue
        code = escape(cell.indicator)
        body = f'<span class="figure__body">{escape(cell.body)}:</span> ' if cell.body else ""
        for figure in cell.figures:
            via = f'<span class="via">({escape(figure.via)})</span>' if figure.via else ""
            note = figure.footnote
            parts.append(
                f'<span class="figure" data-indicator="{code}">{body}{escape(figure.text)}'
                f'<sup><a href="#source-{note}">{note}</a></sup>{via}</span>'
            )
        listing = cell.listing_note
        if listing:
            parts.append(f'<span class="listing-note" data-indicator="{code}">({escape(listing)})</span>')
    if annexed:
        parts.append(f'<span class="listing-note annex-ref">({escape(_("bodies’ figures in the annex"))})</span>')
    return mark_safe("\n".join(parts) or NONE)  # noqa: S308 (every value above is escaped)


@register.simple_tag
def change_figures(cells: Iterable[StatusCell], national_only: bool = False) -> SafeString:
    """The change of every cell of ``cells`` that has one, named like its figures, with its trend."""
    parts = []
    for cell in cells:
        text = cell.change_text
        if not text or (national_only and cell.body):
            continue
        change = cell.change
        assert change is not None  # a change text comes from a change
        label = change.trend_label
        trend = f' <span class="trend">({escape(label)})</span>' if label else ""
        parts.append(
            f'<span class="figure change--{escape(change.trend)}" data-indicator="{escape(cell.indicator)}">'
            f"{escape(text)}{trend}</span>"
        )
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)
