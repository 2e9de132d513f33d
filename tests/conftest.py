import os
import socket

import pytest
from django.contrib.auth.models import Group

from tests import factories
from tests.worker import Clock


def pytest_configure(config: pytest.Config) -> None:
    # Every network call in a test has its own timeout; this catches one that was forgotten (a
    # library's default of none): a wedged server fails that test instead of hanging the suite.
    socket.setdefaulttimeout(60)


@pytest.fixture(scope="session", autouse=True)
def _static_root_for_live_server(tmp_path_factory) -> None:
    """The session-wide live server builds its middleware before any per-test settings apply."""
    from django.conf import settings

    settings.STATIC_ROOT = tmp_path_factory.mktemp("static")


@pytest.fixture(autouse=True)
def _isolated_media_and_static(settings, tmp_path):
    """Each test writes media to its own folder and needs no collectstatic."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FEED_SNAPSHOT_ROOT = tmp_path / "feeds"
    settings.DEMO_LOGIN_FILE = tmp_path / "demo-login"
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    from episodes.feed.serve import forget_process_copies

    cache.clear()
    forget_process_copies()
    yield
    cache.clear()
    forget_process_copies()


@pytest.fixture
def show(db):
    return factories.ShowFactory(slug="the-show", title="The Show")


@pytest.fixture
def episode(show):
    return factories.EpisodeFactory(show=show)


@pytest.fixture
def content(episode):
    """A published episode with a guest and a topic: something on every kind of page."""
    factories.AppearanceFactory(episode=episode)
    episode.tags.add(factories.TagFactory())
    return episode


EDITOR_PASSWORD = "editor-pass-123"


@pytest.fixture
def editor(db, django_user_model):
    user = django_user_model.objects.create_user(
        "editor", "editor@example.com", EDITOR_PASSWORD, is_staff=True
    )
    user.groups.add(editors_group())
    return user


def editors_group() -> Group:
    """The group the migrations make; browser tests flush tables, so it may be made again."""
    if not Group.objects.filter(name="Editors").exists():
        from django.apps import apps

        from podcast import editors

        editors.grant(apps, *editors.GRANTS)
    return Group.objects.get(name="Editors")


@pytest.fixture
def editor_client(editor):
    """A client of its own, so that `client` stays anonymous in the same test."""
    from django.test import Client

    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """A clock that stands still until moved (`clock.move(seconds=30)`): tasks come due by it."""
    return Clock.install(monkeypatch)


@pytest.fixture
def settled(monkeypatch):
    """A clock a few seconds on, as the next poll comes; `tick()` moves it on again.

    Changes younger than a second carry no Last-Modified (HTTP dates have whole seconds).
    """
    from datetime import timedelta

    from django.utils import timezone

    class Clock:
        now = timezone.now()

        def tick(self, seconds: int = 5):
            self.now += timedelta(seconds=seconds)
            return self.now

    clock = Clock()
    clock.tick()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


def server_environ(**overrides: str) -> dict[str, str]:
    """The environment for a server a test starts: this one's, without the test-settings switch."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_TEST_SETTINGS"}
    return {**env, **overrides}


def service_missing(message: str) -> None:
    """A server a test needs is not on this machine: a failure in CI, elsewhere a fallback.

    CI (and REQUIRE_SERVICES=1) has PostgreSQL and Redis, so there the test must run as written;
    a newcomer without them still gets a passing suite on SQLite.
    """
    if os.environ.get("CI") or os.environ.get("REQUIRE_SERVICES"):
        pytest.fail(message)


def requires_postgresql(why: str) -> None:
    """A test of PostgreSQL's own behaviour, in a suite running on SQLite: skipped, failed in CI."""
    from django.db import connection

    if connection.vendor != "postgresql":
        service_missing(f"{why}: CI runs the suite on PostgreSQL.")
        pytest.skip(why)


@pytest.fixture(autouse=True)
def _own_analytics_buffer(settings, tmp_path):
    """Each test buffers its analytics events in a spool folder of its own (no Redis)."""
    from analytics import views

    settings.ANALYTICS_SPOOL_DIR = tmp_path / "analytics"
    settings.ANALYTICS_REDIS_URL = ""
    views._known.clear()
    yield
    views._known.clear()
