"""Refusals a service raises; each carries a message a person can read."""

from typing import Any

from django.utils.translation import gettext as _


class WorkflowError(Exception):
    """A write the workflow refuses; ``message`` is shown to the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class IllegalTransition(WorkflowError):
    def __init__(self, current: str, target: str) -> None:
        super().__init__(
            _("An observation that is %(current)s cannot become %(target)s.") % {"current": current, "target": target}
        )
        self.current = current
        self.target = target


class StaleVersion(WorkflowError):
    """Someone else saved the object since the caller read it; ``changes`` says what they changed.

    ``changes`` maps a field name to ``(value the caller saw, value now)``. It is empty, and ``disclosed`` false,
    when the caller may not edit the object: they are told it changed, not what changed.
    """

    def __init__(
        self,
        *,
        current_version: int,
        seen_version: int,
        changes: dict[str, tuple[Any, Any]],
        disclosed: bool = True,
    ) -> None:
        if disclosed:
            message = _(
                "Someone else saved this observation after you opened it (version %(seen)s, now %(now)s). "
                "Changed: %(fields)s. Review the current values and try again; your input is kept below."
            ) % {"seen": seen_version, "now": current_version, "fields": ", ".join(sorted(changes)) or _("its state")}
        else:
            message = _(
                "Someone else saved this observation after you opened it (version %(seen)s, now %(now)s). "
                "Open it again to see where it stands, then decide."
            ) % {"seen": seen_version, "now": current_version}
        super().__init__(message)
        self.current_version = current_version
        self.seen_version = seen_version
        self.changes = changes
        self.disclosed = disclosed
