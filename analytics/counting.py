"""What a request for audio or a feed poll leaves behind: one buffered event, no database write.

The rules of a download (IAB Podcast Measurement Guidelines v2, as the Open Podcast Prefix Project
applies them): only a `GET` that was answered with the audio (200/206) or sent on to it (302)
counts, never a `HEAD`, a `304`, an error, or a probe for the first byte or two (`Range: bytes=0-1`,
as Apple sends before it downloads). Repeats by the same listener on the same UTC day, bots, and
duplicates are removed when the buffer is stored (analytics.store).
"""

import hashlib
import logging
import re
from datetime import date

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from analytics import buffer

PROBE = re.compile(r"\s*bytes\s*=\s*0*\s*-\s*0*[01]\s*", re.IGNORECASE)
SERVED = (200, 206, 302)
MAX_AGENT = 500  # characters of a User-Agent kept until it is classified

logger = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str:
    """The client's address: behind N trusted proxies, the Nth from the right in X-Forwarded-For.

    Each proxy appends the address it was reached from, so entries left of the Nth are whatever
    the client chose to send and are never trusted.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if forwarded:
            return forwarded[-min(count, len(forwarded))]
    return request.META.get("REMOTE_ADDR", "")


def listener(request: HttpRequest, day: date) -> str:
    """A keyed hash of address and User-Agent; the key is the day's salt, thrown away after it."""
    identity = f"{client_address(request)}\n{request.META.get('HTTP_USER_AGENT', '')}"
    return hashlib.blake2b(identity.encode(), key=buffer.salt(day), digest_size=16).hexdigest()


def is_listen(request: HttpRequest, response: HttpResponse) -> bool:
    if request.method != "GET" or response.status_code not in SERVED:
        return False
    return not PROBE.fullmatch(request.META.get("HTTP_RANGE", ""))


def _origin(referrer: str) -> str:
    """Only scheme and host of a Referer are kept: enough for the web-app patterns, nothing more."""
    scheme, _, rest = referrer.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rpartition("@")[2]
    return f"{scheme.lower()}://{host.lower()}/" if scheme and host else ""


def record_download(request: HttpRequest, response: HttpResponse, episode_id: int) -> None:
    if not is_listen(request, response):
        return
    now = timezone.now()
    agent = request.META.get("HTTP_USER_AGENT", "")[:MAX_AGENT]
    referrer = _origin(request.META.get("HTTP_REFERER", ""))
    _keep(["d", now.timestamp(), episode_id, listener(request, now.date()), agent, referrer])


def record_poll(request: HttpRequest, response: HttpResponse, show_slug: str) -> None:
    if request.method != "GET" or response.status_code not in (200, 304):
        return
    now = timezone.now()
    agent = request.META.get("HTTP_USER_AGENT", "")[:MAX_AGENT]
    _keep(["p", now.timestamp(), show_slug, listener(request, now.date()), agent])


def _keep(event: list) -> None:
    """Buffer an event; a listener still gets the audio if neither Redis nor the disk takes it."""
    try:
        buffer.push(event)
    except OSError:
        logger.exception("Analytics event lost: neither Redis nor the spool folder took it")
