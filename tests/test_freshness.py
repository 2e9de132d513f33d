from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from episodes.feed.freshness import show_stamp, site_stamp
from tests.conftest import requires_postgresql
from tests.factories import (
    AppearanceFactory,
    ChapterFactory,
    EpisodeFactory,
    PlatformLinkFactory,
    ShowLinkFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_episode(show):
    episode = EpisodeFactory(show=show)
    AppearanceFactory(episode=episode)
    PlatformLinkFactory(episode=episode)
    ChapterFactory(episode=episode)
    ShowLinkFactory(show=show)
    episode.tags.add(TagFactory())
    show.hosts.add(episode.appearances.first().guest)
    return episode


EDITS = {
    "episode": lambda e: e.save(),
    "show": lambda e: e.show.save(),
    "guest": lambda e: e.appearances.first().guest.save(),
    "appearance": lambda e: e.appearances.first().delete(),
    "tag": lambda e: e.tags.first().save(),
    "tag removed": lambda e: e.tags.clear(),
    "tag cleared from its side": lambda e: e.tags.first().episodes.clear(),
    "tag deleted": lambda e: e.tags.first().delete(),
    "link": lambda e: e.links.first().delete(),
    "chapter": lambda e: e.chapters.first().save(),
    "show link": lambda e: e.show.links.first().delete(),
    "host": lambda e: e.show.hosts.clear(),
}


@pytest.mark.parametrize("edit", EDITS)
def test_every_visible_edit_changes_the_stamp(full_episode, edit):
    before = show_stamp(full_episode.show.slug)
    EDITS[edit](full_episode)
    assert show_stamp(full_episode.show.slug).etag != before.etag


def test_stamp_is_stable_without_edits(full_episode):
    assert show_stamp(full_episode.show.slug) == show_stamp(full_episode.show.slug)
    assert site_stamp() == site_stamp()


def test_a_scheduled_episode_changes_the_stamp_when_its_time_comes(show, monkeypatch):
    EpisodeFactory(show=show)
    EpisodeFactory(show=show, pub_date=timezone.now() + timedelta(hours=1))
    before = show_stamp(show.slug)
    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    after = show_stamp(show.slug)
    assert after.etag != before.etag
    assert after.last_modified > before.last_modified


def test_stamp_costs_one_query(show, django_assert_num_queries):
    EpisodeFactory(show=show)
    with django_assert_num_queries(1):
        show_stamp(show.slug)


def test_unknown_show_has_no_stamp(db):
    assert show_stamp("nope") is None


def test_moving_an_episode_changes_both_shows_stamps(full_episode):
    from tests.factories import ShowFactory

    old_show, new_show = full_episode.show, ShowFactory()
    EpisodeFactory(show=old_show)  # newer: the old show's latest due date stays the same
    before_old, before_new = show_stamp(old_show.slug), show_stamp(new_show.slug)
    full_episode.show = new_show
    full_episode.save()
    assert show_stamp(old_show.slug).etag != before_old.etag
    assert show_stamp(new_show.slug).etag != before_new.etag


def test_an_edit_in_the_same_second_as_a_poll_is_not_hidden_by_if_modified_since(
    client, show, settled
):
    """HTTP dates have whole seconds: while a change is that fresh, only its ETag announces it."""
    EpisodeFactory(show=show, title="Before")
    first = client.get(f"/{show.slug}/feed.xml")
    assert "Last-Modified" not in first
    settled.tick()
    since = client.get(f"/{show.slug}/feed.xml")["Last-Modified"]
    assert client.get(f"/{show.slug}/feed.xml", HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    episode = show.episodes.get()
    episode.title = "After"
    episode.save()  # in the same second as the poll above
    response = client.get(f"/{show.slug}/feed.xml", HTTP_IF_MODIFIED_SINCE=since)
    assert response.status_code == 200
    assert b"After" in response.content


def test_the_stamp_query_is_planned_once_per_postgresql_connection(show):
    requires_postgresql("Prepared statements are PostgreSQL's")
    for _ in range(3):
        assert show_stamp(show.slug).last_modified == show.updated
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert len(statements) == 1
    assert "pub_date" in statements[0] and "$3" in statements[0]


def test_stamp_agrees_with_published(show, monkeypatch):
    """The stamp's own SQL must mean what Episode.objects.published() means."""
    from django.db.models import Max

    from episodes.models import Episode

    EpisodeFactory(show=show, pub_date=timezone.now() - timedelta(days=3))
    EpisodeFactory(show=show, draft=True)
    EpisodeFactory(show=show, pub_date=timezone.now() + timedelta(hours=1))
    for hours in (0, 2):
        later = timezone.now() + timedelta(hours=hours)
        monkeypatch.setattr(timezone, "now", lambda later=later: later)
        show.refresh_from_db()
        due = Episode.objects.published().filter(show=show).aggregate(due=Max("pub_date"))["due"]
        assert show_stamp(show.slug).last_modified == max(show.updated, due)
