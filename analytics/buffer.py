"""Events on their way to the database: appended on the request, stored in batches by a task.

With Redis (ANALYTICS_REDIS_URL, by default REDIS_URL) each event is one RPUSH onto a list that
every app server shares; a flush renames the list to a batch key of its own (atomically, so events
pushed meanwhile start a new list), stores the batch, then deletes it. A flush that dies half-way
leaves its batch behind and the next flush stores it again: storing is idempotent (a download or a
poll is unique per listener and day in the database).

Without Redis, or while it is away, an event is appended to a spool file of the process in
ANALYTICS_SPOOL_DIR (one write() of one line, under an exclusive lock); the flush on the same
machine takes each file the same way: rename under the lock, store, delete.

The daily salt of the listener hash lives beside the events, never in the database: a Redis key
that expires after its day, or a file in the spool folder that the next day's flush deletes.
"""

import contextlib
import fcntl
import functools
import json
import logging
import os
import secrets
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

LIST_KEY = "analytics:events"
BATCH_PREFIX = "analytics:batch:"
SALT_PREFIX = "analytics:salt:"
CHUNK = 5_000  # events read and stored per round trip


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
    """Keep one event until the next flush; raises only if neither Redis nor the disk takes it."""
    line = json.dumps(event, separators=(",", ":"))
    client = redis_client()
    if client is not None:
        try:
            client.rpush(LIST_KEY, line)
            return
        except redis.RedisError as exc:
            logger.warning("Analytics buffer: Redis unavailable, spooling to disk: %s", exc)
    _append(_spool() / f"events-{os.getpid()}.jsonl", (line + "\n").encode())


def _append(path: Path, data: bytes) -> None:
    while True:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            # A flush may have taken the file while we waited for the lock: start a new one.
            with contextlib.suppress(FileNotFoundError):
                if os.fstat(fd).st_ino == os.stat(path).st_ino:
                    os.write(fd, data)
                    return
        finally:
            os.close(fd)


# --- draining (the flush) -----------------------------------------------------------------------


def drain() -> Iterator[list[list]]:
    """Every buffered event, in chunks; a chunk is gone from the buffer once the caller resumes.

    The caller stores each chunk before asking for the next, so a crash in between costs at most a
    chunk stored twice, which storage ignores.
    """
    client = redis_client()
    if client is not None:
        try:
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


def _drain_spool() -> Iterator[list[list]]:
    spool = _spool()
    for path in sorted(spool.glob("events-*.jsonl")):
        fd = os.open(path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # waits for a write in progress to finish
            with contextlib.suppress(FileNotFoundError):  # another flush took it
                path.rename(spool / f"batch-{uuid.uuid4().hex}.jsonl")
        finally:
            os.close(fd)
    for batch in sorted(spool.glob("batch-*.jsonl")):
        with batch.open("rb") as handle:
            events = [json.loads(line) for line in handle if line.strip()]
        for start in range(0, len(events), CHUNK):
            yield events[start : start + CHUNK]
        batch.unlink(missing_ok=True)


def pending() -> int:
    """Events waiting for the next flush (for the dashboard and tests)."""
    count = 0
    client = redis_client()
    if client is not None:
        with contextlib.suppress(redis.RedisError):
            count += client.llen(LIST_KEY)
            count += sum(client.llen(key) for key in client.scan_iter(match=f"{BATCH_PREFIX}*"))
    for path in _spool().glob("*.jsonl"):
        with path.open("rb") as handle:
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
        end = datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)
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
