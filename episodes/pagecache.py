"""Public pages cached whole under the database freshness stamp: cheap, and never stale.

The cache key holds the stamp of what the page shows (its show's, or the whole site's), so any
edit, in any process, changes the key at once; nothing has to be deleted. Validators come from
the same stamp, so a browser or proxy that has the page gets `304` for one indexed query.
"""

import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from episodes.freshness import Stamp, show_stamp, site_stamp
from episodes.models import Show


def _personal(request: HttpRequest) -> bool:
    """Requests whose page may differ from everyone else's: staff previews, flash messages."""
    return request.user.is_authenticated or "messages" in request.COOKIES


def _site_pages_stamp() -> Stamp:
    """The site stamp, plus the number of shows: deleting an empty show changes no timestamp."""
    stamp = site_stamp()
    shows = Show.objects.count()
    digest = hashlib.sha256(f"{stamp.etag}|{shows}".encode()).hexdigest()[:32]
    return Stamp(last_modified=stamp.last_modified, etag=f'"{digest}"')


def stamped_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve anonymous GETs of `view` from the cache, keyed by the stamp of what it shows."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or _personal(request):
            return view(request, *args, **kwargs)
        stamp = show_stamp(kwargs["show"]) if "show" in kwargs else _site_pages_stamp()
        if stamp is None:  # no such show: the view answers 404 itself
            return view(request, *args, **kwargs)
        last_modified = int(stamp.last_modified.timestamp())
        not_modified = get_conditional_response(
            request, etag=stamp.etag, last_modified=last_modified
        )
        if not_modified is not None:
            patch_vary_headers(not_modified, ["Cookie"])
            return not_modified
        path = request.get_full_path().encode()
        key = f"page:{stamp.etag}:{hashlib.sha256(path).hexdigest()}"
        cached = cache.get(key)
        if cached is None:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            # Only what is the same for everyone: no cookie (a CSRF token) set by the rendering.
            if response.status_code != 200 or response.cookies or response.streaming:
                return response
            if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
                return response
            cached = (response.content, response["Content-Type"])
            cache.set(key, cached, settings.PAGE_CACHE_SECONDS)
        response = HttpResponse(cached[0], content_type=cached[1])
        response["ETag"] = stamp.etag
        response["Last-Modified"] = http_date(last_modified)
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapper
