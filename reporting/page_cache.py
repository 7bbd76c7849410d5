"""The report page's report, rendered once per question and per state of the published data.

Building a report reads the framework's published series (about 1.5 s at a million figures), and every
signed-in reader gets the same report for the same parameters: it holds approved figures only, and the one
policy lets every signed-in user read it. So the rendered report section is cached (Django's cache: Redis in
production) under the parameters, the reader's language and the data version (``DataVersion``), which every
write that can change a published figure replaces in its own transaction: an approval, a correction or an
edited source makes new keys, and a cached section is never older than the data it shows. The API's status
answers are cached the same way (``tracker.api.status``).
"""

from __future__ import annotations

import hashlib
import json

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from reporting.builder import REPORT_LAYOUT_VERSION, build_report
from reporting.definitions import ReportParams
from reporting.renderers.stamp import EditionStamp
from tracker import selectors

# A new data version makes new keys; the timeout only returns the memory of sections nobody asks for any more.
REPORT_SECTION_CACHE_SECONDS = 24 * 60 * 60


def report_section(params: ReportParams) -> SafeString:
    """The report for ``params`` as the report page shows it (heading, table, sources, stamp), built on the
    first request after the data changed and read from the cache after that (two queries and a cache read).

    Raises ``ReportParamsError`` as ``build_report`` does; a refused question is never cached.
    """
    # The version is read before the data: a section is never older than the version it is cached under.
    version = selectors.data_version()
    key = None if version is None else _cache_key(params, version)
    html = None if key is None else cache.get(key)
    if html is None:
        report = build_report(params)
        html = render_to_string(
            "reporting/_report_section.html",
            {"report": report, "stamp_text": EditionStamp.unpublished(report).text(report)},
        )
        if key is not None:
            cache.set(key, html, REPORT_SECTION_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 (rendered by our template, its values escaped there)


def _cache_key(params: ReportParams, version: str) -> str:
    """What decides the section: the data, the report's layout, the question (its effective knowledge date
    included) and the language the page is written in."""
    parts = [
        version,
        str(REPORT_LAYOUT_VERSION),
        translation.get_language() or "",
        json.dumps(params.to_json(), sort_keys=True),
    ]
    return "reporting:section:" + hashlib.sha256("\x00".join(parts).encode()).hexdigest()
