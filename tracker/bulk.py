"""Many rows of one model in a few statements, for the writes that take thousands at once (an import, its audit).

``bulk_create`` prepares every value of every row through its field (``get_db_prep_save`` and friends): for a
10,000-row import that was most of the import's Python time. Here the instances' own values go to psycopg's
adapters as they are (dates, decimals, strings and ids need nothing more; JSON is wrapped with the field's
encoder), ``execute_values`` writes them 1,000 rows a statement, and the ids come back in order. The instances
are built by the caller with the model's defaults, as ``bulk_create``'s are; no signal is sent, as with it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TypeVar

from django.db import connection, models
from django.utils import timezone
from psycopg2.extras import Json, execute_values

M = TypeVar("M", bound=models.Model)
PAGE_SIZE = 1000


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    if isinstance(field, models.JSONField):
        dumps = partial(json.dumps, cls=field.encoder) if field.encoder else json.dumps
        return lambda value: None if value is None else Json(value, dumps=dumps)
    return None


def insert_many(objects: Sequence[M]) -> list[M]:
    """Insert ``objects`` (unsaved instances of one model) and set their primary keys; returns them."""
    if not objects:
        return list(objects)
    model = type(objects[0])
    if connection.vendor != "postgresql":
        # SQLite (the embedded default): the ORM's bulk insert, which sets the primary keys there too.
        return model._default_manager.bulk_create(objects)
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    stamped = [f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    for obj in objects:
        for name in stamped:
            setattr(obj, name, now)
    names = [f.attname for f in fields]
    converters = [(i, c) for i, f in enumerate(fields) if (c := _converter(f)) is not None]
    rows: list[tuple[Any, ...]] = []
    for obj in objects:
        values = [getattr(obj, name) for name in names]
        for i, convert in converters:
            values[i] = convert(values[i])
        rows.append(tuple(values))
    quote = connection.ops.quote_name
    # Table and column names come from the model and are quoted; the values travel as parameters.
    columns = ", ".join(quote(f.column) for f in fields)
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES %s RETURNING {quote(meta.pk.column)}"  # noqa: S608
    with connection.cursor() as cursor:
        ids = execute_values(cursor, sql, rows, page_size=PAGE_SIZE, fetch=True)
    for obj, (pk,) in zip(objects, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    return list(objects)
