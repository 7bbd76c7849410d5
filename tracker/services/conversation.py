"""Writes of the review conversation: comments on an observation's thread, with optional evidence.

The thread is opened by a return (``observation_return`` writes the reason as its first entry); after that the
reporter replies and the reviewer answers here. Each comment is one transaction with its audit entry.
"""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from tracker import audit, permissions
from tracker.models import CommentKind, Observation, ObservationComment
from tracker.services.evidence import check_upload, store_evidence
from tracker.services.notifications import notify_comment

COMMENT_MAX_LENGTH = 5000


def comment_text_clean(text: str) -> str:
    """The one rule for a comment's text, used by the page, the API and the return service."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write something: an empty comment says nothing.")})
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"text": _("A comment may be at most %(limit)s characters.") % {"limit": COMMENT_MAX_LENGTH}}
        )
    return text


def comment_add_locked(
    *, actor: User, obs: Observation, text: str, kind: str = CommentKind.COMMENT
) -> ObservationComment:
    """Write a thread entry for an observation the caller has locked and checked (used by the workflow).

    A return's entry is not audited again: the return's own audit entry carries the same reason.
    """
    comment = ObservationComment.objects.create(observation=obs, author=actor, kind=kind, text=text)
    if kind == CommentKind.RETURN:
        return comment
    audit.record(
        actor=actor,
        action="comment.create",
        obj=comment,
        object_label=str(obs)[:300],
        after={"observation": obs.pk, "kind": kind, "text": text},
    )
    return comment


def comment_create(*, actor: User, observation_id: int, text: str, upload: File | None = None) -> ObservationComment:
    """A reply or an answer on the thread, optionally with one evidence file."""
    text = comment_text_clean(text)
    checked = check_upload(upload) if upload is not None else None
    with transaction.atomic():
        obs = Observation.objects.select_for_update().filter(pk=observation_id).first()
        if obs is None or not permissions.is_visible(actor, obs):
            raise Http404
        permissions.require(actor, "comment", obs)
        comment = comment_add_locked(actor=actor, obs=obs, text=text)
        if checked is not None:
            store_evidence(actor=actor, obs=obs, checked=checked, comment=comment)
        notify_comment(comment=comment)
    return comment
