"""Middleware of the public site: renamed shows' old addresses answer 301."""

import re

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect

from episodes.models import ShowRedirect
from podcast.middleware import DATABASE_ERRORS, ResponseMiddleware

SLUG = re.compile(r"[-a-zA-Z0-9_]+")


class ShowRedirectMiddleware(ResponseMiddleware):
    """A 404 under a show's former slug becomes a 301 to the same path under its current one."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
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
