"""One validation for every entry path: each rule refuses the same input with the same message on the web form,
the API, the import and the entry grid (for the rules a grid row can break: its period is the grid's, and an
open figure of that period is continued in the grid rather than duplicated)."""

import csv
import html
import io
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from tracker import entry_validation as validation
from tracker import imports
from tracker.choices import Cadence
from tracker.choices import ObservationState as S
from tracker.imports.reading import COLUMNS
from tracker.models import AgendaItem, Indicator, Observation, ReportingAssignment

PERIOD = {"period_start": "2024-01-01", "period_end": "2024-12-31", "date_precision": "year"}


def _future() -> str:
    return (date.today() + timedelta(days=40)).isoformat()


# rule → (values that break it, the field it is reported on, the expected message given the scene)
RULES: dict[str, tuple[dict[str, str], str, Callable[[Any], str]]] = {
    "period ends after today": (
        {"period_start": "", "date_precision": "day", "period_end": "FUTURE"},
        "period_end",
        lambda scene: validation.msg_period_future(date.fromisoformat(scene["future"])),
    ),
    "period before 1947": (
        {"period_start": "", "date_precision": "day", "period_end": "0001-12-31"},
        "period_end",
        lambda scene: validation.msg_period_too_early(),
    ),
    "year 1946": (
        {"period_start": "1946-01-01", "period_end": "1946-12-31", "date_precision": "year"},
        "period_start",
        lambda scene: validation.msg_period_too_early(),
    ),
    "value beyond the column": (
        {"value": "123456789012345678901"},
        "value",
        lambda scene: validation.msg_value_range(),
    ),
    "five decimals": ({"value": "12.12345"}, "value", lambda scene: validation.msg_value_range()),
    "note too long": (
        {"note": "x" * (validation.TEXT_MAX_LENGTH + 1)},
        "note",
        lambda scene: validation.msg_text_too_long(validation.TEXT_MAX_LENGTH + 1),
    ),
    "quote too long": (
        {"quote": "y" * 100_000},
        "quote",
        lambda scene: validation.msg_text_too_long(100_000),
    ),
    "second open figure": ({}, "period_end", lambda scene: validation.msg_open_duplicate(scene["open"].pk)),
    "approved figure needs a correction": (
        {},
        "period_end",
        lambda scene: validation.msg_needs_correction(scene["approved"].pk),
    ),
    "indicator of an item the body does not lead or support": (
        {"indicator": "urls-blocked"},
        "indicator",
        lambda scene: validation.msg_not_responsible(scene["world"].punjab, scene["foreign"]),
    ),
    # The rule is strict: a figure the body once had recorded for another item does not make the item its own.
    "indicator the body reported before but does not lead or support": (
        {"indicator": "urls-blocked"},
        "indicator",
        lambda scene: validation.msg_not_responsible(scene["world"].punjab, scene["foreign"]),
    ),
}
# The rules a row of the entry grid can break (value, note and indicator; the period is the grid's own).
GRID_RULES = (
    "value beyond the column",
    "five decimals",
    "note too long",
    "indicator of an item the body does not lead or support",
    "indicator the body reported before but does not lead or support",
)


def _values(world: Any, **changes: str) -> dict[str, str]:
    values = {
        "indicator": world.old_executions.code,
        "body": "punjab",
        **PERIOD,
        "value": "120",
        "value_qualifier": "exact",
        "text_value": "",
        "source": world.status_2017.slug,
        "quote": "",
        "note": "",
    }
    values.update(changes)
    return values


def via_form(client: Any, world: Any, values: dict[str, str]) -> str:
    indicator = Indicator.objects.get(code=values["indicator"])
    data = {**values, "indicator": indicator.pk, "body": world.punjab.pk, "source": world.status_2017.pk, "save": "1"}
    response = client.post(reverse("tracker:observation-create"), data)
    assert response.status_code == 200, "the form comes back with the error"
    return html.unescape(response.content.decode())


def via_api(api: Any, world: Any, values: dict[str, str], field: str) -> str:
    payload: dict[str, str | None] = {k: (None if k == "period_start" and not v else v) for k, v in values.items()}
    response = api.post("/api/v1/observations/", payload, format="json")
    assert response.status_code == 400, response.content
    return str(response.json()["errors"][field])


def via_import(reporter: Any, world: Any, values: dict[str, str], field: str) -> str:
    row = dict.fromkeys(COLUMNS, "")
    row.update(values, unit=Indicator.objects.get(code=values["indicator"]).unit)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
    writer.writeheader()
    writer.writerow(row)
    result = imports.check_rows(actor=reporter, rows=imports.read_upload(name="f.csv", content=out.getvalue().encode()))
    assert result.has_errors
    return str([line["message"] for line in result.lines() if line["column"] == field])


def via_grid(client: Any, world: Any, values: dict[str, str]) -> str:
    indicator = Indicator.objects.get(code=values["indicator"])
    ReportingAssignment.objects.get_or_create(indicator=indicator, body=world.punjab, cadence=Cadence.MONTHLY)
    prefix = f"r{indicator.pk}"
    data = {
        "source": "",
        f"{prefix}-value": values["value"],
        f"{prefix}-value_qualifier": "exact",
        f"{prefix}-note": values["note"],
        f"{prefix}-version": "",
        "save_row": str(indicator.pk),
    }
    url = reverse("tracker:entry-grid", args=[world.punjab.slug, Cadence.MONTHLY])
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


PATHS = ("form", "api", "import")
TABLE = [(rule, path) for rule in RULES for path in (*PATHS, "grid") if path != "grid" or rule in GRID_RULES]


@pytest.fixture
def scene(world, reporter, make_obs, client_as, api_as, request) -> dict[str, Any]:
    other_item = AgendaItem.objects.create(framework=world.nap2014, number=2, title="Internet", category="kinetic")
    foreign = Indicator.objects.create(item=other_item, code="urls-blocked", name="URLs blocked", unit="count")
    return {
        "world": world,
        "foreign": foreign,
        "future": _future(),
        "form": client_as(reporter),
        "api": api_as(reporter),
    }


@pytest.mark.parametrize(("rule", "path"), TABLE)
def test_each_rule_refuses_with_the_same_message_on_every_path(rule, path, scene, world, reporter, make_obs):
    changes, field, expected = RULES[rule]
    changes = {k: (scene["future"] if v == "FUTURE" else v) for k, v in changes.items()}
    if rule == "second open figure":
        scene["open"] = make_obs(S.SUBMITTED, value=Decimal(90))
    if rule == "approved figure needs a correction":
        scene["approved"] = make_obs(S.APPROVED, value=Decimal(90))
    if rule == "indicator the body reported before but does not lead or support":
        make_obs(S.APPROVED, indicator=scene["foreign"], end=date(2019, 12, 31))
    before = Observation.objects.count()
    values = _values(world, **changes)
    if path == "form":
        shown = via_form(scene["form"], world, values)
    elif path == "api":
        shown = via_api(scene["api"], world, values, field)
    elif path == "grid":
        shown = via_grid(scene["form"], world, values)
    else:
        shown = via_import(reporter, world, values, field)
    message = expected(scene)
    assert message in shown
    assert Observation.objects.count() == before, "nothing is written"


def test_a_link_to_the_first_open_figure_is_in_the_message(world, make_obs):
    first = make_obs(S.DRAFT)
    assert reverse("tracker:observation-detail", args=[first.pk]) in validation.msg_open_duplicate(first.pk)


@pytest.mark.parametrize("path", PATHS)
def test_urdu_and_arabic_indic_digits_are_read_as_ascii(path, scene, world, reporter):
    # "١٢٠" in Arabic-Indic digits, the year in Urdu (Extended Arabic-Indic) digits.
    values = _values(world, value="١٢٠٫٥", period_end="۲۰۲۴-۱۲-۳۱", period_start="۲۰۲۴-۰۱-۰۱")
    if path == "form":
        indicator = world.old_executions
        data = {
            **values,
            "indicator": indicator.pk,
            "body": world.punjab.pk,
            "source": world.status_2017.pk,
            "save": "1",
        }
        assert scene["form"].post(reverse("tracker:observation-create"), data).status_code == 302
    elif path == "api":
        assert scene["api"].post("/api/v1/observations/", values, format="json").status_code == 201
    else:
        row = dict.fromkeys(COLUMNS, "")
        row.update(values, unit="count")
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerow(row)
        result = imports.import_commit(
            actor=reporter, rows=imports.read_upload(name="f.csv", content=out.getvalue().encode())
        )
        assert not result.has_errors, result.lines()
    obs = Observation.objects.get()
    assert (obs.value, obs.period_start, obs.period_end) == (Decimal("120.5"), date(2024, 1, 1), date(2024, 12, 31))


def test_ascii_digits():
    assert validation.ascii_digits("٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹ ١٬٢٣٤٫٥") == "0123456789 0123456789 1,234.5"


def test_two_identical_api_submissions_make_one_figure(scene, world):
    api = scene["api"]
    values = _values(world)
    assert api.post("/api/v1/observations/", values, format="json").status_code == 201
    second = api.post("/api/v1/observations/", values, format="json")
    assert second.status_code == 400
    first = Observation.objects.get()
    assert validation.msg_open_duplicate(first.pk) in str(second.json())


def test_a_correction_of_the_approved_figure_is_accepted(world, reporter, make_obs):
    from tracker import services

    approved = make_obs(S.APPROVED)
    data = services.ObservationInput.of(approved)
    correction = services.observation_correct(
        actor=reporter, observation_id=approved.pk, data=data, reason="The province revised it"
    )
    assert correction.supersedes == approved
