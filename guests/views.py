from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from episodes.models import Appearance, Episode
from episodes.pagecache import guest_freshness, stamped_page
from guests.models import Guest


@require_safe
@stamped_page(guest_freshness)
def guest_detail(request: HttpRequest, slug: str) -> TemplateResponse:
    guests = Guest.objects.prefetch_related("links")
    if not request.user.is_staff:
        # Someone heard only in drafts is not public yet.
        heard = Episode.objects.published().filter(appearances__guest=OuterRef("pk"))
        guests = guests.filter(Exists(heard) | Q(hosted_shows__isnull=False)).distinct()
    guest = get_object_or_404(guests, slug=slug)
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
