"""Feed polls are counted on their way out, 304s included, without touching the database."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from analytics.counting import record_poll
from episodes.feed.middleware import FEED_PATH
from podcast.middleware import ResponseMiddleware


class FeedPollMiddleware(ResponseMiddleware):
    """Sits above the feed's early-304 middleware, so it sees every poll's answer."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if settings.ANALYTICS_ENABLED and request.path_info.endswith("/feed.xml"):
            match = FEED_PATH.fullmatch(request.path_info)
            if match:
                record_poll(request, response, match[1])
        return response
