"""latest_per_series from the read model (series_heads) equals the one-pass ranking (series_heads_ranked).

On the seed (both frameworks, crosswalk series both ways) plus deterministic synthetic volume data (drafts,
corrections, daily and monthly periods): with and without the crosswalk, unnarrowed and narrowed (a body, a
user's scope), at dates before, inside and after the data.
"""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from tracker.models import Body, Framework, Observation
from tracker.seeding import seed_load
from tracker.synthetic import synthetic_generate

pytestmark = pytest.mark.django_db

DATES = [None, date(2014, 12, 31), date(2017, 10, 1), date(2020, 6, 15), date(2025, 12, 31)]


def ids(queryset) -> list[int]:
    return sorted(queryset.values_list("pk", flat=True))


def test_read_model_heads_equal_the_ranked_heads(db):
    seed_load(directory=Path(settings.BASE_DIR) / "fixtures")
    synthetic_generate(observations=6000, seed=3)
    punjab = Body.objects.get(slug="punjab")
    bases = [Observation.objects.all(), Observation.objects.filter(body=punjab)]
    seen = 0
    for framework in [None, *Framework.objects.all()]:
        for as_of in DATES:
            for base in bases:
                fast = ids(base.latest_per_series(as_of=as_of, crosswalk=framework))
                reference = base.series_heads_ranked(as_of=as_of, crosswalk=framework)
                assert fast == ids(Observation.objects.filter(pk__in=reference)), (framework, as_of)
                seen += len(fast)
    assert seen > 1000  # the comparison saw real answers, not empty ones


def test_narrowing_the_series_equals_narrowing_the_figures(db):
    """``series=Q(...)`` narrows the series table instead of the figures (so the probe-free path stays): the same
    heads as the filter on the figures, with and without the figure each follows."""
    from django.db.models import Q

    seed_load(directory=Path(settings.BASE_DIR) / "fixtures")
    synthetic_generate(observations=3000, seed=5)
    punjab = Body.objects.get(slug="punjab")
    indicators = list(Observation.objects.values_list("indicator_id", flat=True).distinct().order_by("indicator_id"))
    narrowings = [
        Q(body__isnull=True),
        Q(indicator_id__in=indicators[:3]),
        Q(indicator_id=indicators[0], body__isnull=False),
        Q(indicator_id__in=indicators[1:2], body__isnull=True) | Q(indicator_id=indicators[2], body_id=punjab.pk),
    ]
    seen = 0
    for narrowing in narrowings:
        for as_of in DATES[1:]:
            for and_previous in (False, True):
                narrowed = Observation.objects.latest_per_series(
                    as_of=as_of, series=narrowing, and_previous=and_previous
                )
                filtered = Observation.objects.filter(narrowing).latest_per_series(
                    as_of=as_of, and_previous=and_previous
                )
                assert ids(narrowed) == ids(filtered), (narrowing, as_of, and_previous)
                seen += len(ids(narrowed))
    assert seen > 100
