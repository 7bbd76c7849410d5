"""Parts of pages built from published figures only, rendered once per state of the published data.

Such a part is the same for every reader of one ``permissions.published_audience`` class, in one language and
number style, so it is cached (Django's cache: Redis in production) under a key that holds those, the page's
own parameters and the data version (``DataVersion``). PostgreSQL triggers replace the version in the same
transaction as every write that can change a published figure (approvals, corrections, sources, bodies,
indicators, items, the crosswalk, responsibilities, assessments, reporting assignments), so a cached part is
never older than the data it shows and no purge is needed. Without a version (the embedded SQLite default, or a
database flushed whole) nothing is cached.

A cached part may leave slots for what is the reader's own (a reviewer's pending counts on the dashboard's cards):
``<!--slot:NAME-->`` comments that ``fill_slots`` replaces on every request.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from typing import TypeVar, cast

from django.core.cache import cache
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from tracker import selectors
from tracker.formatting import default_number_style

T = TypeVar("T")

# A slot of a cached part. An HTML comment, so an unfilled slot shows nothing; no value a template writes can forge
# one, since templates escape "<".
SLOT = re.compile(r"<!--slot:([\w:-]+)-->")

# A new data version makes new keys; the timeout only returns the memory of parts nobody asks for any more.
PUBLISHED_CACHE_SECONDS = 24 * 60 * 60


def published_cached(namespace: str, *, audience: str, parts: Sequence[str], build: Callable[[], T]) -> T:
    """What ``build`` returns (HTML, rendered JSON, or data a serializer made: anything the cache can pickle),
    from the cache when the data have not changed since it was built for the same ``audience`` and ``parts``
    (the page's or the request's parameters). ``build`` must read published figures only, and hold nothing of
    the reader's own (no CSRF token, no name). An exception in ``build`` (a refused question) caches nothing."""
    # The version is read before the data: an answer is never older than the version it is cached under.
    version = selectors.data_version()
    key = None if version is None else _cache_key(namespace, version, audience, parts)
    if key is not None:
        found = cache.get(key, _MISSING)
        if found is not _MISSING:
            return cast(T, found)
    built = build()
    if key is not None:
        cache.set(key, built, PUBLISHED_CACHE_SECONDS)
    return built


def published_html(namespace: str, *, audience: str, parts: Sequence[str], render: Callable[[], str]) -> SafeString:
    """``published_cached`` for a part of a page that a template rendered (its values escaped there)."""
    html = published_cached(namespace, audience=audience, parts=parts, build=render)
    return mark_safe(html)  # noqa: S308 (rendered by our templates, their values escaped there)


def fill_slots(html: str, fill: Callable[[str], str]) -> SafeString:
    """``html`` (a cached part) with each slot replaced by ``fill(name)``: the reader's own HTML, rendered by our
    templates, or "" to leave it out."""
    return mark_safe(SLOT.sub(lambda slot: fill(slot.group(1)), html))  # noqa: S308 (our templates' output)


_MISSING = object()


def _cache_key(namespace: str, version: str, audience: str, parts: Sequence[str]) -> str:
    fields = [version, audience, translation.get_language() or "", default_number_style(), *parts]
    return f"page:{namespace}:" + hashlib.sha256("\x00".join(fields).encode()).hexdigest()
