"""Query sets of the domain models: the policy's ``restrict(user, action)`` and the one definition of a
published series live here, so every page, API view, report, export and admin path asks the same methods."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Self, cast

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections, models
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Func, OrderBy, Window
from django.db.models.functions import RowNumber

from tracker.choices import DatePrecision, ObservationState

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from tracker.models.frameworks import Framework
    from tracker.models.indicators import Assessment, Observation  # noqa: F401

SERIES_KEY = ("series_id", "body_id")  # what tells series apart, as annotated by ``series_figures``
SeriesKey = tuple[int, int | None]  # (the series' indicator id, body id); body None: the national series


# The annotations the series methods put on each row, read with their types (django-stubs cannot carry an
# annotation through a custom query set's methods).
def series_key(observation: Observation) -> SeriesKey:
    """(``series_id``, body) of a figure read through ``series_figures`` or ``latest_per_series``."""
    series_id: int = vars(observation)["series_id"]
    return series_id, observation.body_id


def via_crosswalk(observation: Observation) -> bool:
    """True for a figure of the other framework carried over the crosswalk (``series_figures(crosswalk=…)``)."""
    return bool(vars(observation)["via_crosswalk"])


def previous_id(observation: Observation) -> int | None:
    """The id of the figure an observation read through ``with_previous`` follows; None for a series' first."""
    found: int | None = vars(observation)["previous_id"]
    return found


def is_superseded(observation: Observation) -> bool:
    """True when an approved correction replaces the figure (read through ``with_superseded``)."""
    return bool(vars(observation)["is_superseded"])


def source_known_on(day: date, *, prefix: str = "") -> Q:
    """Sources published on or before ``day``, as precisely as each source dates itself.

    A source dated only to a month or a year counts as known from the end of that month or year: a report
    as known on 10 October must not use a document that may have come out on 31 October. A source without a
    publication date is never known on a given date, only with hindsight. ``prefix`` is the path to the
    source from the queried model ("source__" for observations and assessments).
    """
    after = day + timedelta(days=1)
    # Known on ``day`` once the whole day, month or year of publication has passed by the end of ``day``.
    published_before = {
        DatePrecision.DAY: after,
        DatePrecision.MONTH: after.replace(day=1),
        DatePrecision.YEAR: after.replace(month=1, day=1),
    }
    known = Q()
    for precision, before in published_before.items():
        known |= Q(**{f"{prefix}date_precision": precision, f"{prefix}published_on__lt": before})
    return known


def newest_first(*, crosswalk: bool = False) -> list[OrderBy]:
    """THE tie-break of observations, for every "latest" and "previous" figure: the newest period; at equal
    periods (with a crosswalk) this framework's own figure before one carried over from the other framework;
    then the later approval (a figure approved later was checked against the earlier one); then the higher id.
    """
    order = [F("period_end").desc()]
    if crosswalk:
        order.append(F("via_crosswalk").asc())
    return [*order, F("approved_at").desc(nulls_last=True), F("pk").desc()]


def oldest_first(*, crosswalk: bool = False) -> list[OrderBy]:
    """The reverse of ``newest_first``: a series' history in reading order, its latest figure last."""
    reversed_orders: list[OrderBy] = []
    for order in newest_first(crosswalk=crosswalk):
        reversed_order = order.copy()
        reversed_order.reverse_ordering()
        reversed_orders.append(reversed_order)
    return reversed_orders


# THE tie-break of assessments: the latest date, then the one entered last, then the higher id.
ASSESSMENT_NEWEST_FIRST = ("-as_of", "-created_at", "-pk")


class _IdAmong(Func):
    """``id = ANY(ARRAY(subquery))``: the subquery (a few hundred heads) runs once and the rows are then fetched
    by primary key. ``id IN (subquery)`` let the planner scan the whole table against it (measured at 10k rows)."""

    arity = 2
    template = "%(expressions)s)"
    arg_joiner = " = ANY("
    output_field = BooleanField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, list[Any]]:
        # SQLite (the embedded `make run` default) has no arrays: ``id IN (subquery)``, as its planner reads it.
        column, ids = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        ids_sql, ids_params = cast(Subquery, ids).query.as_sql(compiler, connection)  # "(SELECT …)"
        return f"{column_sql} IN {ids_sql}", [*column_params, *ids_params]


def _id_among(ids: models.QuerySet[Any]) -> _IdAmong:
    return _IdAmong(F("pk"), ArraySubquery(ids))


def id_among(ids: models.QuerySet[Any]) -> _IdAmong:
    """The rows whose id ``ids`` (a ``values("pk")`` query) returns, fetched by primary key (see ``_IdAmong``)."""
    return _id_among(ids)


def _head_of_series(candidates: ObservationQuerySet, *, order: list[OrderBy], body: str = "body_id") -> Case:
    """One index probe: the id of the first of ``candidates`` in ``order`` whose body is the outer row's
    ``body`` — national figures (body NULL) probed with ``IS NULL``, since NULL = NULL is not true in SQL."""
    national = candidates.filter(body__isnull=True).order_by(*order).values("pk")[:1]
    same_body = candidates.filter(body_id=OuterRef(body)).order_by(*order).values("pk")[:1]
    return Case(
        When(**{f"{body}__isnull": True}, then=Subquery(national)),
        default=Subquery(same_body),
        output_field=IntegerField(),
    )


class ObservationQuerySet(models.QuerySet["Observation"]):
    """Observations, narrowed by the one policy (``restrict``) and by the one definition of what is published.

    The published series (``published``, ``series_figures``, ``series_heads``, ``latest_per_series``,
    ``with_previous``) are written once here; pages, reports and the API chain their own narrowing (the
    policy, a body, a set of indicators, a source date) *before* them, and the probes honour that narrowing.
    """

    # --- The policy (tracker/permissions.py), as a queryset ---------------------------------------------------
    def restrict(self, user: User | AnonymousUser, action: str = "view") -> ObservationQuerySet:
        """The observations ``user`` may ``action`` ("view", "edit", "submit", "approve", "return", "correct",
        "comment", "export", …): exactly those for which ``permissions.can(user, action, obs)`` holds, from the
        same rule. An unknown action is a programming error (``ValueError``), not an empty list."""
        from tracker import permissions  # the policy imports the models

        where = permissions.observation_where(user, action)
        if where is True:
            return self.all()
        if where is False:
            return self.none()
        return self.filter(where)

    # --- The published series ------------------------------------------------------------------------------

    def known_on(self, day: date | None) -> Self:
        """Only figures whose source was published by ``day`` (see ``source_known_on``); ``None`` means with
        hindsight: everything known today."""
        if day is None:
            return self
        return self.filter(source_known_on(day, prefix="source__"))

    def published(self, *, known_on: date | None = None) -> Self:
        """What counts everywhere (read pages, reports, dashboards, charts, the API): approved, and not replaced
        by an approved correction.

        With ``known_on``, what could be known that day: figures whose source was published by then, and a
        correction replaces what it corrects only once its own source is known (a report as known on 2017
        keeps the 2017 figure that a 2019 document revised; a typing error corrected from the same source is
        replaced at once). Filtering before the latest pick means a later figure never hides the one known then.
        """
        # NOT EXISTS, not a join: a per-series probe then checks the few rows it reads by the unique index on
        # ``supersedes`` instead of joining the whole table.
        corrections = self._approved_correction().known_on(known_on)
        return self.known_on(known_on).filter(state=ObservationState.APPROVED).exclude(Exists(corrections))

    def _approved_correction(self) -> ObservationQuerySet:
        # ``supersedes IS NOT NULL`` says nothing new, but lets the planner read the few corrections through the
        # unique index on ``supersedes`` when it hashes them for an anti-join, instead of every approved figure
        # (the whole validation run's copy of 1,000,000 figures: 1.9 s → 0.6 s).
        return self.model.objects.filter(
            supersedes=OuterRef("pk"), supersedes__isnull=False, state=ObservationState.APPROVED
        )

    def with_superseded(self) -> Self:
        """Annotate ``is_superseded``: an approved correction replaces this figure (the history marks it)."""
        return self.annotate(is_superseded=Exists(self._approved_correction()))

    def series_figures(
        self, *, as_of: date | None = None, crosswalk: Framework | None = None, known_on: date | None = None
    ) -> Self:
        """The published figures of every series dated on or before ``as_of``, each annotated with its series.

        A series is (indicator, body); body NULL is the national series. Without ``crosswalk`` ``series_id`` is
        the figure's own indicator. With ``crosswalk=framework`` only figures feeding that framework's series
        are kept, and the series of an indicator includes the other framework's indicator linked to it by
        ``continues`` (either way), so a 2021 series as of 2017 shows the 2014 figure and a 2014 series as of
        2024 the 2021 one; ``series_id`` is then the id of ``framework``'s indicator and ``via_crosswalk`` is
        true for a figure of the other framework. An earlier indicator continued by two of the framework's
        indicators feeds the first one (by position) only. ``known_on``: see ``published``.
        """
        queryset = self.published(known_on=known_on)
        if as_of is not None:
            queryset = queryset.filter(period_end__lte=as_of)
        if crosswalk is None:
            return queryset.with_series()
        return queryset.with_series(crosswalk=crosswalk).filter(Q(series_id__isnull=False))

    def with_series(self, *, crosswalk: Framework | None = None) -> Self:
        """Annotate ``series_id`` and ``via_crosswalk`` as ``series_figures`` defines them, filtering nothing:
        ``series_id`` is NULL for a figure feeding no series of ``crosswalk``."""
        from tracker.models.indicators import Indicator

        if crosswalk is None:
            return self.annotate(series_id=F("indicator_id"), via_crosswalk=Value(False, output_field=BooleanField()))
        own = Q(indicator__item__framework=crosswalk)
        # A later indicator feeds the earlier one it continues (a 2014 report as of 2024), and an earlier indicator
        # feeds the later one that continues it (a 2021 report as of 2017).
        continues_ours = Q(indicator__continues__item__framework=crosswalk)
        continuing = Indicator.objects.filter(continues=OuterRef("indicator_id"), item__framework=crosswalk)
        series = Case(
            When(own, then=F("indicator_id")),
            When(continues_ours, then=F("indicator__continues_id")),
            # An earlier indicator continued by two of the framework's indicators feeds the first one only.
            default=Subquery(continuing.order_by("position", "pk").values("pk")[:1]),
            output_field=IntegerField(),
        )
        return self.annotate(
            series_id=series,
            via_crosswalk=Case(When(own, then=Value(False)), default=Value(True), output_field=BooleanField()),
        )

    def series_heads(
        self,
        *,
        as_of: date | None = None,
        crosswalk: Framework | None = None,
        known_on: date | None = None,
        series: Q | None = None,
    ) -> models.QuerySet[Any]:
        """The ids of the latest figure of each series (see ``series_figures``), first in ``newest_first``.

        On PostgreSQL, from the latest-value read model (``LatestFigure``, kept by triggers in the transaction of
        every write): it is the table of series, so each series costs one index probe over
        ``observation_latest_idx`` honouring the caller's narrowing — or none at all when nothing narrows the
        figures and the series' latest one is dated on or before ``as_of`` (the status "today"). A crosswalk
        then ranks those few heads into the framework's series. Equal to ``series_heads_ranked`` (the one-pass
        ranking) on random histories: tests/tracker/test_latest_status.py.

        ``series`` narrows the series themselves (a ``Q`` on ``indicator`` and ``body``, fields the series table
        and observations share), not the figures: unlike a filter on the figures it keeps the probe-free path,
        and the series left out cost nothing (``Q(indicator_id=i, body__isnull=False)``: one indicator's bodies).
        """
        if connections[self.db].vendor != "postgresql":
            narrowed = self if series is None else self.filter(series)
            return narrowed.series_heads_ranked(as_of=as_of, crosswalk=crosswalk, known_on=known_on)
        from tracker.models.indicators import Indicator
        from tracker.models.latest import LatestFigure

        figures = self.series_figures(as_of=as_of, crosswalk=crosswalk, known_on=known_on).order_by()
        # Per (indicator, body): the first of the narrowed, dated, published figures — within one indicator the
        # crosswalk flag is constant, so the indicator's own order decides.
        probe = _head_of_series(figures.filter(indicator_id=OuterRef("indicator_id")), order=newest_first())
        rows = LatestFigure.objects.all() if series is None else LatestFigure.objects.filter(series)
        if crosswalk is not None:
            feeding = Indicator.objects.filter(
                Q(item__framework=crosswalk)
                | Q(continues__item__framework=crosswalk)
                | Q(continued_by__item__framework=crosswalk)
            ).values("pk")
            rows = rows.filter(indicator_id__in=feeding)
        if not self.query.has_filters() and known_on is None:
            # Nothing narrows the figures: a series whose latest figure is dated in time needs no probe.
            head: Any = (
                F("latest_id")
                if as_of is None
                else Case(
                    When(latest_period_end__lte=as_of, then=F("latest_id")), default=probe, output_field=IntegerField()
                )
            )
        else:
            head = probe
        heads = rows.annotate(head=head).values("head")
        if crosswalk is None:
            return heads
        ranked = figures.filter(_id_among(heads)).annotate(
            series_rank=Window(
                RowNumber(), partition_by=[F("series_id"), F("body_id")], order_by=newest_first(crosswalk=True)
            )
        )
        return ranked.filter(Q(series_rank=1)).values("pk")

    def series_heads_ranked(
        self, *, as_of: date | None = None, crosswalk: Framework | None = None, known_on: date | None = None
    ) -> models.QuerySet[Any]:
        """The reference ``series_heads``: one pass ranking every figure in scope (no read model).

        One pass ranking the figures in scope. Per-series index probes (``Subquery(...)[:1]``) give the same
        rows, but with no table of series they must first enumerate the series from the figures themselves,
        which reads every row anyway; measured at seed+10k they were 2-3x slower than this ranking, and 10x once
        PostgreSQL's JIT compiled them for their high estimated cost. A read model of the series (one row per
        indicator and body) turns this method into one probe per series without changing any caller.
        """
        ranked = (
            self.series_figures(as_of=as_of, crosswalk=crosswalk, known_on=known_on)
            .order_by()
            .annotate(
                series_rank=Window(
                    RowNumber(),
                    partition_by=[F("series_id"), F("body_id")],
                    order_by=newest_first(crosswalk=crosswalk is not None),
                )
            )
        )
        return ranked.filter(Q(series_rank=1)).values("pk")

    def latest_per_series(
        self,
        *,
        as_of: date | None = None,
        crosswalk: Framework | None = None,
        known_on: date | None = None,
        and_previous: bool = False,
        series: Q | None = None,
    ) -> Self:
        """THE latest figure: one published figure per series, the first in ``newest_first`` among those dated
        on or before ``as_of``; annotated with ``series_id`` and ``via_crosswalk`` (see ``series_figures``).

        Callers narrow first and the narrowing applies inside each series (``restrict(user, "view")``, a body,
        indicators, a source date): ``Observation.objects.filter(body=b).latest_per_series(as_of=d)``.
        ``and_previous`` (series of one indicator only, no ``crosswalk``) adds the figure each latest one
        follows (see ``with_previous``), for trends: ordered by series then ``newest_first``, a series' latest
        figure comes before its previous one. ``known_on``: only what could be known that day (see ``published``).
        ``series`` narrows the series read, not the figures (see ``series_heads``).
        """
        heads = self.series_heads(as_of=as_of, crosswalk=crosswalk, known_on=known_on, series=series)
        if and_previous:
            if crosswalk is not None or known_on is not None:
                raise ValueError("and_previous follows a series of one indicator; it takes no crosswalk nor known_on")
            # A series' first figure follows none: the NULL in the array matches no row.
            previous = self.filter(_id_among(heads)).with_previous(among=self).values("previous_id")
            return self.with_series().filter(Q(_id_among(heads)) | Q(_id_among(previous)))
        # The heads are published and dated already: the outer query only fetches them by id.
        return self.with_series(crosswalk=crosswalk).filter(_id_among(heads))

    def newest_in_series(self, *, indicator: Any, body: Any, on_or_before: Any = None) -> Self:
        """The published figures of one series, in the order of ``newest_first`` (slice ``[:1]`` for its latest
        one). ``indicator``, ``body`` (not NULL: a body's series) and ``on_or_before`` may be ``OuterRef``s."""
        queryset = self.published().filter(indicator_id=indicator, body_id=body)
        if on_or_before is not None:
            queryset = queryset.filter(period_end__lte=on_or_before)
        return queryset.order_by(*newest_first())

    def with_previous(self, *, among: ObservationQuerySet | None = None) -> Self:
        """Annotate ``previous_id``: the figure each observation would follow — the latest published figure of
        its series (same indicator and body; national with national) dated on or before it, never itself, in
        the order of ``newest_first``. ``among`` narrows the candidates (default: every published figure)."""
        candidates = (among if among is not None else self.model.objects.all()).published()
        probe = (
            candidates.filter(indicator_id=OuterRef("indicator_id"), period_end__lte=OuterRef("period_end"))
            .exclude(pk=OuterRef("pk"))
            .order_by()
        )
        return self.annotate(previous_id=_head_of_series(probe, order=newest_first()))


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    """Assessments, with the one definition of an item's latest assessment."""

    def known_on(self, day: date | None) -> Self:
        """Assessments published by ``day``, and NACTA M&E's own (no source: the portal's rating, whose entry
        date says nothing of when it was made, since imports enter older material later); ``None``: all."""
        if day is None:
            return self
        return self.filter(Q(source__isnull=True) | source_known_on(day, prefix="source__"))

    def latest_per_item(self, *, as_of: date | None = None) -> Self:
        """THE latest assessment of each agenda item made on or before ``as_of``, by ``ASSESSMENT_NEWEST_FIRST``:
        one index probe per item."""
        candidates = self.filter(as_of__lte=as_of) if as_of is not None else self.all()
        candidates = candidates.order_by()
        head = candidates.filter(item_id=OuterRef("item_id")).order_by(*ASSESSMENT_NEWEST_FIRST).values("pk")[:1]
        representatives = candidates.values("item_id").annotate(first=Min("pk")).values("first")
        heads = candidates.filter(pk__in=representatives).annotate(head=Subquery(head)).values("head")
        return self.filter(pk__in=heads)
