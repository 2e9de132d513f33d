"""When did anything a listener or a podcast app can see last change?

Freshness lives in the database, so every process and server agrees on it: any edit to a show's
content (its episodes, guests, tags, links, appearances, chapters) stamps `Show.updated`, and the
passing of a scheduled episode's time shows up as a new latest due `pub_date`. Reading it costs one
indexed query, which makes `304 Not Modified` cheap and cache keys exact.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone

from episodes.models import Appearance, Chapter, Episode, PlatformLink, Show, ShowLink, Tag
from guests.models import Guest, GuestLink


@dataclass(frozen=True)
class Stamp:
    last_modified: datetime
    etag: str

    @classmethod
    def of(cls, *moments: datetime | None) -> "Stamp":
        known = [m for m in moments if m is not None]
        last = max(known) if known else datetime(2000, 1, 1, tzinfo=UTC)
        digest = hashlib.sha256("|".join(str(m) for m in moments).encode()).hexdigest()[:32]
        return cls(last_modified=last, etag=f'"{digest}"')

    @property
    def http_last_modified(self) -> datetime | None:
        """Last-Modified for HTTP, withheld while the change is under a second old.

        HTTP dates have whole seconds: a poller that saw the page earlier in the same second as an
        edit would otherwise be told `304` for the new one. The ETag tells them apart meanwhile.
        """
        if timezone.now() - self.last_modified < timedelta(seconds=1):
            return None
        return self.last_modified


def _latest_due(show_filter: Q) -> Subquery:
    due = Episode.objects.published().filter(show_filter).order_by("-pub_date").values("pub_date")
    return Subquery(due[:1])


def _show_row(slug: str, *fields: str) -> tuple | None:
    return (
        Show.objects.filter(slug=slug)
        .annotate(latest_due=_latest_due(Q(show=OuterRef("pk"))))
        .values_list("updated", "latest_due", *fields)
        .first()
    )


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
    stamp = Stamp.of(row["updated"], row["due"])
    digest = hashlib.sha256(f"{stamp.etag}|{row['shows']}".encode()).hexdigest()[:32]
    return Stamp(last_modified=stamp.last_modified, etag=f'"{digest}"')


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
def _show_content_changed(sender, instance, **kwargs) -> None:
    touch_shows(Q(pk=instance.show_id))


@receiver(post_save, sender=Appearance)
@receiver(post_delete, sender=Appearance)
@receiver(post_save, sender=PlatformLink)
@receiver(post_delete, sender=PlatformLink)
@receiver(post_save, sender=Chapter)
@receiver(post_delete, sender=Chapter)
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
