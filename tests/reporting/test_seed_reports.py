"""Acceptance: the reports built from the real seed data reproduce the source documents.

Skips until the seed branch (``tracker.seeding`` and ``load_seed``) is merged. Fragments are compared
case-insensitively with whitespace collapsed, against the whole row (status, responsible bodies, crosswalk
note), because NACTA's capitalisation is not always the portal's ("98.3 Million SIMS" reads "98.3 million SIMS").

Where the portal necessarily writes a figure differently from NACTA, the expected text says so:
NACTA writes "1351 cases, 2525 Arrests" without grouping; the portal groups every number ("1,351").
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.db import transaction
from pypdf import PdfReader

from reporting.builder import Report, ReportRow, build_report
from reporting.definitions import ReportParams
from reporting.renderers import render_pdf
from tracker.formatting import SOUTH_ASIAN

pytest.importorskip("tracker.seeding")

pytestmark = pytest.mark.django_db

NACTA_AS_OF = date(2017, 10, 1)

# NACTA, "National CE Policy Guidelines" (23 August 2017): the annotated status table, item by item.
NACTA_2014_TABLE: list[tuple[int, str, list[str]]] = [
    (1, "Death Sentence to Convicted Terrorists", ["484 Executions"]),
    (2, "Special (Army’s) Anti-terrorism Trial Courts", ["11 Courts", "388 Cases"]),
    (3, "Ban on activity of militant outfits and armed gangs", ["5,06,072 Combing Ops.", "2,28,640 Arrests"]),
    (4, "Strengthening of NACTA", ["Hiring", "Building", "1.38 Billion"]),
    (5, "Strict action against Hate/ Extremist Literature", ["1,351 cases", "2,525 Arrests"]),
    (
        6,
        "Countering Financing of Terrorism",
        ["Model Laws", "Cash Declaration", "Freezing & Seizure Rules", "Hawala/Hundi Regulation", "CFT Directorate"],
    ),
    (7, "Action against re-emergence of Proscribed Organizations", ["Passport", "Bank AC Ban", "ATA 1997"]),
    (8, "Establishing dedicated CFT (CT force)", ["Under provincial police"]),
    (9, "Effective steps against religious persecution.", ["Pertains to Provinces"]),
    (10, "Registration and regulation of religious seminaries", ["ITMP", "Registration forms"]),
    (11, "Ban on glorification of terrorism in press/media", ["PEMRA", "FIA", "PTA"]),
    (12, "Administrative and development reforms in FATA", ["Drafts Reforms in Cabinet"]),
    (13, "Dismantling Communication Network", ["98.3 Million SIMS"]),
    (14, "Measures against abuse of internet for terrorism", ["937 URLs blocked", "FIA", "PTA", "Tat’heer"]),
    (15, "Zero tolerance for militancy in Punjab", ["Pertains to Punjab Government"]),
    (
        16,
        "Ongoing operation in Karachi",
        ["Target Killing (↓91%)", "Murder (↓62%)", "Robberies (↓48%)", "33,378 Illegal weapons"],
    ),
    (17, "Baluchistan reconciliation with all stakeholders", ["Surrender of Ferraris"]),
    (18, "Dealing firmly with sectarian terrorists", ["185 Cases (2012)", "37 Cases (2016)"]),
    (19, "Formulation of policy for Afghan refugees", ["1,76,000 dubious CNICs blocked", "National Refugees Law"]),
    (20, "Revamping and reforming the criminal justice system", ["National Consultations"]),
]

# ISSRA's figures on the 14-point framework (and DG ISPR's for Khyber Pakhtunkhwa), each checked in its item's
# row of the report as of the date the figure describes. The item of a figure the article does not number
# (the Khyber Pakhtunkhwa operations) is the seed's reading: adjust here if the seed reads it differently.
NAP_2021_FIGURES: list[tuple[int, str, date, str]] = [
    # (item, fragment, as of, publisher fragment)
    (1, "60 billion", date(2024, 6, 30), "ISSRA"),
    (1, "↓62%", date(2024, 7, 31), "ISSRA"),
    (1, "14,535", date(2024, 12, 31), "ISPR"),
    (1, "700+", date(2024, 12, 31), "ISPR"),
    (2, "1.3 million", date(2023, 12, 31), "ISSRA"),
    (3, "12", date(2023, 12, 31), "ISSRA"),
    (3, "18", date(2024, 10, 31), "ISSRA"),
    (4, "2,646", date(2021, 12, 31), "ISSRA"),
    (4, "8,374", date(2024, 12, 31), "ISSRA"),
    (4, "5,489", date(2021, 12, 31), "ISSRA"),
    (4, "169.55 million", date(2021, 12, 31), "ISSRA"),
    (4, "5,089", date(2024, 12, 31), "ISSRA"),
    (4, "157 million", date(2024, 12, 31), "ISSRA"),
    (6, "657", date(2022, 12, 31), "ISSRA"),
    (6, "2,273", date(2024, 11, 30), "ISSRA"),
    (9, "26,160", date(2022, 12, 31), "ISSRA"),
    (9, "30,000", date(2023, 12, 31), "ISSRA"),
    (10, "3,500", date(2024, 12, 31), "ISSRA"),
    (10, "600 billion", date(2024, 12, 31), "ISSRA"),
]

NAP_2021_RATINGS = {2: "Satisfactory", 10: "Unsatisfactory", 14: "Satisfactory"}

PUBLISHER_NAMES = {
    "ISSRA": ("issra", "strategic studies, research and analysis"),
    "ISPR": ("ispr", "inter-services public relations"),
    "NACTA": ("nacta", "national counter terrorism authority"),
}


def normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def row_text(row: ReportRow) -> str:
    figures = [f.text + " " + f.via for c in row.cells for f in c.figures]
    return normal(" ".join([*figures, row.bodies_text]))


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The seed, loaded once for this module inside a transaction that is rolled back afterwards; each test's
    own transaction nests in it as a savepoint."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_seed", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def report_2014(seeded, django_db_blocker) -> Report:
    with django_db_blocker.unblock():
        return build_report(ReportParams("nap-2014", NACTA_AS_OF, number_style=SOUTH_ASIAN))


def test_the_2014_report_has_nactas_twenty_rows_in_order(report_2014):
    assert report_2014.heading == "Status as of 1st October 2017"
    assert [r.number for r in report_2014.rows] == list(range(1, 21))


@pytest.mark.parametrize(
    ("number", "title", "fragments"), NACTA_2014_TABLE, ids=[f"item-{n}" for n, *_ in NACTA_2014_TABLE]
)
def test_the_2014_report_reproduces_nactas_cell(report_2014, number, title, fragments):
    row = next(r for r in report_2014.rows if r.number == number)
    assert normal(title.rstrip(".")) in normal(row.title)
    text = row_text(row)
    for fragment in fragments:
        assert normal(fragment) in text, f"item {number}: {fragment!r} not in {text!r}"


def test_every_2014_figure_is_footnoted_to_nacta(report_2014):
    notes = {n.number: normal(n.text) for n in report_2014.footnotes}
    for row in report_2014.rows:
        for cell in row.cells:
            for figure in cell.figures:
                assert any(name in notes[figure.footnote] for name in PUBLISHER_NAMES["NACTA"]), (row.number, cell)


def test_the_2014_pdf_carries_every_cell(report_2014, django_db_blocker):
    with django_db_blocker.unblock():
        reader = PdfReader(io.BytesIO(render_pdf(report_2014)))
    text = normal(" ".join(page.extract_text() for page in reader.pages))
    for number, _title, fragments in NACTA_2014_TABLE:
        for fragment in fragments:
            assert normal(fragment) in text, f"item {number}: {fragment!r} missing from the PDF"


@pytest.mark.parametrize(
    ("number", "fragment", "as_of", "publisher"),
    NAP_2021_FIGURES,
    ids=[f"item-{n}-{f}" for n, f, *_ in NAP_2021_FIGURES],
)
def test_the_2021_report_carries_each_article_figure_in_its_item_with_its_source(
    seeded, django_db_blocker, number, fragment, as_of, publisher
):
    # The article is undated: its figures are known only with hindsight, never "as known on" a date.
    with django_db_blocker.unblock():
        report = build_report(ReportParams("nap-2021", as_of, number_style=SOUTH_ASIAN, hindsight=True))
    row = next(r for r in report.rows if r.number == number)
    cells = [c for c in row.cells if normal(fragment) in normal(c.text)]
    assert cells, f"item {number} as of {as_of}: {fragment!r} not in {row_text(row)!r}"
    notes = {n.number: normal(n.text) for n in report.footnotes}
    assert any(name in notes[f.footnote] for c in cells for f in c.figures for name in PUBLISHER_NAMES[publisher]), (
        f"item {number}: {fragment!r} is not attributed to {publisher}"
    )


def test_the_2021_report_as_of_end_2024_has_the_articles_ratings(seeded, django_db_blocker):
    with django_db_blocker.unblock():
        report = build_report(ReportParams("nap-2021", date(2024, 12, 31), hindsight=True))
    assert len(report.rows) == 14
    ratings = {r.number: r.rating.label for r in report.rows if r.rating}
    for number, label in NAP_2021_RATINGS.items():
        assert ratings.get(number) == label, f"item {number}"


def test_the_2021_report_as_of_2017_shows_2014_figures_through_the_crosswalk(seeded, django_db_blocker):
    with django_db_blocker.unblock():
        report = build_report(ReportParams("nap-2021", NACTA_AS_OF))
    vias = [f.via for r in report.rows for c in r.cells for f in c.figures if f.via]
    assert vias, "no 2014 figure reaches the 2021 report as of 2017: does any 2021 indicator continue a 2014 one?"
    assert all("item" in via for via in vias)


def test_the_2021_change_column_reads_as_the_article_does(seeded, django_db_blocker):
    with django_db_blocker.unblock():
        report = build_report(ReportParams("nap-2021", date(2024, 12, 31), compare=date(2021, 12, 31), hindsight=True))
    row = next(r for r in report.rows if r.number == 4)
    changes = " | ".join(c.change.text for c in row.cells if c.change)
    assert "5,489 → 5,089" in changes and "↓7%" in changes, changes
