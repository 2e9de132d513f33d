"""A real database outage: a PostgreSQL of our own is stopped under a running app server."""

import glob
import http.cookiejar
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import server_environ, service_missing

pytestmark = pytest.mark.slow

BASE_DIR = Path(settings.BASE_DIR)
PG_PORTS = range(55432, 55500)
APP_PORTS = range(8600, 8700)


def free_port(ports: range) -> int:
    for port in ports:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError(f"No free port in {ports}")


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else name


@dataclass
class Cluster:
    """A throwaway PostgreSQL on a temporary data directory."""

    root: Path
    port: int

    @property
    def as_owner(self) -> list[str]:
        # initdb and postgres refuse to run as root.
        return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def run(self, *command: str) -> None:
        done = subprocess.run(
            [*self.as_owner, *command], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.run(pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                 "--no-sync", "-E", "UTF8")  # fmt: skip

    @property
    def data(self) -> Path:
        return self.root / "data"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(pg_bin("pg_ctl"), "-D", str(self.data), "-o", options,
                 "-l", str(self.root / "log"), "-w", "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self.run(pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/podcast"


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs) -> None:
        return None


class App:
    """A browser-like client of the running server, with cookies, that never follows redirects."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirects
        )

    def request(self, path: str, data: dict | None = None) -> Response:
        """One request; a hanging server fails the test through the timeout."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Referer": self.base}
        )
        try:
            with self.opener.open(request, timeout=5) as response:
                return Response(response.status, dict(response.headers), response.read().decode())
        except urllib.error.HTTPError as error:
            return Response(error.code, dict(error.headers), error.read().decode())

    def get(self, path: str) -> Response:
        return self.request(path)

    def log_in(self, username: str, password: str) -> Response:
        self.get("/admin/login/")
        token = next(c.value for c in self.cookies if c.name == "csrftoken")
        form = {"username": username, "password": password, "csrfmiddlewaretoken": token}
        return self.request("/admin/login/?next=/admin/", form)


def manage(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def finish(process: subprocess.Popen) -> str:
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 0, output
    return output


@pytest.fixture
def outage_site() -> Iterator[tuple[Cluster, App]]:
    """PostgreSQL, migrated with demo content, behind gunicorn in production settings."""
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb") and not shutil.which("initdb"):
        service_missing("The outage test starts a PostgreSQL of its own: initdb is not here.")
        pytest.skip("a PostgreSQL outage needs PostgreSQL's own binaries (initdb, pg_ctl)")
    root = Path(tempfile.mkdtemp(prefix="outage-"))
    root.chmod(0o755)  # the postgres user reaches its data directory through it
    cluster = Cluster(root=root / "pg", port=free_port(PG_PORTS))
    cluster.root.mkdir()
    app_port = free_port(APP_PORTS)
    env = {
        **{k: v for k, v in server_environ().items() if k != "DEBUG"},
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{app_port}",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback
        "SECURE_COOKIES": "0",
        "DATABASE_URL": cluster.url,
        "DB_CONNECT_TIMEOUT": "1",
        "CONN_MAX_AGE": "60",
        "STATIC_ROOT": str(root / "static"),
        "MEDIA_ROOT": str(root / "media"),
        "FEED_SNAPSHOT_ROOT": str(root / "feeds"),
    }
    server = None
    collectstatic = manage(env, "collectstatic", "--noinput", "-v0")
    try:
        cluster.init()
        cluster.start()
        cluster.run(pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(cluster.port),
                    "-U", "postgres", "podcast")  # fmt: skip
        finish(manage(env, "migrate", "--noinput", "-v0"))
        demo = finish(manage(env, "demo"))
        finish(collectstatic)
        # One process with threads: without REDIS_URL each process keeps its own last good feed.
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "podcast.wsgi", "--bind", f"127.0.0.1:{app_port}",
             "--workers", "1", "--threads", "4", "--worker-class", "gthread",
             "--timeout", "20", "--graceful-timeout", "2"],
            cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        app = App(app_port)
        deadline = time.monotonic() + 30
        while True:
            try:
                app.get("/healthz")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn died"
                time.sleep(0.2)
        app.editor_password = demo.rsplit("password “", 1)[1].split("”")[0]
        yield cluster, app
    finally:
        collectstatic.kill()
        collectstatic.wait(timeout=20)
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        if (cluster.data / "postmaster.pid").exists():
            cluster.stop(mode="immediate")
        shutil.rmtree(root, ignore_errors=True)


FEED = "/shipping-ml/feed.xml"
PAGES = [
    "/",
    "/shipping-ml/",
    "/shipping-ml/episodes/",
    "/shipping-ml/episodes/the-challenges-of-ml-engineering-in-production/",
    "/guests/dr-jane-smith/",
    "/tags/mlops/",
]


def test_site_answers_503_while_the_database_is_down_and_recovers_by_itself(outage_site):
    cluster, app = outage_site
    for path in PAGES:
        assert app.get(path).status == 200, path
    assert app.get("/healthz").status == 200
    good_feed = app.get(FEED)  # builds the feed and keeps the last good copy
    assert good_feed.status == 200 and "<rss" in good_feed.body
    assert app.log_in("editor", app.editor_password).status == 302
    assert app.get("/admin/episodes/episode/").status == 200

    cluster.stop()
    for path in PAGES:
        response = app.get(path)
        assert response.status == 503, path
        assert response.headers["Retry-After"] == "30"
        assert "back in a moment" in response.body
    # Podcast apps keep getting the last good feed: never 403, 410 or 500, which unsubscribe.
    for _ in range(3):
        feed = app.get(FEED)
        assert feed.status == 200
        assert feed.body == good_feed.body
    health = app.get("/healthz")
    assert health.status == 503
    assert health.headers["Retry-After"] == "30"
    # The editor's session lives in the database too: the admin says the same, never 500.
    admin = app.get("/admin/episodes/episode/")
    assert (admin.status, admin.headers["Retry-After"]) == (503, "30")

    cluster.start()
    # The same processes reconnect on their next request (CONN_HEALTH_CHECKS).
    assert app.get("/healthz").status == 200
    for path in [*PAGES, FEED]:
        assert app.get(path).status == 200, path
    assert app.get("/admin/episodes/episode/").status == 200
