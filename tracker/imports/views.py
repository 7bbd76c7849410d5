"""The import page: download a body's template, upload a filled one, see the dry run, then commit.

The checked file waits in the cache (under a random key tied to the user) between the dry run and the commit,
so the user does not upload it twice; the commit checks it again before writing anything.
"""

import secrets
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tracker import imports, permissions
from tracker.models import Body
from tracker.validation.entry import import_findings

PENDING_SECONDS = 60 * 60


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Filled-in template (XLSX or CSV, UTF-8)"))
    submit_for_review = forms.BooleanField(
        label=gettext_lazy("Submit the imported figures for review (otherwise they are saved as drafts)"),
        required=False,
    )


def _pending_key(user: Any, token: str) -> str:
    return f"nap:import:{user.pk}:{token}"


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    bodies = permissions.writable_bodies(request.user).order_by("name")
    form = UploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"bodies": bodies, "form": form, "max_mb": settings.NAP_IMPORT_MAX_BYTES // 1048576}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.NAP_IMPORT_MAX_BYTES:
            form.add_error("file", _("The file is larger than %(mb)s MB.") % {"mb": context["max_mb"]})
        else:
            content = upload.read(settings.NAP_IMPORT_MAX_BYTES + 1)
            try:
                rows = imports.read_upload(name=upload.name, content=content)
            except imports.ImportRefused as exc:
                form.add_error("file", exc.message)
            else:
                check = imports.check_rows(actor=request.user, rows=rows)
                token = secrets.token_urlsafe(16)
                pending = {"name": upload.name, "content": content, "submit": form.cleaned_data["submit_for_review"]}
                cache.set(_pending_key(request.user, token), pending, PENDING_SECONDS)
                context.update(check=check, lines=check.lines(), counts=check.counts(), token=token, name=upload.name)
                context["findings"] = import_findings(check)  # data-quality warnings: they do not block
    return render(request, "tracker/imports/import.html", context)


@login_required
@require_POST
def import_commit(request: HttpRequest, token: str) -> HttpResponse:
    pending = cache.get(_pending_key(request.user, token))
    if pending is None:
        messages.error(request, _("That check has expired: upload the file again."))
        return redirect("imports:page")
    rows = imports.read_upload(name=pending["name"], content=pending["content"])
    check = imports.import_commit(actor=request.user, rows=rows, submit=pending["submit"])
    if check.has_errors:
        messages.error(request, _("Nothing was imported: the data changed since the check. Check the file again."))
        return redirect("imports:page")
    cache.delete(_pending_key(request.user, token))
    counts = check.counts()
    messages.success(
        request,
        _("Imported %(created)s figure(s); %(unchanged)s were already recorded.")
        % {"created": counts[imports.CREATE], "unchanged": counts[imports.UNCHANGED]},
    )
    return redirect("imports:page")


@login_required
@require_GET
def template_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    body = Body.objects.filter(slug=slug).first()
    if body is None:
        raise Http404
    if not permissions.can(request.user, "report_for", body):
        raise PermissionDenied
    if fmt == "csv":
        response = HttpResponse(imports.template_csv(body=body), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(imports.template_xlsx(body=body), content_type=imports.reading.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="nap-import-{body.slug}.{fmt}"'
    return response
