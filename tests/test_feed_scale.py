"""The feed at scale: an edit re-renders what it changed, a crowd of pollers costs one build, and
the assembled feed is byte for byte the feed a fresh install builds from scratch."""

import logging
import os
import re
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.utils.xmlutils import SimplerXMLGenerator
from lxml import etree

from episodes.feed import build, items, serve
from episodes.feed.build import build_feed
from episodes.feed.freshness import feed_state
from episodes.feed.items import ItemRenderer
from episodes.models import (
    Appearance,
    Episode,
    EpisodeValueRecipient,
    FeedBuild,
    FeedItem,
    ShowValueRecipient,
    Soundbite,
)
from podcast.generate import cover_art
from tests.conftest import requires_postgresql
from tests.factories import (
    AppearanceFactory,
    ChapterFactory,
    EpisodeFactory,
    GuestFactory,
    PlatformLinkFactory,
    ShowFactory,
    TagFactory,
)

ROOT = Path(__file__).resolve().parent.parent
NODE = "03ae9f91a0cb8ff43840e3c322c4c61f019d8c1c3cea15a25cfc425ac605e61a4a"  # a keysend pubkey


@pytest.fixture
def catalogue(show):
    """Three episodes: two share a guest and a tag; the show has a host restated on each."""
    host = GuestFactory(name="Ada Host")
    show.hosts.add(host)
    shared_guest, tag = GuestFactory(name="Shared Guest"), TagFactory(name="shared")
    episodes = [EpisodeFactory(show=show, show_notes=f"Notes **{n}**") for n in range(3)]
    for episode in episodes[:2]:
        AppearanceFactory(episode=episode, guest=shared_guest)
        episode.tags.add(tag)
    AppearanceFactory(episode=episodes[2], guest__name="Other Guest")
    ChapterFactory(episode=episodes[0], title="Intro")
    PlatformLinkFactory(episode=episodes[1])
    return episodes


def feed_of(show) -> bytes:
    response = Client().get(show.get_feed_path())
    assert response.status_code == 200
    return response.content


def from_scratch(show) -> bytes:
    """What a fresh install with empty caches builds: nothing kept, nothing cached."""
    cache.clear()
    state = feed_state(show.slug, build.feed_version())
    return build_feed(show.slug, state.stamp.last_modified, keep=False)


def _rename_guest(episodes):
    guest = episodes[0].appearances.get().guest
    guest.name = "Renamed Guest"
    guest.save()


def _guest_photo(episodes):
    guest = episodes[0].appearances.get().guest
    guest.photo.save("face.jpg", ContentFile(cover_art(size=64, fmt="JPEG")))


def _edit_appearance(episodes):
    appearance = episodes[2].appearances.get()
    appearance.role = Appearance.Role.CO_HOST
    appearance.save()


def _rename_tag(episodes):
    tag = episodes[0].tags.get()
    tag.name = "renamed tag"
    tag.save()


def _edit_chapter(episodes):
    chapter = episodes[0].chapters.get()
    chapter.title = "Edited chapter"
    chapter.save()


def _transcript(episodes):
    episodes[1].transcript.save("t.srt", ContentFile(b"1\n00:00:00,000 --> 00:00:01,000\nHi\n"))


def _show_language(episodes):
    show = episodes[0].show
    show.language = "de"
    show.save()


def _rename_host(episodes):
    host = episodes[0].show.hosts.get()
    host.name = "Renamed Host"
    host.save()


def _edit_show_description(episodes):
    show = episodes[0].show
    show.description = "Only the channel shows this."
    show.save()


def _edit_episode(episodes):
    episodes[1].title = "Edited title"
    episodes[1].save()


# Each edit, and which of the three episodes' items it re-renders.
EDITS = {
    "episode": (_edit_episode, {1}),
    "show notes": (lambda e: (setattr(e[2], "show_notes", "New *notes*"), e[2].save()), {2}),
    "guest": (_rename_guest, {0, 1}),
    "guest photo": (_guest_photo, {0, 1}),
    "appearance": (_edit_appearance, {2}),
    "appearance added": (lambda e: AppearanceFactory(episode=e[2], order=5), {2}),
    "appearance removed": (lambda e: e[0].appearances.all().delete(), {0}),
    "tag": (_rename_tag, {0, 1}),
    "tag added": (lambda e: e[2].tags.add(TagFactory(name="new")), {2}),
    "tag removed": (lambda e: e[0].tags.clear(), {0}),
    "tag cleared from its side": (lambda e: e[0].tags.get().episodes.clear(), {0, 1}),
    "tag deleted": (lambda e: e[0].tags.get().delete(), {0, 1}),
    "chapter": (_edit_chapter, {0}),
    "chapters removed": (lambda e: e[0].chapters.all().delete(), {0}),
    "chapter added": (lambda e: ChapterFactory(episode=e[2], start_time=0), {2}),
    "link": (lambda e: e[1].links.all().delete(), {1}),
    "transcript": (_transcript, {1}),
    "episode unpublished": (lambda e: (setattr(e[1], "status", "draft"), e[1].save()), set()),
    "episode moved away": (lambda e: (setattr(e[1], "show", ShowFactory()), e[1].save()), set()),
    "soundbite": (lambda e: Soundbite.objects.create(episode=e[1], start_time=5, duration=10), {1}),
    "episode value recipient": (
        lambda e: EpisodeValueRecipient.objects.create(
            episode=e[0], name="Ann", address=NODE, split=1
        ),
        {0},
    ),
    "show value recipient (items may repeat it)": (
        lambda e: ShowValueRecipient.objects.create(
            show=e[0].show, name="Sam", address=NODE, split=1
        ),
        {0, 1, 2},
    ),
    "show language (every item repeats it)": (_show_language, {0, 1, 2}),
    "host renamed (restated on every item)": (_rename_host, {0, 1, 2}),
    "show description (no item shows it)": (_edit_show_description, set()),
}


@pytest.mark.parametrize("edit", EDITS)
def test_after_each_edit_the_assembled_feed_is_the_feed_built_from_scratch(catalogue, edit):
    show = catalogue[0].show
    before = Client().get(show.get_feed_path())  # every item kept
    change, _ = EDITS[edit]
    change(catalogue)
    after = Client().get(show.get_feed_path())
    assert after["ETag"] != before["ETag"]
    assert after.content == from_scratch(show)


@pytest.mark.parametrize("edit", EDITS)
def test_an_edit_re_renders_the_items_it_changed_and_no_other(catalogue, edit, monkeypatch):
    show = catalogue[0].show
    feed_of(show)
    rendered: list[int] = []
    render = ItemRenderer.render

    def counting(self, ids):
        rendered.extend(ids)
        return render(self, ids)

    monkeypatch.setattr(ItemRenderer, "render", counting)
    change, expected = EDITS[edit]
    change(catalogue)
    feed_of(show)
    assert set(rendered) == {catalogue[n].pk for n in expected}
    assert len(rendered) == len(expected)


@pytest.mark.django_db(transaction=True)
def test_a_fresh_process_builds_the_same_bytes_after_edits(catalogue):
    requires_postgresql("A second process reaches the test database only on a database server")
    show = catalogue[0].show
    feed_of(show)
    for edit in ("guest", "tag", "chapter", "appearance", "episode", "host renamed"):
        next(change for name, (change, _) in EDITS.items() if name.startswith(edit))(catalogue)
        feed_of(show)
    served = feed_of(show)
    state = feed_state(show.slug, build.feed_version())
    settings_dict = connection.settings_dict
    url = (
        f"postgres://{settings_dict['USER']}@{settings_dict['HOST'] or '127.0.0.1'}:"
        f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
    )
    script = (
        "import sys, django\n"
        "from datetime import datetime\n"
        "django.setup()\n"
        "from episodes.feed.build import build_feed\n"
        "moment = datetime.fromisoformat(sys.argv[2])\n"
        "sys.stdout.buffer.write(build_feed(sys.argv[1], moment, keep=False))\n"
    )
    fresh = subprocess.run(
        [sys.executable, "-c", script, show.slug, state.stamp.last_modified.isoformat()],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "podcast.settings",
            "DATABASE_URL": url,
            "DEBUG": "1",
            "REDIS_URL": "",
        },
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert fresh.returncode == 0, fresh.stderr.decode()
    assert fresh.stdout == served


def _rewritten(node, handler: SimplerXMLGenerator) -> None:
    """Write a parsed element again through Django's XML writer, under its prefixed name."""
    qname = etree.QName(node)
    prefix = {v: k for k, v in node.nsmap.items() if k}.get(qname.namespace)
    name = f"{prefix}:{qname.localname}" if prefix else qname.localname
    handler.startElement(name, dict(node.attrib))
    if node.text:
        handler.characters(node.text)
    for child in node:
        _rewritten(child, handler)
    handler.endElement(name)


def test_items_are_what_djangos_xml_writer_writes(catalogue):
    """Items are written as strings, not through Django's writer: written again through it from
    what a parser reads in them, every item comes out the same, hostile values and all."""
    import io

    show = catalogue[0].show
    catalogue[0].title = "Quotes \" and ' and\ttabs & <b> \x01"
    catalogue[0].audio_url = "https://cdn.example.com/a b/ü?a=1&b='2'"
    catalogue[0].save()
    Soundbite.objects.create(episode=catalogue[0], start_time=5, duration=10, title="A & <b>")
    for name in ('Ann "the" o\'Brien\t& co', 'Bo "Quotes"', "Cy <o'Neil>"):
        EpisodeValueRecipient.objects.create(episode=catalogue[1], name=name, address=NODE, split=1)
    content = build_feed(show.slug, timezone.now(), keep=False).decode()
    written = re.findall(r"<item>.*?</item>", content, flags=re.DOTALL)
    parsed = etree.fromstring(content.encode()).findall("channel/item")
    assert len(written) == len(parsed) == 3
    assert any("&quot;" in xml and "&#9;" in xml for xml in written)  # the hostile names
    for xml, item in zip(written, parsed, strict=True):
        expected = io.StringIO()
        _rewritten(item, SimplerXMLGenerator(expected, "utf-8", short_empty_elements=True))
        assert xml == expected.getvalue()


def test_item_dates_are_djangos():
    from datetime import UTC, datetime
    from datetime import timezone as fixed

    from django.utils.feedgenerator import rfc2822_date

    zones = [UTC, fixed(timedelta(hours=5, minutes=30)), fixed(-timedelta(hours=8)), None]
    for zone in zones:
        for day in range(1, 400, 37):
            moment = datetime(2026, 1, 1, 7, 5, 9, tzinfo=zone) + timedelta(days=day)
            assert items.rfc2822_date(moment) == rfc2822_date(moment)


# --- one build per change -------------------------------------------------------------------------


@pytest.fixture
def slow_builds(monkeypatch):
    """Builds that take a while, as a large archive's do, so that pollers really overlap them."""
    real = serve.build_feed

    def slow(*args, **kwargs):
        time.sleep(0.3)
        return real(*args, **kwargs)

    monkeypatch.setattr(serve, "build_feed", slow)


def crowd(url: str, count: int = 20, **headers: str) -> list:
    """`count` polls at once from threads, each with a client (and a connection) of its own."""
    start = threading.Barrier(count)
    answers: list = [None] * count

    def poll(n: int) -> None:
        try:
            start.wait(timeout=10)
            answers[n] = Client().get(url, headers=headers)
        finally:
            connection.close()

    threads = [threading.Thread(target=poll, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_polls_cost_one_build(slow_builds):
    show = ShowFactory(slug="crowded")
    episodes = [EpisodeFactory(show=show) for _ in range(5)]

    answers = crowd(show.get_feed_path())
    assert [a.status_code for a in answers] == [200] * 20
    assert len({a.content for a in answers}) == 1
    assert serve.builds(show.pk) == 1

    old = answers[0]
    episodes[0].title = "Edited while everyone polls"
    episodes[0].save()
    time.sleep(1.1)  # the edit's Last-Modified is then a whole second old
    answers = crowd(show.get_feed_path())
    assert [a.status_code for a in answers] == [200] * 20
    assert serve.builds(show.pk) == 2
    new_etag = feed_state(show.slug, build.feed_version()).stamp.etag
    for answer in answers:  # the previous copy, or the new one, each under its own validators
        assert answer["ETag"] == (old["ETag"] if answer.content == old.content else new_etag)
    assert b"Edited while everyone polls" in feed_of(show)
    assert serve.builds(show.pk) == 2


def test_while_another_process_builds_the_previous_copy_is_served_with_its_own_validators(
    client, episode, settled
):
    show = episode.show
    old = client.get(show.get_feed_path())
    episode.title = "Edited"
    episode.save()
    settled.tick()
    FeedBuild.objects.filter(show=show).update(
        holder="another process", expires=timezone.now() + timedelta(minutes=1)
    )
    serve.forget_process_copies()  # as in another process of the same server

    response = client.get(show.get_feed_path())
    assert response.status_code == 200
    assert response.content == old.content
    assert response["ETag"] == old["ETag"]
    assert response["Last-Modified"] == old["Last-Modified"]
    again = client.get(show.get_feed_path(), headers={"if-none-match": old["ETag"]})
    assert again.status_code == 304  # they hold what we would give
    assert serve.builds(show.pk) == 1


@pytest.mark.django_db(transaction=True)
def test_a_builder_that_died_holding_the_lease_does_not_hold_the_feed(settings):
    settings.FEED_BUILD_TIMEOUT = 1.5
    show = ShowFactory(slug="orphaned")
    EpisodeFactory(show=show, title="Still served")
    # What a builder killed mid-build leaves behind: the lease, and no copy anywhere.
    assert serve.Lease(show.pk).take()
    started = time.monotonic()

    response = Client().get(show.get_feed_path())
    waited = time.monotonic() - started
    assert response.status_code == 200
    assert b"Still served" in response.content
    assert waited < settings.FEED_BUILD_TIMEOUT + 5
    assert serve.builds(show.pk) == 1  # the dead builder made none


def test_a_builder_keeps_its_lease_alive_while_it_renders(show, monkeypatch):
    EpisodeFactory(show=show)
    renewed: list[int] = []
    renew = serve.Lease.renew
    monkeypatch.setattr(serve.Lease, "renew", lambda lease: renewed.append(1) or renew(lease))
    feed_of(show)
    assert renewed
    lease = FeedBuild.objects.get(show=show)
    assert lease.holder == "" and lease.expires is None  # released when done


def test_a_lease_is_exclusive_until_released_or_expired(show, settings):
    first, second = serve.Lease(show.pk), serve.Lease(show.pk)
    assert first.take()
    assert not second.take()
    first.release(built=False)
    assert second.take()
    first.renew()  # not its lease any more: changes nothing
    FeedBuild.objects.filter(show=show).update(expires=timezone.now() - timedelta(seconds=1))
    assert first.take()
    second.renew()
    assert FeedBuild.objects.get(show=show).holder == first.holder


# --- the snapshot on disk -------------------------------------------------------------------------


def test_concurrent_snapshot_writers_never_collide(show, caplog, settings):
    stamp = feed_state(show.slug, build.feed_version()).stamp
    copies = [serve.Copy(stamp, f"<rss>{n}</rss>".encode() * 50_000) for n in range(16)]
    start = threading.Barrier(len(copies))

    def write(copy: serve.Copy) -> None:
        start.wait(timeout=10)
        for _ in range(5):
            serve._write_snapshot(show.slug, copy)

    with caplog.at_level(logging.WARNING):
        threads = [threading.Thread(target=write, args=(copy,)) for copy in copies]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not [r for r in caplog.records if "not written" in r.getMessage()]
    assert serve._snapshot(show.slug, stamp).content in {copy.content for copy in copies}
    assert [p.name for p in Path(settings.FEED_SNAPSHOT_ROOT).iterdir()] == [f"{show.slug}.feed"]


def test_deleting_episodes_leaves_no_kept_item_behind(catalogue):
    show = catalogue[0].show
    feed_of(show)
    Episode.objects.filter(show=show).delete()  # appearances, tags and items go with them
    connection.check_constraints()
    assert not FeedItem.objects.exists()
    assert feed_of(show).count(b"<item>") == 0


def test_kept_items_are_stored_in_the_database(catalogue):
    show = catalogue[0].show
    feed_of(show)
    kept = FeedItem.objects.filter(episode__show=show)
    assert kept.count() == 3
    assert all(item.rendered_version == item.version for item in kept)
    assert all(item.xml.startswith("<item>") for item in kept)
    Episode.objects.filter(pk=catalogue[0].pk).update(title="Changed without signals")
    serve.forget_process_copies()
    cache.clear()
    # A new process, with nothing but the database: the items come from there, unrendered.
    assert b"Changed without signals" not in feed_of(show)
