"""How fresh a guest's page is, for `podcast.pagecache.stamped_page`."""

from guests.models import Guest
from podcast.pagecache import Stamp, site_freshness


def guest_freshness(slug: str, **kwargs: object) -> Stamp | None:
    updated = Guest.objects.filter(slug=slug).values_list("updated", flat=True).first()
    return None if updated is None else site_freshness().covering(updated)
