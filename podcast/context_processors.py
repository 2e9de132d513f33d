from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def _shows() -> list:
    from episodes.models import Show

    return list(Show.objects.only("title", "slug", "language"))


def site(request: HttpRequest) -> dict:
    """Site-wide values; pages without a show of their own read the shows (one query)."""
    return {"SITE_URL": settings.SITE_URL, "site_shows": SimpleLazyObject(_shows)}
