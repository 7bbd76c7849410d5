from datetime import date, timedelta

import pytest
from django.urls import reverse

from reporting import services
from reporting.definitions import ReportParams
from reporting.models import EditionStatus, ReportEdition, ReportSubscription
from tests.factories import AssessmentFactory
from tracker.choices import ObservationState, Rating
from tracker.models import Assessment, Observation

OCT17 = date(2017, 10, 1)
REPORT_GET = {"framework": "nap-2014", "as_of": "2017-10-01", "scope": "national", "number_style": "south_asian"}


@pytest.fixture
def published(nacta_2017, media_root, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        edition = services.edition_request(params=ReportParams("nap-2014", OCT17))
    edition.refresh_from_db()
    assert edition.status == EditionStatus.PUBLISHED
    return edition


@pytest.mark.parametrize(
    "url",
    [
        reverse("reporting:report"),
        reverse("reporting:archive"),
        reverse("reporting:edition-detail", args=[1]),
        reverse("reporting:edition-file", args=[1, "pdf"]),
        reverse("reporting:compare") + "?a=1&b=2",
    ],
)
def test_pages_ask_anonymous_visitors_to_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_report_page_shows_the_table_for_the_chosen_date(user_client, nacta_2017):
    response = user_client.get(reverse("reporting:report"), REPORT_GET)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Status as of 1st October 2017" in body
    assert "484 Executions" in body
    assert "Target Killing (↓91%)" in body
    assert "Generate now" not in body  # not staff


def test_report_page_without_parameters_shows_today(user_client, nacta_2017):
    response = user_client.get(reverse("reporting:report"))
    assert response.status_code == 200
    assert "484 Executions" in response.content.decode()


def test_report_page_explains_bad_input(user_client, nacta_2017):
    response = user_client.get(reverse("reporting:report"), REPORT_GET | {"compare": "2018-01-01"})
    assert response.status_code == 200
    assert "The comparison date must be before the as-of date." in response.content.decode()
    response = user_client.get(reverse("reporting:report"), REPORT_GET | {"as_of": "yesterday"})
    assert "Enter a valid date." in response.content.decode()


# The report build reads a `{period}` listing in a query of its own, then one fetch; +1 for the data version.
REPORT_PAGE_QUERIES = 17
# A question asked again on unchanged data: sign-in (3), the form's choices (5), the data version, subscriptions;
# none of the build's.
REPORT_PAGE_CACHED_QUERIES = 10


@pytest.mark.parametrize("n_obs", [1, 30])
def test_report_page_query_count_is_flat(user_client, nacta_2017, n_obs, django_assert_num_queries):
    for i in range(n_obs):
        nacta_2017.observe(nacta_2017.executions, 400 + i, date(2016, 1, 1) + timedelta(days=i))
        nacta_2017.observe(nacta_2017.sectarian, 100 + i, date(2010, 1, 1) + timedelta(days=i))
    with django_assert_num_queries(REPORT_PAGE_QUERIES):
        assert user_client.get(reverse("reporting:report"), REPORT_GET).status_code == 200


def test_report_page_reads_a_question_asked_again_from_the_cache(user_client, nacta_2017, django_assert_num_queries):
    first = user_client.get(reverse("reporting:report"), REPORT_GET).content.decode()
    with django_assert_num_queries(REPORT_PAGE_CACHED_QUERIES):
        again = user_client.get(reverse("reporting:report"), REPORT_GET).content.decode()
    assert "484 Executions" in again
    assert _report_section(again) == _report_section(first)
    # Another question on the same data is built for itself.
    earlier = user_client.get(reverse("reporting:report"), REPORT_GET | {"as_of": "2017-01-01"}).content.decode()
    assert "Status as of 1st January 2017" in earlier
    assert "484 Executions" not in earlier


def test_report_page_shows_a_correction_at_once(user_client, nacta_2017):
    assert "484 Executions" in user_client.get(reverse("reporting:report"), REPORT_GET).content.decode()
    executions = Observation.objects.get(indicator=nacta_2017.executions, value=484)
    nacta_2017.observe(nacta_2017.executions, 486, OCT17, supersedes=executions)
    body = user_client.get(reverse("reporting:report"), REPORT_GET).content.decode()
    assert "486 Executions" in body
    assert "484 Executions" not in body


def test_report_page_shows_a_new_rating_at_once(user_client, nacta_2017):
    """Ratings are part of the cached section: a new assessment changes the data version (migration 0022)."""
    query = {"framework": "nap-2021", "as_of": "2024-12-31", "hindsight": "on"}
    assert "Unsatisfactory" not in user_client.get(reverse("reporting:report"), query).content.decode()
    rated = Assessment.objects.get(source=nacta_2017.issra)
    AssessmentFactory.create(
        item=rated.item, as_of=date(2024, 6, 30), rating=Rating.UNSATISFACTORY, source=rated.source
    )
    assert "Unsatisfactory" in user_client.get(reverse("reporting:report"), query).content.decode()


def _report_section(page: str) -> str:
    return page[page.index('<table class="status-report">') : page.index('<p class="edition-stamp">')]


def test_generate_now_needs_staff(user_client, nacta_2017, media_root):
    response = user_client.post(reverse("reporting:generate"), REPORT_GET)
    assert response.status_code == 403
    assert not ReportEdition.objects.exists()


def test_generate_now_publishes_an_edition_and_shows_its_files(
    staff_client, staff, nacta_2017, media_root, django_capture_on_commit_callbacks
):
    page = staff_client.get(reverse("reporting:report"), REPORT_GET).content.decode()
    assert "Generate now" in page
    for name, value in REPORT_GET.items():
        assert f'<input type="hidden" name="{name}" value="{value}">' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("reporting:generate"), REPORT_GET)
    edition = ReportEdition.objects.get()
    assert response.status_code == 302 and response["Location"] == edition.get_absolute_url()
    assert edition.requested_by == staff
    page = staff_client.get(edition.get_absolute_url()).content.decode()
    assert "Published" in page
    for file in edition.files.all():
        assert file.sha256 in page
    assert "hx-trigger" not in page  # nothing left to poll


def test_generate_now_with_bad_input_says_why_and_creates_nothing(staff_client, nacta_2017):
    response = staff_client.post(reverse("reporting:generate"), REPORT_GET | {"as_of": "not a date"}, follow=True)
    assert "The report could not be generated: Enter a valid date." in response.content.decode()
    assert not ReportEdition.objects.exists()


def test_a_pending_edition_polls_its_progress_and_offers_no_download(user_client, nacta_2017, media_root):
    edition = services.edition_request(params=ReportParams("nap-2014", OCT17))  # queued: on_commit not run
    page = user_client.get(edition.get_absolute_url()).content.decode()
    status_url = reverse("reporting:edition-status", args=[edition.pk])
    assert f'hx-get="{status_url}"' in page and 'hx-trigger="every 2s"' in page
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert "<script>" not in page  # only the vendored htmx file, no inline script
    fragment = user_client.get(status_url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "Queued" in fragment.content.decode()
    assert user_client.get(reverse("reporting:edition-file", args=[edition.pk, "pdf"])).status_code == 404
    assert edition.pk not in {e.pk for e in user_client.get(reverse("reporting:archive")).context["page"]}


def test_download_serves_the_published_file(user_client, published, media_root):
    response = user_client.get(reverse("reporting:edition-file", args=[published.pk, "csv"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="nap-2014-national-2017-10-01.csv"'
    content = b"".join(response.streaming_content)
    assert content == (media_root / published.files.get(format="csv").path).read_bytes()
    assert user_client.get(reverse("reporting:edition-file", args=[published.pk, "docx"])).status_code == 404


def test_archive_lists_published_editions_with_checksums(user_client, published):
    body = user_client.get(reverse("reporting:archive")).content.decode()
    assert f"#{published.pk}" in body
    for file in published.files.all():
        assert file.sha256 in body


ARCHIVE_QUERIES = 7


@pytest.mark.parametrize("n_editions", [1, 6])
def test_archive_query_count_is_flat(
    user_client, published, n_editions, django_assert_num_queries, django_capture_on_commit_callbacks
):
    for day in range(1, n_editions):
        with django_capture_on_commit_callbacks(execute=True):
            services.edition_request(params=ReportParams("nap-2014", OCT17 + timedelta(days=day), scope="national"))
    with django_assert_num_queries(ARCHIVE_QUERIES):
        assert user_client.get(reverse("reporting:archive")).status_code == 200


def test_compare_names_exactly_the_changed_cells(
    user_client, published, nacta_2017, django_capture_on_commit_callbacks
):
    original = nacta_2017.courts.observations.get()
    nacta_2017.observe(nacta_2017.courts, 12, OCT17, supersedes=original, state=ObservationState.APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.edition_request(params=ReportParams("nap-2014", OCT17))
    response = user_client.get(reverse("reporting:compare"), {"a": second.pk, "b": published.pk})
    assert response.status_code == 200
    differences = response.context["differences"]
    assert [(d.item_number, d.before, d.after) for d in differences] == [(2, "11 Courts", "12 Courts")]
    assert "12 Courts" in response.content.decode()


def test_compare_says_what_each_edition_could_know(user_client, published, django_capture_on_commit_callbacks):
    """Two editions of one report, one as known on the date and one with hindsight: the header tells them apart."""
    with django_capture_on_commit_callbacks(execute=True):
        hindsight = services.edition_request(params=ReportParams("nap-2014", OCT17, hindsight=True))
    body = user_client.get(reverse("reporting:compare"), {"a": published.pk, "b": hindsight.pk}).content.decode()
    body = " ".join(body.split())
    assert f"#{published.pk}</a> (Status as of 1st October 2017, as known on 1st October 2017; published " in body
    assert f"#{hindsight.pk}</a> (Status as of 1st October 2017, with hindsight: every figure known when" in body


def test_compare_refuses_editions_of_different_reports(user_client, published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        other = services.edition_request(params=ReportParams("nap-2021", OCT17))
    response = user_client.get(reverse("reporting:compare"), {"a": other.pk, "b": published.pk}, follow=True)
    assert "Only editions of the same report" in response.content.decode()


def test_subscribe_and_unsubscribe(user_client, user, nacta_2017):
    url = reverse("reporting:subscription", args=["nap-2014"])
    user_client.post(url, {"subscribe": "1", "next": "https://evil.example/"})
    assert ReportSubscription.objects.filter(user=user, framework=nacta_2017.nap2014).exists()
    response = user_client.post(url, {"subscribe": "0"})
    assert response["Location"] == reverse("reporting:report")
    assert not ReportSubscription.objects.exists()
