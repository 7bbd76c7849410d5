"""The report page's report, rendered once per question and per state of the published data.

Building a report reads the framework's published series (about 1.5 s at a million figures), and every
signed-in reader gets the same report for the same parameters: it holds approved figures only, and the one
policy lets every signed-in user read it. So the rendered report section is cached as every published part of
a page is (``tracker.page_cache``: under the data version, which an approval, a correction, an edited source
or a new rating replaces).
"""

from __future__ import annotations

import json

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from reporting.builder import REPORT_LAYOUT_VERSION, build_report
from reporting.definitions import ReportParams
from reporting.renderers.stamp import EditionStamp
from tracker import page_cache

# Every signed-in user reads the same report (reports hold approved figures only).
REPORT_AUDIENCE = "signed-in"


def report_section(params: ReportParams) -> SafeString:
    """The report for ``params`` as the report page shows it (heading, table, sources, stamp), built on the
    first request after the data changed and read from the cache after that.

    Raises ``ReportParamsError`` as ``build_report`` does; a refused question is never cached.
    """

    def render() -> str:
        report = build_report(params)
        stamp = EditionStamp.unpublished(report).text(report)
        return render_to_string("reporting/_report_section.html", {"report": report, "stamp_text": stamp})

    # The question includes its effective knowledge date, its number style and language.
    question = json.dumps(params.to_json(), sort_keys=True)
    return page_cache.published_html(
        "report", audience=REPORT_AUDIENCE, parts=[str(REPORT_LAYOUT_VERSION), question], render=render
    )
