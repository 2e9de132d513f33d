"""Public pages: validators, 304s and a whole-page cache, all keyed by the database freshness stamp.

The cache key holds the stamp of what the page shows, so any edit, in any process, changes the key
at once; nothing has to be deleted. A browser or proxy that has the page gets `304` for the price
of reading the stamp. Staff may see drafts, and flash messages are personal: such requests always
get a freshly built `200`, and every page varies on the cookie so no shared cache hands them on.
"""

import hashlib
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from episodes.freshness import Stamp, show_stamp, site_stamp
from episodes.models import Tag
from guests.models import Guest

StampFunc = Callable[..., Stamp | None]
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


def _personal(request: HttpRequest) -> bool:
    return request.user.is_authenticated or "messages" in request.COOKIES


def _with(stamp: Stamp, *parts: object) -> Stamp:
    """The stamp, also covering `parts` (a count, an object's own update time)."""
    moments = [stamp.last_modified, *(p for p in parts if isinstance(p, datetime))]
    digest = hashlib.sha256("|".join(map(str, [stamp.etag, *parts])).encode()).hexdigest()[:32]
    return Stamp(last_modified=max(moments), etag=f'"{digest}"')


def show_freshness(show: str, **kwargs: object) -> Stamp | None:
    return show_stamp(show)


def site_freshness(**kwargs: object) -> Stamp:
    return site_stamp()


def tag_freshness(slug: str, **kwargs: object) -> Stamp | None:
    updated = Tag.objects.filter(slug=slug).values_list("updated", flat=True).first()
    return None if updated is None else _with(site_freshness(), updated)


def guest_freshness(slug: str, **kwargs: object) -> Stamp | None:
    updated = Guest.objects.filter(slug=slug).values_list("updated", flat=True).first()
    return None if updated is None else _with(site_freshness(), updated)


def stamped_page(stamp: StampFunc, params: dict[str, Normaliser] | None = None) -> Callable:
    """Serve the view's anonymous GETs with validators and from the cache, keyed by `stamp`.

    The view sees, and the cache key holds, only `params` (name: normaliser); a view that
    ignored one of their values (an unknown tag) calls ignore_param and its page is not cached.
    """
    params = params or {}

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
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
