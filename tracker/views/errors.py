"""Error views Django does not render in the portal's layout by itself.

403, 404 and 500 use Django's own handlers with the templates in ``templates/`` (the 500 handler renders
without a request, so the page needs no database). A CSRF failure, by default, renders without the request
too; ours passes it, so the page shows the visitor's own navigation.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # The reason is for logs, not for people: Django already logs it as "Forbidden (CSRF …)".
    return render(request, "403_csrf.html", status=403)
