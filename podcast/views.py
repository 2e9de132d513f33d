"""Site-wide views: health check, error pages and media serving."""

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils._os import safe_join
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from podcast.cors import public_cors
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


# The types media are served with; mimetypes differs between systems for these, and anything
# else is sent as a download.
MEDIA_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/x-m4a",
    ".mp4": "audio/mp4",
    ".aac": "audio/aac",
    ".opus": "audio/ogg",
    ".ogg": "audio/ogg",
    ".flac": "audio/flac",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
    ".json": "application/json",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}
CHUNK_SIZE = 64 * 1024


def _media_file(path: str) -> Path:
    """The file under MEDIA_ROOT that `path` names; Http404 for anything that leaves it."""
    root = Path(settings.MEDIA_ROOT).resolve()
    if "\x00" in path:
        raise Http404("No such file")
    try:
        # resolve() follows symlinks, so a link pointing outside the root is caught as well.
        full_path = Path(safe_join(root, path)).resolve(strict=True)
    except (SuspiciousFileOperation, OSError, ValueError) as exc:
        raise Http404("No such file") from exc
    if not full_path.is_relative_to(root) or not full_path.is_file():
        raise Http404("No such file")
    return full_path


class RangeNotSatisfiable(Exception):
    """No requested range overlaps the file: 416."""


# At most 18 ASCII digits (below 2**63): longer numbers are beyond any file anyway, and int() on
# thousands of digits raises. str.isdigit() also accepts "²" and other digits int() refuses.
_RANGE_SPEC = re.compile(r"([0-9]*)-([0-9]*)", re.ASCII)
MAX_RANGE_DIGITS = 18
MAX_RANGES = 64
_BEYOND_ANY_FILE = 10**MAX_RANGE_DIGITS


def _range_number(digits: str) -> int:
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= MAX_RANGE_DIGITS else _BEYOND_ANY_FILE


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The byte range (first, last) to send for a Range header, or None to send the whole file.

    Several ranges are answered with the first satisfiable one: still a 206 whose Content-Range
    says exactly what was sent (never a 200, which Apple refuses). A malformed header is ignored,
    as RFC 9110 asks. Raises RangeNotSatisfiable when no range overlaps the file.
    """
    unit, _, specs = header.partition("=")
    if unit.strip().lower() != "bytes" or not specs.strip():
        return None
    parts = specs.split(",")
    if len(parts) > MAX_RANGES:
        return None
    ranges = []
    for spec in (part.strip(" \t") for part in parts):
        match = _RANGE_SPEC.fullmatch(spec)
        if match is None or not any(match.groups()):
            return None
        first, last = match.groups()
        if first:
            start = _range_number(first)
            end = _range_number(last) if last else size - 1
            if last and end < start:
                return None
            ranges.append((start, min(end, size - 1)))
        else:
            length = _range_number(last)
            ranges.append((max(size - length, 0), size - 1) if length else (size, size - 1))
    for start, end in ranges:
        if start < size and start <= end:
            return start, end
    raise RangeNotSatisfiable


def _stream(handle: BinaryIO, start: int, length: int) -> Iterator[bytes]:
    handle.seek(start)
    remaining = length
    while remaining > 0:
        chunk = handle.read(min(CHUNK_SIZE, remaining))
        if not chunk:
            break
        remaining -= len(chunk)
        yield chunk


@public_cors
@require_safe
def serve_media(request: HttpRequest, path: str) -> HttpResponse:
    """Uploaded media from MEDIA_ROOT, with byte ranges, HEAD and conditional requests.

    With MEDIA_ACCEL_REDIRECT_PREFIX set, nginx sends the bytes after the app has checked the path.
    """
    full_path = _media_file(path)
    stat = full_path.stat()
    size = stat.st_size
    content_type = MEDIA_TYPES.get(full_path.suffix.lower(), "application/octet-stream")
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": f'"{size:x}-{stat.st_mtime_ns:x}"',
        "Last-Modified": http_date(stat.st_mtime),
        "X-Content-Type-Options": "nosniff",
        # A new upload always gets a new name, so a URL's bytes never change.
        "Cache-Control": "public, max-age=604800",
    }
    if content_type == "application/octet-stream":
        # Only the types above are shown inline: an HTML or SVG file here never runs as a page.
        headers["Content-Disposition"] = "attachment"
    response = HttpResponse(content_type=content_type, headers=headers)
    conditional = get_conditional_response(
        request, etag=headers["ETag"], last_modified=int(stat.st_mtime), response=response
    )
    if conditional is not response:
        return conditional

    if settings.MEDIA_ACCEL_REDIRECT_PREFIX:
        relative = full_path.relative_to(Path(settings.MEDIA_ROOT).resolve()).as_posix()
        response["X-Accel-Redirect"] = f"{settings.MEDIA_ACCEL_REDIRECT_PREFIX}/{quote(relative)}"
        return response

    range_header = request.headers.get("Range", "")
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range not in (headers["ETag"], headers["Last-Modified"]):
        range_header = ""  # the client's copy is another version: it needs the whole file
    try:
        byte_range = parse_range(range_header, size)
    except RangeNotSatisfiable:
        response = HttpResponse(status=416, content_type=content_type, headers=headers)
        response["Content-Range"] = f"bytes */{size}"
        return response
    start, end = byte_range or (0, size - 1)
    length = max(end - start + 1, 0)
    if request.method == "HEAD":
        response = HttpResponse(content_type=content_type, headers=headers)
    else:
        handle = full_path.open("rb")
        response = StreamingHttpResponse(
            _stream(handle, start, length), content_type=content_type, headers=headers
        )
        response._resource_closers.append(handle.close)
    response["Content-Length"] = str(length)
    if byte_range:
        response.status_code = 206
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
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
    """Rendered without context processors: when something broke, the database may be why."""
    # Database errors outside a view (sessions, middleware) still get the outage page.
    if isinstance(sys.exception(), DATABASE_ERRORS):
        return database_unavailable()
    return HttpResponse(loader.get_template("500.html").render(), status=500)


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin)."""
    return redirect(static("favicon.svg"))


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    # A custom ADMIN_PATH stays unnamed: listing it would tell everyone where to look.
    lines = [
        "User-agent: *",
        *(["Disallow: /admin/"] if settings.ADMIN_PATH == "admin/" else []),
        "Disallow: /markdownx/",
        f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
