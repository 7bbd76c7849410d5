"""Admin writes are audited like every other write: one entry per object created, changed or deleted.

The admin runs each save and delete inside its own ``transaction.atomic``, so the entry is written in the
same transaction as the change it records, inlines included.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.forms import BaseModelFormSet, ModelForm
from django.http import HttpRequest

from tracker import audit


def _fields(obj: models.Model, names: list[str]) -> list[str]:
    concrete = {f.name for f in obj._meta.concrete_fields}
    return [name for name in names if name in concrete]


def _record_save(request: HttpRequest, obj: models.Model, changed: list[str], before: dict[str, Any] | None) -> None:
    label = obj._meta.model_name
    audit.record(
        actor=request.user,
        action=f"{label}.{'change' if before is not None else 'create'}",
        obj=obj,
        before=before,
        after=audit.snapshot(obj, changed),
    )


def _record_delete(request: HttpRequest, obj: models.Model) -> None:
    fields = [f.name for f in obj._meta.concrete_fields if not f.primary_key]
    audit.record(
        actor=request.user, action=f"{obj._meta.model_name}.delete", obj=obj, before=audit.snapshot(obj, fields)
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the portal's services write (and audit); the admin shows them, to everyone, superusers included.

    Nobody adds, changes or deletes them here: an edit made here would skip the workflow, its version and its
    audit entry."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes, inline rows included, each write one audit entry."""

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool) -> None:
        changed = _fields(obj, list(form.changed_data) if change else [f.name for f in obj._meta.concrete_fields])
        before = None
        if change:
            stored = type(obj)._default_manager.get(pk=obj.pk)
            before = audit.snapshot(stored, changed)
        super().save_model(request, obj, form, change)
        if changed or not change:
            _record_save(request, obj, changed, before)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        _record_delete(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            _record_delete(request, obj)
        super().delete_queryset(request, queryset)

    def save_formset(self, request: HttpRequest, form: Any, formset: BaseModelFormSet, change: bool) -> None:
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            _record_delete(request, obj)
            obj.delete()
        changed_data = {id(f.instance): list(f.changed_data) for f in formset.forms}
        for obj in instances:
            is_new = obj._state.adding
            names = [f.name for f in obj._meta.concrete_fields] if is_new else changed_data.get(id(obj), [])
            changed = _fields(obj, names)
            before = None if is_new else audit.snapshot(type(obj)._default_manager.get(pk=obj.pk), changed)
            obj.save()
            _record_save(request, obj, changed, before)
        formset.save_m2m()
