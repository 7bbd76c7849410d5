"""The bell's page: a person's own notices, newest first, and how often they want them by email."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tracker import permissions
from tracker.models import Notice, NoticeMail
from tracker.services import notifications

NOTICES_SHOWN = 50


class NoticePreferenceForm(forms.Form):
    mail = forms.ChoiceField(
        label=gettext_lazy("Email me about new notices"), choices=NoticeMail.choices, widget=forms.RadioSelect
    )


@login_required
@require_http_methods(["GET", "POST"])
def notice_list(request: HttpRequest) -> HttpResponse:
    form = NoticePreferenceForm(
        request.POST or None, initial={"mail": notifications.notice_mail_preference(request.user.pk or 0)}
    )
    if request.method == "POST" and form.is_valid():
        notifications.notice_preference_set(actor=permissions.signed_in(request.user), mail=form.cleaned_data["mail"])
        messages.success(request, _("Your email preference is saved."))
        return redirect("tracker:notices")
    # One bounded read: the newest notices, with what each names.
    notices = list(
        Notice.objects.filter(recipient_id=request.user.pk)
        .select_related("observation__indicator", "observation__body", "actor")
        .order_by("-created_at", "-pk")[:NOTICES_SHOWN]
    )
    return render(
        request,
        "tracker/notices.html",
        {"notices": notices, "form": form, "interval": notifications.notice_mail_interval().seconds // 60},
    )


@login_required
@require_POST
def notice_open(request: HttpRequest, pk: int) -> HttpResponse:
    # Only one's own notices exist here: anyone else's answers 404.
    notice = get_object_or_404(Notice, pk=pk, recipient_id=request.user.pk)
    notifications.notices_mark_read(actor=permissions.signed_in(request.user), notice_ids=[notice.pk])
    return redirect("tracker:observation-detail", pk=notice.observation_id)


@login_required
@require_POST
def notices_read_all(request: HttpRequest) -> HttpResponse:
    notifications.notices_mark_read(actor=permissions.signed_in(request.user))
    return redirect("tracker:notices")
