"""Read pages: each view asks one selector and renders; who may see what is decided in the selectors."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from tracker import page_cache, permissions, selectors
from tracker.models import AgendaItem, Framework
from tracker.selectors.histories import RECENT_NATIONAL


@login_required
def framework_list(request: HttpRequest) -> HttpResponse:
    return render(request, "tracker/framework_list.html", {"frameworks": selectors.framework_list()})


@login_required
def framework_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        framework = selectors.framework_get(slug=slug)
    except Framework.DoesNotExist:
        raise Http404(_("No framework with this address.")) from None
    items = selectors.framework_items(framework=framework)
    return render(request, "tracker/framework_detail.html", {"framework": framework, "items": items})


@login_required
def item_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    item = AgendaItem.objects.select_related("framework").filter(framework__slug=slug, number=number).first()
    if item is None:
        raise Http404(_("No agenda item with this number."))

    def content() -> str:
        page = selectors.item_detail(user=request.user, framework_slug=slug, number=number)
        context = {
            "page": page,
            "item": page.item,
            "framework": page.item.framework,
            "lead_responsibilities": page.lead_responsibilities,
            "supporting_responsibilities": page.supporting_responsibilities,
            "recent_national": RECENT_NATIONAL,
        }
        # No request: nothing of the reader's own may reach what others of the audience read.
        return render_to_string("tracker/_item_content.html", context)

    # Published figures only, and the bodies the policy shows: the same for everyone of the reader's audience.
    cached = page_cache.published_html(
        "item", audience=permissions.published_audience(request.user), parts=[slug, str(number)], render=content
    )
    return render(request, "tracker/item_detail.html", {"item": item, "framework": item.framework, "content": cached})
