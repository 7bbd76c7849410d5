"""The line that tells a reader on paper which edition they hold: number, generation time, dates, fingerprint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from reporting.builder import Report
from tracker.formatting import format_date, format_datetime

FINGERPRINT_DIGITS = 12  # enough to tell editions apart by eye; the archive keeps the full digest


@dataclass(frozen=True)
class EditionStamp:
    """``number`` is the edition's; ``None`` for a report shown on the page or written by the command."""

    generated_at: datetime
    fingerprint: str
    number: int | None = None

    @classmethod
    def unpublished(cls, report: Report) -> EditionStamp:
        return cls(generated_at=timezone.now(), fingerprint=report.fingerprint)

    def text(self, report: Report) -> str:
        """ "Edition 12 · generated 30 Nov 2026 18:05 · as of 1 Oct 2017 · as known on 1 Oct 2017 · data
        fingerprint 1a2b3c4d5e6f"."""
        params = report.params
        known = params.knowledge_date
        parts = [
            _("Edition %(number)s") % {"number": self.number} if self.number else _("Not an archived edition"),
            _("generated %(time)s") % {"time": format_datetime(self.generated_at)},
            _("as of %(date)s") % {"date": format_date(params.as_of)},
            _("as known on %(date)s") % {"date": format_date(known)} if known else _("with hindsight"),
            _("data fingerprint %(digest)s") % {"digest": self.fingerprint[:FINGERPRINT_DIGITS]},
        ]
        return " · ".join(parts)
