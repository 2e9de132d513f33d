"""Which saves change a published feed: each is recorded for announcement (notify.announce).

Drafts and scheduled episodes are not in any feed, so editing them announces nothing; publishing,
editing a live episode or what it shows (people, chapters, tags), unpublishing, deleting, and any
show change do. Nothing here runs without a hub or Podping configured.
"""

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from episodes.models import Appearance, Chapter, Episode, Show, Tag
from guests.models import Guest
from notify.announce import feed_changed, is_configured, schedule_go_live


def _live_shows(episodes: Q) -> list[int]:
    """The shows of the live episodes matching `episodes`."""
    return list(
        Episode.objects.published().filter(episodes).values_list("show_id", flat=True).distinct()
    )


def _nothing_added_or_removed(action: str, pk_set) -> bool:
    """`set()` with what is already there still sends `post_add`, with no primary keys."""
    return action in ("post_add", "post_remove") and not pk_set


@receiver(pre_save, sender=Episode)
def _remember_episode(sender, instance: Episode, raw: bool = False, **kwargs) -> None:
    if raw or not is_configured() or not instance.pk:
        return
    before = Episode.objects.filter(pk=instance.pk).values("show_id", "status", "pub_date").first()
    if before:
        before["live"] = Episode.objects.published().filter(pk=instance.pk).exists()
    instance._notify_before = before


@receiver(post_save, sender=Episode)
def _episode_saved(sender, instance: Episode, created: bool, raw: bool = False, **kwargs) -> None:
    if raw or not is_configured():
        return
    before = getattr(instance, "_notify_before", None) if not created else None
    instance._notify_before = None
    was_live = bool(before and before["live"])
    if instance.is_published or was_live:
        if not was_live:
            action = "published"
        elif not instance.is_published:
            action = "unpublished"
        else:
            action = "edited"
        shows = {instance.show_id, before["show_id"] if was_live else instance.show_id}
        feed_changed(shows, f"“{instance.title}” {action}")
    moved = before is None or (before["status"], before["pub_date"]) != (
        instance.status,
        instance.pub_date,
    )
    if instance.is_scheduled and moved:
        schedule_go_live(instance)


@receiver(post_delete, sender=Episode)
def _episode_deleted(sender, instance: Episode, **kwargs) -> None:
    if is_configured() and instance.is_published:
        feed_changed([instance.show_id], f"“{instance.title}” deleted")


@receiver(post_save, sender=Appearance)
@receiver(post_delete, sender=Appearance)
@receiver(post_save, sender=Chapter)
@receiver(post_delete, sender=Chapter)
def _episode_part_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw or not is_configured():
        return
    live = Episode.objects.published().filter(pk=instance.episode_id)
    for show_id, title in live.values_list("show_id", "title"):
        feed_changed([show_id], f"“{title}” edited")


@receiver(m2m_changed, sender=Episode.tags.through)
def _episode_tags_changed(sender, instance, action: str, pk_set, **kwargs) -> None:
    if not is_configured() or _nothing_added_or_removed(action, pk_set):
        return
    if isinstance(instance, Episode):
        if action.startswith("post_") and instance.is_published:
            feed_changed([instance.show_id], f"“{instance.title}” tags changed")
    elif action == "pre_clear":
        feed_changed(_live_shows(Q(tags=instance)), f"tag “{instance}” removed")
    elif action.startswith("post_"):
        feed_changed(_live_shows(Q(pk__in=pk_set or [])), f"tag “{instance}” changed")


@receiver(post_save, sender=Tag)
@receiver(pre_delete, sender=Tag)
def _tag_changed(sender, instance: Tag, raw: bool = False, **kwargs) -> None:
    if not raw and is_configured():
        feed_changed(_live_shows(Q(tags=instance.pk)), f"tag “{instance}” changed")


@receiver(post_save, sender=Guest)
@receiver(pre_delete, sender=Guest)
def _guest_changed(sender, instance: Guest, raw: bool = False, **kwargs) -> None:
    if raw or not is_configured():
        return
    shows = _live_shows(Q(appearances__guest=instance.pk))
    shows += Show.objects.filter(hosts=instance.pk).values_list("pk", flat=True)
    feed_changed(shows, f"“{instance}” changed")


@receiver(post_save, sender=Show)
def _show_saved(sender, instance: Show, created: bool, raw: bool = False, **kwargs) -> None:
    if not (raw or created) and is_configured():
        feed_changed([instance.pk], "show details edited")


@receiver(m2m_changed, sender=Show.hosts.through)
def _show_hosts_changed(sender, instance, action: str, pk_set, **kwargs) -> None:
    if not (is_configured() and action.startswith("post_")) or _nothing_added_or_removed(
        action, pk_set
    ):
        return
    if isinstance(instance, Show):
        feed_changed([instance.pk], "hosts changed")
    else:
        feed_changed(pk_set or [], f"host “{instance}” changed")
