"""Scope of the dashboard and exports (part of the authorization matrix): a reporter of one body never sees
another body's drafts or submissions on any widget, in the explorer, or in an export; analysts see none."""

from datetime import date

import pytest

from tracker.choices import ObservationState

pytestmark = pytest.mark.django_db

# Values no approved figure uses, so finding one on a page means an unapproved figure leaked.
SINDH_DRAFT, SINDH_SUBMITTED, SINDH_RETURNED = 70101, 70202, 70303
PUNJAB_SUBMITTED = 80808


@pytest.fixture
def unapproved(dash, obs):
    obs(dash.attacks, value=500, body=dash.sindh, end=date(2023, 12, 31))  # approved: everyone sees it
    obs(dash.attacks, value=SINDH_DRAFT, body=dash.sindh, state=ObservationState.DRAFT)
    obs(dash.attacks, value=SINDH_SUBMITTED, body=dash.sindh, state=ObservationState.SUBMITTED)
    obs(dash.attacks, value=SINDH_RETURNED, body=dash.sindh, state=ObservationState.RETURNED)
    obs(dash.attacks, value=PUNJAB_SUBMITTED, body=dash.punjab, state=ObservationState.SUBMITTED)


def pages(client) -> str:
    urls = [
        "/dashboard/?framework=nap-2021&as_of=2025-12-31",
        "/dashboard/?framework=nap-2021&as_of=2025-12-31&category=kinetic",
        "/explore/",
        "/explore/?body=sindh",
        "/explore/?state=submitted",
        "/explore/?state=draft&body=sindh",
        "/indicators/attacks/",
        "/indicators/attacks/?body=sindh",
        "/indicators/attacks/?body=punjab",
    ]
    html = ""
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html += response.content.decode()
    return html


def grouped(value: int) -> str:
    from tracker.formatting import format_number

    return format_number(value)


def leaked(html: str) -> set[int]:
    return {v for v in (SINDH_DRAFT, SINDH_SUBMITTED, SINDH_RETURNED, PUNJAB_SUBMITTED) if grouped(v) in html}


def test_reporter_sees_only_their_own_bodys_unapproved_work(as_role, unapproved):
    html = pages(as_role("reporter"))  # Punjab
    assert leaked(html) == {PUNJAB_SUBMITTED}  # their own submission, in the explorer
    assert "500" in html
    assert "1 update awaiting review" in html  # the pending count counts Punjab's only


def test_analyst_sees_no_unapproved_work_anywhere(as_role, unapproved):
    html = pages(as_role("analyst"))
    assert leaked(html) == set()
    assert "awaiting review" not in html


def test_reviewer_sees_pending_work_but_drafts_stay_out_of_the_figures(as_role, unapproved):
    html = as_role("reviewer").get("/dashboard/?framework=nap-2021&as_of=2025-12-31").content.decode()
    assert "2 updates awaiting review" in html  # both provinces' submissions; drafts and returns are not pending
    assert 'data-testid="headline-attacks">500<' in html


@pytest.mark.parametrize("role", ["analyst", "reviewer", "administrator"])
def test_exports_never_carry_unapproved_figures(as_role, unapproved, role):
    client = as_role(role)
    for query in ("", "?body=sindh", "?state=submitted", "?state=draft"):
        text = b"".join(client.get(f"/explore/export.csv{query}").streaming_content).decode("utf-8-sig")
        for value in (SINDH_DRAFT, SINDH_SUBMITTED, SINDH_RETURNED, PUNJAB_SUBMITTED):
            assert str(value) not in text, (role, query, value)
        xlsx = client.get(f"/explore/export.xlsx{query}").content
        assert xlsx[:2] == b"PK"


def test_reporter_cannot_export_at_all(as_role, unapproved):
    for fmt in ("csv", "xlsx"):
        assert as_role("reporter").get(f"/explore/export.{fmt}?body=sindh").status_code == 403
        assert as_role("other_reporter").get(f"/explore/export.{fmt}").status_code == 403
