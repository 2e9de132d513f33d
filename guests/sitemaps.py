from django.db.models import QuerySet

from guests.models import Guest
from podcast.sitemaps import SiteSitemap


class GuestSitemap(SiteSitemap):
    priority = 0.5

    def items(self) -> QuerySet[Guest]:
        return Guest.objects.public().order_by("pk")
