"""Pages of long lists without counting every row: ``EstimatedCountPaginator``.

An exact ``COUNT(*)`` reads every matching row (0.3 s at 100k approved figures, seconds at a million) just to
print a total nobody needs exactly. So the paginator counts at most ``EXACT_BELOW`` + 1 rows; a selection
that small gets its exact total (one query, as before), a larger one the planner's estimate (one more query
that costs a plan, not a scan).
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db import connections

EXACT_BELOW = 10_000


class EstimatedCountPaginator(Paginator):
    """A ``Paginator`` whose ``count`` is PostgreSQL's row estimate for large querysets (``estimated`` says so)."""

    estimated = False

    @cached_property
    def count(self) -> int:
        queryset: Any = self.object_list
        if connections[queryset.db].vendor != "postgresql":
            return super().count
        capped = queryset.order_by()[: EXACT_BELOW + 1].count()
        if capped <= EXACT_BELOW:
            return capped
        plan = json.loads(queryset.explain(format="json"))
        self.estimated = True
        return max(int(plan[0]["Plan"]["Plan Rows"]), capped)
