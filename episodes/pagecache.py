"""How fresh the pages of shows and topics are, for `podcast.pagecache.stamped_page`."""

from episodes.freshness import show_stamp
from episodes.models import Tag
from podcast.pagecache import Stamp, site_freshness


def show_freshness(show: str, **kwargs: object) -> Stamp | None:
    return show_stamp(show)


def tag_freshness(slug: str, **kwargs: object) -> Stamp | None:
    updated = Tag.objects.filter(slug=slug).values_list("updated", flat=True).first()
    return None if updated is None else site_freshness().covering(updated)
