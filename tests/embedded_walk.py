"""A walk through the embedded default (``make run``: SQLite, tasks in-process), run by
``tests/test_embedded_default.py`` in a subprocess against a database migrated, seeded and given the demo accounts.

Every main page for each demo role, then the workflow: a reporter enters and submits figures (form and API),
the reviewer approves them, and the report, the status API and the explorer show them, a correction too; the
entry grid, a proposal, an edition generated in-process in every format, exports, an import, validation runs.
Prints ``WALK OK`` at the end; a failure raises (the test client re-raises a view's exception).
"""

from __future__ import annotations

import dataclasses
import io
import logging
import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import django

django.setup()

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from reporting.models import EditionStatus, ReportEdition  # noqa: E402
from tracker import services  # noqa: E402
from tracker.accounts.factors import has_second_factor  # noqa: E402
from tracker.choices import ObservationState  # noqa: E402
from tracker.models import Body, Finding, Indicator, Observation, Source, ValidationRun  # noqa: E402
from tracker.services import ObservationInput  # noqa: E402
from tracker.tasks import run_validation  # noqa: E402

assert connection.vendor == "sqlite", connection.vendor
logging.getLogger("django.request").setLevel(logging.ERROR)  # the expected 403s and 404s say nothing
EMAILS = {
    "admin": "admin@napportal.local",
    "reviewer": "reviewer@napportal.local",
    "analyst": "analyst@napportal.local",
    "punjab": "punjab@napportal.local",
    "sindh": "sindh@napportal.local",
}
DEATHS = "nap2021-01-deaths-since-2001"
ARRESTS = "nap2014-05-arrests"


def client_for(role: str) -> Client:
    """Logged in as the demo account; reviewers and administrators with a second factor, as the suite's
    ``client_as_enrolled`` does."""
    user = get_user_model().objects.get(email=EMAILS[role])
    if role in ("admin", "reviewer") and not has_second_factor(user):
        TOTP.activate(user, generate_totp_secret())
    client = Client(raise_request_exception=True, HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def get(client: Client, path: str, status: int = 200, contains: str = "") -> Any:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    if contains:
        body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
        assert contains.encode() in body, (path, contains)
    return response


def post(client: Client, path: str, data: Any, status: int = 302, as_json: bool = False) -> Any:
    response = client.post(path, data, content_type="application/json") if as_json else client.post(path, data)
    assert response.status_code == status, (path, response.status_code, response.content[:2000])
    return response


# ---- Every main page, for each role -----------------------------------------------------------------------
EVERYONE = [
    ("/dashboard/", "Dashboard"),
    ("/dashboard/?framework=nap-2014&as_of=2017-10-01", ""),
    ("/frameworks/", ""),
    ("/frameworks/nap-2021/", ""),
    ("/frameworks/nap-2021/items/4/", ""),
    ("/frameworks/nap-2014/items/3/", ""),
    (f"/indicators/{DEATHS}/", ""),
    (f"/dashboard/charts/{DEATHS}/", ""),
    ("/explore/", ""),
    ("/reports/", ""),
    ("/reports/?framework=nap-2014&as_of=2017-10-01&scope=national", "Status as of 1st October 2017"),
    ("/reports/editions/", ""),
    ("/api/v1/status/?framework=nap-2021&as_of=2025-12-31", "nap2021-01-operations"),
    (f"/dashboard/bodies/{DEATHS}/", ""),
    ("/api/v1/observations/", "results"),
    ("/api/v1/frameworks/", "nap-2014"),
    ("/api/v1/agenda-items/", "results"),
    ("/api/v1/crosswalk/", ""),
    ("/api/v1/bodies/", "punjab"),
    ("/api/v1/indicators/", DEATHS),
    ("/api/v1/sources/", "results"),
    ("/api/v1/assessments/", ""),
    ("/api/v1/report-editions/", ""),
    ("/notices/", ""),
    ("/api-tokens/", ""),
]
ROLE_PAGES = {
    # path: the status per role (admin, reviewer, analyst, punjab, sindh)
    "/explore/export.csv": (200, 200, 200, 403, 403),
    "/explore/export.xlsx": (200, 200, 200, 403, 403),
    "/review/": (403, 200, 403, 403, 403),
    "/updates/": (403, 403, 403, 200, 200),
    "/observations/new/": (403, 200, 403, 200, 200),
    "/audit/": (200, 200, 403, 403, 403),
    "/audit/export.csv": (200, 200, 403, 403, 403),
    "/validation/": (200, 200, 200, 403, 403),
    "/validation/export.csv": (200, 200, 200, 403, 403),
    "/validation/export.xlsx": (200, 200, 200, 403, 403),
    "/api/v1/validation/": (200, 200, 200, 403, 403),
    "/imports/": (403, 200, 403, 200, 200),
    "/indicators/proposals/": (403, 200, 403, 200, 200),
    "/indicators/proposals/new/": (403, 403, 403, 200, 200),
}
ROLES = list(EMAILS)
for role in ROLES:
    client = client_for(role)
    for path, text in EVERYONE:
        get(client, path, contains=text)
    for path, statuses in ROLE_PAGES.items():
        get(client, path, status=statuses[ROLES.index(role)])
print("pages ok")

# ---- The workflow: a reporter enters and submits, the reviewer approves ----------------------------------------
punjab, reviewer, analyst = client_for("punjab"), client_for("reviewer"), client_for("analyst")
arrests = Indicator.objects.get(code=ARRESTS)
today = timezone.localdate()
# The last two whole months before today: a running total for each.
last_month_end = today.replace(day=1) - timedelta(days=1)
last_month_start = last_month_end.replace(day=1)
earlier_end = last_month_start - timedelta(days=1)
earlier_start = earlier_end.replace(day=1)
source = Source.objects.get(slug="nacta-nap-status-2017")

# Through the API: a draft, submitted, approved by the reviewer through the API.
data = {
    "indicator": ARRESTS,
    "body": "punjab",
    "period_start": earlier_start.isoformat(),
    "period_end": earlier_end.isoformat(),
    "date_precision": "month",
    "value": "4400",
    "source": source.slug,
}
created = post(punjab, "/api/v1/observations/", data, status=201, as_json=True).json()
path = f"/api/v1/observations/{created['id']}"
submitted = post(punjab, f"{path}/submit/", {"version": created["version"]}, status=200, as_json=True).json()
assert submitted["state"] == ObservationState.SUBMITTED, submitted
get(reviewer, "/review/", contains="4,400")
approved = post(reviewer, f"{path}/approve/", {"version": submitted["version"]}, status=200, as_json=True).json()
assert approved["state"] == ObservationState.APPROVED, approved

# Through the form: last month's running total falls below the month before's, so the data-quality checks speak first.
form = {
    "indicator": arrests.pk,
    "body": Body.objects.get(slug="punjab").pk,
    "period_start": last_month_start.isoformat(),
    "period_end": last_month_end.isoformat(),
    "date_precision": "month",
    "value": "4321",
    "value_qualifier": "exact",
    "source": source.pk,
    "submit": "1",
}
page = post(punjab, "/observations/new/", form, status=200).content.decode()
assert "falls from 4,400" in page, page
seal = re.search(r'name="confirm_findings" value="([0-9a-f]+)"', page)
assert seal is not None, "the form shows no findings to confirm"
post(punjab, "/observations/new/", {**form, "confirm_findings": seal[1], "findings_comment": "Recount after audit"})
entered = Observation.objects.get(indicator=arrests, value=4321)
assert entered.state == ObservationState.SUBMITTED, entered.state
assert Finding.objects.filter(observation=entered, on_submission=True).exists()
get(punjab, "/updates/", contains="4,321")

# The reviewer's queue shows it with its finding; approved through the page.
get(reviewer, "/review/", contains="4,321")
get(reviewer, f"/observations/{entered.pk}/", contains="Recount after audit")
post(reviewer, f"/observations/{entered.pk}/approve/", {"version": entered.version})
entered.refresh_from_db()
assert entered.state == ObservationState.APPROVED, entered.state
get(punjab, "/notices/", contains="approved")

# Published: the status API, the dashboard, the report and the indicator's page show the latest (4,321).
status = get(analyst, f"/api/v1/status/?framework=nap-2014&body=punjab&as_of={today}").json()
assert any(row["indicator"]["code"] == ARRESTS and row["figure"] == "4,321" for row in status["results"]), status
get(analyst, f"/dashboard/?framework=nap-2014&body=punjab&as_of={today}", contains="Completeness and timeliness")
get(analyst, f"/reports/?framework=nap-2014&scope=punjab&as_of={today}", contains="4,321")
get(analyst, f"/indicators/{ARRESTS}/?body=punjab", contains="4,321")
get(analyst, "/explore/?framework=nap-2014", contains="4,321")
get(analyst, "/explore/export.csv?framework=nap-2014", contains="4321")
print("workflow ok")

# A correction: the reporter corrects the figure to 4,500 with a reason, the reviewer approves; the status follows.
punjab_user = get_user_model().objects.get(email=EMAILS["punjab"])
reviewer_user = get_user_model().objects.get(email=EMAILS["reviewer"])
fixed = dataclasses.replace(ObservationInput.of(entered), value=Decimal(4500))
correction = services.observation_correct(actor=punjab_user, observation_id=entered.pk, data=fixed, reason="Typo")
correction = services.observation_submit(actor=punjab_user, observation_id=correction.pk, version=correction.version)
services.observation_approve(actor=reviewer_user, observation_id=correction.pk, version=correction.version)
status = get(analyst, f"/api/v1/status/?framework=nap-2014&body=punjab&as_of={today}").json()
assert any(row["indicator"]["code"] == ARRESTS and row["figure"] == "4,500" for row in status["results"]), status
get(analyst, f"/reports/?framework=nap-2014&scope=punjab&as_of={today}", contains="4,500")
get(analyst, f"/indicators/{ARRESTS}/?body=punjab", contains="4,321")  # the history keeps the corrected figure
print("correction ok")

# ---- The entry grid: Sindh's monthly returns, a row saved, then all submitted -------------------------------------
sindh = client_for("sindh")
grid = "/updates/entry/sindh/monthly/"
get(sindh, grid, contains=arrests.name)
prefix = f"r{arrests.pk}"
row = {f"{prefix}-value": "75", f"{prefix}-value_qualifier": "exact", f"{prefix}-note": "", f"{prefix}-version": ""}
saved = sindh.post(grid, {"source": "", **row, "save_row": str(arrests.pk)}, HTTP_HX_REQUEST="true")
assert saved.status_code == 200 and "Draft saved." in saved.content.decode(), saved.content[:3000]
draft = Observation.objects.get(indicator=arrests, body__slug="sindh", state=ObservationState.DRAFT)
row[f"{prefix}-version"] = str(draft.version)
response = sindh.post(grid, {"source": "", **row, "submit_all": ""})
assert response.status_code in (200, 302), response.status_code
draft.refresh_from_db()
assert draft.state == ObservationState.SUBMITTED, draft.state
print("grid ok")

# ---- An indicator proposal: a reporter proposes, the reviewer reads it ----------------------------------------------
proposal = {
    "body": Body.objects.get(slug="punjab").pk,
    "item": arrests.item_id,
    "name": "Drones downed",
    "unit": "count",
    "why": "The apex committee counts drones downed each month and wants them tracked beside the arrests.",
}
location = post(punjab, "/indicators/proposals/new/", proposal)["Location"]
get(reviewer, location, contains="Drones downed")
get(reviewer, "/indicators/proposals/", contains="Drones downed")
print("proposals ok")

# ---- An edition generated in-process, in every format; the archive -----------------------------------------------
report = {"framework": "nap-2014", "as_of": today.isoformat(), "scope": "punjab", "number_style": "south_asian"}
post(reviewer, "/reports/generate/", report)
edition = ReportEdition.objects.latest("pk")
assert edition.status == EditionStatus.PUBLISHED, (edition.status, getattr(edition, "error", ""))
get(analyst, "/reports/editions/", contains=f"/reports/editions/{edition.pk}/")
get(analyst, f"/reports/editions/{edition.pk}/")
get(analyst, f"/reports/editions/{edition.pk}/status/")
for fmt, magic in (("pdf", b"%PDF"), ("xlsx", b"PK"), ("csv", b""), ("html", b"")):
    response = get(analyst, f"/reports/editions/{edition.pk}/{fmt}/")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(magic) and len(content) > 100, (fmt, content[:40])
    if fmt == "csv":
        assert b"4,500 Arrests" in content, content[:2000]  # the corrected figure
print("editions ok")

# ---- The explorer's XLSX export (a job run in-process) -------------------------------------------------------------
response = analyst.get("/explore/export.xlsx?framework=nap-2014")
if response.status_code == 302:
    response = analyst.get(response["Location"], follow=True)
assert response.status_code == 200, response.status_code
print("exports ok")

# ---- An import through the page, submitted for review; checked as candidates -----------------------------------
period = f"{last_month_start},{last_month_end},day"
executions = f"nap2014-01-executions,Executions of convicted terrorists,count,punjab,{period},7,exact,,{source.slug}"
combing = f"nap2014-03-arrests,Arrests in combing operations,count,punjab,{period},250,exact,,{source.slug}"
header = (
    "indicator,indicator_name,unit,body,period_start,period_end,date_precision,value,value_qualifier,text_value,source"
)
upload = SimpleUploadedFile("returns.csv", "\n".join([header, executions, combing, ""]).encode(), "text/csv")
page = post(punjab, "/imports/", {"file": upload, "submit_for_review": "on"}, status=200).content.decode()
token = re.search(r'action="/imports/([^/"]+)/commit/"', page)
assert token is not None, page
post(punjab, f"/imports/{token[1]}/commit/", {})
imported = Observation.objects.filter(body__slug="punjab", period_end=last_month_end, value__in=[7, 250])
assert sorted(imported.values_list("state", flat=True)) == [ObservationState.SUBMITTED] * 2, list(imported)
get(reviewer, "/review/", contains="Arrests in combing operations")
print("import ok")

# ---- A validation run over the published figures (``manage.py validate``), its page and exports -------------
call_command("validate", stdout=io.StringIO())  # printed, not stored
first = ValidationRun.objects.get(pk=run_validation.delay().get())  # the scheduled task, in-process here
assert first.found > 0 and first.new == first.found, (first.found, first.new)
again = ValidationRun.objects.get(pk=run_validation.delay().get())  # incremental: what stands is not rewritten
assert (again.found, again.new, again.resolved) == (first.found, 0, 0), (again.found, again.new, again.resolved)
assert Finding.objects.filter(on_submission=False).exists()
get(analyst, "/validation/", contains="Returns complete and on time")
get(analyst, "/validation/export.csv", contains="Returns complete and on time")
get(reviewer, "/audit/", contains="observation.approve")
get(reviewer, "/audit/export.csv")
print("validation ok")
print("WALK OK")
