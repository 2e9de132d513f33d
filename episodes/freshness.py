"""When did anything a listener or a podcast app can see last change?

Freshness lives in the database, so every process and server agrees on it: any edit to a show's
content (its episodes, guests, tags, links, appearances, chapters) stamps `Show.updated`, and the
passing of a scheduled episode's time shows up as a new latest due `pub_date`. Reading it costs one
indexed query, which makes `304 Not Modified` cheap and cache keys exact.
"""

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import psycopg
from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import Count, Max, Q, Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from episodes.models import (
    AlternateEnclosure,
    Appearance,
    Chapter,
    Episode,
    EpisodeValueRecipient,
    PlatformLink,
    PodrollItem,
    Show,
    ShowBlock,
    ShowLink,
    ShowTxt,
    ShowValueRecipient,
    Soundbite,
    Status,
    Tag,
    ValueTimeSplit,
)
from guests.models import Guest, GuestLink
from podcast.pagecache import Stamp


@functools.cache
def _show_row_sql(*fields: str) -> str:
    """One show's update time, its latest due episode's date, and `fields`, by slug.

    Written as SQL because this runs on every poll and page view, and building the same query
    through the ORM cost four times as much as running it (2.2 of 2.7 ms a 304, measured). The
    subquery is `Episode.objects.published()` (status published, date not in the future);
    `test_stamp_agrees_with_published` holds the two together.
    """
    q = connection.ops.quote_name
    show, episode = q(Show._meta.db_table), q(Episode._meta.db_table)
    extra = "".join(f", s.{q(field)}" for field in fields)
    # Names come from the models' metadata; every value is a query parameter.
    return (
        f"SELECT s.{q('updated')}, (SELECT e.{q('pub_date')} FROM {episode} e"  # noqa: S608
        f" WHERE e.{q('show_id')} = s.{q('id')} AND e.{q('status')} = %s"
        f" AND e.{q('pub_date')} <= %s ORDER BY e.{q('pub_date')} DESC LIMIT 1){extra}"
        f" FROM {show} s WHERE s.{q('slug')} = %s"
    )


def _moment(value: datetime | str | None) -> datetime | None:
    """A datetime as the ORM would give it: SQLite hands back naive UTC, or text."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


class _PreparedCursor(psycopg.Cursor):
    """Binds parameters server-side and prepares each statement on its first run."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


@contextmanager
def _stamp_cursor() -> Iterator[CursorWrapper]:
    """A cursor for the stamp query: prepared on PostgreSQL connections that persist.

    Planning the query took twice as long as running it (0.07 of 0.17 ms a poll, measured), and a
    connection lives for many requests (CONN_MAX_AGE); settings enable it where it pays.
    """
    with connection.cursor() as cursor:
        if getattr(cursor.connection, "prepare_threshold", None) is None:
            yield cursor
            return
        with _PreparedCursor(cursor.connection) as prepared:
            # Wrapped as Django wraps its own: errors, query logging and execute wrappers apply.
            yield connection._prepare_cursor(prepared)


def _show_row(slug: str, *fields: str) -> tuple | None:
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with _stamp_cursor() as cursor:
        cursor.execute(_show_row_sql(*fields), [Status.PUBLISHED, now, slug])
        row = cursor.fetchone()
    if row is None:
        return None
    return (_moment(row[0]), _moment(row[1]), *row[2:])


def show_stamp(slug: str) -> Stamp | None:
    """Freshness of one show and everything shown with it; None when there is no such show."""
    row = _show_row(slug)
    return Stamp.of(*row) if row else None


def feed_stamp(slug: str) -> tuple[Stamp, str] | None:
    """The show's stamp and the URL its feed moved to ("" if it has not), in the same query."""
    row = _show_row(slug, "new_feed_url")
    return (Stamp.of(*row[:2]), row[2]) if row else None


def site_stamp() -> Stamp:
    """Freshness of pages that span shows (network home, guest and tag pages, search), in one query.

    The number of shows counts too: deleting a show with no episodes changes no time.
    """
    due = Episode.objects.published().order_by("-pub_date").values("pub_date")[:1]
    row = Show.objects.aggregate(updated=Max("updated"), shows=Count("pk"), due=Max(Subquery(due)))
    return Stamp.of(row["updated"], row["due"]).covering(row["shows"])


def touch_shows(shows: Q) -> None:
    """Mark shows changed; a database write, so every process sees it on its next request."""
    Show.objects.filter(shows).update(updated=timezone.now())


@receiver(pre_save, sender=Episode)
def _episode_may_move(sender, instance, **kwargs) -> None:
    # An episode moved to another show leaves its old show's feed: stamp that show too.
    if instance.pk:
        touch_shows(Q(episodes__pk=instance.pk) & ~Q(pk=instance.show_id))


@receiver(post_save, sender=Episode)
@receiver(post_delete, sender=Episode)
@receiver(post_save, sender=ShowLink)
@receiver(post_delete, sender=ShowLink)
# Podcasting 2.0 lists of the channel (episodes/podcasting20).
@receiver(post_save, sender=ShowTxt)
@receiver(post_delete, sender=ShowTxt)
@receiver(post_save, sender=ShowBlock)
@receiver(post_delete, sender=ShowBlock)
@receiver(post_save, sender=PodrollItem)
@receiver(post_delete, sender=PodrollItem)
@receiver(post_save, sender=ShowValueRecipient)
@receiver(post_delete, sender=ShowValueRecipient)
def _show_content_changed(sender, instance, **kwargs) -> None:
    touch_shows(Q(pk=instance.show_id))


@receiver(post_save, sender=Appearance)
@receiver(post_delete, sender=Appearance)
@receiver(post_save, sender=PlatformLink)
@receiver(post_delete, sender=PlatformLink)
@receiver(post_save, sender=Chapter)
@receiver(post_delete, sender=Chapter)
# Podcasting 2.0 lists of an item (episodes/podcasting20).
@receiver(post_save, sender=Soundbite)
@receiver(post_delete, sender=Soundbite)
@receiver(post_save, sender=AlternateEnclosure)
@receiver(post_delete, sender=AlternateEnclosure)
@receiver(post_save, sender=EpisodeValueRecipient)
@receiver(post_delete, sender=EpisodeValueRecipient)
@receiver(post_save, sender=ValueTimeSplit)
@receiver(post_delete, sender=ValueTimeSplit)
def _episode_content_changed(sender, instance, **kwargs) -> None:
    touch_shows(Q(episodes__pk=instance.episode_id))


@receiver(post_save, sender=Guest)
@receiver(pre_delete, sender=Guest)
def _guest_changed(sender, instance, **kwargs) -> None:
    touch_shows(Q(episodes__appearances__guest_id=instance.pk) | Q(hosts__pk=instance.pk))


@receiver(post_save, sender=GuestLink)
@receiver(post_delete, sender=GuestLink)
def _guest_link_changed(sender, instance, **kwargs) -> None:
    guest = instance.guest_id
    touch_shows(Q(episodes__appearances__guest_id=guest) | Q(hosts__pk=guest))


@receiver(post_save, sender=Tag)
@receiver(pre_delete, sender=Tag)
def _tag_changed(sender, instance, **kwargs) -> None:
    touch_shows(Q(episodes__tags__pk=instance.pk))


@receiver(m2m_changed, sender=Episode.tags.through)
def _episode_tags_changed(sender, instance, action, **kwargs) -> None:
    if isinstance(instance, Episode):
        if action.startswith("post_"):
            touch_shows(Q(pk=instance.show_id))
    elif action == "pre_clear":
        # Clearing from the tag's side names no episodes afterwards: touch their shows now.
        touch_shows(Q(episodes__tags__pk=instance.pk))
    elif action.startswith("post_"):
        touch_shows(Q(episodes__pk__in=kwargs["pk_set"] or []))


@receiver(m2m_changed, sender=Show.hosts.through)
def _show_hosts_changed(sender, instance, **kwargs) -> None:
    if kwargs["action"].startswith("post_"):
        if isinstance(instance, Show):
            touch_shows(Q(pk=instance.pk))
        else:
            touch_shows(Q(pk__in=kwargs["pk_set"] or []))
