"""Evidence files: checked from their bytes, stored under names the server chooses, audited."""

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from tracker import audit, permissions
from tracker.models import Evidence, Observation, ObservationComment

# Detected MIME type → (extension we store, extensions a file of that type may carry).
ALLOWED_TYPES: dict[str, tuple[str, frozenset[str]]] = {
    "application/pdf": ("pdf", frozenset({"pdf"})),
    "image/png": ("png", frozenset({"png"})),
    "image/jpeg": ("jpg", frozenset({"jpg", "jpeg"})),
    "image/webp": ("webp", frozenset({"webp"})),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx", frozenset({"xlsx"})),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx", frozenset({"docx"})),
}
_FORBIDDEN_NAME_CHARS = set('/\\:*?"<>|')


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    mime: str
    extension: str
    original_name: str
    sha256: str


def max_evidence_bytes() -> int:
    return int(getattr(settings, "NAP_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))


def check_upload(upload: File) -> CheckedFile:
    """Refuse what is too big, badly named, or not what its name claims (judged from the bytes)."""
    name = str(upload.name or "")
    if (
        not name
        or len(name) > 200
        or name.startswith(".")
        or ".." in name
        or any(ch in _FORBIDDEN_NAME_CHARS for ch in name)
        or any(unicodedata.category(ch).startswith("C") for ch in name)
    ):
        raise ValidationError(
            _("The file name “%(name)s” is not allowed: use a plain name without folders, like report.pdf.")
            % {"name": name[:80]}
        )
    limit = max_evidence_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; evidence files may be at most %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(_("Evidence files may be at most %(limit)s.") % {"limit": filesizeformat(limit)})
    kind = filetype.guess(content)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise ValidationError(
            _("This file is not a PDF, PNG, JPEG, WebP image, XLSX or DOCX document (its content is %(kind)s).")
            % {"kind": kind.mime if kind else _("unknown")}
        )
    stored_ext, accepted = ALLOWED_TYPES[kind.mime]
    claimed = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not claimed:
        raise ValidationError(
            _("The file name has no extension: it should end in .%(expected)s.") % {"expected": stored_ext}
        )
    if claimed not in accepted:
        raise ValidationError(
            _("The file is named “.%(claimed)s” but its content is a %(actual)s file.")
            % {"claimed": claimed, "actual": stored_ext.upper()}
        )
    return CheckedFile(
        content=content,
        mime=kind.mime,
        extension=stored_ext,
        original_name=name,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def store_evidence(
    *, actor: User, obs: Observation, checked: CheckedFile, comment: ObservationComment | None = None
) -> Evidence:
    """Store a checked file for an observation the caller has locked and checked, with its audit entry.

    The same file (same bytes) attached again to the same observation is not stored twice: the one already
    there is returned. The caller's lock on the observation makes this check-then-insert safe.
    """
    existing = Evidence.objects.filter(observation=obs, sha256=checked.sha256).first()
    if existing is not None:
        existing.already_attached = True  # type: ignore[attr-defined]
        return existing
    evidence = Evidence(
        observation=obs,
        original_name=checked.original_name,
        content_type=checked.mime,
        size=len(checked.content),
        sha256=checked.sha256,
        uploaded_by=actor,
        comment=comment,
    )
    # The stored name is random: nothing the uploader typed ever becomes part of a path.
    evidence.file.save(f"{secrets.token_hex(16)}.{checked.extension}", ContentFile(checked.content), save=False)
    evidence.save()
    audit.record(
        actor=actor,
        action="evidence.attach",
        obj=evidence,
        after={
            "observation": obs.pk,
            "name": checked.original_name,
            "type": checked.mime,
            "size": len(checked.content),
            "sha256": checked.sha256,
            **({"comment": comment.pk} if comment is not None else {}),
        },
    )
    return evidence


def evidence_attach(*, actor: User, observation_id: int, upload: File) -> Evidence:
    """Attach a checked file to a draft or returned observation the actor may edit.

    Attaching a file the observation already has returns that one (``already_attached`` is set on it).
    """
    checked = check_upload(upload)
    with transaction.atomic():
        obs = Observation.objects.select_for_update().filter(pk=observation_id).first()
        if obs is None:
            raise Http404
        permissions.require(actor, "attach_evidence", obs)
        return store_evidence(actor=actor, obs=obs, checked=checked)


def evidence_remove(*, actor: User, observation_id: int, evidence_id: int) -> None:
    """Remove a file its uploader attached, while the figure is still being edited. Audited; the stored file
    is deleted once the removal has committed (a rollback leaves it in place)."""
    with transaction.atomic():
        obs = Observation.objects.select_for_update().filter(pk=observation_id).first()
        evidence = (
            Evidence.objects.select_for_update().filter(pk=evidence_id, observation_id=observation_id).first()
            if obs is not None
            else None
        )
        if obs is None or evidence is None or not permissions.is_visible(actor, obs):
            raise Http404
        evidence.observation = obs
        permissions.require(actor, "remove_evidence", evidence)
        name, storage = evidence.file.name, evidence.file.storage
        audit.record(
            actor=actor,
            action="evidence.remove",
            obj=evidence,
            before={
                "observation": obs.pk,
                "name": evidence.original_name,
                "type": evidence.content_type,
                "size": evidence.size,
                "sha256": evidence.sha256,
            },
        )
        evidence.delete()
        transaction.on_commit(lambda: storage.delete(name))
