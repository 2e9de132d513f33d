"""When did anything the public sees last change, and which kept feed items did the change touch?

Freshness lives in the database, so every process and server agrees on it: any edit to a show's
content stamps `Show.updated`, and the passing of a scheduled episode's time shows up as a new
latest due `pub_date`. Reading it costs one indexed query, which makes `304 Not Modified` cheap and
cache keys exact.

`SOURCES` is the one list of models whose rows the public sees. For each it says whose stamp a
change moves and which episodes' kept feed items it makes stale; `watch()` adds a model to it and
connects its signals. Show fields that every item repeats are not listed here: the items' context
digest (`episodes.feed.build`) covers them.
"""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Count, F, Max, Model, Q, Subquery
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
    FeedItem,
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

    Written as SQL because it runs on every poll and page view and the ORM's cost of building the
    query exceeded that of running it. The subquery is `Episode.objects.published()` (status
    published, date not in the future); `test_stamp_agrees_with_published` holds the two together.
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

    Planning this small query costs more than running it, and a connection serves many requests
    (CONN_MAX_AGE); settings enable it where it pays.
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


@dataclass(frozen=True)
class FeedState:
    stamp: Stamp
    show_id: int
    new_feed_url: str


def feed_state(slug: str, version: str) -> FeedState | None:
    """The feed's stamp (covering the feed's `version`), show id and new URL, in one query."""
    row = _show_row(slug, "id", "new_feed_url")
    if row is None:
        return None
    updated, due, show_id, new_feed_url = row
    return FeedState(Stamp.of(updated, due, version), show_id, new_feed_url)


def site_stamp() -> Stamp:
    """Freshness of pages that span shows (network home, guest and tag pages, search), in one query.

    The number of shows counts too: deleting a show with no episodes changes no time.
    """
    due = Episode.objects.published().order_by("-pub_date").values("pub_date")[:1]
    row = Show.objects.aggregate(updated=Max("updated"), shows=Count("pk"), due=Max(Subquery(due)))
    return Stamp.of(row["updated"], row["due"], row["shows"])


def touch_shows(shows: Q) -> None:
    """Mark shows changed; a database write, so every process sees it on its next request."""
    Show.objects.filter(shows).update(updated=timezone.now())


def stale_items(episodes: Q) -> None:
    """Make the kept feed items of `episodes` stale, in every process at once.

    An episode without a kept item has nothing to make stale: a build makes the row before it
    reads the episode (`episodes.feed.build`), so this bump reaches any build that could have
    read the episode before this change.
    """
    FeedItem.objects.filter(episode__in=Episode.objects.filter(episodes).values("pk")).update(
        version=F("version") + 1
    )


# --- what changes what ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A model the public sees: the shows whose stamp a change of one row moves, and the episodes
    whose feed items it makes stale (None: no item shows it)."""

    model: type[Model]
    shows: Callable[[Model], Q]
    episodes: Callable[[Model], Q] | None = None

    def changed(self, instance: Model) -> None:
        # Items first, in one transaction with the stamp: a poll that sees the new stamp must
        # never find the old items still marked current.
        with transaction.atomic():
            if self.episodes is not None:
                stale_items(self.episodes(instance))
            touch_shows(self.shows(instance))


SOURCES: dict[type[Model], Source] = {}


def watch(
    model: type[Model],
    *,
    shows: Callable[[Model], Q],
    episodes: Callable[[Model], Q] | None = None,
    before_delete: bool = False,
) -> Source:
    """Add `model` to the sources: its saves and deletes stamp `shows` and stale `episodes`' items.

    `before_delete`: the rows that lead to the episodes are gone after the delete, so look first.
    """
    source = Source(model, shows, episodes)
    SOURCES[model] = source

    def on_change(sender, instance, **kwargs) -> None:
        source.changed(instance)

    uid = f"episodes.feed.freshness:{model._meta.label}"
    post_save.connect(on_change, sender=model, weak=False, dispatch_uid=uid)
    (pre_delete if before_delete else post_delete).connect(
        on_change, sender=model, weak=False, dispatch_uid=uid
    )
    return source


def watch_episode_part(model: type[Model]) -> Source:
    """A model with an `episode` foreign key whose rows the episode's feed item shows."""
    return watch(
        model,
        shows=lambda row: Q(episodes__pk=row.episode_id),
        episodes=lambda row: Q(pk=row.episode_id),
    )


watch(Episode, shows=lambda episode: Q(pk=episode.show_id), episodes=lambda e: Q(pk=e.pk))
# Rows of a show that only its pages and channel show (items repeat the show's value recipients
# through their context digest).
for _show_part in (ShowLink, ShowTxt, ShowBlock, PodrollItem, ShowValueRecipient):
    watch(_show_part, shows=lambda row: Q(pk=row.show_id))
# Rows of one episode that its item shows (the Podcasting 2.0 lists among them).
for _part in (
    Appearance,
    Chapter,
    PlatformLink,
    Soundbite,
    AlternateEnclosure,
    EpisodeValueRecipient,
    ValueTimeSplit,
):
    watch_episode_part(_part)
watch(
    Guest,
    shows=lambda guest: Q(episodes__appearances__guest_id=guest.pk) | Q(hosts__pk=guest.pk),
    episodes=lambda guest: Q(appearances__guest_id=guest.pk),
    before_delete=True,
)
watch(
    GuestLink,
    shows=lambda link: (
        Q(episodes__appearances__guest_id=link.guest_id) | Q(hosts__pk=link.guest_id)
    ),
)
watch(
    Tag,
    shows=lambda tag: Q(episodes__tags__pk=tag.pk),
    episodes=lambda tag: Q(tags__pk=tag.pk),
    before_delete=True,
)


@receiver(pre_save, sender=Episode)
def _episode_may_move(sender, instance, **kwargs) -> None:
    # An episode moved to another show leaves its old show's feed: stamp that show too.
    if instance.pk:
        touch_shows(Q(episodes__pk=instance.pk) & ~Q(pk=instance.show_id))


@receiver(m2m_changed, sender=Episode.tags.through)
def _episode_tags_changed(sender, instance, action, **kwargs) -> None:
    if isinstance(instance, Episode):
        if action.startswith("post_"):
            SOURCES[Episode].changed(instance)
    elif action == "pre_clear":
        # Clearing from the tag's side names no episodes afterwards: touch them now.
        SOURCES[Tag].changed(instance)
    elif action.startswith("post_"):
        with transaction.atomic():
            stale_items(Q(pk__in=kwargs["pk_set"] or []))
            touch_shows(Q(episodes__pk__in=kwargs["pk_set"] or []))


@receiver(m2m_changed, sender=Show.hosts.through)
def _show_hosts_changed(sender, instance, **kwargs) -> None:
    # Hosts are restated on every item: the items' context digest covers them, not `stale_items`.
    if kwargs["action"].startswith("post_"):
        if isinstance(instance, Show):
            touch_shows(Q(pk=instance.pk))
        else:
            touch_shows(Q(pk__in=kwargs["pk_set"] or []))
