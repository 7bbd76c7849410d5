"""The import page: download a body's template, upload a filled one, see the dry run, then commit.

The checked file waits in the database (``tracker.imports.pending``: a random token tied to the user, a quota
and an expiry) between the dry run and the commit, so the user does not upload it twice; the commit checks it
again before writing anything. Only users the policy lets import (``import_upload``) reach the page at all.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tracker import imports, permissions
from tracker.imports.pending import pending_import_discard, pending_import_get, pending_import_keep
from tracker.models import Body
from tracker.validation.entry import import_findings


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Filled-in template (XLSX or CSV, UTF-8)"))
    submit_for_review = forms.BooleanField(
        label=gettext_lazy("Submit the imported figures for review (otherwise they are saved as drafts)"),
        required=False,
    )


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, "import_upload")
    bodies = permissions.writable_bodies(request.user).order_by("name")
    form = UploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"bodies": bodies, "form": form, "max_mb": settings.NAP_IMPORT_MAX_BYTES // 1048576}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            imports.refuse_oversized(upload.size)  # before reading a byte of it
            content = upload.read(settings.NAP_IMPORT_MAX_BYTES + 1)
            budget = imports.ImportBudget()  # one time budget for reading and checking the file
            rows = imports.read_upload(name=upload.name, content=content, budget=budget)
            check = imports.check_rows(actor=request.user, rows=rows, budget=budget)
        except imports.ImportRefused as exc:
            form.add_error("file", exc.message)
        else:
            counts = check.counts()
            token = None
            # A file with nothing to import (every row failed, or all are recorded already) is not kept.
            if not check.has_errors and counts[imports.CREATE]:
                token = pending_import_keep(
                    user=request.user,
                    name=upload.name,
                    content=content,
                    submit=form.cleaned_data["submit_for_review"],
                )
            context.update(check=check, lines=check.lines(), counts=counts, token=token, name=upload.name)
            context["findings"] = import_findings(check)  # data-quality warnings: they do not block
    return render(request, "tracker/imports/import.html", context)


@login_required
@require_POST
def import_commit(request: HttpRequest, token: str) -> HttpResponse:
    permissions.require(request.user, "import_upload")
    pending = pending_import_get(user=request.user, token=token)
    if pending is None:
        messages.error(request, _("That check has expired: upload the file again."))
        return redirect("imports:page")
    try:
        # Read and checked again under the bounds of now: the time budget can run out on a busy worker, or a limit
        # has been lowered since the check. The file is kept until it expires, so the user may try again.
        budget = imports.ImportBudget()
        rows = imports.read_upload(name=pending.name, content=bytes(pending.content), budget=budget)
        check = imports.import_commit(actor=request.user, rows=rows, submit=pending.submit, budget=budget)
    except imports.ImportRefused as exc:
        messages.error(request, _("Nothing was imported: %(reason)s") % {"reason": exc.message})
        return redirect("imports:page")
    if check.has_errors:
        messages.error(request, _("Nothing was imported: the data changed since the check. Check the file again."))
        return redirect("imports:page")
    pending_import_discard(user=request.user, token=token)
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
