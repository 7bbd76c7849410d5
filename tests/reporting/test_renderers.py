import csv
import io
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting.builder import build_report
from reporting.definitions import ReportParams
from reporting.renderers import render_csv, render_html, render_pdf, render_report_files, render_xlsx
from tests.factories import AgendaItemFactory, IndicatorFactory
from tracker.formatting import INTERNATIONAL, SOUTH_ASIAN
from tracker.models import AgendaItem

OCT17 = date(2017, 10, 1)


@pytest.fixture
def report(nacta_2017):
    nacta_2017.observe(nacta_2017.executions, 506_072, OCT17)
    return build_report(ReportParams("nap-2014", OCT17, number_style=SOUTH_ASIAN))


def test_html_is_a_standalone_document_with_the_table_and_sources(report):
    html = render_html(report)
    assert html.startswith("<!doctype html>")
    assert "<script" not in html
    assert "Status as of 1st October 2017" in html
    assert "5,06,072 Executions" in html
    assert "Target Killing (↓91%)" in html
    assert 'id="source-1"' in html
    assert "National Counter Terrorism Authority, “Status report”, 23 Aug 2017" in html


def test_html_escapes_what_the_data_says(nacta_2017):
    AgendaItem.objects.filter(pk=nacta_2017.executions.item_id).update(title="<script>alert(1)</script>")
    html = render_html(build_report(ReportParams("nap-2014", OCT17)))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_pdf_is_a4_with_page_numbers_embedded_fonts_and_extractable_text(report):
    reader = PdfReader(io.BytesIO(render_pdf(report)))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4 in points
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Status as of 1st October 2017" in text
    assert "5,06,072 Executions" in text
    assert "Target Killing (↓91%)" in text
    assert "98.3 million SIMS" in text
    assert re.search(r"Page 1 of \d+", text)
    fonts = set()
    for p in reader.pages:
        resources: Any = p["/Resources"]
        for font in resources["/Font"].values():
            descriptor = (
                font.get_object().get("/FontDescriptor")
                or font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            )
            descriptor = descriptor.get_object()
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), "font not embedded"
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts and all("DejaVu-Sans" in name for name in fonts), fonts


def test_pdf_repeats_the_table_header_on_every_page(world):
    for number in range(20, 80):
        item = AgendaItemFactory.create(
            framework=world.nap2014, number=number, title=f"Long item {number} " * 6, category="kinetic"
        )
        indicator = IndicatorFactory.create(
            item=item, code=f"ind-{number}", name="x", unit="count", status_template="{value} Operations", position=1
        )
        world.observe(indicator, number * 1000, OCT17)
    reader = PdfReader(io.BytesIO(render_pdf(build_report(ReportParams("nap-2014", OCT17)))))
    assert len(reader.pages) >= 2
    for number, page in enumerate(reader.pages, start=1):
        text = " ".join(page.extract_text().split())
        if "Long item" in text:
            assert "NAP Agenda Item" in text and "Current Status" in text
        assert f"Page {number} of {len(reader.pages)}" in text


def test_xlsx_stores_numbers_as_numbers_with_formats_and_a_sources_sheet(report):
    book = load_workbook(io.BytesIO(render_xlsx(report)))
    assert book.sheetnames == ["Status", "Sources"]
    sheet = book["Status"]
    assert sheet["A1"].value == "National Action Plan 2014"
    assert sheet.freeze_panes == "C5"
    assert [c.value for c in sheet[4]][:5] == ["S", "NAP Agenda Item", "Indicator", "Current Status", "Value"]
    rows = {row[2].value: row for row in sheet.iter_rows(min_row=5) if row[2].value}
    executions = rows["Executions"]
    assert executions[0].value == 1
    assert executions[3].value == "5,06,072 Executions"
    assert executions[4].value == 506072 and isinstance(executions[4].value, int)
    assert "##\\,##\\,##0" in executions[4].number_format
    sims = rows["sims blocked"]
    assert sims[4].value == 98_300_000
    killing = rows["karachi target killing"]
    assert killing[4].value == pytest.approx(-0.91)
    assert killing[4].number_format == "+0%;-0%;0%"
    assert sheet.column_dimensions["B"].width == 42
    sources = book["Sources"]
    assert [c.value for c in sources[2]][:4] == [
        1,
        "National Counter Terrorism Authority",
        "Status report",
        "23 Aug 2017",
    ]


def read_csv(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_csv_has_one_row_per_item_and_indicator(report):
    rows = read_csv(render_csv(report))
    keys = [(r["item_number"], r["indicator_code"]) for r in rows]
    assert keys == [
        ("1", "executions-2014"),
        ("2", "military-courts"),
        ("2", "military-court-cases"),
        ("13", "sims-blocked"),
        ("14", "urls-blocked-2014"),
        ("16", "karachi-target-killing"),
        ("18", "sectarian-cases"),
        ("19", "refugee-law"),
    ]
    first = rows[0]
    assert first["status"] == "5,06,072 Executions"
    assert first["value"] == "506072"
    assert first["source"].startswith("National Counter Terrorism Authority")
    assert rows[5]["value"] == "-91"  # a number the portal writes is not escaped


def test_csv_and_xlsx_defuse_formula_injection(world):
    item = AgendaItemFactory.create(
        framework=world.nap2014, number=3, title='=HYPERLINK("http://evil","x")', category="kinetic"
    )
    text = IndicatorFactory.create(
        item=item, code="evil", name="@SUM(A1)", unit="text", status_template="{value}", position=1
    )
    world.observe(text, "+cmd|' /C calc'!A0", OCT17)
    world.observe(world.executions, 484, OCT17)
    report = build_report(ReportParams("nap-2014", OCT17))
    row = next(r for r in read_csv(render_csv(report)) if r["indicator_code"] == "evil")
    assert row["agenda_item"] == '\'=HYPERLINK("http://evil","x")'
    assert row["indicator"] == "'@SUM(A1)"
    assert row["status"] == "'+cmd|' /C calc'!A0"
    sheet = load_workbook(io.BytesIO(render_xlsx(report)))["Status"]
    cells = [c for r in sheet.iter_rows(min_row=5) for c in r if c.value and str(c.value).startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)


def test_report_files_are_written_with_size_and_sha256(report, tmp_path):
    import hashlib

    files = render_report_files(report, ["html", "csv"], tmp_path)
    assert [f.path.name for f in files] == ["nap-2014-national-2017-10-01.html", "nap-2014-national-2017-10-01.csv"]
    for f in files:
        assert f.size == f.path.stat().st_size
        assert f.sha256 == hashlib.sha256(f.path.read_bytes()).hexdigest()


def test_international_style_reaches_the_files(nacta_2017):
    nacta_2017.observe(nacta_2017.executions, Decimal(506072), OCT17)
    report = build_report(ReportParams("nap-2014", OCT17, number_style=INTERNATIONAL))
    assert "506,072 Executions" in render_html(report)
    sheet = load_workbook(io.BytesIO(render_xlsx(report)))["Status"]
    value = next(r[4] for r in sheet.iter_rows(min_row=5) if r[2].value == "Executions")
    assert value.number_format == "#,##0"
