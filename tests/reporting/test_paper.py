"""Editions a reader can trust on paper: the PDF and HTML files name the edition in their footer; the report
pages need only a framework and a date, link the archive, print the report and carry no inline style."""

import io
import re
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from reporting import services
from reporting.definitions import ReportParams
from reporting.models import EditionStatus

OCT17 = date(2017, 10, 1)
STAMP = re.compile(
    r"Edition (\d+) · generated \d{1,2} \w{3} \d{4} \d{2}:\d{2} · as of 1 Oct 2017 · as known on 1 Oct 2017 · "
    r"data fingerprint ([0-9a-f]{12})"
)


@pytest.fixture
def edition(nacta_2017, media_root, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        edition = services.edition_request(params=ReportParams("nap-2014", OCT17))
    edition.refresh_from_db()
    assert edition.status == EditionStatus.PUBLISHED
    return edition


def _file(edition, media_root, fmt) -> bytes:
    return (Path(media_root) / edition.files.get(format=fmt).path).read_bytes()


def test_the_pdf_footer_names_the_edition_on_every_page(edition, media_root):
    reader = PdfReader(io.BytesIO(_file(edition, media_root, "pdf")))
    for page in reader.pages:
        found = STAMP.search(" ".join(page.extract_text().split()))
        assert found, page.extract_text()
        assert (int(found[1]), found[2]) == (edition.pk, edition.data_fingerprint[:12])


def test_the_html_file_carries_the_same_footer(edition, media_root):
    html = " ".join(_file(edition, media_root, "html").decode().split())
    found = STAMP.search(html)
    assert found and (int(found[1]), found[2]) == (edition.pk, edition.data_fingerprint[:12])


def test_a_report_needs_only_framework_and_as_of(user_client, nacta_2017):
    response = user_client.get(reverse("reporting:report"), {"framework": "nap-2014", "as_of": "2017-10-01"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "This field is required" not in body
    assert "484 Executions" in body
    assert "Status as of 1st October 2017</strong>, as known on 1st October 2017" in body
    assert "Not an archived edition" in body


def test_with_hindsight_is_a_choice_on_the_page(user_client, nacta_2017):
    response = user_client.get(
        reverse("reporting:report"), {"framework": "nap-2014", "as_of": "2015-03-25", "hindsight": "on"}
    )
    body = response.content.decode()
    assert "with hindsight" in body and "185 Cases (2012)" in body
    body = user_client.get(reverse("reporting:report"), {"framework": "nap-2014", "as_of": "2015-03-25"})
    assert "185 Cases (2012)" not in body.content.decode()


def test_the_report_page_links_the_archive_and_the_archive_collapses_fingerprints(user_client, edition):
    page = user_client.get(reverse("reporting:report")).content.decode()
    assert f'href="{reverse("reporting:archive")}"' in page
    archive = user_client.get(reverse("reporting:archive")).content.decode()
    assert f"<summary>Fingerprints: <code>{edition.data_fingerprint[:12]}</code></summary>" in archive
    detail = user_client.get(edition.get_absolute_url()).content.decode()
    assert f"<summary><code>{edition.data_fingerprint[:12]}</code></summary>" in detail


def test_report_pages_carry_no_inline_style_and_a_print_stylesheet(user_client, edition):
    urls = [
        reverse("reporting:report") + "?framework=nap-2014&as_of=2017-10-01",
        reverse("reporting:archive"),
        edition.get_absolute_url(),
        reverse("reporting:edition-status", args=[edition.pk]),
    ]
    for url in urls:
        body = user_client.get(url).content.decode()
        assert "<style" not in body and " style=" not in body, url
    css = (Path(__file__).parents[2] / "static" / "css" / "reports.css").read_text()
    assert "@media print" in css and ".report-form" in css


def test_edition_pages_use_the_portals_date_format(user_client, edition):
    from django.utils import timezone

    detail = user_client.get(edition.get_absolute_url()).content.decode()
    assert timezone.localtime(edition.published_at).strftime("%d %b %Y %H:%M").lstrip("0") in detail
