"""Template context every page needs: which navigation entries the policy lets this user reach."""

from django.http import HttpRequest

from tracker import permissions


def navigation(request: HttpRequest) -> dict[str, dict[str, bool]]:
    user = request.user
    if not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            action: permissions.can(user, action)
            for action in ("my_updates", "import_upload", "review", "view_audit", "invite", "manage_reference")
        }
    }
