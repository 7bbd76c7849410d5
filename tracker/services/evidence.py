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
from tracker.models import Evidence, Observation

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


def evidence_attach(*, actor: User, observation_id: int, upload: File) -> Evidence:
    """Attach a checked file to a draft or returned observation the actor may edit."""
    checked = check_upload(upload)
    with transaction.atomic():
        obs = Observation.objects.select_for_update().filter(pk=observation_id).first()
        if obs is None:
            raise Http404
        permissions.require(actor, "attach_evidence", obs)
        evidence = Evidence(
            observation=obs,
            original_name=checked.original_name,
            content_type=checked.mime,
            size=len(checked.content),
            sha256=checked.sha256,
            uploaded_by=actor,
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
            },
        )
    return evidence
