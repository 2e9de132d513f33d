"""The sitemap's shows, published episodes and public topics."""

from django.db.models import QuerySet

from episodes.models import Episode, Show, Tag
from podcast.sitemaps import SiteSitemap


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


class TagSitemap(SiteSitemap):
    priority = 0.4

    def items(self) -> QuerySet[Tag]:
        return Tag.objects.public().order_by("pk")
