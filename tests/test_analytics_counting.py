"""Counting downloads and subscribers: the synthetic access log replayed over real HTTP."""

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from lxml import etree

from analytics import buffer, reports, store
from analytics.models import DailyBreakdown, DailyDownloads, Dimension, Download, FeedPoll
from podcast.enclosures import audio_url, enclosure_url
from tests import access_log
from tests.factories import EpisodeFactory

AUDIO = bytes(range(256)) * 64  # 16 KiB of "audio"


@pytest.fixture
def client(client):
    """A podcast app: requests without a User-Agent are left out as scripts."""
    client.defaults["HTTP_USER_AGENT"] = access_log.POCKET_CASTS
    return client


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = timezone.now()

        def set(self, moment: datetime) -> None:
            self.now = moment

    moment = Clock()
    monkeypatch.setattr(timezone, "now", lambda: moment.now)
    return moment


def with_local_audio(episode, settings, name: str):
    """Give an episode an uploaded file (served by the app with byte ranges)."""
    path = settings.MEDIA_ROOT / "shows" / episode.show.slug / "audio" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(AUDIO)
    type(episode).objects.filter(pk=episode.pk).update(
        audio_file=f"shows/{episode.show.slug}/audio/{name}", audio_url=""
    )
    episode.refresh_from_db()
    return episode


LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)  # published well before the log's days


@pytest.fixture
def episodes(show, settings):
    return {
        "A": with_local_audio(EpisodeFactory(show=show, pub_date=LONG_AGO), settings, "a.mp3"),
        "B": with_local_audio(EpisodeFactory(show=show, pub_date=LONG_AGO), settings, "b.mp3"),
        "C": EpisodeFactory(
            show=show, pub_date=LONG_AGO, audio_url="https://cdn.example.com/c.mp3"
        ),
    }


def replay(client, clock, log: access_log.Log, episodes: dict, show) -> list[int]:
    statuses = []
    for line in log.lines:
        clock.set(line.at)
        if line.target == "feed":
            path = show.get_feed_path()
        elif line.target == "missing":
            path = "/listen/999999/nothing.mp3"
        else:
            path = audio_url(episodes[line.target])
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in line.headers.items()}
        response = client.generic(
            line.method,
            path,
            REMOTE_ADDR=line.address,
            HTTP_USER_AGENT=line.user_agent,
            **extra,
        )
        statuses.append(response.status_code)
    return statuses


def test_the_synthetic_access_log_gives_exactly_the_expected_counts(client, clock, show, episodes):
    log = access_log.generate()
    statuses = replay(client, clock, log, episodes, show)
    assert {206, 302, 304, 404} <= set(statuses), sorted(set(statuses))
    clock.set(access_log.at(access_log.NEXT_DAY, 12, 0))
    store.catch_up()

    counted = {
        (name, day): DailyDownloads.objects.get(episode=episode, day=day).downloads
        for name, episode in episodes.items()
        for day in (access_log.DAY, access_log.NEXT_DAY)
        if DailyDownloads.objects.filter(episode=episode, day=day).exists()
    }
    assert counted == log.downloads
    assert Download.objects.count() == sum(log.downloads.values())
    show_day = DailyDownloads.objects.get(show=show, episode=None, day=access_log.DAY)
    assert show_day.downloads == 4 + 1 + log.apps_seen
    assert not Download.objects.filter(agent_kind="bot").exists()

    estimate = reports.subscribers(show, access_log.NEXT_DAY)
    assert dict(estimate.aggregators) == log.aggregators
    assert estimate.other_pollers == log.other_pollers
    assert estimate.total == sum(log.aggregators.values()) + log.other_pollers

    referrers = DailyBreakdown.objects.filter(
        show=show, episode=None, dimension=Dimension.REFERRER, day=access_log.DAY
    )
    assert list(referrers.values_list("value", "downloads")) == [("Overcast", 1)]


def test_no_raw_address_reaches_the_database(client, clock, show, episodes):
    log = access_log.generate(app_count=10, bot_count=5)
    replay(client, clock, log, episodes, show)
    store.catch_up()
    assert Download.objects.exists() and FeedPoll.objects.exists()
    dump = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            dump.extend(str(value) for row in cursor.fetchall() for value in row)
    everything = "\n".join(dump)
    for line in log.lines:
        assert line.address not in everything
    salt = buffer.salt(access_log.DAY)
    assert salt.hex() not in everything


def test_the_real_address_is_the_one_behind_the_trusted_proxies(client, clock, settings, episode):
    settings.TRUSTED_PROXY_COUNT = 1
    url = audio_url(episode)
    # The proxy appends the client's address; whatever the client put before it is not trusted.
    for spoofed in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        client.get(url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"{spoofed}, 198.51.100.7")
    client.get(url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8")
    store.catch_up()
    assert Download.objects.filter(episode=episode).count() == 2


def test_measured_enclosure_serves_the_same_bytes_and_ranges_as_media(client, show, settings):
    episode = with_local_audio(EpisodeFactory(show=show), settings, "ep.mp3")
    url = audio_url(episode)
    assert url.startswith("/listen/") and url.endswith("/ep.mp3")
    whole = client.get(url)
    assert whole.status_code == 200
    assert b"".join(whole.streaming_content) == AUDIO
    direct = client.get(episode.audio_file.url, HTTP_RANGE="bytes=100-199")
    ranged = client.get(url, HTTP_RANGE="bytes=100-199")
    assert ranged.status_code == direct.status_code == 206
    assert ranged["Content-Range"] == direct["Content-Range"] == f"bytes 100-199/{len(AUDIO)}"
    assert b"".join(ranged.streaming_content) == AUDIO[100:200]
    assert ranged["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        url, HTTP_ORIGIN="https://app.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert preflight.status_code == 204
    assert client.get(url, HTTP_RANGE=f"bytes={len(AUDIO)}-").status_code == 416
    head = client.head(url)
    assert head.status_code == 200 and head["Content-Length"] == str(len(AUDIO))
    assert client.post(url).status_code == 405


def test_audio_hosted_elsewhere_is_a_counted_redirect(client, episode):
    response = client.get(audio_url(episode), HTTP_USER_AGENT=access_log.SPOTIFY)
    assert response.status_code == 302
    assert response["Location"] == episode.audio_url
    assert response["Cache-Control"] == "no-store"
    store.catch_up()
    assert Download.objects.get().app == "Spotify"


def test_drafts_keep_the_files_own_url_and_the_measured_path_hides_them(client, show):
    draft = EpisodeFactory(show=show, draft=True)
    assert audio_url(draft) == draft.audio_url
    assert client.get(f"/listen/{draft.pk}/x.mp3").status_code == 404


def test_the_feed_enclosure_goes_through_the_measured_path_and_the_guid_stays(
    client, episode, settings
):
    feed = etree.fromstring(client.get(episode.show.get_feed_path()).content)
    assert feed.xpath("//item/enclosure/@url") == [enclosure_url(episode)]
    assert enclosure_url(episode).startswith(f"{settings.SITE_URL}/listen/{episode.pk}/")
    assert feed.xpath("//item/guid/text()") == [episode.guid]


def test_a_file_name_that_needs_quoting_is_quoted_once(client, show, settings):
    episode = EpisodeFactory(show=show, audio_url="https://cdn.example.org/my%20show/ep%201.mp3")
    url = audio_url(episode)
    assert url == f"/listen/{episode.pk}/ep%25201.mp3"  # the name as the audio's URL has it
    feed = etree.fromstring(client.get(show.get_feed_path()).content)
    assert feed.xpath("//item/enclosure/@url") == [f"{settings.SITE_URL}{url}"]
    answer = client.get(url)
    assert answer.status_code == 302 and answer["Location"] == episode.audio_url


def test_measurement_off_gives_the_files_own_urls_and_counts_nothing(client, settings, episode):
    settings.ANALYTICS_ENABLED = False
    assert enclosure_url(episode) == episode.audio_url
    page = client.get(episode.get_absolute_url()).content.decode()
    assert f'src="{episode.audio_url}"' in page
    # URLs already in apps keep working.
    assert client.get(f"/listen/{episode.pk}/x.mp3").status_code == 302
    client.get(episode.show.get_feed_path())
    assert buffer.pending() == 0


def test_the_304_poll_still_takes_one_query_and_writes_nothing(
    client, episode, settled, django_assert_num_queries
):
    path = episode.show.get_feed_path()
    etag = client.get(path)["ETag"]
    settled.tick()
    with django_assert_num_queries(1):
        response = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert buffer.pending() == 2  # the 200 and the 304, waiting for the flush
    store.catch_up()
    assert FeedPoll.objects.get().app


def test_requests_without_a_user_agent_are_not_counted(client, episode):
    client.get(audio_url(episode), HTTP_USER_AGENT="")
    store.catch_up()
    assert not Download.objects.exists()


def test_a_probe_or_a_head_is_not_even_buffered(client, episode):
    url = audio_url(episode)
    client.head(url)
    client.get(url, HTTP_RANGE="bytes=0-1")
    assert buffer.pending() == 0
    client.get(url, HTTP_RANGE="bytes=0-2")
    assert buffer.pending() == 1


def test_a_flush_that_died_half_way_is_stored_once(client, episode, settings):
    for n in range(3):
        client.get(audio_url(episode), REMOTE_ADDR=f"198.51.100.{n}")
    batches = list(buffer.drain())
    assert sum(len(b) for b in batches) == 3
    # Stored, but the process died before the buffer let go: the next flush stores it again.
    store.store(batches[0])
    spool = settings.ANALYTICS_SPOOL_DIR
    (spool / "batch-leftover.jsonl").write_text("\n".join(json.dumps(e) for e in batches[0]) + "\n")
    store.catch_up()
    assert Download.objects.count() == 3


def test_retention_deletes_old_raw_rows_and_keeps_the_daily_figures(
    client, clock, settings, episode
):
    settings.ANALYTICS_RETENTION_DAYS = 30
    type(episode).objects.filter(pk=episode.pk).update(pub_date=LONG_AGO)
    episode.refresh_from_db()
    old = timezone.now() - timedelta(days=40)
    clock.set(old)
    client.get(audio_url(episode))
    store.catch_up()
    clock.set(old + timedelta(days=40))
    client.get(audio_url(episode))
    store.catch_up()
    assert store.apply_retention() == {"downloads": 1, "polls": 0}
    assert Download.objects.count() == 1
    assert DailyDownloads.objects.filter(episode=episode).count() == 2
    # A rollup of a day no longer kept raw must not wipe its figures.
    store.rollup({old.date()})
    assert DailyDownloads.objects.filter(episode=episode, day=old.date()).exists()


def test_downloads_command_flushes_first_and_prints_csv(client, clock, show, episodes):
    log = access_log.generate(app_count=5, bot_count=2)
    replay(client, clock, log, episodes, show)
    clock.set(access_log.at(access_log.NEXT_DAY, 12, 0))
    out = io.StringIO()
    call_command("downloads", "--csv", "--show", show.slug, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "day,show,episode_guid,downloads"
    guid = {name: e.guid for name, e in episodes.items()}
    assert sorted(lines[1:]) == sorted(
        [
            f"{access_log.DAY},{show.slug},{guid['A']},4",
            f"{access_log.DAY},{show.slug},{guid['B']},1",
            f"{access_log.DAY},{show.slug},{guid['C']},5",
            f"{access_log.NEXT_DAY},{show.slug},{guid['A']},1",
        ]
    )
    out = io.StringIO()
    call_command("downloads", "--csv", "--days", "1", stdout=out)
    assert out.getvalue().splitlines()[1:] == [f"{access_log.NEXT_DAY},{show.slug},{guid['A']},1"]


def test_downloads_command_refuses_an_unknown_show(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No show"):
        call_command("downloads", "--csv", "--show", "nope", stdout=io.StringIO())


def test_a_replaced_file_is_served_at_once_and_an_unpublished_one_soon_stops(
    client, show, settings, monkeypatch
):
    import time

    from analytics import views

    episode = with_local_audio(EpisodeFactory(show=show), settings, "first.mp3")
    assert client.get(audio_url(episode)).status_code == 200
    # A replaced file has a new name, so a new URL: served at once, not from what was known.
    replaced = with_local_audio(episode, settings, "second.mp3")
    (settings.MEDIA_ROOT / "shows" / show.slug / "audio" / "first.mp3").unlink()
    url = audio_url(replaced)
    assert client.get(url).status_code == 200
    type(episode).objects.filter(pk=episode.pk).update(status="draft", pub_date=None)
    later = time.monotonic() + views.KNOWN_SECONDS + 1
    monkeypatch.setattr(views.time, "monotonic", lambda: later)
    assert client.get(url).status_code == 404
