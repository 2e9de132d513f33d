"""Cross-origin reading of the public, read-only resources that web podcast apps fetch themselves.

The feed, chapters, transcripts and audio (whose players ask for byte ranges) are readable from any
origin. Credentials are never allowed, so no page that depends on a cookie is ever exposed; the
admin and the HTML pages get none of these headers.
"""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse

# What a ranged request's script needs to read from the answer.
EXPOSED_HEADERS = "Content-Range, Content-Length, Accept-Ranges, ETag, Last-Modified"
PREFLIGHT_HEADERS = "Range, If-None-Match, If-Modified-Since, If-Range"
PREFLIGHT_MAX_AGE = 86400


def allow_any_origin(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    # Loads that are not CORS requests (an <audio> or <img> on another origin) obey
    # Cross-Origin-Resource-Policy; every other answer is same-origin (BrowserPolicyMiddleware).
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    return response


def public_cors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let any origin read the view's answers, and answer the CORS preflight (OPTIONS) itself."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in request.META:
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, HEAD"
            response["Access-Control-Allow-Headers"] = PREFLIGHT_HEADERS
            response["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
            return allow_any_origin(response)
        return allow_any_origin(view(request, *args, **kwargs))

    return wrapper
