"""Real HTTP servers on loopback that play WebSub hubs and the Podping gateway in tests."""

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
    """A server answering each request with `answer(number)`: (status, headers), 1-based number."""

    answer: Callable[[int], tuple[int, dict[str, str]]]
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
            status, headers = hub.answer(number)
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()
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
) -> Iterator[Hub]:
    hub = Hub(answer=answer, hang=hang)
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
