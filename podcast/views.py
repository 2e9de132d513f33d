"""Site-wide views: health check, error pages and media serving."""

import mimetypes
import sys

from django.conf import settings
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils._os import safe_join
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from podcast.middleware import DATABASE_ERRORS, database_unavailable


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"database": "unavailable"}, status=503, headers={"Retry-After": "30"})
    return JsonResponse({"database": "ok"})


@require_safe
def serve_media(request: HttpRequest, path: str) -> HttpResponse:
    """Uploaded media from MEDIA_ROOT; never outside it."""
    try:
        full_path = safe_join(settings.MEDIA_ROOT, path)
    except Exception as exc:
        raise Http404("No such file") from exc
    try:
        handle = open(full_path, "rb")  # noqa: SIM115 - FileResponse closes it
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
        raise Http404("No such file") from exc
    content_type = mimetypes.guess_type(full_path)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def login_locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """django-axes lockout: a friendly 429 (never 403) saying how long to wait."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(request, "axes_lockout.html", {"minutes": -(-seconds // 60)}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Database errors outside a view (sessions, middleware) still get the outage page.
    if isinstance(sys.exception(), DATABASE_ERRORS):
        return database_unavailable()
    return render(request, "500.html", status=500)
