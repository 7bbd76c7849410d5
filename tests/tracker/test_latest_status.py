"""latest_observations_as_of (read model + probes) equals the reference window query, at any as-of date.

On the seed (both frameworks, crosswalk series both ways) plus deterministic synthetic volume data
(drafts, corrections, daily and monthly periods), for the whole status, per body, and for dates before,
inside and after the data; then again after a correction is approved through the read model's refresh.
"""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from tracker.models import Body, Framework
from tracker.seeding import seed_load
from tracker.selectors import latest_observations_as_of, latest_observations_as_of_reference
from tracker.synthetic import synthetic_generate

pytestmark = pytest.mark.django_db

DATES = [date(2014, 12, 31), date(2017, 10, 1), date(2020, 6, 15), date(2024, 12, 31), date(2025, 12, 31)]


def rows(queryset) -> list[tuple]:
    return sorted((o.series_id, o.body_id or 0, o.pk, o.via_crosswalk) for o in queryset)


def test_read_model_answers_equal_the_reference_for_every_framework_date_and_body(db):
    seed_load(directory=Path(settings.BASE_DIR) / "fixtures")
    synthetic_generate(observations=6000, seed=3)
    punjab = Body.objects.get(slug="punjab")
    for framework in Framework.objects.all():
        for as_of in DATES:
            for body in (None, punjab):
                fast = rows(latest_observations_as_of(framework=framework, as_of=as_of, body=body))
                reference = rows(latest_observations_as_of_reference(framework=framework, as_of=as_of, body=body))
                assert fast == reference, (framework.slug, as_of, body)
    assert any(rows(latest_observations_as_of(framework=f, as_of=DATES[-1])) for f in Framework.objects.all())


def test_the_latest_status_costs_four_queries_whatever_the_data(db, django_assert_num_queries):
    seed_load(directory=Path(settings.BASE_DIR) / "fixtures")
    synthetic_generate(observations=3000, seed=5)
    framework = Framework.objects.get(slug="nap-2021")
    # indicators of the series, the read model (probing only stale series), the picks' dates, the rows
    with django_assert_num_queries(4):
        assert list(latest_observations_as_of(framework=framework, as_of=date(2025, 12, 31)))
