"""The buffer (Redis, or spool files without it), the tasks and the periodic command."""

import io
import json
import os
import threading
import time

import pytest
import redis
from django.core.management import call_command

from analytics import buffer, store, tasks
from analytics.models import DailyDownloads, Download
from podcast.enclosures import audio_url
from tests.conftest import service_missing

REDIS_URL = os.environ.get("ANALYTICS_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
APP = "Overcast/3.0 (+http://overcast.fm/; iOS podcast app)"


@pytest.fixture
def analytics_redis(settings):
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        service_missing(f"This test needs Redis at {REDIS_URL}: {exc}")
        pytest.skip(f"No Redis at {REDIS_URL}")
    client.flushdb()
    settings.ANALYTICS_REDIS_URL = REDIS_URL
    yield client
    client.flushdb()


def get(client, episode, address: str):
    return client.get(audio_url(episode), REMOTE_ADDR=address, HTTP_USER_AGENT=APP)


def moved(client: redis.Redis, count: int, seconds: float = 10) -> bool:
    """Whether `count` events reach the shared list within `seconds`, nobody asking for them."""
    deadline = time.monotonic() + seconds
    while client.llen(buffer.LIST_KEY) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return client.llen(buffer.LIST_KEY) == count


def test_with_redis_events_wait_in_one_shared_list(client, episode, analytics_redis, settings):
    for n in range(5):
        get(client, episode, f"198.51.100.{n}")
    assert moved(analytics_redis, 5)  # the process's mover took them on from the spool
    assert not list(settings.ANALYTICS_SPOOL_DIR.glob("*.jsonl"))
    (salt_key,) = analytics_redis.keys("analytics:salt:*")
    assert 0 < analytics_redis.ttl(salt_key) <= 24 * 60 * 60
    store.catch_up()
    assert Download.objects.count() == 5
    assert analytics_redis.llen(buffer.LIST_KEY) == 0
    assert buffer.pending() == 0


def test_an_audio_request_makes_no_round_trip_to_redis(
    client, episode, analytics_redis, monkeypatch
):
    answering = threading.get_ident()
    pushed_by = []
    real_rpush = redis.Redis.rpush

    def rpush(self, *args):
        pushed_by.append(threading.get_ident())
        return real_rpush(self, *args)

    monkeypatch.setattr(redis.Redis, "rpush", rpush)
    for n in range(3):
        assert get(client, episode, f"198.51.100.{n}").status_code == 302
    assert moved(analytics_redis, 3)
    assert pushed_by and answering not in pushed_by


def test_events_left_by_a_process_that_died_reach_redis_and_are_stored(
    client, episode, analytics_redis, settings
):
    spool = settings.ANALYTICS_SPOOL_DIR
    spool.mkdir(parents=True, exist_ok=True)
    events = [["d", 1_780_000_000.0 + n, episode.pk, f"{n:032d}", APP, ""] for n in range(3)]
    lines = "".join(json.dumps(event) + "\n" for event in events)
    # A process killed after answering: its spool file is all that is left of its events.
    (spool / "events-999999999.jsonl").write_text(lines)
    get(client, episode, "198.51.100.9")  # any process's first event starts its mover
    assert moved(analytics_redis, 4)
    store.catch_up()
    assert Download.objects.count() == 4


def test_a_spool_folder_that_takes_nothing_sends_events_straight_to_redis(
    client, episode, analytics_redis, settings, tmp_path
):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the spool folder should be")
    settings.ANALYTICS_SPOOL_DIR = blocked
    assert get(client, episode, "198.51.100.1").status_code == 302
    assert analytics_redis.llen(buffer.LIST_KEY) == 1
    settings.ANALYTICS_SPOOL_DIR = tmp_path / "analytics"
    store.catch_up()
    assert Download.objects.count() == 1


def test_a_batch_left_by_a_dead_flush_is_stored_once(client, episode, analytics_redis):
    for n in range(4):
        get(client, episode, f"198.51.100.{n}")
    chunks = buffer.drain()
    first = next(chunks)  # stored below, but the flush "dies" before the batch is trimmed
    store.store(first)
    chunks.close()
    assert buffer.pending() == 4
    store.catch_up()
    assert Download.objects.count() == 4
    assert buffer.pending() == 0


def test_with_redis_away_events_go_to_the_spool_and_nothing_is_lost(client, episode, settings):
    settings.ANALYTICS_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = get(client, episode, "198.51.100.1")
    assert response.status_code == 302
    assert buffer.pending() == 1
    assert list(settings.ANALYTICS_SPOOL_DIR.glob("*.jsonl"))
    store.catch_up()
    assert Download.objects.count() == 1


def test_spool_writers_lose_nothing_while_many_claimers_take_their_files(settings, episode):
    """Writers in four threads; three flushes at once, as the movers of many processes claim the
    same spool files."""
    stop = threading.Event()
    sent = 2000

    def write(offset: int) -> None:
        for n in range(sent // 4):
            buffer.push(["d", 1_780_000_000.0 + n, episode.pk, f"{offset:02d}{n:030d}", APP, ""])

    drained = []

    def flush_while_writing() -> None:  # drains only: this thread's connection sees no test data
        while not stop.is_set():
            drained.extend(buffer.drain())

    writers = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    flushers = [threading.Thread(target=flush_while_writing) for _ in range(3)]
    for thread in flushers + writers:
        thread.start()
    for thread in writers:
        thread.join()
    stop.set()
    for thread in flushers:
        thread.join()
    for chunk in drained:
        store.store(chunk)
    store.catch_up()
    assert Download.objects.count() == sent


def test_yesterdays_salt_file_is_thrown_away(settings, clock_day):
    buffer.salt(clock_day.yesterday)
    buffer.salt(clock_day.today)
    store.flush()
    names = sorted(p.name for p in settings.ANALYTICS_SPOOL_DIR.glob("salt-*"))
    assert names == [f"salt-{clock_day.today.isoformat()}"]


@pytest.fixture
def clock_day(db):
    from datetime import timedelta

    from django.utils import timezone

    class Days:
        today = timezone.now().date()
        yesterday = today - timedelta(days=1)

    return Days


def test_the_tasks_store_roll_up_and_prune(client, episode):
    get(client, episode, "198.51.100.1")
    days = tasks.flush_events.call()
    assert len(days) == 1
    assert DailyDownloads.objects.get(episode=episode).downloads == 1
    DailyDownloads.objects.all().delete()
    tasks.rollup_days.call(days)
    assert DailyDownloads.objects.get(episode=episode).downloads == 1
    assert tasks.apply_retention.call() == {"downloads": 0, "polls": 0}


def test_the_tasks_can_be_enqueued_for_the_worker(db):
    result = tasks.flush_events.enqueue()
    assert result.task.name == "flush_events"


def test_the_periodic_command_flushes_and_reports(client, episode):
    get(client, episode, "198.51.100.1")
    out = io.StringIO()
    call_command("analytics", stdout=out)
    assert "Rolled up 1 day(s)" in out.getvalue()
    assert Download.objects.count() == 1
    call_command("analytics", "--rebuild", stdout=io.StringIO())
    assert DailyDownloads.objects.get(episode=episode).downloads == 1
