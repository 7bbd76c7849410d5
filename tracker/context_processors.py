"""Template context every page needs: which navigation entries the policy lets this user reach."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tracker import permissions
from tracker.services import notifications


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            action: permissions.can(user, action)
            for action in (
                "my_updates",
                "import_upload",
                "review",
                "review_queue",
                "view_audit",
                "invite",
                "manage_reference",
                "view_validation",
                "propose_indicator",
                "decide_proposals",
            )
        },
        # Lazy, and read from the cache: the bell costs no query on most pages.
        "unread_notices": SimpleLazyObject(lambda: notifications.unread_notice_count(user)),
    }
