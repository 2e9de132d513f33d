"""Serving a show's feed, top to bottom as a poll runs.

1. `middleware.FeedNotModifiedMiddleware` answers a poller whose copy is current with `304`
   before the rest of the stack runs: one query, the stamp (`not_modified`).
2. `feed` (the view): `301` for a show that moved; `304` again; else the copy of the current
   stamp, looked for in this process's memory, the shared cache (Redis), this server's snapshot
   on disk, and only then built (`build.py`: the channel plus the kept items).
3. One build per change: one thread per process looks further than memory, and one process among
   all servers builds, chosen by a lease in the database (`FeedBuild`) that expires after
   `FEED_BUILD_TIMEOUT`, so a builder that died frees it. Everyone else answers at once with the
   previous copy, under that copy's own validators (they come back for the new one), or, with no
   copy anywhere, waits for the build.
4. With the database away: the last good copy (memory, cache, disk), else `503` with
   `Retry-After` (never 403 or 410: podcast apps unsubscribe on those).

Every answer gets its validators from `Stamp.answer`, the one way they are applied.
"""

import logging
import os
import secrets
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Q
from django.db.models.functions import Now
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.utils.cache import patch_cache_control
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_safe

from episodes.feed.build import PodcastFeedGenerator, build_feed, feed_version
from episodes.feed.freshness import FeedState, Stamp, feed_state
from episodes.models import FeedBuild
from podcast.cors import public_cors
from podcast.middleware import DATABASE_ERRORS

logger = logging.getLogger(__name__)

RETRY_AFTER = 120  # seconds, for a 503 while no copy can be had
POLL_INTERVAL = 0.05  # seconds between looks for a build another process is making


@dataclass(frozen=True)
class Copy:
    """One built feed and the stamp it was built for."""

    stamp: Stamp
    content: bytes


class FeedUnavailable(Exception):
    """No copy of the feed could be had in time."""


# --- validators -----------------------------------------------------------------------------------


def _state(request: HttpRequest, show: str) -> FeedState | None:
    """The show's feed state, read once per request (one indexed query)."""
    if not hasattr(request, "feed_state"):
        request.feed_state = feed_state(show, feed_version())
    return request.feed_state


def _answer(request: HttpRequest, stamp: Stamp, content: bytes | None = None) -> HttpResponse:
    response = HttpResponse(content or b"", content_type=PodcastFeedGenerator.content_type)
    patch_cache_control(response, public=True, max_age=settings.FEED_CACHE_SECONDS)
    return stamp.answer(request, response)


def not_modified(request: HttpRequest, show: str) -> HttpResponse | None:
    """The `304` for a poller whose copy is current, else None; one indexed query."""
    state = _state(request, show)
    if state is None or state.new_feed_url:  # no such show, or moved: the view answers
        return None
    response = _answer(request, state.stamp)
    return None if response.status_code == 200 else response


# --- the copies -----------------------------------------------------------------------------------

# This process's newest copy of each show's feed: a current poll costs one query and no transfer.
_held: dict[str, Copy] = {}
_fetching: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)


def forget_process_copies() -> None:
    """Drop this process's copies, as a new process starts (tests)."""
    _held.clear()


def _cache_key(show: str) -> str:
    return f"feed:{feed_version()}:{show}"


def _shared(show: str, stamp: Stamp | None) -> Copy | None:
    """The shared cache's copy: of `stamp`, or (None) whichever it holds, the last good one.

    One entry per show, replaced by each build; a small entry beside it names its ETag, so a
    look that finds an older copy does not transfer megabytes.
    """
    if stamp is not None and cache.get(_cache_key(show) + ":etag") != stamp.etag:
        return None
    saved = cache.get(_cache_key(show))
    if saved is None:
        return None
    copy = Copy(Stamp(saved[1], saved[0]), saved[2])
    return copy if stamp is None or copy.stamp == stamp else None


def _snapshot_path(show: str) -> Path:
    return Path(settings.FEED_SNAPSHOT_ROOT) / f"{show}.feed"


def _snapshot(show: str, stamp: Stamp | None) -> Copy | None:
    """This server's copy on disk: the ETag and time on two lines, then the feed."""
    try:
        with _snapshot_path(show).open("rb") as file:
            etag = file.readline().decode().strip()
            if stamp is not None and etag != stamp.etag:
                return None
            moment = parse_datetime(file.readline().decode().strip())
            content = file.read()
    except (OSError, UnicodeDecodeError):
        return None
    if moment is None:
        return None
    return Copy(Stamp(moment, etag), content)


def _write_snapshot(show: str, copy: Copy) -> None:
    """Keep the copy on disk for every process of this server, also while the database is away.

    Each writer has a temporary file of its own, replaced into place atomically: a reader sees
    the old copy or the new, never half of one, and concurrent writers never share a name.
    """
    path = _snapshot_path(show)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(prefix=f".{show}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as file:
                header = f"{copy.stamp.etag}\n{copy.stamp.last_modified.isoformat()}\n"
                file.write(header.encode())
                file.write(copy.content)
            os.replace(partial, path)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    except OSError as exc:
        logger.warning("Feed snapshot of %s not written: %s", show, exc)


def _publish(show: str, copy: Copy) -> None:
    """Make a new copy the one every process and server finds."""
    saved = (copy.stamp.etag, copy.stamp.last_modified, copy.content)
    cache.set(_cache_key(show), saved, timeout=None)
    cache.set(_cache_key(show) + ":etag", copy.stamp.etag, timeout=None)
    _write_snapshot(show, copy)


def last_good(show: str) -> Copy | None:
    """The newest copy to be had without the database."""
    return _held.get(show) or _shared(show, None) or _snapshot(show, None)


# --- one build per change -------------------------------------------------------------------------


class Lease:
    """The right to build one show's feed, shared by every process and server through the
    database. The builder renews it after each chunk of items; one that stops (it died) loses
    it `FEED_BUILD_TIMEOUT` seconds after its last sign of life."""

    def __init__(self, show_id: int) -> None:
        self.show_id = show_id
        self.holder = secrets.token_hex(16)

    def take(self) -> bool:
        rows = FeedBuild.objects.filter(show_id=self.show_id)
        free = Q(expires__isnull=True) | Q(expires__lte=Now())
        timeout = timedelta(seconds=settings.FEED_BUILD_TIMEOUT)
        take = {"holder": self.holder, "expires": Now() + timeout}
        if rows.filter(free).update(**take):
            return True
        # A show's first build makes its row; taken or not, the second try tells.
        FeedBuild.objects.bulk_create([FeedBuild(show_id=self.show_id)], ignore_conflicts=True)
        return bool(rows.filter(free).update(**take))

    def renew(self) -> None:
        """Still building: the lease runs FEED_BUILD_TIMEOUT from now (only while still ours)."""
        timeout = timedelta(seconds=settings.FEED_BUILD_TIMEOUT)
        FeedBuild.objects.filter(show_id=self.show_id, holder=self.holder).update(
            expires=Now() + timeout
        )

    def release(self, built: bool) -> None:
        """Give the lease up, counting the build if one was made under it."""
        FeedBuild.objects.filter(show_id=self.show_id, holder=self.holder).update(
            holder="", expires=None, builds=F("builds") + int(built)
        )


def _build(show: str, state: FeedState, lease: Lease) -> Copy:
    started = time.perf_counter()
    content = build_feed(show, state.stamp.last_modified, progress=lease.renew)
    if content is None:  # deleted since the stamp was read
        raise Http404("No such show")
    copy = Copy(state.stamp, content)
    _publish(show, copy)
    logger.info("Feed of %s built in %.2f s", show, time.perf_counter() - started)
    return copy


def _built_elsewhere(show: str, stamp: Stamp) -> Copy | None:
    return _shared(show, stamp) or _snapshot(show, stamp)


def _new_copy(show: str, state: FeedState, previous: Copy | None) -> Copy:
    """The copy of `state`, found or built here; while another process builds, the previous one."""
    # A lease ends within FEED_BUILD_TIMEOUT, dead holder or not: by then this process builds.
    deadline = time.monotonic() + 2 * settings.FEED_BUILD_TIMEOUT
    while True:
        copy = _built_elsewhere(show, state.stamp)
        if copy is not None:
            return copy
        lease = Lease(state.show_id)
        if lease.take():
            built = False
            try:
                # Someone may have finished between the look above and the lease.
                copy = _built_elsewhere(show, state.stamp)
                if copy is None:
                    copy, built = _build(show, state, lease), True
                return copy
            finally:
                lease.release(built)
        previous = previous or last_good(show)
        if previous is not None:
            return previous
        if time.monotonic() > deadline:
            raise FeedUnavailable(show)
        time.sleep(POLL_INTERVAL)


def current_copy(show: str, state: FeedState) -> Copy:
    """The copy to answer with: the current one, or the previous one while it is being built."""
    held = _held.get(show)
    if held is not None and held.stamp == state.stamp:
        return held
    fetching = _fetching[show]
    # One thread per process looks further; the others answer with what the process holds.
    wait = 2 * settings.FEED_BUILD_TIMEOUT if held is None else 0
    if not fetching.acquire(timeout=wait) if wait else not fetching.acquire(blocking=False):
        if held is None:
            raise FeedUnavailable(show)
        return held
    try:
        held = _held.get(show)
        if held is not None and held.stamp == state.stamp:
            return held
        copy = _new_copy(show, state, held)
        if held is None or copy.stamp == state.stamp:
            _held[show] = copy
        return copy
    finally:
        fetching.release()


def _unavailable() -> HttpResponse:
    response = HttpResponse(
        "The feed is briefly unavailable.", status=503, content_type="text/plain"
    )
    response["Retry-After"] = str(RETRY_AFTER)
    return response


@public_cors
@require_safe
def feed(request: HttpRequest, show: str) -> HttpResponse:
    """The show's podcast feed, built once per change and answered with 304 when unchanged.

    Once the show has moved (`new_feed_url`), this URL answers 301 to the new feed, before any
    validator, so that every poller follows it; the built feed still names the new URL.
    """
    try:
        state = _state(request, show)
        if state is None:
            raise Http404("No such show")
        if state.new_feed_url:
            return HttpResponsePermanentRedirect(state.new_feed_url)
        response = _answer(request, state.stamp)
        if response.status_code != 200:
            return response
        copy = current_copy(show, state)
    except DATABASE_ERRORS:
        logger.exception("Feed of %s served from its last good copy: database unavailable", show)
        copy = last_good(show)
    except FeedUnavailable:
        logger.error("Feed of %s: no copy and no build within the build timeout", show)
        copy = None
    if copy is None:
        return _unavailable()
    return _answer(request, copy.stamp, copy.content)


def builds(show_id: int) -> int:
    """How many builds of the show's feed were made, by every process and server."""
    return FeedBuild.objects.filter(show_id=show_id).values_list("builds", flat=True).first() or 0
