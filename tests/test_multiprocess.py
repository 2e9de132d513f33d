"""Two app servers, one PostgreSQL, one Redis: an edit through one is served at once by the other.

This is how the site runs scaled out (several gunicorns behind a load balancer). The servers get
a database of their own, created and dropped here, and a Redis key prefix of their own.
"""

import http.cookiejar
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import lxml.html
import psycopg
import pytest
import redis
from psycopg import sql

from tests.conftest import server_environ, service_missing

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
PORTS = range(8550, 8600)
REDIS_URL = os.environ.get("MULTIPROCESS_REDIS_URL", "redis://127.0.0.1:6379/13")
TIMEOUT = 15  # seconds: a wedged server fails the test instead of hanging the suite
SETUP = """
from django.contrib.auth import get_user_model
from tests.factories import EpisodeFactory, ShowFactory
show = ShowFactory(slug="shared", title="Shared Show")
EpisodeFactory(show=show, slug="first", title="Old title")
get_user_model().objects.create_superuser("boss", "boss@example.com", "boss-pass-123")
"""


def _server_url() -> str:
    """The PostgreSQL server of DATABASE_URL, or the local one when the suite runs on SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url
    return "postgres://postgres@127.0.0.1:5432/podcast"


def _free_ports(count: int) -> list[int]:
    ports = []
    for port in PORTS:
        with closing(socket.socket()) as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                ports.append(port)
        if len(ports) == count:
            return ports
    pytest.fail(f"No {count} free ports in {PORTS.start}-{PORTS.stop - 1} on 127.0.0.1")


@pytest.fixture(params=["postgresql-redis", "sqlite"])
def backend(request) -> str:
    """As deployed (PostgreSQL and Redis), and as on a machine without them: one SQLite file
    shared by both processes, each with a cache of its own."""
    return request.param


def service_needed(message: str) -> None:
    """Failed in CI; elsewhere skipped, saying so (the SQLite variant still runs)."""
    service_missing(message)
    pytest.skip(message)


@pytest.fixture
def database(backend, tmp_path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared.sqlite3'}"
        return
    parts = urllib.parse.urlsplit(_server_url())
    name = f"{parts.path.lstrip('/') or 'podcast'}_mp_{secrets.token_hex(4)}"
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        service_needed(f"This test needs the PostgreSQL server at {admin_url}: {exc}")
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
        finally:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def cache_prefix(backend) -> Iterator[str | None]:
    if backend == "sqlite":
        yield None  # each process keeps its own cache, keyed by the shared database stamp
        return
    prefix = f"mp-{secrets.token_hex(4)}"
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3, socket_timeout=5)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        service_needed(f"This test needs Redis at {REDIS_URL}: {exc}")
    yield prefix
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def servers(database, cache_prefix, tmp_path) -> Iterator[list[str]]:
    """Two gunicorns started with the project's gunicorn.conf.py and production settings."""
    env = {
        **server_environ(),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database,
        "REDIS_URL": REDIS_URL if cache_prefix else "",
        "CACHE_KEY_PREFIX": cache_prefix or "",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "FEED_SNAPSHOT_ROOT": str(tmp_path / "feeds"),
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
        "GUNICORN_BIND": "",
        "AXES_ENABLED": "0",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback
        "SECURE_COOKIES": "0",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (
        ["migrate", "-v0"],
        ["collectstatic", "--noinput", "-v0"],
        ["shell", "-c", SETUP],
    ):
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, timeout=120)
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    processes, bases = [], []
    try:
        for port in _free_ports(2):
            log = (tmp_path / f"gunicorn-{port}.log").open("w")
            processes.append(
                subprocess.Popen(
                    [gunicorn, "-c", "gunicorn.conf.py", "podcast.wsgi"],
                    cwd=ROOT,
                    env={**env, "PORT": str(port), "HOST": "127.0.0.1"},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
        for base, process in zip(bases, processes, strict=True):
            _wait_until_up(base, process, tmp_path)
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def _wait_until_up(base: str, process: subprocess.Popen, logs: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("gunicorn exited:\n" + "\n".join(p.read_text() for p in logs.glob("*.log")))
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{base} did not answer within 30 s")


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
    try:
        request = urllib.request.Request(url, headers=headers or {})
        with urllib.request.urlopen(request, timeout=TIMEOUT) as r:
            return r.status, r.read().decode(), dict(r.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def admin_edit_title(base: str, new_title: str) -> None:
    """Log in to one server's admin and save the episode with a new title, as an editor would."""
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def submit(url: str, fields: list[tuple[str, str]]) -> str:
        data = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(url, data=data, headers={"Referer": url})
        with browser.open(request, timeout=TIMEOUT) as r:
            return r.read().decode()

    login_url = base + "/admin/login/?next=/admin/"
    with browser.open(login_url, timeout=TIMEOUT) as r:
        form = lxml.html.fromstring(r.read()).forms[0]
    fields = [*form.form_values(), ("username", "boss"), ("password", "boss-pass-123")]
    assert "Log out" in submit(login_url, fields)

    with browser.open(base + "/admin/episodes/episode/?q=first", timeout=TIMEOUT) as r:
        listing = r.read()
    change_url = base + lxml.html.fromstring(listing).xpath("//th[@class='field-title']/a/@href")[0]
    with browser.open(change_url, timeout=TIMEOUT) as r:
        form = lxml.html.fromstring(r.read()).get_element_by_id("episode_form")
    fields = [(k, new_title if k == "title" else v) for k, v in form.form_values()]
    page = submit(change_url, [*fields, ("_save", "Save")])
    assert "was changed successfully" in page, page[:2000]


PUBLIC_URLS = ["/", "/shared/", "/shared/episodes/", "/shared/episodes/first/", "/shared/feed.xml"]


def test_an_edit_through_one_server_is_served_at_once_by_the_other(servers):
    first, second = servers
    etags = {}
    for path in PUBLIC_URLS:
        for base in servers:  # both have rendered and cached the old version
            status, body, headers = get(base + path)
            assert status == 200, (base + path, status)
            assert "Old title" in body, base + path
        etags[path] = headers.get("ETag")

    admin_edit_title(first, "Brand new title")

    for path in PUBLIC_URLS:
        status, body, _ = get(second + path)
        assert status == 200
        assert "Brand new title" in body, path
        assert "Old title" not in body, path
        if etags[path]:  # a poller holding the old validator gets the new version, not 304
            status, body, _ = get(second + path, {"If-None-Match": etags[path]})
            assert status == 200
            assert "Brand new title" in body
