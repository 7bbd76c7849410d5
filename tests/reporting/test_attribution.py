"""A body's figure never reads as national: every format names the body, in the status and change columns;
files carry each figure's qualifier, the figure as published and its source's URL or reference."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting.builder import build_report
from reporting.definitions import ReportParams
from reporting.renderers import render_csv, render_html, render_pdf, render_xlsx
from reporting.renderers.pdf import bodies_annex
from tests.factories import BodyFactory
from tracker.choices import BodyKind, ValueQualifier
from tracker.models import Source

OCT17 = date(2017, 10, 1)


@pytest.fixture
def provinces(world):
    """The issue's "2,525 Arrests 42 Arrests": a national total beside a province's own figure."""
    ajk = BodyFactory.create(slug="ajk", name="Azad Jammu and Kashmir", short_name="AJK", kind=BodyKind.PROVINCE)
    world.observe(world.executions, 420, date(2016, 12, 31))
    world.observe(world.executions, 2525, OCT17, qualifier=ValueQualifier.MORE_THAN)
    world.observe(world.executions, 30, date(2016, 12, 31), body=world.punjab)
    world.observe(world.executions, 42, OCT17, body=world.punjab)
    world.observe(world.executions, 7, OCT17, body=ajk)
    return build_report(ReportParams("nap-2014", OCT17, compare=date(2017, 1, 1)))


def normal(text):
    return " ".join(text.split())


def test_html_names_each_body_in_the_status_and_change_columns(provinces):
    html = normal(render_html(provinces))
    assert "2,525+ Executions" in html
    assert '<span class="figure__body">Punjab:</span> 42 Executions' in html
    assert '<span class="figure__body">AJK:</span> 7 Executions' in html
    assert "Punjab: 30 → 42 Executions" in html
    assert "AJK: new: 7 Executions" in html


def test_pdf_names_each_body(provinces):
    text = normal(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(provinces))).pages))
    assert "Punjab: 42 Executions" in text
    assert "AJK: 7 Executions" in text
    assert "Punjab: 30 → 42 Executions" in text


def test_pdf_lists_bodies_in_an_annex_capped_per_indicator_and_the_other_formats_keep_every_body(provinces, settings):
    settings.NAP_REPORT_PDF_BODIES_PER_INDICATOR = 1
    text = normal(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(provinces))).pages))
    assert "2,525+ Executions" in text  # the national figure, in the table
    assert "Annex: figures reported by bodies" in text
    assert "AJK: 7 Executions" in text and "AJK: new: 7 Executions" in text  # first by name, with its change
    assert "Punjab: 42 Executions" not in text and "Punjab: 30 → 42" not in text
    assert "and 1 more body: see the XLSX or HTML edition" in text
    # Every other format still names every body's figure.
    html = normal(render_html(provinces))
    assert '<span class="figure__body">Punjab:</span> 42 Executions' in html
    assert '<span class="figure__body">AJK:</span> 7 Executions' in html
    assert "annex" not in html.lower()
    statuses = {r["status"] for r in csv.DictReader(io.StringIO(render_csv(provinces).decode("utf-8-sig")))}
    assert {"Punjab: 42 Executions", "AJK: 7 Executions"} <= statuses
    sheet = load_workbook(io.BytesIO(render_xlsx(provinces)))["Status"]
    assert {"Punjab: 42 Executions", "AJK: 7 Executions"} <= {row[3].value for row in sheet.iter_rows(min_row=5)}


def test_the_pdf_annex_lists_the_first_bodies_of_each_indicator_and_counts_the_rest(world):
    for number in range(8):
        body = BodyFactory.create(
            slug=f"district-{number}", name=f"District {number}", short_name=f"D{number}", kind=BodyKind.PROVINCE
        )
        world.observe(world.executions, 100 + number, OCT17, body=body)
    report = build_report(ReportParams("nap-2014", OCT17))
    (entry,) = [e for e in bodies_annex(report, cap=6) if e.item_number == 1]
    assert [c.body for c in entry.cells] == ["D0", "D1", "D2", "D3", "D4", "D5"]
    assert entry.more == 2 and entry.more_text == "and 2 more bodies: see the XLSX or HTML edition"
    assert [e.more for e in bodies_annex(report, cap=8) if e.item_number == 1] == [0]
    # The table itself is national on paper, and says where the bodies' figures went.
    printed = normal(render_html(report, for_print=True))
    table = printed[: printed.index("Annex: figures reported by bodies")]
    assert "D0:" not in table and "(bodies’ figures in the annex)" in table
    assert "D5:</span> 105 Executions" in printed and "D6:" not in printed
    assert all(f"D{n}:</span> {100 + n} Executions" in normal(render_html(report)) for n in range(8))


def test_csv_names_each_body_and_carries_qualifier_and_figure_as_published(provinces):
    rows = list(csv.DictReader(io.StringIO(render_csv(provinces).decode("utf-8-sig"))))
    by_code = {r["indicator_code"]: r for r in rows if r["item_number"] == "1"}
    assert by_code["executions-2014"]["status"] == "2,525+ Executions"
    assert (by_code["executions-2014"]["qualifier"], by_code["executions-2014"]["figure"]) == ("more_than", "2,525+")
    assert by_code["executions-2014@punjab"]["status"] == "Punjab: 42 Executions"
    assert by_code["executions-2014@punjab"]["body"] == "Punjab"
    assert by_code["executions-2014@punjab"]["change"].startswith("Punjab: 30 → 42 Executions")
    assert by_code["executions-2014@ajk"]["status"] == "AJK: 7 Executions"
    assert by_code["executions-2014@ajk"]["known_on"] == "2017-10-01"


def test_xlsx_names_each_body_and_carries_qualifier_and_figure_as_published(provinces):
    sheet = load_workbook(io.BytesIO(render_xlsx(provinces)))["Status"]
    header = [c.value for c in sheet[4]]
    assert header[4:9] == ["Value", "Qualifier", "Figure as published", "Source wording", "Period"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=5) if r[0].value == 1]
    statuses = [r[3] for r in rows]
    assert statuses == ["2,525+ Executions", "AJK: 7 Executions", "Punjab: 42 Executions"]
    national = rows[0]
    assert (national[4], national[5], national[6]) == (2525, "more than", "2,525+")
    assert rows[2][12].startswith("Punjab: 30 → 42 Executions")


def test_a_source_without_url_is_footnoted_with_its_reference(world):
    Source.objects.filter(pk=world.nacta_report.pk).update(reference="NACTA page, dated 23 August 2017")
    world.observe(world.executions, 484, OCT17)
    report = build_report(ReportParams("nap-2014", OCT17))
    assert "NACTA page, dated 23 August 2017" in render_html(report)
    sources = load_workbook(io.BytesIO(render_xlsx(report)))["Sources"]
    assert [c.value for c in sources[2]][5] == "NACTA page, dated 23 August 2017"
    row = next(csv.DictReader(io.StringIO(render_csv(report).decode("utf-8-sig"))))
    assert row["source_reference"] == "NACTA page, dated 23 August 2017"
