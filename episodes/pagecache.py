"""Public pages: validators, 304s and a whole-page cache, all keyed by the database freshness stamp.

The cache key holds the stamp of what the page shows, so any edit, in any process, changes the key
at once; nothing has to be deleted. A browser or proxy that has the page gets `304` for the price
of reading the stamp. Staff may see drafts, and flash messages are personal: such requests always
get a freshly built `200`, and every page varies on the cookie so no shared cache hands them on.
"""

import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from episodes.feed.freshness import Stamp, show_stamp, site_stamp
from episodes.models import Tag
from guests.models import Guest

StampFunc = Callable[..., Stamp | None]


def _personal(request: HttpRequest) -> bool:
    return request.user.is_authenticated or "messages" in request.COOKIES


def show_freshness(show: str, **kwargs: object) -> Stamp | None:
    return show_stamp(show)


def site_freshness(**kwargs: object) -> Stamp:
    return site_stamp()


def tag_freshness(slug: str, **kwargs: object) -> Stamp | None:
    updated = Tag.objects.filter(slug=slug).values_list("updated", flat=True).first()
    return None if updated is None else site_freshness().covering(updated)


def guest_freshness(slug: str, **kwargs: object) -> Stamp | None:
    updated = Guest.objects.filter(slug=slug).values_list("updated", flat=True).first()
    return None if updated is None else site_freshness().covering(updated)


def stamped_page(stamp: StampFunc) -> Callable:
    """Serve the view's anonymous GETs with validators and from the cache, keyed by `stamp`."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            found = None if _personal(request) else stamp(*args, **kwargs)
            if found is None:  # personal, or nothing there: the view answers (404) itself
                response = view(request, *args, **kwargs)
                patch_vary_headers(response, ["Cookie"])
                return response
            not_modified = found.answer(request, HttpResponse())
            if not_modified.status_code != 200:
                patch_vary_headers(not_modified, ["Cookie"])
                return not_modified
            path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
            key = f"page:{found.etag}:{path}"
            cached = cache.get(key)
            if cached is None:
                response = view(request, *args, **kwargs)
                if hasattr(response, "render"):
                    response.render()
                # Only what is the same for everyone: no cookie (a CSRF token) set by rendering.
                if (
                    response.status_code != 200
                    or response.cookies
                    or response.streaming
                    or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
                ):
                    patch_vary_headers(response, ["Cookie"])
                    return response
                cached = (response.content, response["Content-Type"])
                cache.set(key, cached, settings.PAGE_CACHE_SECONDS)
            response = found.answer(request, HttpResponse(cached[0], content_type=cached[1]))
            patch_vary_headers(response, ["Cookie"])
            return response

        return wrapper

    return decorator
