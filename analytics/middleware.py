"""Feed polls are counted on their way out, 304s included, without touching the database."""

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from analytics.counting import record_poll

FEED_PATH = re.compile(r"/([-a-zA-Z0-9_]+)/feed\.xml")


class FeedPollMiddleware:
    """Sits above the feed's early-304 middleware, so it sees every poll's answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.ANALYTICS_ENABLED and request.path_info.endswith("/feed.xml"):
            match = FEED_PATH.fullmatch(request.path_info)
            if match:
                record_poll(request, response, match[1])
        return response
