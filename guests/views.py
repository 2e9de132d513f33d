from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from episodes.models import Appearance, Episode
from episodes.views import conditional, site_freshness
from guests.models import Guest


@require_safe
@conditional(site_freshness)
def guest_detail(request: HttpRequest, slug: str) -> TemplateResponse:
    guest = get_object_or_404(Guest.objects.prefetch_related("links"), slug=slug)
    episodes = (
        Episode.objects.published()
        .filter(appearances__guest=guest)
        .select_related("show")
        .prefetch_related(
            "tags",
            Prefetch("appearances", queryset=Appearance.objects.select_related("guest")),
        )
        .distinct()
        .newest_first()
    )
    return TemplateResponse(
        request, "guests/guest_detail.html", {"guest": guest, "episodes": episodes}
    )
