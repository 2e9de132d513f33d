"""The Redis cache is a help, never a dependency: with Redis away the site answers uncached."""

import pytest
from django.core.cache import caches

from tests.factories import EpisodeFactory

# Nothing listens on port 1: every cache call fails at once.
ABSENT_REDIS = {
    "default": {
        "BACKEND": "podcast.cache.ForgivingRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
    }
}


@pytest.fixture
def redis_away(settings):
    settings.CACHES = ABSENT_REDIS  # Django drops its cache handlers when CACHES changes
    return caches["default"]


def test_cache_calls_fail_softly(redis_away):
    assert redis_away.get("x", "fallback") == "fallback"
    assert redis_away.get_many(["x"]) == {}
    redis_away.set("x", 1)
    assert redis_away.add("x", 1) is False


@pytest.mark.django_db
def test_feed_and_pages_still_answer_with_redis_away(client, show, redis_away):
    episode = EpisodeFactory(show=show)
    feed = client.get(f"/{show.slug}/feed.xml")
    assert feed.status_code == 200
    assert episode.guid.encode() in feed.content
    for url in (show.get_absolute_url(), episode.get_absolute_url(), "/search/?q=episode"):
        assert client.get(url).status_code == 200, url
