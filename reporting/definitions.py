"""What a status report is asked for: framework, as-of date, comparison date, scope, number style, language.

The same parameters always describe the same report; their digest identifies the report across editions.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from tracker.formatting import NUMBER_STYLES, default_number_style

NATIONAL = "national"
FORMATS = ("html", "pdf", "xlsx", "csv")


class ReportParamsError(ValueError):
    """Parameters that do not describe a report; the message says what to change."""


def _default_language() -> str:
    return str(settings.LANGUAGE_CODE)


@dataclass(frozen=True)
class ReportParams:
    framework: str
    as_of: date
    compare: date | None = None
    scope: str = NATIONAL
    number_style: str = field(default_factory=default_number_style)
    language: str = field(default_factory=_default_language)
    # Which figures could be known: those whose source was published by ``known_on`` (default: ``as_of``), or,
    # with ``hindsight``, everything known when the report is built.
    known_on: date | None = None
    hindsight: bool = False

    def __post_init__(self) -> None:
        if self.number_style not in NUMBER_STYLES:
            raise ReportParamsError(
                _("Unknown number style “%(style)s”: use one of %(styles)s.")
                % {"style": self.number_style, "styles": ", ".join(NUMBER_STYLES)}
            )
        if self.compare is not None and self.compare >= self.as_of:
            raise ReportParamsError(_("The comparison date must be before the as-of date."))
        if self.hindsight and self.known_on is not None:
            raise ReportParamsError(_("Choose a knowledge date or hindsight, not both."))
        if self.known_on is not None and self.known_on < self.as_of:
            raise ReportParamsError(_("The knowledge date cannot be before the as-of date."))
        if self.language not in dict(settings.LANGUAGES):
            raise ReportParamsError(_("Unknown language “%(language)s”.") % {"language": self.language})

    @property
    def knowledge_date(self) -> date | None:
        """The date by which a figure's source must have been published; ``None`` with hindsight."""
        return None if self.hindsight else self.known_on or self.as_of

    def to_json(self) -> dict[str, str | bool | None]:
        known = self.knowledge_date
        return {
            "framework": self.framework,
            "as_of": self.as_of.isoformat(),
            # The effective date, so leaving it out and giving the as-of date describe the same report.
            "known_on": known.isoformat() if known else None,
            "hindsight": self.hindsight,
            "compare": self.compare.isoformat() if self.compare else None,
            "scope": self.scope,
            "number_style": self.number_style,
            "language": self.language,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReportParams:
        return cls(
            framework=data["framework"],
            as_of=date.fromisoformat(data["as_of"]),
            compare=date.fromisoformat(data["compare"]) if data.get("compare") else None,
            scope=data.get("scope") or NATIONAL,
            number_style=data.get("number_style") or default_number_style(),
            language=data.get("language") or _default_language(),
            known_on=date.fromisoformat(data["known_on"]) if data.get("known_on") else None,
            hindsight=bool(data.get("hindsight")),
        )

    @property
    def digest(self) -> str:
        return canonical_digest(self.to_json())

    @property
    def file_stem(self) -> str:
        """A file name the server chooses, never the user: "nap-2014-national-2017-10-01"."""
        return f"{self.framework}-{self.scope}-{self.as_of.isoformat()}"


def canonical_digest(data: object) -> str:
    """SHA-256 of JSON with sorted keys: equal data gives an equal digest on every machine."""
    encoded = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()
