from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from guests.freshness import guest_freshness
from guests.models import Guest
from podcast.pagecache import stamped_page


@require_safe
@stamped_page(guest_freshness)
def guest_detail(request: HttpRequest, slug: str) -> TemplateResponse:
    guests = Guest.objects.visible_to(request.user).prefetch_related("links")
    guest = get_object_or_404(guests, slug=slug)
    episodes = guest.episodes.published().for_cards().distinct().newest_first()
    return TemplateResponse(
        request, "guests/guest_detail.html", {"guest": guest, "episodes": episodes}
    )
