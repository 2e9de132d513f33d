"""Linked alternate renditions: the worker fetches each new address once and reads it.

A save that leaves a rendition's address unread (a new or changed URL) queues `read_linked` after
the commit. The task fetches with the importer's guards (public addresses only, timeouts, a size
cap), reads the file with mutagen and stores everything read, or only the problem, in one save;
the feed announces the rendition once it is read without a problem.
"""

import http.client

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.tasks import task

from episodes.importers.fetch import Fetcher, FetchError
from episodes.models import AlternateEnclosure
from podcast.media import MediaError, RenditionInfo, read_rendition
from podcast.tasks import enqueue_on_commit, retrying


class RenditionUnreachable(Exception):
    """No answer from the rendition's host: worth another try later (the problem is stored)."""


def fetch_and_read(url: str) -> RenditionInfo:
    """The linked file, downloaded under the importer's guards and read by mutagen."""
    fetcher = Fetcher(
        allow_private=settings.ALLOW_PRIVATE_RENDITIONS,
        private_hint="ALLOW_PRIVATE_RENDITIONS=1 allows it",
    )
    handle, _ = fetcher.fetch_to_file(url, settings.MAX_AUDIO_UPLOAD_BYTES)
    with handle:
        return read_rendition(handle)


@task
@retrying(attempts=4)
def read_linked(rendition_id: int, url: str) -> str:
    """Read the rendition at `url`, unless its address changed or it was read since queued."""
    if not AlternateEnclosure.objects.filter(pk=rendition_id, url=url).exclude(
        read_url=url, read_problem=""
    ):
        return "deleted, moved to another address, or read already"
    info, problem, unreachable = None, "", False
    try:
        info = fetch_and_read(url)
    except FetchError as exc:
        problem = str(exc)
        # No answer at all, as opposed to an answer we refuse (a status, a size, an address).
        unreachable = isinstance(exc.__cause__, OSError | http.client.HTTPException)
    except MediaError as exc:
        problem = f"{url}: {exc}"
    with transaction.atomic():
        rendition = AlternateEnclosure.objects.select_for_update().filter(pk=rendition_id).first()
        if rendition is None or rendition.url != url:
            return "deleted or moved to another address while it was read"
        rendition.take(info)
        rendition.read_url, rendition.read_problem = url, problem
        rendition.save()
    if unreachable:
        raise RenditionUnreachable(problem)
    return problem or f"read: {info.mime_type}, {info.size:,} bytes, {info.duration} s"


@receiver(post_save, sender=AlternateEnclosure)
def _queue_reading(sender, instance: AlternateEnclosure, **kwargs) -> None:
    if instance.needs_reading:
        enqueue_on_commit(read_linked, instance.pk, instance.url)
