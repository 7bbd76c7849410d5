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
