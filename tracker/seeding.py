"""Loads the reference and seed data kept as YAML in ``fixtures/`` (``manage.py load_seed``).

The whole load is one transaction: the first bad entry stops it with a ``SeedError`` that names the file,
the entry and the problem, and the database stays exactly as it was. Rows are found by natural key (slugs,
``framework/number``, indicator codes, seed keys) and written only when the fixture differs from the
database, so a second run changes nothing. Every row goes through the model's ``full_clean()``; the loader
adds the checks only it can make (declared unit vs the indicator's unit, a figure without a date, unknown
references, unknown fields).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import yaml
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils import timezone

from tracker import audit
from tracker.choices import ObservationState, ResponsibilityRole, Scale
from tracker.models import (
    AgendaItem,
    Assessment,
    Body,
    CrosswalkLink,
    Framework,
    Indicator,
    Observation,
    Responsibility,
    Source,
    ValidationRule,
)

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")
_MISSING: Any = object()
_NATURAL_KEYS: dict[type[models.Model], str] = {
    Body: "slug",
    Source: "slug",
    Framework: "slug",
    Indicator: "code",
    ValidationRule: "slug",
}
_KINDS = {str: "text", bool: "true or false", int: "a whole number", list: "a list", object: "a value"}


class SeedError(Exception):
    """A fixture entry the loader refuses: the message says which file, which entry and what is wrong."""

    def __init__(self, *, file: str, key: str, problem: str) -> None:
        self.file, self.key, self.problem = file, key, problem
        super().__init__(f"{file}, entry {key!r}: {problem}")


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class SeedResult:
    """Rows created, updated and left unchanged, per model name, in load order."""

    tallies: dict[str, Tally] = field(default_factory=dict)

    def tally(self, model: type[models.Model]) -> Tally:
        return self.tallies.setdefault(model.__name__, Tally())

    @property
    def changed(self) -> bool:
        return any(t.created or t.updated for t in self.tallies.values())


def seed_load(*, directory: Path) -> SeedResult:
    """Load every fixture file under ``directory``; all or nothing."""
    from tracker.services.latest_figures import latest_figures_rebuild

    loader = _Loader(directory)
    with transaction.atomic():
        loader.run()
        if loader.result.changed:
            latest_figures_rebuild()  # seeded figures are approved: the read model follows, in the same load
    return loader.result


class _Entry:
    """One fixture entry: typed access to its fields, errors that say where the entry came from."""

    def __init__(self, file: str, data: object, key: str) -> None:
        self.file, self.key = file, key
        if not isinstance(data, dict):
            self.fail("expected a mapping of field: value")
        self.data: dict[str, Any] = data
        self.used: set[str] = set()

    def fail(self, problem: str) -> NoReturn:
        raise SeedError(file=self.file, key=self.key, problem=problem)

    def get(self, name: str, kind: type[T], default: Any = _MISSING) -> T:
        """The field as ``kind`` (str, bool, int or list); a missing field takes ``default`` or is an error."""
        self.used.add(name)
        value = self.data.get(name)
        if value is None:
            if default is _MISSING:
                self.fail(f"'{name}' is missing")
            return default
        # YAML's true is an int to Python, never to the person who wrote the fixture.
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            self.fail(f"'{name}' must be {_KINDS[kind]}, not {value!r}")
        return value.strip() if isinstance(value, str) else value  # type: ignore[return-value]

    def date(self, name: str, *, required: bool = True) -> dt.date | None:
        value: Any = self.get(name, object, _MISSING if required else None)
        if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"'{name}' must be a date written YYYY-MM-DD, not {value!r}")

    def decimal(self, name: str) -> Decimal | None:
        value: Any = self.get(name, object, None)
        if value is None:
            return None
        try:
            # str() first: a YAML float such as 169.55 keeps the digits as written, not its binary value.
            return Decimal(str(value).replace("_", ""))
        except InvalidOperation:
            self.fail(f"'{name}' must be a number, not {value!r}")

    def check_all_used(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            self.fail(f"unknown field(s): {', '.join(unknown)}")


def _describe(error: ValidationError) -> str:
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    parts = []
    for name, messages in error.message_dict.items():
        text = " ".join(messages)
        parts.append(text if name == NON_FIELD_ERRORS else f"{name}: {text}")
    return "; ".join(parts)


class _Loader:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.result = SeedResult()
        self._cache: dict[tuple[type[models.Model], str], models.Model] = {}
        self._written: set[tuple[type[models.Model], str]] = set()

    def run(self) -> None:
        # Order matters: each file refers only to what the files before it define.
        self.load_bodies()
        self.load_sources()
        self.load_frameworks()
        self.load_responsibilities()
        self.load_crosswalk()
        self.load_indicators()
        for path in sorted((self.directory / "observations").glob("*.yaml")):
            self.load_observations(path.relative_to(self.directory).as_posix())
        self.load_assessments()
        self.load_validation_rules()

    def document(self, relative: str) -> Any:
        try:
            return yaml.safe_load((self.directory / relative).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SeedError(file=relative, key="-", problem="file not found") from None
        except yaml.YAMLError as exc:
            raise SeedError(file=relative, key="-", problem=f"not valid YAML: {exc}") from None

    def entries(self, relative: str, rows: Any, key_field: str, defaults: Any = None) -> Iterator[_Entry]:
        if not isinstance(rows, list):
            raise SeedError(file=relative, key="-", problem="expected a list of entries")
        if defaults is not None and not isinstance(defaults, dict):
            raise SeedError(file=relative, key="defaults", problem="expected a mapping of field: value")
        for index, row in enumerate(rows, start=1):
            key = str(row.get(key_field)) if isinstance(row, dict) and row.get(key_field) else f"#{index}"
            yield _Entry(relative, {**(defaults or {}), **row} if isinstance(row, dict) else row, key)

    def find(self, entry: _Entry, model: type[M], **lookup: Any) -> M:
        cache_key = (model, repr(sorted(lookup.items())))
        if cache_key not in self._cache:
            found = model._default_manager.filter(**lookup).first()
            if found is None:
                entry.fail(f"unknown {model._meta.verbose_name} {' '.join(str(v) for v in lookup.values())!r}")
            self._cache[cache_key] = found
        return self._cache[cache_key]  # type: ignore[return-value]

    def ref_pk(self, entry: _Entry, name: str, model: type[models.Model], *, required: bool = True) -> int | None:
        """The id of the row that the field ``name`` names by natural key (a slug, an indicator code)."""
        value = entry.get(name, str, _MISSING if required else None)
        return None if value is None else self.find(entry, model, **{_NATURAL_KEYS[model]: value}).pk

    def item(self, entry: _Entry, ref: str) -> AgendaItem:
        """An item written ``framework-slug/number``, e.g. ``nap-2014/11``."""
        framework, _, number = ref.rpartition("/")
        if not framework or not number.isdigit():
            entry.fail(f"an agenda item is written framework/number (nap-2014/11), not {ref!r}")
        return self.find(entry, AgendaItem, framework__slug=framework, number=int(number))

    def upsert(self, entry: _Entry, model: type[M], lookup: dict[str, Any], values: dict[str, Any]) -> M:
        entry.check_all_used()
        natural_key = (model, repr(sorted(lookup.items())))
        if natural_key in self._written:
            entry.fail(f"a second {model.__name__} entry with the same key; each row is listed once")
        self._written.add(natural_key)
        obj = model._default_manager.filter(**lookup).first()
        if obj is None:
            obj, outcome = model(**lookup, **values), "created"
        else:
            changed = [name for name, value in values.items() if getattr(obj, name) != value]
            for name in changed:
                setattr(obj, name, values[name])
            outcome = "updated" if changed else "unchanged"
        try:
            obj.full_clean()
        except ValidationError as exc:
            entry.fail(_describe(exc))
        if outcome != "unchanged":
            obj.save()
        tally = self.result.tally(model)
        setattr(tally, outcome, getattr(tally, outcome) + 1)
        return obj

    def load_bodies(self) -> None:
        file = "bodies.yaml"
        for entry in self.entries(file, self.document(file), "slug"):
            values = {
                "name": entry.get("name", str),
                "short_name": entry.get("short_name", str),
                "kind": entry.get("kind", str),
                "parent_id": self.ref_pk(entry, "parent", Body, required=False),
            }
            self.upsert(entry, Body, {"slug": entry.get("slug", str)}, values)

    def load_sources(self) -> None:
        file = "sources.yaml"
        for entry in self.entries(file, self.document(file), "slug"):
            values = {
                "publisher_id": self.ref_pk(entry, "publisher", Body),
                "title": entry.get("title", str),
                "published_on": entry.date("published_on", required=False),
                "date_precision": entry.get("date_precision", str, "day"),
                "url": entry.get("url", str, ""),
                "reference": entry.get("reference", str, ""),
            }
            self.upsert(entry, Source, {"slug": entry.get("slug", str)}, values)

    def load_frameworks(self) -> None:
        file = "frameworks.yaml"
        for entry in self.entries(file, self.document(file), "slug"):
            values = {
                "title": entry.get("title", str),
                "short_title": entry.get("short_title", str),
                "description": entry.get("description", str, ""),
                "adopted_on": entry.date("adopted_on", required=False),
                "adopted_precision": entry.get("adopted_precision", str, "day"),
                "supersedes_id": self.ref_pk(entry, "supersedes", Framework, required=False),
                "source_id": self.ref_pk(entry, "source", Source, required=False),
            }
            items = entry.get("items", list, [])
            framework = self.upsert(entry, Framework, {"slug": entry.get("slug", str)}, values)
            for item in self.entries(file, items, "number"):
                item.key = f"{framework.slug}/{item.key}"
                values = {
                    "title": item.get("title", str),
                    "description": item.get("description", str, ""),
                    "category": item.get("category", str),
                    "category_is_editorial": item.get("category_is_editorial", bool, False),
                }
                lookup = {"framework_id": framework.pk, "number": item.get("number", int)}
                self.upsert(item, AgendaItem, lookup, values)

    def load_responsibilities(self) -> None:
        file = "responsibilities.yaml"
        for entry in self.entries(file, self.document(file), "item"):
            item = self.item(entry, entry.get("item", str))
            roles = {slug: ResponsibilityRole.LEAD for slug in entry.get("lead", list, [])}
            for slug in entry.get("supporting", list, []):
                if slug in roles:
                    entry.fail(f"body {slug!r} is both lead and supporting")
                roles[slug] = ResponsibilityRole.SUPPORTING
            if not any(role == ResponsibilityRole.LEAD for role in roles.values()):
                entry.fail("every item needs at least one lead body")
            named = entry.get("named_in_source", list, [])
            if stray := sorted(set(named) - set(roles)):
                entry.fail(f"named_in_source lists bodies that are neither lead nor supporting: {', '.join(stray)}")
            for slug, role in roles.items():
                lookup = {"item_id": item.pk, "body_id": self.find(entry, Body, slug=slug).pk}
                self.upsert(entry, Responsibility, lookup, {"role": role, "is_editorial": slug not in named})

    def load_crosswalk(self) -> None:
        file = "crosswalk.yaml"
        for entry in self.entries(file, self.document(file), "from"):
            entry.key = f"{entry.data.get('from')} -> {entry.data.get('to')}"
            source, target = self.item(entry, entry.get("from", str)), self.item(entry, entry.get("to", str))
            values = {
                "from_framework_id": source.framework_id,
                "to_framework_id": target.framework_id,
                "note": entry.get("note", str, ""),
                "is_editorial": entry.get("is_editorial", bool, True),
            }
            self.upsert(entry, CrosswalkLink, {"from_item_id": source.pk, "to_item_id": target.pk}, values)

    def load_indicators(self) -> None:
        file = "indicators.yaml"
        for entry in self.entries(file, self.document(file), "code"):
            scale_name = entry.get("scale", str, "units")
            if scale_name.upper() not in Scale.names:
                entry.fail(f"unknown scale {scale_name!r} (one of: {', '.join(n.lower() for n in Scale.names)})")
            values = {
                "item_id": self.item(entry, entry.get("item", str)).pk,
                "name": entry.get("name", str),
                "description": entry.get("description", str, ""),
                "position": entry.get("position", int, 1),
                "unit": entry.get("unit", str),
                "scale": Scale[scale_name.upper()].value,
                "direction": entry.get("direction", str, "neutral"),
                "accumulation": entry.get("accumulation", str, "flow"),
                "status_template": entry.get("status_template", str, "{value}"),
                "target_value": entry.decimal("target_value"),
                "target_date": entry.date("target_date", required=False),
                "continues_id": self.ref_pk(entry, "continues", Indicator, required=False),
            }
            self.upsert(entry, Indicator, {"code": entry.get("code", str)}, values)

    def load_observations(self, file: str) -> None:
        document = self.document(file)
        if not isinstance(document, dict) or "observations" not in document:
            raise SeedError(file=file, key="-", problem="expected 'observations:' (and optionally 'defaults:')")
        if extra := sorted(set(document) - {"defaults", "observations"}):
            raise SeedError(file=file, key="-", problem=f"unknown section(s): {', '.join(extra)}")
        for entry in self.entries(file, document["observations"], "key", document.get("defaults")):
            indicator = self.find(entry, Indicator, code=entry.get("indicator", str))
            unit = entry.get("unit", str)
            if unit != indicator.unit:
                entry.fail(
                    f"unit mismatch: the entry says {unit!r}, {indicator.code} is measured in {indicator.unit!r}"
                )
            if entry.data.get("period_end") is None:
                entry.fail("a figure without a date: give period_end (and precision) as the source dates it")
            value, text = entry.decimal("value"), entry.get("text", str, "")
            if value is not None and text:
                entry.fail("give either a value or a text status, not both")
            values = {
                "indicator_id": indicator.pk,
                "body_id": self.ref_pk(entry, "body", Body, required=False),
                "period_start": entry.date("period_start", required=False),
                "period_end": entry.date("period_end"),
                "date_precision": entry.get("precision", str, "day"),
                "value": value,
                "value_qualifier": entry.get("qualifier", str, "exact"),
                "text_value": text,
                "source_id": self.ref_pk(entry, "source", Source),
                "quote": entry.get("quote", str, ""),
                "note": entry.get("note", str, ""),
                "editorial_note": entry.get("editorial_note", str, ""),
                # Seeded figures are published sources, not entries awaiting review: approved, by no one.
                "state": ObservationState.APPROVED,
            }
            self.upsert_observation(entry, entry.get("key", str), values)

    def upsert_observation(self, entry: _Entry, key: str, values: dict[str, Any]) -> None:
        """Like ``upsert``, except that an approved figure is never edited in place: a changed fixture row
        becomes a correction that supersedes the current figure of its chain, and both stay in the history."""
        first = Observation.objects.filter(seed_key=key).first()
        if first is None:
            self.upsert(entry, Observation, {"seed_key": key}, values)
            return
        entry.check_all_used()
        current = first
        while (later := Observation.objects.filter(supersedes=current).first()) is not None:
            current = later
        changed = sorted(name for name, value in values.items() if getattr(current, name) != value)
        tally = self.result.tally(Observation)
        if not changed:
            tally.unchanged += 1
            return
        correction = Observation(
            **values,
            supersedes=current,
            approved_at=timezone.now(),
            correction_reason=f"Seed fixture {key} corrected: {', '.join(changed)}.",
        )
        try:
            correction.full_clean()
        except ValidationError as exc:
            entry.fail(_describe(exc))
        correction.save()
        audit.record(
            actor=None,
            action="observation.correct",
            obj=correction,
            reason=correction.correction_reason,
            before=audit.snapshot(current, changed),
            after=audit.snapshot(correction, changed),
        )
        tally.updated += 1

    def load_assessments(self) -> None:
        file = "assessments.yaml"
        for entry in self.entries(file, self.document(file), "key"):
            values = {
                "item_id": self.item(entry, entry.get("item", str)).pk,
                "as_of": entry.date("as_of"),
                "date_precision": entry.get("date_precision", str, "day"),
                "rating": entry.get("rating", str),
                "narrative": entry.get("narrative", str, ""),
                "source_id": self.ref_pk(entry, "source", Source, required=False),
                "quote": entry.get("quote", str, ""),
                "editorial_note": entry.get("editorial_note", str, ""),
            }
            self.upsert(entry, Assessment, {"seed_key": entry.get("key", str)}, values)

    def load_validation_rules(self) -> None:
        """Default data-quality rules (``tracker.validation``); the admin edits them afterwards."""
        file = "validation_rules.yaml"
        if not (self.directory / file).exists():
            return
        for entry in self.entries(file, self.document(file), "slug"):
            values = {
                "name": entry.get("name", str),
                "description": entry.get("description", str, ""),
                "kind": entry.get("kind", str),
                "severity": entry.get("severity", str, "warning"),
                "active": entry.get("active", bool, True),
                "framework_id": self.ref_pk(entry, "framework", Framework, required=False),
                "indicator_id": self.ref_pk(entry, "indicator", Indicator, required=False),
                "whole_body_id": self.ref_pk(entry, "whole", Body, required=False),
                "tolerance_percent": entry.decimal("tolerance_percent") or Decimal(0),
                "min_value": entry.decimal("min_value"),
                "max_value": entry.decimal("max_value"),
                "mad_k": entry.decimal("mad_k"),
                "history": entry.get("history", int, 8),
                "expression": entry.get("expression", str, ""),
                "lookback": entry.get("lookback", int, 4),
            }
            parts = sorted(self.find(entry, Body, slug=slug).pk for slug in entry.get("parts", list, []))
            tally = self.result.tally(ValidationRule)
            unchanged_before = tally.unchanged
            rule = self.upsert(entry, ValidationRule, {"slug": entry.get("slug", str)}, values)
            if sorted(rule.parts.values_list("pk", flat=True)) != parts:
                rule.parts.set(parts)
                if tally.unchanged > unchanged_before:  # only the parts changed: an update after all
                    tally.unchanged, tally.updated = tally.unchanged - 1, tally.updated + 1
