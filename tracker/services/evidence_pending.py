"""Evidence kept across a refused form: the file a reporter chose is held until the figure saves.

A browser never sends a file twice, so a form that comes back with an error would otherwise drop the
evidence silently. The checked file is held under a random name and the form carries a signed token naming
it and its holder; the save that succeeds attaches it through ``evidence_attach`` (checked and audited there,
like any upload) and lets go of the held copy. A token is worthless to anyone else, and expires.
"""

import secrets
from datetime import timedelta

from django.contrib.auth.models import User
from django.core import signing
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.utils import timezone

from tracker.services.evidence import check_upload

_SALT = "tracker.evidence-pending"
# Long enough to fix a form and save again; a token older than this is ignored.
MAX_AGE_SECONDS = 6 * 60 * 60
_FOLDER = "evidence-pending"


def _let_go_of_expired() -> None:
    """Held files nobody came back for go once their token has expired (a few files at most at any time)."""
    try:
        _folders, names = default_storage.listdir(_FOLDER)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - timedelta(seconds=MAX_AGE_SECONDS)
    for name in names:
        path = f"{_FOLDER}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)


def evidence_hold(*, actor: User, upload: File) -> str:
    """Hold a checked upload for the actor; returns the token the form carries."""
    checked = check_upload(upload)
    _let_go_of_expired()
    name = default_storage.save(f"{_FOLDER}/{secrets.token_hex(16)}.{checked.extension}", ContentFile(checked.content))
    return signing.dumps({"path": name, "name": checked.original_name, "user": actor.pk}, salt=_SALT)


def evidence_held(*, actor: User, token: str) -> dict[str, str] | None:
    """What a token holds for this actor (``path`` and original ``name``), or None when it is not theirs,
    has expired or was already used."""
    if not token:
        return None
    try:
        held = signing.loads(token, salt=_SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    path = str(held.get("path", ""))
    if held.get("user") != actor.pk or not path.startswith(f"{_FOLDER}/") or not default_storage.exists(path):
        return None
    return {"path": path, "name": str(held.get("name", ""))}


def evidence_take(*, actor: User, token: str) -> File | None:
    """The held file as an upload (named as the reporter named it), removed from the holding place."""
    held = evidence_held(actor=actor, token=token)
    if held is None:
        return None
    with default_storage.open(held["path"], "rb") as stored:
        content = stored.read()
    default_storage.delete(held["path"])
    return ContentFile(content, name=held["name"])
