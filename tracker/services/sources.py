"""Sources anyone who reports can cite: found again when they exist, added (and marked for a reviewer) when not.

A source's publisher is a body — a ministry's own return, a province's report — or a named outside publisher
(a newspaper, a wire service, a journal), which is a body of an outside-publisher kind: cited, never listed as
a reporting body. Duplicates are found by URL, or by publisher, title and date, and reused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tracker import audit, permissions
from tracker import entry_validation as validation
from tracker.choices import OUTSIDE_PUBLISHER_KINDS, BodyKind, DatePrecision
from tracker.formatting import format_date_long
from tracker.models import Body, Source

SOURCE_AUDITED_FIELDS = ("publisher", "title", "published_on", "date_precision", "url", "reference", "needs_review")
TITLE_MAX_LENGTH = 300
URL_MAX_LENGTH = 500


@dataclass(frozen=True, kw_only=True)
class SourceInput:
    """A source as a reporter describes it: ``publisher`` (a body) or ``publisher_name`` (an outside publisher,
    found by name or added as ``publisher_kind``), a title, a date with its precision, and a URL or reference."""

    title: str
    published_on: date | None
    publisher: Body | None = None
    publisher_name: str = ""
    publisher_kind: str = BodyKind.NEWSPAPER
    date_precision: str = DatePrecision.DAY
    url: str = ""
    reference: str = ""


def normalise_url(url: str) -> str:
    """The form two spellings of one address share: no surrounding space, no trailing slash, no fragment."""
    url = url.strip().split("#", 1)[0]
    return url[:-1] if url.endswith("/") else url


def source_input_errors(data: SourceInput, *, today: date | None = None) -> dict[str, list[str]]:
    """The rules on a described source, the same for the form, the import and the API."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if data.publisher is None and not data.publisher_name.strip():
        errors["publisher"] = [_("Name the publisher: a body, or a newspaper, wire service or journal.")]
    if data.publisher is None and data.publisher_kind not in OUTSIDE_PUBLISHER_KINDS:
        errors["publisher_kind"] = [_("An outside publisher is a newspaper, a wire service, a journal or other.")]
    if not data.title.strip():
        errors["title"] = [_("Give the source's title.")]
    elif len(data.title) > TITLE_MAX_LENGTH:
        errors["title"] = [validation.msg_text_too_long(len(data.title), TITLE_MAX_LENGTH)]
    if data.published_on is None:
        errors["published_on"] = [_("Give the date the source was published (a year is enough).")]
    else:
        date_problems = validation.date_errors(data.published_on, today=today)
        if date_problems:
            errors["published_on"] = date_problems
    if data.date_precision not in DatePrecision.values:
        errors["date_precision"] = [_("Use one of: %(v)s.") % {"v": ", ".join(DatePrecision.values)}]
    url = normalise_url(data.url)
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors["url"] = [_("“%(url)s” is not a web address (http:// or https://).") % {"url": url}]
        if len(url) > URL_MAX_LENGTH:
            errors["url"] = [validation.msg_text_too_long(len(url), URL_MAX_LENGTH)]
    elif not data.reference.strip():
        errors["url"] = [_("Give the source's web address, or say in the reference where to find it.")]
    if len(data.reference) > validation.TEXT_MAX_LENGTH:
        errors["reference"] = [validation.msg_text_too_long(len(data.reference))]
    return errors


def _key(publisher_id: int, title: str, published_on: date | None) -> tuple[Any, ...]:
    return (publisher_id, " ".join(title.split()).casefold(), published_on)


def _unique_slug(base: str, taken: set[str], max_length: int = 80) -> str:
    base = slugify(base)[: max_length - 4].strip("-") or "source"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


def _find_publishers(rows: Sequence[SourceInput]) -> dict[str, Body]:
    """The publishers named (not given as a body) in ``rows`` that the portal knows, by folded name: a body of
    any kind whose name, short name or slug is the name given. One query."""
    names = {_folded(r.publisher_name) for r in rows if r.publisher is None and r.publisher_name.strip()}
    if not names:
        return {}
    query = Q()
    for name in names:
        query |= Q(name__iexact=name) | Q(short_name__iexact=name) | Q(slug=slugify(name))
    known: dict[str, Body] = {}
    for candidate in Body.objects.filter(query).order_by("pk"):
        for key in (candidate.name.casefold(), candidate.short_name.casefold(), candidate.slug):
            known.setdefault(key, candidate)
    return {name: found for name in names if (found := known.get(name) or known.get(slugify(name))) is not None}


def sources_find(rows: Sequence[SourceInput]) -> list[Source | None]:
    """For each described source, the recorded source it is — same URL, or same publisher, title (spacing and
    case aside) and date — or ``None``. Reads only: what a dry run of an import shows. Two queries, reading the
    sources of the publishers and dates named and those with the URLs named, whatever the number of rows."""
    publishers = _find_publishers(rows)

    def publisher_id(row: SourceInput) -> int | None:
        body = row.publisher or publishers.get(_folded(row.publisher_name))
        return body.pk if body is not None else None

    urls = {normalise_url(r.url) for r in rows} - {""}
    query = Q(pk__in=[])
    for url in urls:
        query |= Q(url__iexact=url) | Q(url__iexact=url + "/")
    ids = {pid for r in rows if (pid := publisher_id(r)) is not None}
    if ids:
        query |= Q(publisher_id__in=ids, published_on__in={r.published_on for r in rows})
    by_url: dict[str, Source] = {}
    by_key: dict[tuple[Any, ...], Source] = {}
    for source in Source.objects.filter(query).select_related("publisher").order_by("pk") if urls or ids else []:
        if source.url:
            by_url.setdefault(normalise_url(source.url).casefold(), source)
        by_key.setdefault(_key(source.publisher_id, source.title, source.published_on), source)
    found: list[Source | None] = []
    for row in rows:
        url = normalise_url(row.url).casefold()
        pid = publisher_id(row)
        match = by_url.get(url) if url else None
        if match is None and pid is not None:
            match = by_key.get(_key(pid, row.title, row.published_on))
        found.append(match)
    return found


def _taken_slugs(model: type[Body] | type[Source], bases: Iterable[str], prefix_length: int) -> set[str]:
    """The slugs of ``model`` that start like any of ``bases``: one query for a whole batch."""
    prefixes = {slugify(base)[:prefix_length] for base in bases}
    query = Q(pk__in=[])
    for prefix in prefixes:
        query |= Q(slug__startswith=prefix)
    return set(model.objects.filter(query).values_list("slug", flat=True)) if prefixes else set()


def _publishers_create(*, actor: User, rows: Sequence[SourceInput]) -> dict[str, Body]:
    """The outside publishers named in ``rows`` that the portal does not know, added as bodies of their kind in
    one insert, each audited; by folded name."""
    wanted: dict[str, SourceInput] = {}
    for row in rows:
        wanted.setdefault(_folded(row.publisher_name), row)
    labels = {name: " ".join(row.publisher_name.split()) for name, row in wanted.items()}
    taken = _taken_slugs(Body, labels.values(), 50)
    bodies = [
        Body(
            slug=_unique_slug(labels[name], taken, max_length=60),
            name=labels[name][:200],
            short_name=labels[name][:40],
            kind=row.publisher_kind,
        )
        for name, row in wanted.items()
    ]
    created = Body.objects.bulk_create(bodies)
    audit.record_many(
        actor=actor,
        action="body.create_publisher",
        objects=created,
        afters=[{"name": body.name, "kind": body.kind} for body in created],
    )
    return dict(zip(wanted, created, strict=True))


def sources_find_or_create(*, actor: User, rows: Sequence[SourceInput]) -> list[tuple[Source, bool]]:
    """For each described source, the source it is (``sources_find``) or a new one, added in the same
    transaction with an audit entry and marked for the reviewer (unless a reviewer adds it); ``True`` = added.
    An outside publisher the portal does not know is added too, as a body of its kind (audited).

    Reporters and reviewers may add sources; the checks of ``source_input_errors`` apply to every row. A fixed
    number of queries whatever the number of rows and of new sources (an import may describe hundreds).
    """
    permissions.require(actor, "add_source")
    today = timezone.localdate()
    for number, row in enumerate(rows, start=1):
        errors = source_input_errors(row, today=today)
        if errors:
            if len(rows) == 1:
                raise ValidationError(errors)
            messages = [m for ms in errors.values() for m in ms]
            raise ValidationError(_("Source %(n)s: %(errors)s") % {"n": number, "errors": "; ".join(messages)})
    # What a reviewer adds is reviewed already; anyone else's source waits for a reviewer's look.
    needs_review = not permissions.can(actor, "review")
    with transaction.atomic():
        publishers = _find_publishers(rows)
        found = sources_find(rows)
        unknown = [
            row
            for row, known in zip(rows, found, strict=True)
            if known is None and row.publisher is None and _folded(row.publisher_name) not in publishers
        ]
        if unknown:
            publishers.update(_publishers_create(actor=actor, rows=unknown))
        # Each row is found, a twin of an earlier row of this batch (same URL, or same publisher, title and
        # date), or new.
        added: dict[tuple[Any, ...], int] = {}
        new: list[tuple[SourceInput, Body, str]] = []
        refers: list[int | Source] = []
        for row, known in zip(rows, found, strict=True):
            if known is not None:
                refers.append(known)
                continue
            publisher = row.publisher or publishers[_folded(row.publisher_name)]
            url = normalise_url(row.url)
            key = _key(publisher.pk, row.title, row.published_on)
            twin = added.get(("url", url.casefold())) if url else None
            twin = twin if twin is not None else added.get(key)
            if twin is not None:  # described twice in one batch
                refers.append(twin)
                continue
            added[key] = len(new)
            if url:
                added[("url", url.casefold())] = len(new)
            refers.append(len(new))
            new.append((row, publisher, url))
        bases = [f"{publisher.slug} {row.title} {row.published_on or ''}"[:90] for row, publisher, _url in new]
        taken = _taken_slugs(Source, bases, 76)
        created = Source.objects.bulk_create(
            [
                Source(
                    slug=_unique_slug(base, taken),
                    publisher=publisher,
                    title=" ".join(row.title.split()),
                    published_on=row.published_on,
                    date_precision=row.date_precision,
                    url=url,
                    reference=row.reference.strip(),
                    needs_review=needs_review,
                    created_by=actor,
                )
                for base, (row, publisher, url) in zip(bases, new, strict=True)
            ]
        )
        if created:
            audit.record_many(
                actor=actor,
                action="source.create",
                objects=created,
                afters=[audit.snapshot(source, SOURCE_AUDITED_FIELDS) for source in created],
            )
    # A row that is the first of its description added the source; its twins reuse it.
    firsts = set(range(len(new)))
    results: list[tuple[Source, bool]] = []
    for refer in refers:
        if isinstance(refer, Source):
            results.append((refer, False))
        else:
            results.append((created[refer], refer in firsts))
            firsts.discard(refer)
    return results


def source_find_or_create(*, actor: User, data: SourceInput) -> tuple[Source, bool]:
    return sources_find_or_create(actor=actor, rows=[data])[0]


def source_own_return(*, actor: User, body: Body, period_end: date, date_precision: str) -> Source:
    """A body's own return for a period, in one click: "Punjab Home Department return, October 2026", published
    by the body itself and dated by the period it covers. Clicking again finds the same source."""
    if not permissions.can(actor, "report_for", body):
        raise ValidationError({"body": _("You do not report for %(body)s.") % {"body": body}})
    title = _("%(body)s return, %(period)s") % {
        "body": body.name,
        "period": format_date_long(period_end, date_precision),
    }
    data = SourceInput(
        publisher=body,
        title=title,
        published_on=period_end,
        date_precision=date_precision,
        reference=_("Return filed in the NAP Portal by %(body)s.") % {"body": body.name},
    )
    return source_find_or_create(actor=actor, data=data)[0]
