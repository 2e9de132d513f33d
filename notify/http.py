"""Requests to WebSub hubs and the Podping gateway.

The importer's rules against SSRF apply (episodes.importers.fetch): http and https only, every
address a host resolves to must be public unless ALLOW_PRIVATE_NOTIFY is on, the connection goes to
the address that was checked, and each redirect hop is checked again. Every request has a short
timeout: a hub that hangs costs the worker seconds, never an editor anything.
"""

import http.client
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from django.conf import settings

from episodes.importers.fetch import Fetcher, FetchError, IPAddress, _pinned_connection

MAX_REDIRECTS = 3
REDIRECTS = {301, 302, 303, 307, 308}
# Redirects that keep the method and body; any other would turn a hub's POST into a GET.
BODY_KEEPING_REDIRECTS = {307, 308}


@dataclass(frozen=True)
class Answer:
    status_code: int | None = None
    error: str = ""
    # A refused address will be refused again: retrying cannot help.
    permanent: bool = False

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error


def user_agent() -> str:
    return f"podcast-site-notify/1.0 (+{settings.SITE_URL})"


def websub_publish(hub: str, feed_url: str, **options) -> Answer:
    """Tell a WebSub hub that `feed_url` changed (`hub.mode=publish`)."""
    body = urlencode({"hub.mode": "publish", "hub.url": feed_url}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return request("POST", hub, body, headers, **options)


def podping(gateway: str, token: str, feed_url: str, **options) -> Answer:
    """Tell the Podping gateway that `feed_url` changed (reason `update`, medium `podcast`)."""
    parts = urlsplit(gateway)
    notice = [("url", feed_url), ("reason", "update"), ("medium", "podcast")]
    query = [*parse_qsl(parts.query), *notice]
    url = urlunsplit(parts._replace(query=urlencode(query)))
    return request("GET", url, None, {"Authorization": token}, **options)


def request(
    method: str,
    url: str,
    body: bytes | None,
    headers: dict[str, str],
    *,
    timeout: float | None = None,
    allow_private: bool | None = None,
    is_allowed: Callable[[IPAddress], bool] | None = None,
) -> Answer:
    """One request, following only redirects to checked addresses; never raises."""
    if timeout is None:
        timeout = settings.NOTIFY_TIMEOUT_SECONDS
    if allow_private is None:
        allow_private = settings.ALLOW_PRIVATE_NOTIFY
    fetcher = Fetcher(
        allow_private=allow_private,
        private_hint="ALLOW_PRIVATE_NOTIFY=1 allows it",
        timeout=timeout,
    )
    if is_allowed is not None and not allow_private:
        fetcher.is_allowed = is_allowed
    headers = {"User-Agent": user_agent(), **headers}
    # Redirects share the time of one request and a half; no chain of hops outlasts it.
    deadline = time.monotonic() + timeout * 1.5
    for _ in range(MAX_REDIRECTS + 1):
        try:
            scheme, host, port, address = fetcher.check_url(url)
        except FetchError as exc:
            return Answer(error=str(exc), permanent=True)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return Answer(error=f"{url}: no answer within {timeout:g} s")
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection = _pinned_connection(scheme, host, port, address, min(timeout, remaining))
        try:
            connection.request(method, target, body=body, headers=headers)
            response = connection.getresponse()
            # Only the status matters: the body is never read, so it cannot be slow or large.
            status, location = response.status, response.getheader("Location")
        except TimeoutError:
            return Answer(error=f"{url}: no answer within {timeout:g} s")
        except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
            return Answer(error=f"{url}: {exc.__class__.__name__}: {exc}")
        finally:
            connection.close()
        if status not in REDIRECTS:
            error = "" if 200 <= status < 300 else f"{url} answered {status}"
            return Answer(status_code=status, error=error)
        if not location:
            return Answer(status_code=status, error=f"{url}: redirect without a Location")
        if body is not None and status not in BODY_KEEPING_REDIRECTS:
            return Answer(status_code=status, error=f"{url}: redirect {status} would drop the POST")
        url = urljoin(url, location.strip())
    return Answer(error=f"{url}: more than {MAX_REDIRECTS} redirects", permanent=True)
