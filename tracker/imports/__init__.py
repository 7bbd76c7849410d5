"""Bulk import of observations from the per-body CSV/XLSX template.

``read_upload`` turns a file into rows (refusing unsafe or malformed files), ``check_rows`` gives each row's
outcome without writing (the dry run), and ``import_commit`` checks again and writes every row or none through
``tracker.services.observation_import``.
"""

from dataclasses import replace
from typing import Any

from django.db import transaction

from tracker import services
from tracker.imports.checking import CREATE, EMPTY, ERROR, OUTCOMES, UNCHANGED, ImportCheck, check_rows
from tracker.imports.reading import COLUMNS, ImportBudget, ImportRefused, RawRow, read_upload, refuse_oversized
from tracker.imports.template_files import template_csv, template_xlsx
from tracker.models import Body, Indicator
from tracker.services import ObservationInput, SourceInput

__all__ = [
    "COLUMNS",
    "CREATE",
    "EMPTY",
    "ERROR",
    "OUTCOMES",
    "UNCHANGED",
    "ImportBudget",
    "ImportCheck",
    "ImportRefused",
    "RawRow",
    "check_rows",
    "import_commit",
    "read_upload",
    "refuse_oversized",
    "template_csv",
    "template_xlsx",
]


def import_commit(
    *, actor: Any, rows: list[RawRow], submit: bool = False, budget: ImportBudget | None = None
) -> ImportCheck:
    """Check the rows again and, if none has an error, create them all in one transaction.

    The check runs under ``budget`` (the import's, from its reading): once it is spent, ``ImportRefused`` and
    nothing is written.

    The bodies and indicators named in the file are locked first (national rows have no body), so two uploads
    of the same file at once, or an upload beside a form entry, cannot both create the rows: the second waits
    and then finds them unchanged or open.
    """
    with transaction.atomic():
        slugs = sorted({r.cells.get("body", "") for r in rows} - {""})
        list(Body.objects.select_for_update().filter(slug__in=slugs).order_by("pk").values_list("pk", flat=True))
        codes = sorted({r.cells.get("indicator", "") for r in rows} - {""})
        list(Indicator.objects.select_for_update().filter(code__in=codes).order_by("pk").values_list("pk", flat=True))
        check = check_rows(actor=actor, rows=rows, budget=budget)
        if not check.has_errors and check.to_create:
            services.observation_import(actor=actor, rows=_with_new_sources(actor, check), submit=submit)
    return check


def _with_new_sources(actor: Any, check: ImportCheck) -> list[ObservationInput]:
    """The rows to write, each citing a recorded source: the sources given in place and not yet recorded are
    added first (one per distinct description, marked for the reviewer, audited)."""
    pending: dict[int, SourceInput] = {}
    for outcome in check.rows:
        if outcome.outcome == CREATE and outcome.new_source is not None and outcome.data is not None:
            pending.setdefault(id(outcome.data.source), outcome.new_source)
    keys = list(pending)
    added = services.sources_find_or_create(actor=actor, rows=[pending[k] for k in keys]) if keys else []
    recorded = {key: source for key, (source, _created) in zip(keys, added, strict=True)}
    return [
        replace(data, source=recorded[id(data.source)]) if id(data.source) in recorded else data
        for data in check.to_create
    ]
