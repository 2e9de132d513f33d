"""The feed pollers' early `304`: most polls end here, before the rest of the stack runs."""

import re
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse

from episodes.feed.serve import not_modified
from podcast.cors import allow_any_origin
from podcast.middleware import DATABASE_ERRORS

FEED_PATH = re.compile(r"/([-a-zA-Z0-9_]+)/feed\.xml")


class FeedNotModifiedMiddleware:
    """Answer a feed poll whose copy is current with `304` before sessions, authentication, CSRF
    and URL resolving: the answer needs only the freshness stamp. Anything else goes on to the
    feed view, which applies the same validators.

    The stamp query also serves as the connection's health check, in place of Django's own
    `SELECT 1` before the first query of a request (CONN_HEALTH_CHECKS), which would double a
    poll's round trips. A connection found dead here is closed, and the view reconnects.
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
                    response = not_modified(request, match[1])
                except DATABASE_ERRORS:
                    connection.close_if_unusable_or_obsolete()
                    response = None  # the view answers: fresh, or the last good copy
                if response is not None:
                    return allow_any_origin(response)
        return self.get_response(request)
