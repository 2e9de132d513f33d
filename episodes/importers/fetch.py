"""Fetching URLs that someone else chose (feeds, enclosures, artwork) without SSRF.

Only http and https; every address a host name resolves to must be public (unless the caller
allows private ones); the connection goes to the address that was checked, so a second DNS answer
cannot swap in an internal one; redirects are followed here, hop by hop, each checked again; every
download has a connect/read timeout, an overall deadline and a size cap.
"""

import http.client
import ipaddress
import socket
import ssl
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO
from urllib.parse import urljoin, urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

FEED_MAX_BYTES = 50 * 1024 * 1024
MEDIA_MAX_BYTES = 1024 * 1024 * 1024
IMAGE_MAX_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 5
USER_AGENT = "podcast-site-importer/1.0 (+https://github.com/)"
_CHUNK = 64 * 1024


class FetchError(Exception):
    """A URL we refused or could not fetch; the message names the URL and the reason."""


def is_public_address(ip: IPAddress) -> bool:
    """True for addresses on the public internet, False for anything internal or special."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local
    )


def _allow_any(ip: IPAddress) -> bool:
    return True


@dataclass
class Fetcher:
    """Fetch with SSRF checks. `is_allowed` decides which resolved addresses may be contacted."""

    allow_private: bool = False
    # How the refusal of a private address tells its reader to allow one.
    private_hint: str = "use --allow-private to import from your own network"
    is_allowed: Callable[[IPAddress], bool] = is_public_address
    timeout: float = 15.0
    deadline: float = 120.0
    media_deadline: float = 1800.0
    max_redirects: int = MAX_REDIRECTS
    resolve: Callable[[str, int], list[str]] = field(
        default=lambda host, port: _resolve(host, port)
    )

    def __post_init__(self) -> None:
        if self.allow_private:
            self.is_allowed = _allow_any

    def fetch_bytes(self, url: str, max_bytes: int = FEED_MAX_BYTES) -> tuple[bytes, str]:
        """The body and the final URL after redirects."""
        with tempfile.SpooledTemporaryFile(max_size=max_bytes + 1) as sink:
            final_url, _ = self._download(url, sink, max_bytes, self.deadline)
            sink.seek(0)
            return sink.read(), final_url

    def fetch_to_file(self, url: str, max_bytes: int = MEDIA_MAX_BYTES) -> tuple[IO[bytes], str]:
        """A temporary file (the caller closes it) holding the body, and the content type."""
        sink = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller
        try:
            _, content_type = self._download(url, sink, max_bytes, self.media_deadline)
        except BaseException:
            sink.close()
            raise
        sink.seek(0)
        return sink, content_type

    def check_url(self, url: str) -> tuple[str, str, int, str]:
        """Scheme, host, port and a checked address for `url`, or FetchError."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError(f"{url}: only http and https URLs are fetched.")
        host = parts.hostname
        if not host:
            raise FetchError(f"{url}: the URL has no host.")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise FetchError(f"{url}: invalid port.") from exc
        try:
            addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in self.resolve(host, port)]
        except (OSError, ValueError) as exc:
            raise FetchError(f"{url}: the host {host} could not be resolved.") from exc
        if not addresses:
            raise FetchError(f"{url}: the host {host} has no address.")
        refused = [str(ip) for ip in addresses if not self.is_allowed(ip)]
        if refused:
            raise FetchError(
                f"{url}: {host} resolves to a private or reserved address ({refused[0]}); "
                f"refused ({self.private_hint})."
            )
        return parts.scheme, host, port, str(addresses[0])

    def _download(
        self, url: str, sink: IO[bytes], max_bytes: int, deadline: float
    ) -> tuple[str, str]:
        started = time.monotonic()
        for _ in range(self.max_redirects + 1):
            scheme, host, port, address = self.check_url(url)
            connection = _pinned_connection(scheme, host, port, address, self.timeout)
            parts = urlsplit(url)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            try:
                connection.request(
                    "GET",
                    target,
                    headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
                )
                response = connection.getresponse()
                if response.status in (301, 302, 303, 307, 308):
                    location = response.getheader("Location")
                    if not location:
                        raise FetchError(f"{url}: redirect without a Location.")
                    url = urljoin(url, location.strip())
                    continue
                if response.status != 200:
                    raise FetchError(f"{url}: the server answered {response.status}.")
                declared = response.getheader("Content-Length")
                # Only ASCII digits: a server's "²" would make int() raise and end the whole run.
                if (
                    declared
                    and declared.isascii()
                    and declared.isdigit()
                    and int(declared) > max_bytes
                ):
                    raise FetchError(f"{url}: larger than the limit of {max_bytes:,} bytes.")
                total = 0
                # read1: one receive at a time, so a server that drips bytes meets the deadline.
                while chunk := response.read1(_CHUNK):
                    total += len(chunk)
                    if total > max_bytes:
                        raise FetchError(f"{url}: larger than the limit of {max_bytes:,} bytes.")
                    if time.monotonic() - started > deadline:
                        raise FetchError(f"{url}: the download took longer than allowed.")
                    sink.write(chunk)
                return url, response.getheader("Content-Type", "")
            except TimeoutError as exc:
                raise FetchError(f"{url}: timed out.") from exc
            except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
                raise FetchError(f"{url}: {exc.__class__.__name__}: {exc}") from exc
            finally:
                connection.close()
        raise FetchError(f"{url}: more than {self.max_redirects} redirects.")


def _resolve(host: str, port: int) -> list[str]:
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever DNS says now."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _pinned_connection(
    scheme: str, host: str, port: int, address: str, timeout: float
) -> http.client.HTTPConnection:
    cls = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    return cls(host, port, address, timeout)
