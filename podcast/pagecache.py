"""Public pages: validators, 304s and a whole-page cache, all keyed by the database freshness stamp.

The cache key holds the stamp of what the page shows, so any edit, in any process, changes the key
at once; nothing has to be deleted. A browser or proxy that has the page gets `304` for the price
of reading the stamp. Staff may see drafts, and flash messages are personal: such requests always
get a freshly built `200`, and every page varies on the cookie so no shared cache hands them on.
"""

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.module_loading import import_string

StampFunc = Callable[..., "Stamp | None"]


@dataclass(frozen=True)
class Stamp:
    last_modified: datetime
    etag: str

    @classmethod
    def of(cls, *moments: datetime | None) -> "Stamp":
        known = [m for m in moments if m is not None]
        last = max(known) if known else datetime(2000, 1, 1, tzinfo=UTC)
        digest = hashlib.sha256("|".join(str(m) for m in moments).encode()).hexdigest()[:32]
        return cls(last_modified=last, etag=f'"{digest}"')

    def covering(self, *parts: object) -> "Stamp":
        """This stamp, also covering `parts` (a count, an object's own update time)."""
        moments = [self.last_modified, *(p for p in parts if isinstance(p, datetime))]
        digest = hashlib.sha256("|".join(map(str, [self.etag, *parts])).encode()).hexdigest()[:32]
        return Stamp(last_modified=max(moments), etag=f'"{digest}"')

    @property
    def http_last_modified(self) -> datetime | None:
        """Last-Modified for HTTP, withheld while the change is under a second old.

        HTTP dates have whole seconds: a poller that saw the page earlier in the same second as an
        edit would otherwise be told `304` for the new one. The ETag tells them apart meanwhile.
        """
        if timezone.now() - self.last_modified < timedelta(seconds=1):
            return None
        return self.last_modified


def site_freshness(**kwargs: object) -> Stamp:
    """Freshness of everything public, as the app holding the content reckons it (settings)."""
    return _site_stamp()()


@functools.cache
def _site_stamp() -> Callable[[], Stamp]:
    return import_string(settings.SITE_FRESHNESS)


def _personal(request: HttpRequest) -> bool:
    return request.user.is_authenticated or "messages" in request.COOKIES


def stamped_page(stamp: StampFunc) -> Callable:
    """Serve the view's anonymous GETs with validators and from the cache, keyed by `stamp`."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            found = None if _personal(request) else stamp(*args, **kwargs)
            if found is None:  # personal, or nothing there: the view answers (404) itself
                response = view(request, *args, **kwargs)
                patch_vary_headers(response, ["Cookie"])
                return response
            moment = found.http_last_modified
            last_modified = int(moment.timestamp()) if moment else None
            not_modified = get_conditional_response(
                request, etag=found.etag, last_modified=last_modified
            )
            if not_modified is not None:
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
            response = HttpResponse(cached[0], content_type=cached[1])
            response["ETag"] = found.etag
            if last_modified is not None:
                response["Last-Modified"] = http_date(last_modified)
            patch_vary_headers(response, ["Cookie"])
            return response

        return wrapper

    return decorator
