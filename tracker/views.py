from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tracker.models import Framework


@login_required
def framework_list(request: HttpRequest) -> HttpResponse:
    return render(request, "tracker/framework_list.html", {"frameworks": Framework.objects.all()})
