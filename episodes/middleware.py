"""Middleware of the public site: renamed shows' old addresses, and the feed pollers' 304s."""

import re
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect

from episodes.models import ShowRedirect
from episodes.views import feed_not_modified
from podcast.cors import allow_any_origin
from podcast.middleware import DATABASE_ERRORS

SLUG = re.compile(r"[-a-zA-Z0-9_]+")


class ShowRedirectMiddleware:
    """A 404 under a show's former slug becomes a 301 to the same path under its current one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        first, _, rest = request.path_info.lstrip("/").partition("/")
        if not SLUG.fullmatch(first) or (not rest and not request.path_info.endswith("/")):
            return response
        try:
            current = (
                ShowRedirect.objects.filter(slug=first).values_list("show__slug", flat=True).first()
            )
        except DATABASE_ERRORS:
            return response
        if current is None:
            return response
        query = request.META.get("QUERY_STRING", "")
        location = f"{request.META.get('SCRIPT_NAME', '')}/{current}/{rest}" + (
            f"?{query}" if query else ""
        )
        return HttpResponsePermanentRedirect(location)


FEED_PATH = re.compile(r"/([-a-zA-Z0-9_]+)/feed\.xml")


class FeedNotModifiedMiddleware:
    """Answer a feed poll whose copy is current with `304` before the rest of the stack runs.

    Most polls end here, so they skip sessions, authentication, CSRF and URL resolving: the
    answer needs only the freshness stamp. Anything else goes on to the feed view, which applies
    the same validators.

    The stamp query also serves as the connection's health check: Django's own (a `SELECT 1`
    before the first query of each request, CONN_HEALTH_CHECKS) was half of a poll's database
    time. A connection found dead here is closed, and the view reconnects.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        validators = (
            "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META
        )
        if validators and request.method in ("GET", "HEAD"):
            match = FEED_PATH.fullmatch(request.path_info)
            if match:
                connection.health_check_done = True
                try:
                    response = feed_not_modified(request, match[1])
                except DATABASE_ERRORS:
                    connection.close_if_unusable_or_obsolete()
                    response = None  # the view answers: fresh, or the last good copy
                if response is not None:
                    return allow_any_origin(response)
        return self.get_response(request)
