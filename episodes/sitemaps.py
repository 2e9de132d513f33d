"""sitemap.xml: published content only, with the public SITE_URL as its address."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from episodes.models import Episode, Show, Tag
from guests.models import Guest


class SiteSitemap(Sitemap):
    """Absolute URLs from SITE_URL rather than from whichever Host header a request carried."""

    @property
    def protocol(self) -> str:
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc


class ShowSitemap(SiteSitemap):
    changefreq = "weekly"
    priority = 1.0

    def items(self) -> QuerySet[Show]:
        return Show.objects.order_by("slug")

    def lastmod(self, show: Show):
        return show.updated


class EpisodeSitemap(SiteSitemap):
    priority = 0.8

    def items(self) -> QuerySet[Episode]:
        return Episode.objects.published().select_related("show").order_by("pk")

    def lastmod(self, episode: Episode):
        return episode.updated


class GuestSitemap(SiteSitemap):
    priority = 0.5

    def items(self) -> QuerySet[Guest]:
        shown = Episode.objects.published()
        return Guest.objects.filter(appearances__episode__in=shown).distinct().order_by("pk")


class TagSitemap(SiteSitemap):
    priority = 0.4

    def items(self) -> QuerySet[Tag]:
        shown = Episode.objects.published()
        return Tag.objects.filter(episodes__in=shown).distinct().order_by("pk")


SITEMAPS = {
    "shows": ShowSitemap,
    "episodes": EpisodeSitemap,
    "guests": GuestSitemap,
    "tags": TagSitemap,
}
