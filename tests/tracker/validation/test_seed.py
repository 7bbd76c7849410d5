"""The seed data against the default rules: the published sources agree with themselves, so no finding — and the
default rules are loaded from fixtures/, once."""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from tracker.models import Finding, ValidationRule
from tracker.seeding import seed_load
from tracker.validation.engine import evaluate
from tracker.validation.figures import Scope
from tracker.validation.services import validation_run

pytestmark = pytest.mark.django_db
FIXTURES = Path(settings.BASE_DIR) / "fixtures"


def test_the_seed_data_produces_no_finding():
    seed_load(directory=FIXTURES)
    assert ValidationRule.objects.filter(active=True).count() == 7
    assert {r.kind for r in ValidationRule.objects.all()} == {
        "parts_whole",
        "range",
        "stock",
        "relation",
        "completeness",
    }
    for as_of in (date(2015, 3, 25), date(2017, 10, 1), date(2025, 12, 31)):
        assert evaluate(scope=Scope(as_of=as_of)) == []
    run = validation_run()
    assert run.found == 0 and not Finding.objects.exists()


def test_the_default_rules_load_once_and_keep_their_parts():
    seed_load(directory=FIXTURES)
    rule = ValidationRule.objects.get(slug="arrests-provinces-add-up")
    assert rule.parts.count() == 8 and rule.tolerance_percent == 1
    again = seed_load(directory=FIXTURES)
    tally = again.tallies["ValidationRule"]
    assert (tally.created, tally.updated, tally.unchanged) == (0, 0, 7)
