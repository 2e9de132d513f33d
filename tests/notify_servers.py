"""Real HTTP servers on loopback playing WebSub hubs, the Podping gateway and file hosts."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from django.utils import timezone


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    headers: dict[str, str]
    at: datetime


@dataclass
class Hub:
    """A server answering each request with `answer(number)`: (status, headers), 1-based number.

    A request for a path in `routes` gets that (status, headers, body) instead: a file host.
    """

    answer: Callable[[int], tuple[int, dict[str, str]]]
    routes: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    hang: float = 0.0
    received: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int, timeout: float) -> bool:
        """True once `count` requests arrived (waits on a condition, never longer than timeout)."""
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.received) >= count, timeout)


def _handler(hub: Hub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            parts = urlsplit(self.path)
            with hub.arrived:
                hub.received.append(
                    Received(
                        method=self.command,
                        path=parts.path,
                        query=parse_qs(parts.query),
                        form=parse_qs(body),
                        headers=dict(self.headers.items()),
                        at=timezone.now(),
                    )
                )
                number = len(hub.received)
                hub.arrived.notify_all()
            if hub.hang:
                hub.release.wait(hub.hang)
            if parts.path in hub.routes:
                status, headers, content = hub.routes[parts.path]
            else:
                (status, headers), content = hub.answer(number), b""
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)
            except OSError:
                pass  # the client gave up waiting (the hanging hub)

        do_GET = do_POST = _serve

        def log_message(self, *args) -> None:
            pass

    return Handler


@contextmanager
def serve(
    answer: Callable[[int], tuple[int, dict[str, str]]] = lambda n: (202, {}),
    hang: float = 0.0,
    path: str = "/hub",
    routes: dict[str, tuple[int, dict[str, str], bytes]] | None = None,
) -> Iterator[Hub]:
    hub = Hub(answer=answer, hang=hang, routes=routes or {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(hub))
    server.daemon_threads = True
    hub.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield hub
    finally:
        hub.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def fail_twice(number: int) -> tuple[int, dict[str, str]]:
    return (500, {}) if number <= 2 else (204, {})


def always_fail(number: int) -> tuple[int, dict[str, str]]:
    return 500, {}
