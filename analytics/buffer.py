"""Events on their way to the database: appended on the request, stored in batches by a task.

A request appends its event to a spool file of its process in ANALYTICS_SPOOL_DIR (one write() of
one line, under an exclusive lock): no round trip to anything, and the event outlives the process.
With Redis (ANALYTICS_REDIS_URL, by default REDIS_URL), each process's mover thread hands its
machine's spooled events on a moment later to one Redis list that every app server shares; a flush
renames the list to a batch key of its own (atomically, so events pushed meanwhile start a new
list), stores the batch, then deletes it. A flush that dies half-way leaves its batch behind and
the next flush stores it again: storing is idempotent (a download or a poll is unique per listener
and day in the database), which also makes an event moved twice harmless.

Without Redis, or while it is away, events wait in the spool; the flush on the same machine takes
each file the same way: rename under the lock, store, delete.

The daily salt of the listener hash lives beside the events, never in the database: a Redis key
that expires after its day, or a file in the spool folder that the next day's flush deletes.
"""

import atexit
import contextlib
import fcntl
import functools
import json
import logging
import os
import secrets
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_start
from pathlib import Path

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

LIST_KEY = "analytics:events"
BATCH_PREFIX = "analytics:batch:"
SALT_PREFIX = "analytics:salt:"
CHUNK = 5_000  # events read and stored per round trip
# How long a mover waits after an event before it moves: events of the next moments go with it.
MOVE_DELAY = 0.05  # seconds
RETRY_DELAY = 2.0  # seconds between moves while Redis is away
# A batch claimed this long ago and still in the spool was left by a mover that died (or by one
# Redis refused): any mover takes it on.
STRANDED_AFTER = 10  # seconds


@functools.cache
def _client(url: str) -> redis.Redis:
    # Short timeouts: a Redis that is away must cost an audio request milliseconds, not seconds.
    return redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=1)


def redis_client() -> redis.Redis | None:
    url = settings.ANALYTICS_REDIS_URL
    return _client(url) if url else None


def _spool() -> Path:
    path = Path(settings.ANALYTICS_SPOOL_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- appending (the request) --------------------------------------------------------------------


def push(event: list) -> None:
    """Keep one event until the next flush; raises only if neither the disk nor Redis takes it.

    The request costs one append to this machine's disk, never a round trip: with Redis, the
    process's mover takes the event on from there (`move_to_redis`).
    """
    line = json.dumps(event, separators=(",", ":"))
    path = os.path.join(settings.ANALYTICS_SPOOL_DIR, f"events-{os.getpid()}.jsonl")
    try:
        _append(path, (line + "\n").encode())
    except OSError:
        client = redis_client()
        if client is None:
            raise
        # A disk that takes nothing (full, read-only): straight to Redis, a round trip each.
        logger.warning("Analytics buffer: the spool folder takes nothing, pushing to Redis")
        try:
            client.rpush(LIST_KEY, line)
        except redis.RedisError as exc:
            raise OSError(f"Neither the spool folder nor Redis took the event: {exc}") from exc
        return
    if settings.ANALYTICS_REDIS_URL:
        _mover.wake()


def _append(path: str, data: bytes) -> None:
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
    while True:
        try:
            fd = os.open(path, flags, 0o600)
        except FileNotFoundError:  # no folder yet: made on the first event, not checked on each
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd = os.open(path, flags, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            # A flush may have taken the file while we waited for the lock: start a new one.
            if _still_named(fd, path):
                os.write(fd, data)
                return
        finally:
            os.close(fd)


def _still_named(fd: int, path: str | Path) -> bool:
    """Whether `path` still names the file `fd` has locked: a claimer renames files away."""
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False


# --- moving the spool on to Redis (each process's mover) ---------------------------------------

# One move at a time in a process: the mover thread, a flush and `pending` never see one batch
# both in the spool and in Redis.
_moving = threading.Lock()


def move_to_redis() -> None:
    """Hand this machine's spooled events on to the shared Redis list (none: nothing to do).

    A batch is deleted only once Redis has all of it; one that Redis did not take stays in the
    spool for the next move or the flush (and one moved twice is stored once).
    """
    client = redis_client()
    if client is None:
        return
    with _moving:
        claimed = _claim_spool()
        # Batches another mover claimed are its to move, unless it died doing so.
        stranded = time.time() - STRANDED_AFTER
        for batch in claimed + [b for b in _batches() if b not in claimed and _older(b, stranded)]:
            try:
                lines = [line for line in batch.read_bytes().splitlines() if line.strip()]
            except FileNotFoundError:  # a flush took it meanwhile
                continue
            for start in range(0, len(lines), CHUNK):
                client.rpush(LIST_KEY, *lines[start : start + CHUNK])
            batch.unlink(missing_ok=True)


class _Mover:
    """This process's thread that moves the spool on to Redis shortly after each event."""

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._started_in = 0  # the pid that started the thread: a forked child starts its own
        self._failing = False

    def wake(self) -> None:
        if self._started_in != os.getpid():
            self._start()
        self._wake.set()

    def _start(self) -> None:
        with _starting:
            if self._started_in == os.getpid():
                return
            self._wake = threading.Event()
            self._wake.set()  # first, whatever processes before this one left in the spool
            threading.Thread(target=self._run, name="analytics-mover", daemon=True).start()
            if not self._started_in:
                atexit.register(self._last_move)
            self._started_in = os.getpid()

    def _last_move(self) -> None:
        """At a clean exit, the last moments' events go on at once rather than with the next."""
        if self._started_in == os.getpid():
            with contextlib.suppress(Exception):
                move_to_redis()

    def _run(self) -> None:
        wake = self._wake
        while True:
            wake.wait()
            time.sleep(MOVE_DELAY if not self._failing else RETRY_DELAY)
            wake.clear()
            try:
                move_to_redis()
            except Exception as exc:
                # The thread outlives any failure: the events are still in the spool. One
                # warning per outage, not one per event.
                if not self._failing:
                    logger.warning("Analytics buffer: events wait in the spool: %r", exc)
                self._failing = True
            else:
                self._failing = False


_starting = threading.Lock()
_mover = _Mover()


def _new_locks() -> None:
    """A child forked while another thread held a lock would inherit it held, for ever."""
    global _moving, _starting
    _moving, _starting = threading.Lock(), threading.Lock()


os.register_at_fork(after_in_child=_new_locks)


# --- draining (the flush) -----------------------------------------------------------------------


def drain() -> Iterator[list[list]]:
    """Every buffered event, in chunks; a chunk is gone from the buffer once the caller resumes.

    The caller stores each chunk before asking for the next, so a crash in between costs at most a
    chunk stored twice, which storage ignores.
    """
    client = redis_client()
    if client is not None:
        try:
            move_to_redis()
            yield from _drain_redis(client)
        except redis.RedisError as exc:
            logger.warning("Analytics buffer: Redis unavailable, flushing the spool only: %s", exc)
    yield from _drain_spool()


def _drain_redis(client: redis.Redis) -> Iterator[list[list]]:
    """Take the list, and any batch an earlier flush left, each under a key of this flush's own.

    Claiming by RENAME is atomic, so two flushes never trim the same batch: one that loses a
    batch to another (only a batch it was part-way through) finds its key gone and stops, and
    whatever it stored meanwhile is stored again by the other, which storing ignores.
    """
    for key in [LIST_KEY, *client.scan_iter(match=f"{BATCH_PREFIX}*", count=100)]:
        own = f"{BATCH_PREFIX}{uuid.uuid4().hex}"
        try:
            client.rename(key, own)
        except redis.ResponseError:  # no such key: empty, or another flush took it
            continue
        while lines := client.lrange(own, 0, CHUNK - 1):
            yield [json.loads(line) for line in lines]
            client.ltrim(own, len(lines), -1)  # an emptied list is deleted by Redis itself


def _batches() -> list[Path]:
    return sorted(_spool().glob("batch-*.jsonl"))


def _older(path: Path, moment: float) -> bool:
    try:
        return path.stat().st_mtime < moment
    except FileNotFoundError:
        return False


def _claim_spool() -> list[Path]:
    """Rename every process's events file to a batch of its own (returned); writers start new
    files."""
    spool = _spool()
    claimed = []
    for path in sorted(spool.glob("events-*.jsonl")):
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:  # another mover or flush took it
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # waits for a write in progress to finish
            # Another claimer may have renamed the file we opened, and a writer made a new one
            # under the name: that one is not ours to take without holding its lock.
            if _still_named(fd, path):
                batch = path.rename(spool / f"batch-{uuid.uuid4().hex}.jsonl")
                os.utime(fd)  # claimed now: not taken for stranded by another mover
                claimed.append(batch)
        finally:
            os.close(fd)
    return claimed


def _drain_spool() -> Iterator[list[list]]:
    _claim_spool()
    for batch in _batches():
        try:
            with batch.open("rb") as handle:
                events = [json.loads(line) for line in handle if line.strip()]
        except FileNotFoundError:  # a mover took it on to Redis meanwhile
            continue
        for start in range(0, len(events), CHUNK):
            yield events[start : start + CHUNK]
        batch.unlink(missing_ok=True)


def pending() -> int:
    """Events waiting for the next flush (for the dashboard and tests)."""
    count = 0
    with _moving:
        client = redis_client()
        if client is not None:
            with contextlib.suppress(redis.RedisError):
                count += client.llen(LIST_KEY)
                keys = client.scan_iter(match=f"{BATCH_PREFIX}*")
                count += sum(client.llen(key) for key in keys)
        for path in _spool().glob("*.jsonl"):
            with contextlib.suppress(FileNotFoundError), path.open("rb") as handle:
                count += sum(1 for line in handle if line.strip())
    return count


# --- the daily salt -----------------------------------------------------------------------------

_salts: dict[tuple[str, date], bytes] = {}


def salt(day: date) -> bytes:
    """The random salt of `day` (UTC), shared by every process; gone once the day is over."""
    where = settings.ANALYTICS_REDIS_URL or str(settings.ANALYTICS_SPOOL_DIR)
    held = _salts.get((where, day))
    if held is None:
        held = _shared_salt(day)
        _salts.clear()  # yesterday's is never needed again
        _salts[(where, day)] = held
    return held


def _shared_salt(day: date) -> bytes:
    client = redis_client()
    if client is not None:
        end = datetime.combine(day + timedelta(days=1), day_start(), tzinfo=UTC)
        try:
            key = f"{SALT_PREFIX}{day.isoformat()}"
            # Whoever comes first sets it; everyone reads the same one. It expires with its day.
            client.set(key, secrets.token_bytes(32), nx=True, exat=end)
            value = client.get(key)
            if value:
                return value
        except redis.RedisError as exc:
            logger.warning("Analytics salt: Redis unavailable, using the spool's: %s", exc)
    path = _spool() / f"salt-{day.isoformat()}"
    if not path.exists():
        # Written whole under another name, then linked: no process ever reads half a salt.
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
        partial.write_bytes(secrets.token_bytes(32))
        with contextlib.suppress(FileExistsError):
            os.link(partial, path)
        partial.unlink()
    return path.read_bytes()


def forget_old_salts(today: date) -> None:
    """Throw away the salt files of past days: nothing can then be tied back to a listener."""
    for path in _spool().glob("salt-*"):
        if path.name < f"salt-{today.isoformat()}":
            path.unlink(missing_ok=True)
