"""Site-wide middleware: the outage page, browser policies, and quieter security logs."""

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def database_unavailable() -> HttpResponse:
    """The outage page, rendered without the request so nothing can touch the database."""
    return HttpResponse(
        render_to_string("503.html"),
        status=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
    )


class ResponseMiddleware:
    """Middleware that sees each response on its way out, and may answer in its place."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.process_response(request, self.get_response(request))

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        return response


class DatabaseUnavailableMiddleware(ResponseMiddleware):
    """Turns database errors raised by views (and their templates) into the outage page."""

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_ERRORS):
            logger.warning("Database unavailable on %s: %s", request.path, exception)
            return database_unavailable()
        return None


# Features no page of the site uses; a script that gets in anyway cannot ask for them.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "ambient-light-sensor", "camera", "display-capture", "geolocation",
        "gyroscope", "hid", "magnetometer", "microphone", "midi", "payment",
        "publickey-credentials-get", "serial", "usb", "xr-spatial-tracking",
    )
)  # fmt: skip


class BrowserPolicyMiddleware(ResponseMiddleware):
    """Permissions-Policy on every response, and Cross-Origin-Resource-Policy `same-origin` on all
    but what any origin may read (`podcast.cors`, which says `cross-origin`)."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class OneLineFilter(logging.Filter):
    """Drops the traceback: some warnings (a disallowed Host) are worth one line, not thirty."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True
