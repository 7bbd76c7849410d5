"""The seed data: every figure of the two source documents, loaded all-or-nothing and idempotently.

The table below is transcribed from the documents in the seed archive (NACTA's status report of 2017, the
ISSRA-sourced article on the 2021 framework and the DG ISPR press conference), not from the fixtures.
"""

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction

from tracker.choices import ItemCategory, ObservationState, Rating, ResponsibilityRole
from tracker.models import (
    AgendaItem,
    Assessment,
    Body,
    CrosswalkLink,
    Framework,
    Indicator,
    Observation,
    Responsibility,
    Source,
)
from tracker.seeding import SeedError, seed_load

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
MODELS = [Body, Source, Framework, AgendaItem, Responsibility, CrosswalkLink, Indicator, Observation, Assessment]

NACTA = "nacta-nap-status-2017"
ISSRA = "issra-nap-2021-article"
ISPR = "ispr-press-conference-2025-10-10"
AS_OF_2017 = date(2017, 10, 1)


@dataclass(frozen=True)
class Figure:
    item: str
    indicator: str
    source: str
    end: date
    precision: str
    value: str | None = None
    text: str = ""
    qualifier: str = "exact"
    start: date | None = None
    body: str | None = None

    @property
    def id(self) -> str:
        return f"{self.indicator}@{self.start or ''}..{self.end}"


def nacta(item: int, indicator: str, value: str | None = None, text: str = "", **kw: Any) -> Figure:
    """A figure of NACTA's table: national, as of 1 October 2017 unless the table names a year."""
    return Figure(
        f"nap-2014/{item}", indicator, NACTA, kw.pop("end", AS_OF_2017), kw.pop("precision", "day"), value, text, **kw
    )


def year(y: int) -> dict[str, Any]:
    return {"start": date(y, 1, 1), "end": date(y, 12, 31), "precision": "year"}


def as_of_year(y: int) -> dict[str, Any]:
    return {"end": date(y, 12, 31), "precision": "year"}


def issra(item: int, indicator: str, value: str | None = None, text: str = "", **kw: Any) -> Figure:
    return Figure(f"nap-2021/{item}", indicator, ISSRA, kw.pop("end"), kw.pop("precision"), value, text, **kw)


FIGURES = [
    # NACTA: "The status is updated as of 1st October, 2017."
    nacta(1, "nap2014-01-executions", "484"),
    nacta(2, "nap2014-02-courts", "11"),
    nacta(2, "nap2014-02-cases", "388"),
    nacta(3, "nap2014-03-combing-operations", "506072"),
    nacta(3, "nap2014-03-arrests", "228640"),
    nacta(4, "nap2014-04-status", text="Hiring + Building"),
    nacta(4, "nap2014-04-budget", "1380000000"),
    nacta(5, "nap2014-05-cases", "1351"),
    nacta(5, "nap2014-05-arrests", "2525"),
    nacta(
        6,
        "nap2014-06-status",
        text="Model Laws, NGOs, obligatory Cash Declaration, CFT investigation Units, "
        "Freezing & Seizure Rules’ 16, Hawala/Hundi Regulation, CFT Directorate",
    ),
    nacta(7, "nap2014-07-status", text="Passport / Bank AC Ban, ATA 1997 Bans"),
    nacta(8, "nap2014-08-status", text="Under provincial police"),
    nacta(9, "nap2014-09-status", text="Pertains to Provinces"),
    nacta(10, "nap2014-10-status", text="ITMP Registration forms"),
    nacta(11, "nap2014-11-status", text="PEMRA, FIA, PTA"),
    nacta(12, "nap2014-12-status", text="Drafts Reforms in Cabinet"),
    nacta(13, "nap2014-13-sims", "98300000"),
    nacta(14, "nap2014-14-urls-blocked", "937"),
    nacta(14, "nap2014-14-status", text="FIA, PTA, Tat’heer"),
    nacta(15, "nap2014-15-status", text="Pertains to Punjab Government"),
    nacta(16, "nap2014-16-target-killing-change", "-91"),
    nacta(16, "nap2014-16-murder-change", "-62"),
    nacta(16, "nap2014-16-robberies-change", "-48"),
    nacta(16, "nap2014-16-illegal-weapons", "33378"),
    nacta(17, "nap2014-17-status", text="Surrender of Ferraris"),
    nacta(18, "nap2014-18-sectarian-cases", "185", **year(2012)),
    nacta(18, "nap2014-18-sectarian-cases", "37", **year(2016)),
    nacta(19, "nap2014-19-dubious-cnics-blocked", "176000"),
    nacta(19, "nap2014-19-status", text="National Refugees Law"),
    nacta(20, "nap2014-20-status", text="National Consultations"),
    # The article: "All statistics in this article are sourced from ISSRA".
    issra(
        1, "nap2021-01-deaths-since-2001", "70000", qualifier="more_than", start=date(2001, 1, 1), **as_of_year(2024)
    ),
    issra(
        1,
        "nap2021-01-economic-losses-since-2001",
        "130000000000",
        qualifier="about",
        start=date(2001, 1, 1),
        **as_of_year(2024),
    ),
    issra(
        1,
        "nap2021-01-azm-e-istehkam-allocation",
        "60000000000",
        start=date(2024, 6, 1),
        end=date(2024, 6, 30),
        precision="month",
    ),
    issra(1, "nap2021-01-attacks-change", "-62", end=date(2024, 7, 31), precision="month"),
    issra(
        1,
        "nap2021-01-operations-status",
        text="Thousands of operations against cells, facilitators, and cross-border infiltration attempts",
        **as_of_year(2024),
    ),
    issra(2, "nap2021-02-urls-blocked", "1300000", qualifier="about", **as_of_year(2023)),
    issra(3, "nap2021-03-sectarian-incidents", "12", **year(2023)),
    issra(3, "nap2021-03-sectarian-incidents", "18", end=date(2024, 10, 31), precision="month"),
    issra(3, "nap2021-03-groups-banned", "3", **year(2024)),
    issra(
        4,
        "nap2021-04-fatf-status",
        text="Exited the FATF list after creating a National Task Force and tightening supervision",
        start=date(2022, 10, 1),
        end=date(2022, 10, 31),
        precision="month",
    ),
    issra(4, "nap2021-04-schedule-iv", "2646", **as_of_year(2021)),
    issra(4, "nap2021-04-schedule-iv", "8374", **as_of_year(2024)),
    issra(4, "nap2021-04-accounts-blocked", "5489", body="sbp", **year(2021)),
    issra(4, "nap2021-04-accounts-blocked", "5089", body="sbp", **year(2024)),
    issra(4, "nap2021-04-funds-frozen", "169550000", body="sbp", **year(2021)),
    issra(4, "nap2021-04-funds-frozen", "157000000", qualifier="more_than", body="sbp", **year(2024)),
    issra(5, "nap2021-05-status", text="Rising convictions and investigations", **as_of_year(2024)),
    issra(6, "nap2021-06-death-sentences", "657", start=date(2019, 1, 1), end=date(2022, 12, 31), precision="year"),
    issra(6, "nap2021-06-executions", "0", start=date(2019, 1, 1), end=date(2022, 12, 31), precision="year"),
    issra(6, "nap2021-06-pending-cases", "2273", end=date(2024, 11, 30), precision="month"),
    issra(
        7, "nap2021-07-status", text="Strengthened through higher budgets and surveillance tools", **as_of_year(2024)
    ),
    issra(9, "nap2021-09-madaris-registered", "26160", **as_of_year(2022)),
    issra(9, "nap2021-09-madaris-registered", "30000", qualifier="about", **as_of_year(2023)),
    issra(
        9, "nap2021-09-status", text="Proposals to integrate oversight via the Education Department", **as_of_year(2023)
    ),
    issra(10, "nap2021-10-surrenders", "3500", **as_of_year(2024)),
    issra(10, "nap2021-10-development-package", "600000000000", **year(2021)),
    issra(
        11,
        "nap2021-11-status",
        text="Mixed results: new police stations and training offset by court backlogs and prison overcrowding",
        **as_of_year(2024),
    ),
    issra(
        12,
        "nap2021-12-status",
        text="Mixed results: new police stations and training offset by court backlogs and prison overcrowding",
        **as_of_year(2024),
    ),
    issra(13, "nap2021-13-status", text="Still relies on the 1923 Official Secrets Act", **as_of_year(2024)),
    issra(
        14,
        "nap2021-14-status",
        text="Structured documentation and ongoing return, coordinated with UNHCR",
        **as_of_year(2024),
    ),
    # DG ISPR, Peshawar, 10 October 2025.
    Figure(
        "nap-2021/1",
        "nap2021-01-operations",
        ISPR,
        date(2024, 12, 31),
        "year",
        "14535",
        start=date(2024, 1, 1),
        body="khyber-pakhtunkhwa",
    ),
    Figure(
        "nap-2021/1",
        "nap2021-01-terrorists-killed",
        ISPR,
        date(2024, 12, 31),
        "year",
        "700",
        qualifier="more_than",
        start=date(2024, 1, 1),
        body="khyber-pakhtunkhwa",
    ),
    Figure(
        "nap-2021/1",
        "nap2021-01-afghan-suicide-bombers",
        ISPR,
        date(2025, 10, 10),
        "day",
        "30",
        start=date(2023, 10, 10),
    ),
]


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every seeded model, so a test can show that nothing at all changed."""
    return {model.__name__: list(model._default_manager.order_by("pk").values()) for model in MODELS}


def row_counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in MODELS}


@pytest.fixture(scope="module")
def seeded_figures(django_db_setup, django_db_blocker) -> list[dict[str, Any]]:
    """Load the real fixtures once for the figure table, read the observations back, and roll back."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_load(directory=FIXTURES)
        rows = list(
            Observation.objects.values(
                "indicator__code",
                "indicator__item__framework__slug",
                "indicator__item__number",
                "body__slug",
                "source__slug",
                "period_start",
                "period_end",
                "date_precision",
                "value",
                "value_qualifier",
                "text_value",
                "state",
            )
        )
        transaction.set_rollback(True)
    return [dict(row) for row in rows]


@pytest.fixture
def seeded(db) -> None:
    seed_load(directory=FIXTURES)


@pytest.mark.parametrize("figure", FIGURES, ids=[f.id for f in FIGURES])
def test_every_figure_of_the_documents_is_seeded(seeded_figures, figure: Figure):
    matches = [
        row
        for row in seeded_figures
        if row["indicator__code"] == figure.indicator
        and row["period_start"] == figure.start
        and row["period_end"] == figure.end
        and row["body__slug"] == figure.body
    ]
    assert len(matches) == 1, f"{figure.id}: {len(matches)} observations"
    row = matches[0]
    framework, number = figure.item.split("/")
    assert (row["indicator__item__framework__slug"], row["indicator__item__number"]) == (framework, int(number))
    assert row["value"] == (Decimal(figure.value) if figure.value is not None else None)
    assert row["text_value"] == figure.text
    assert row["value_qualifier"] == figure.qualifier
    assert row["date_precision"] == figure.precision
    assert row["source__slug"] == figure.source
    assert row["state"] == ObservationState.APPROVED


def test_the_figure_table_covers_every_seeded_observation(seeded_figures):
    assert len(seeded_figures) == len(FIGURES) == len({f.id + str(f.body) for f in FIGURES})


@pytest.mark.usefixtures("seeded")
def test_frameworks_items_and_the_editorial_kinetic_reading():
    nap2014, nap2021 = Framework.objects.get(slug="nap-2014"), Framework.objects.get(slug="nap-2021")
    assert nap2014.items.count() == 20
    assert nap2021.items.count() == 14
    adoption = {
        slug: rest
        for slug, *rest in Framework.objects.values_list("slug", "adopted_on", "adopted_precision", "source__slug")
    }
    assert adoption == {"nap-2014": [date(2014, 12, 24), "day", NACTA], "nap-2021": [date(2021, 12, 31), "year", ISSRA]}
    assert nap2021.supersedes == nap2014
    kinetic = nap2021.items.filter(category=ItemCategory.KINETIC)
    assert sorted(kinetic.values_list("number", flat=True)) == [1, 3, 4, 5, 7]
    assert not AgendaItem.objects.filter(category_is_editorial=False).exists()
    assert nap2014.items.get(number=17).title == "Baluchistan reconciliation with all stakeholders"


@pytest.mark.usefixtures("seeded")
def test_crosswalk_links_only_cross_frameworks_and_are_editorial():
    links = CrosswalkLink.objects.select_related("from_item__framework", "to_item__framework")
    pairs = {(link.from_item.number, link.to_item.number) for link in links}
    assert pairs == {
        (1, 6),
        (2, 6),
        (3, 1),
        (4, 7),
        (5, 8),
        (5, 2),
        (6, 4),
        (7, 1),
        (7, 3),
        (8, 7),
        (9, 3),
        (9, 8),
        (10, 9),
        (11, 2),
        (12, 11),
        (13, 2),
        (14, 2),
        (15, 1),
        (16, 1),
        (17, 10),
        (18, 3),
        (19, 14),
        (20, 12),
        (20, 6),
    }
    for link in links:
        assert (link.from_item.framework.slug, link.to_item.framework.slug) == ("nap-2014", "nap-2021")
        assert link.is_editorial and link.note


@pytest.mark.usefixtures("seeded")
def test_every_item_has_a_lead_and_bodies_named_by_the_sources_are_not_editorial():
    for item in AgendaItem.objects.all():
        assert item.responsibilities.filter(role=ResponsibilityRole.LEAD).exists(), item
    sourced = {
        (r.item.framework.slug, r.item.number, r.body.slug)
        for r in Responsibility.objects.filter(is_editorial=False).select_related("item__framework", "body")
    }
    assert {
        ("nap-2014", 11, "pemra"),
        ("nap-2014", 11, "fia"),
        ("nap-2014", 11, "pta"),
        ("nap-2014", 14, "fia"),
        ("nap-2014", 15, "punjab"),
        ("nap-2014", 9, "sindh"),
        ("nap-2021", 14, "unhcr"),
        ("nap-2021", 9, "itmp"),
    } <= sourced
    parents = dict(Body.objects.values_list("slug", "parent__slug"))
    assert (parents["ctd-punjab"], parents["merged-districts"], parents["issra"]) == (
        "punjab",
        "khyber-pakhtunkhwa",
        "ndu",
    )


PROVINCES_AND_REGIONS = {
    "punjab",
    "sindh",
    "khyber-pakhtunkhwa",
    "balochistan",
    "gilgit-baltistan",
    "azad-jammu-kashmir",
    "islamabad-capital-territory",
}


@pytest.mark.usefixtures("seeded")
def test_every_seeded_figure_of_a_body_is_one_its_body_may_enter():
    """Reporters enter figures only for items their body leads or supports: the seed's own figures pass that."""
    from tracker import selectors

    figures = list(Observation.objects.filter(body__isnull=False).values_list("body_id", "indicator_id", "pk"))
    assert figures
    allowed = selectors.indicators_reported_by_bodies(body_ids={body for body, _, _ in figures})
    assert [pk for body, indicator, pk in figures if indicator not in allowed[body]] == []


@pytest.mark.usefixtures("seeded")
def test_every_province_and_region_reports_the_province_wise_items():
    """Province-wise items (a province's figure in the sources, or all four provinces listed) are reported by the
    four provinces and by ICT, AJK and Gilgit-Baltistan alike; the merged districts where the sources name them."""
    held: dict[tuple[str, int], set[str]] = {}
    for slug, number, body in Responsibility.objects.values_list("item__framework__slug", "item__number", "body__slug"):
        held.setdefault((slug, number), set()).add(body)
    provinces = {"punjab", "sindh", "khyber-pakhtunkhwa", "balochistan"}
    with_figures = set(
        Observation.objects.filter(body__slug__in=PROVINCES_AND_REGIONS).values_list(
            "indicator__item__framework__slug", "indicator__item__number"
        )
    )
    province_wise = {item for item, bodies in held.items() if provinces <= bodies} | with_figures
    assert ("nap-2021", 1) in province_wise  # Khyber Pakhtunkhwa's operations, DG ISPR 2025
    assert {("nap-2014", 1), ("nap-2014", 5), ("nap-2014", 9), ("nap-2014", 18), ("nap-2021", 12)} <= province_wise
    assert {item: sorted(PROVINCES_AND_REGIONS - held[item]) for item in province_wise} == {
        item: [] for item in province_wise
    }
    # "Administrative and development reforms in FATA" (NACTA 2017) and "merged areas reforms" (ISSRA 2021).
    assert {item for item, bodies in held.items() if "merged-districts" in bodies} == {
        ("nap-2014", 12),
        ("nap-2021", 11),
    }


@pytest.mark.usefixtures("seeded")
def test_2021_series_continue_2014_ones_and_only_the_articles_ratings_exist():
    continues = dict(Indicator.objects.filter(continues__isnull=False).values_list("code", "continues__code"))
    assert continues == {
        "nap2021-02-urls-blocked": "nap2014-14-urls-blocked",
        "nap2021-06-executions": "nap2014-01-executions",
    }
    ratings = {(a.item.number, a.rating, a.as_of, a.date_precision) for a in Assessment.objects.select_related("item")}
    assert ratings == {
        (2, Rating.SATISFACTORY, date(2023, 12, 31), "year"),
        (10, Rating.UNSATISFACTORY, date(2024, 12, 31), "year"),
        (14, Rating.SATISFACTORY, date(2024, 12, 31), "year"),
    }
    assert set(Assessment.objects.values_list("source__slug", flat=True)) == {ISSRA}


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    first = seed_load(directory=FIXTURES)
    assert first.changed
    before = snapshot()
    second = seed_load(directory=FIXTURES)
    assert not second.changed
    assert all(t.created == 0 and t.updated == 0 and t.unchanged > 0 for t in second.tallies.values())
    assert snapshot() == before
    assert row_counts()["Observation"] == len(FIGURES)


def fixture_copy(tmp_path: Path, file: str, key: str, change: Callable[[dict[str, Any]], None]) -> Path:
    """A copy of the real fixtures with one observation entry changed by ``change``."""
    directory = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, directory)
    path = directory / file
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(next(row for row in document["observations"] if row["key"] == key))
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return directory


@pytest.mark.django_db
def test_a_changed_fixture_figure_becomes_an_audited_correction_never_an_edit(tmp_path):
    from tracker.models import AuditEntry

    seed_load(directory=FIXTURES)
    key = "nap2014-01-executions@2017-10-01"
    original = Observation.objects.get(seed_key=key)
    directory = fixture_copy(tmp_path, "observations/nacta-2017.yaml", key, lambda row: row.update(value=485))
    result = seed_load(directory=directory)
    assert result.tallies["Observation"].updated == 1
    assert sum(t.created + t.updated for t in result.tallies.values()) == 1
    original.refresh_from_db()
    assert original.value == 484 and original.state == ObservationState.APPROVED  # untouched
    correction = original.superseded_by
    assert correction.value == 485 and "value" in correction.correction_reason
    assert list(Observation.objects.published().filter(indicator=original.indicator)) == [correction]
    entry = AuditEntry.objects.get(action="observation.correct", object_id=str(correction.pk))
    assert entry.before is not None and entry.after is not None
    assert Decimal(entry.before["value"]) == 484 and Decimal(entry.after["value"]) == 485
    # Loading the corrected fixtures again changes nothing; the original fixtures correct it back.
    assert seed_load(directory=directory).tallies["Observation"].updated == 0
    assert seed_load(directory=FIXTURES).tallies["Observation"].updated == 1
    assert Observation.objects.published().get(indicator=original.indicator).value == 484


NACTA_FILE, ISSRA_FILE = "observations/nacta-2017.yaml", "observations/issra-2021-framework.yaml"
EXECUTIONS, PENDING = "nap2014-01-executions@2017-10-01", "nap2021-06-pending-cases@2024-11"


def _text_instead_of_value(row: dict[str, Any]) -> None:
    del row["value"]
    row["text"] = "484 Executions"


BAD_INPUT = {
    "negative count": (NACTA_FILE, EXECUTIONS, lambda row: row.update(value=-484), "cannot be negative"),
    "value without a date": (ISSRA_FILE, PENDING, lambda row: row.pop("period_end"), "without a date"),
    "unit mismatch": (
        NACTA_FILE,
        "nap2014-04-budget@2017-10-01",
        lambda row: row.update(unit="count"),
        "unit mismatch",
    ),
    "text on a numeric indicator": (NACTA_FILE, EXECUTIONS, _text_instead_of_value, "enter a number"),
    "unknown indicator": (ISSRA_FILE, PENDING, lambda row: row.update(indicator="nap2021-99-x"), "unknown indicator"),
    "misspelt field": (ISSRA_FILE, PENDING, lambda row: row.update(qualifer="about"), "unknown field(s): qualifer"),
}


# Each case on an empty database; two of them also after a good load, whose rows must survive untouched.
BAD_INPUT_RUNS = [(name, False) for name in BAD_INPUT] + [("negative count", True), ("unknown indicator", True)]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "after_a_good_load"), BAD_INPUT_RUNS, ids=[f"{n}-{g}" for n, g in BAD_INPUT_RUNS])
def test_bad_input_is_refused_with_file_and_key_and_leaves_the_database_as_it_was(tmp_path, name, after_a_good_load):
    file, key, change, problem = BAD_INPUT[name]
    if after_a_good_load:
        seed_load(directory=FIXTURES)
    directory = fixture_copy(tmp_path, file, key, change)
    # An earlier file's change would be written before the bad entry is reached: it must be rolled back too.
    bodies = directory / "bodies.yaml"
    bodies.write_text(bodies.read_text(encoding="utf-8").replace("National Counter Terrorism Authority", "Renamed"))
    before, counts = snapshot(), row_counts()
    with pytest.raises(SeedError) as raised:
        seed_load(directory=directory)
    assert (raised.value.file, raised.value.key) == (file, key)
    assert problem in raised.value.problem
    assert file in str(raised.value) and key in str(raised.value)
    assert row_counts() == counts
    assert snapshot() == before


@pytest.mark.django_db
def test_command_reports_counts_and_fails_loudly_on_bad_input(tmp_path):
    out = StringIO()
    call_command("load_seed", "--dir", str(FIXTURES), stdout=out)
    assert f"Observation: {len(FIGURES)} created, 0 updated, 0 unchanged" in out.getvalue()
    directory = fixture_copy(tmp_path, NACTA_FILE, EXECUTIONS, lambda row: row.update(value=-1))
    with pytest.raises(CommandError, match=r"nacta-2017\.yaml.*nap2014-01-executions@2017-10-01.*negative"):
        call_command("load_seed", "--dir", str(directory), stdout=StringIO())
    assert Observation.objects.get(seed_key=EXECUTIONS).value == 484


@pytest.mark.usefixtures("seeded")
def test_sources_say_who_published_when_and_editorial_dates_are_marked():
    sources = {slug: rest for slug, *rest in Source.objects.values_list("slug", "publisher__slug", "published_on")}
    assert sources == {
        NACTA: ["nacta", date(2017, 8, 23)],
        ISSRA: ["issra", None],
        ISPR: ["ispr", date(2025, 10, 10)],
    }
    # Figures the article gives without a date, or that the portal placed under an item, say so.
    marked = set(Observation.objects.exclude(editorial_note="").values_list("indicator__code", flat=True))
    assert {
        "nap2021-01-deaths-since-2001",
        "nap2021-01-economic-losses-since-2001",
        "nap2021-10-surrenders",
        "nap2021-05-status",
        "nap2021-07-status",
        "nap2021-14-status",
    } <= marked
    assert not Observation.objects.filter(source__slug=NACTA).exclude(editorial_note="").exists()
