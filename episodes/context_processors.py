from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from episodes.models import Show


def _shows() -> list[Show]:
    return list(Show.objects.only("title", "slug", "language"))


def shows(request: HttpRequest) -> dict:
    """Every show, for pages without one of their own (one query, only when a page reads it)."""
    return {"site_shows": SimpleLazyObject(_shows)}
