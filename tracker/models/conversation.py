"""The review conversation: a thread of comments per observation, between its reporters and its reviewers.

A thread is part of the draft, not of the published figure: only those who may see the figure's unapproved
states read it (the policy's ``view_comments``), and no public page shows it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CommentKind(models.TextChoices):
    RETURN = "return", _("Returned with a reason")
    COMMENT = "comment", _("Comment")


class ObservationComment(models.Model):
    """One entry of an observation's thread: a return reason (which opens it), a reply or an answer."""

    observation = models.ForeignKey(
        "tracker.Observation", verbose_name=_("figure"), on_delete=models.PROTECT, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=CommentKind.choices, default=CommentKind.COMMENT)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["observation", "created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["observation", "created_at"], name="comment_thread_idx")]

    def __str__(self) -> str:
        return f"#{self.observation_id}: {self.text[:60]}"
