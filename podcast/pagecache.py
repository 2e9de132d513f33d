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
from django.http import HttpRequest, HttpResponse, QueryDict
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


Normaliser = Callable[[str], str]


def page_number(value: str) -> str:
    """`01` and `1` are one page, and page 1 is the page without `?page`; nonsense stays (404)."""
    value = value.strip()
    if value.isascii() and value.isdigit() and len(value) <= 9:
        number = int(value)
        return "" if number == 1 else str(number)
    return value


def stripped(value: str) -> str:
    return value.strip()


def used_params(request: HttpRequest, params: dict[str, Normaliser]) -> QueryDict:
    """Only the parameters the page reads, normalised, in a fixed order; empty ones left out.

    Anything else in the query string (`utm_source`, cache busters) changes nothing on the page,
    so it must not make a page of its own in the cache either.
    """
    used = QueryDict(mutable=True)
    for name, normalise in params.items():
        value = normalise(request.GET.get(name, ""))
        if value:
            used[name] = value
    used._mutable = False
    return used


def ignore_param(request: HttpRequest, name: str) -> None:
    """A view saying it ignored a parameter's value: the page then stays out of the cache."""
    request.ignored_params = [*getattr(request, "ignored_params", []), name]


def stamped_page(stamp: StampFunc, params: dict[str, Normaliser] | None = None) -> Callable:
    """Serve the view's anonymous GETs with validators and from the cache, keyed by `stamp`.

    The view sees, and the cache key holds, only `params` (name: normaliser); a view that
    ignored one of their values (an unknown tag) calls ignore_param and its page is not cached.
    """
    params = params or {}

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            request.GET = used_params(request, params)
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
            page = f"{request.path}?{request.GET.urlencode()}"
            path = hashlib.sha256(page.encode()).hexdigest()
            key = f"page:{found.etag}:{path}"
            cached = cache.get(key)
            if cached is None:
                response = view(request, *args, **kwargs)
                if hasattr(response, "render"):
                    response.render()
                # Only what is the same for everyone: no cookie (a CSRF token) set by rendering.
                if (
                    response.status_code != 200
                    or getattr(request, "ignored_params", None)
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
