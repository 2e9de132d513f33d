import io
from datetime import timedelta
from email.utils import parsedate_to_datetime

import feedparser
import podcastparser
import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections
from django.db.utils import OperationalError
from django.utils import timezone
from django.utils.http import http_date
from lxml import etree

from episodes.feed.items import description_html
from episodes.models import Appearance, Episode, Show
from podcast import rules
from podcast.enclosures import enclosure_url
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

pytestmark = pytest.mark.django_db

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "atom": "http://www.w3.org/2005/Atom",
}
SITE = "http://127.0.0.1:8000"


def fetch(client, show, **headers):
    response = client.get(show.get_feed_path(), headers=headers)
    assert response.status_code == 200, response.status_code
    return response


def channel_of(content: bytes):
    return etree.fromstring(content).find("channel")


def one(node, path: str):
    found = node.xpath(path, namespaces=NS)
    assert len(found) == 1, (path, found)
    return found[0]


@pytest.fixture
def host(db):
    host = GuestFactory(name="Ada Host", slug="ada-host")
    host.photo.save("ada.jpg", ContentFile(cover_art(size=64, fmt="JPEG")))
    return host


@pytest.fixture
def full_show(show, host):
    show.category = "Arts"
    show.subcategory = "Fashion & Beauty"
    show.copyright = "© 2026 Ada"
    show.funding_url = "https://example.com/support"
    show.funding_text = "Buy us a coffee"
    show.cover_art.save("art.png", ContentFile(cover_art(size=1400)))
    show.hosts.add(host)
    return show


@pytest.fixture
def full_episode(full_show, host):
    episode = EpisodeFactory(
        show=full_show,
        title="Shipping & <testing>",
        summary="First paragraph.\n\nSecond & last.",
        show_notes="## Notes\n\nSee [the paper](https://example.com/p). <script>x()</script>",
        season_number=2,
        episode_number=7,
        episode_type=Episode.EpisodeType.BONUS,
        explicit=True,
        cover_art_url="https://cdn.example.com/ep7.jpg",
    )
    episode.transcript.save("ep7.vtt", ContentFile(b"WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n"))
    AppearanceFactory(episode=episode, guest=host, role=Appearance.Role.HOST)
    AppearanceFactory(episode=episode, guest__name="Grace Guest", order=1)
    AppearanceFactory(
        episode=episode, guest__name="Pat Producer", role=Appearance.Role.PRODUCER, order=2
    )
    ChapterFactory(episode=episode, start_time=0, title="Intro")
    episode.tags.add(TagFactory(name="testing"))
    return episode


def test_real_clients_read_the_feed(client, full_episode):
    content = fetch(client, full_episode.show).content

    parsed = feedparser.parse(content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.feed.title == "The Show"
    assert parsed.entries[0].id == full_episode.guid

    podcast = podcastparser.parse(SITE + full_episode.show.get_feed_path(), io.BytesIO(content))
    assert podcast["title"] == "The Show"
    assert podcast["cover_url"] == SITE + full_episode.show.cover_art.url
    (item,) = podcast["episodes"]
    assert item["title"] == "Shipping & <testing>"
    assert item["guid"] == full_episode.guid
    assert item["total_time"] == 1800
    assert item["number"] == 7
    assert item["explicit"] is True
    assert item["published"] == int(full_episode.pub_date.timestamp())
    (enclosure,) = item["enclosures"]
    assert enclosure == {
        "url": enclosure_url(full_episode),
        "file_size": 1_234_567,
        "mime_type": "audio/mpeg",
    }


def test_namespaces_are_exact(client, full_episode):
    root = etree.fromstring(fetch(client, full_episode.show).content)
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    assert root.nsmap == NS | {None: None} or root.nsmap == NS


def test_channel_carries_every_element(client, full_episode, host):
    show = full_episode.show
    channel = channel_of(fetch(client, show).content)
    text = {path: one(channel, path).text for path in [
        "title", "link", "description", "language", "copyright", "itunes:author",
        "itunes:owner/itunes:name", "itunes:owner/itunes:email", "itunes:explicit",
        "itunes:type", "podcast:guid", "podcast:locked", "podcast:funding", "image/url",
    ]}  # fmt: skip
    assert text == {
        "title": "The Show",
        "link": f"{SITE}/the-show/",
        "description": "A show about things.",
        "language": "en",
        "copyright": "© 2026 Ada",
        "itunes:author": "Ada Host",
        "itunes:owner/itunes:name": "Ada Host",
        "itunes:owner/itunes:email": "ada@example.com",
        "itunes:explicit": "false",
        "itunes:type": "episodic",
        "podcast:guid": str(show.podcast_guid),
        "podcast:locked": "yes",
        "podcast:funding": "Buy us a coffee",
        "image/url": SITE + show.cover_art.url,
    }
    assert one(channel, "atom:link").attrib == {"href": f"{SITE}/the-show/feed.xml", "rel": "self"}
    assert one(channel, "itunes:image").get("href") == SITE + show.cover_art.url
    category = one(channel, "itunes:category")
    assert category.get("text") == "Arts"
    assert one(category, "itunes:category").get("text") == "Fashion & Beauty"
    assert one(channel, "podcast:locked").get("owner") == "ada@example.com"
    assert one(channel, "podcast:funding").get("url") == "https://example.com/support"
    assert not channel.xpath("itunes:new-feed-url|itunes:complete", namespaces=NS)
    person = one(channel, "podcast:person")
    assert person.text == "Ada Host"
    assert person.attrib == {
        "role": "host",
        "group": "cast",
        "href": f"{SITE}/guests/ada-host/",
        "img": SITE + host.photo.url,
    }
    # lastBuildDate is the freshness stamp, not the clock.
    assert parsedate_to_datetime(one(channel, "lastBuildDate").text) == show_updated(show)


def show_updated(show: Show):
    show.refresh_from_db()
    return show.updated.replace(microsecond=0)


def test_item_carries_every_element(client, full_episode):
    item = one(channel_of(fetch(client, full_episode.show).content), "item")
    episode = full_episode
    assert one(item, "title").text == "Shipping & <testing>"
    assert one(item, "link").text == f"{SITE}/the-show/episodes/{episode.slug}/"
    guid = one(item, "guid")
    assert (guid.text, guid.get("isPermaLink")) == (episode.guid, "false")
    assert parsedate_to_datetime(one(item, "pubDate").text) == episode.pub_date.replace(
        microsecond=0
    )
    assert one(item, "pubDate").text.endswith("+0000")
    assert one(item, "enclosure").attrib == {
        "url": enclosure_url(episode),
        "length": "1234567",
        "type": "audio/mpeg",
    }
    assert one(item, "description").text == "<p>First paragraph.</p><p>Second &amp; last.</p>"
    notes = one(item, "content:encoded").text
    assert "<h2>Notes</h2>" in notes
    assert 'href="https://example.com/p"' in notes
    assert "<script" not in notes
    assert one(item, "itunes:duration").text == "1800"
    assert one(item, "itunes:season").text == one(item, "podcast:season").text == "2"
    assert one(item, "itunes:episode").text == one(item, "podcast:episode").text == "7"
    assert one(item, "itunes:episodeType").text == "bonus"
    assert one(item, "itunes:explicit").text == "true"
    assert one(item, "itunes:image").get("href") == "https://cdn.example.com/ep7.jpg"
    assert one(item, "category").text == "testing"
    assert one(item, "podcast:transcript").attrib == {
        "url": SITE + episode.transcript.url,
        "type": "text/vtt",
        "language": "en",
        "rel": "captions",
    }
    assert one(item, "podcast:chapters").attrib == {
        "url": f"{SITE}/the-show/episodes/{episode.slug}/chapters.json",
        "type": "application/json+chapters",
    }
    persons = [
        (p.text, p.get("role"), p.get("group"), p.get("href"))
        for p in item.xpath("podcast:person", namespaces=NS)
    ]
    guest, producer = (a.guest for a in episode.appearances.all()[1:])
    assert persons == [
        ("Ada Host", "host", "cast", f"{SITE}/guests/ada-host/"),
        ("Grace Guest", "guest", "cast", SITE + guest.get_absolute_url()),
        ("Pat Producer", "producer", "creative direction", SITE + producer.get_absolute_url()),
    ]


def test_the_hosts_are_restated_on_items_without_appearances(client, full_show):
    EpisodeFactory(show=full_show)
    item = one(channel_of(fetch(client, full_show).content), "item")
    assert [p.text for p in item.xpath("podcast:person", namespaces=NS)] == ["Ada Host"]


def test_optional_item_elements_are_left_out_when_missing(client, show):
    EpisodeFactory(show=show, summary="", show_notes="Only *notes* here & there.")
    item = one(channel_of(fetch(client, show).content), "item")
    assert one(item, "description").text == "<p>Only notes here &amp; there.</p>"
    assert one(item, "itunes:episodeType").text == "full"
    for absent in [
        "itunes:image", "itunes:season", "itunes:episode", "podcast:season", "podcast:episode",
        "podcast:transcript", "podcast:chapters", "podcast:person", "category",
    ]:  # fmt: skip
        assert not item.xpath(absent, namespaces=NS), absent


def test_external_chapters_and_moved_show_elements(full_show):
    from episodes.feed.build import build_feed

    EpisodeFactory(show=full_show, chapters_url="https://cdn.example.com/ch.json")
    full_show.new_feed_url = "https://new.example.com/feed.xml"
    full_show.complete = True
    full_show.locked = False
    full_show.save()
    content = build_feed(full_show.slug, timezone.now())
    channel = channel_of(content)
    assert one(channel, "itunes:new-feed-url").text == "https://new.example.com/feed.xml"
    assert one(channel, "itunes:complete").text == "Yes"
    assert one(channel, "podcast:locked").text == "no"
    chapters = one(channel, "item/podcast:chapters")
    assert chapters.get("url") == "https://cdn.example.com/ch.json"


def test_only_published_episodes_newest_first_and_serial_oldest_first(client, show):
    old, new = EpisodeFactory(show=show), EpisodeFactory(show=show)
    EpisodeFactory(show=show, draft=True)
    EpisodeFactory(show=show, scheduled=True)
    EpisodeFactory()  # another show's

    def guids():
        channel = channel_of(fetch(client, show).content)
        return [g.text for g in channel.xpath("item/guid")]

    assert guids() == [new.guid, old.guid]
    show.show_type = Show.ShowType.SERIAL
    show.save()
    assert guids() == [old.guid, new.guid]
    assert one(channel_of(fetch(client, show).content), "itunes:type").text == "serial"


def test_a_scheduled_episode_appears_at_its_time(client, show, monkeypatch):
    EpisodeFactory(show=show)
    scheduled = EpisodeFactory(show=show, pub_date=timezone.now() + timedelta(hours=1))
    before = fetch(client, show)
    assert scheduled.guid.encode() not in before.content

    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    after = client.get(show.get_feed_path(), headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200
    assert scheduled.guid.encode() in after.content
    assert after["ETag"] != before["ETag"]


def test_headers(client, episode, settled):
    response = fetch(client, episode.show)
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["ETag"].startswith('"')  # strong: no W/
    assert response["Last-Modified"] == http_date(show_updated(episode.show).timestamp())
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<rss')


@pytest.mark.parametrize("validator", ["etag", "date"])
def test_unchanged_feed_answers_304_from_one_query(
    client, episode, validator, django_assert_num_queries, settled
):
    first = fetch(client, episode.show)
    headers = (
        {"if-none-match": first["ETag"]}
        if validator == "etag"
        else {"if-modified-since": first["Last-Modified"]}
    )
    with django_assert_num_queries(1):
        response = client.get(episode.show.get_feed_path(), headers=headers)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == first["ETag"]
    assert response["Cache-Control"] == "public, max-age=300"


def test_304_needs_no_cached_copy(client, episode):
    first = fetch(client, episode.show)
    from django.core.cache import cache

    cache.clear()
    response = client.get(episode.show.get_feed_path(), headers={"if-none-match": first["ETag"]})
    assert response.status_code == 304


def test_stale_validators_get_the_new_feed(client, episode, settled):
    first = fetch(client, episode.show)
    episode.title = "Renamed"
    episode.save()
    response = client.get(
        episode.show.get_feed_path(),
        headers={"if-none-match": first["ETag"], "if-modified-since": first["Last-Modified"]},
    )
    assert response.status_code == 200
    assert b"<title>Renamed</title>" in response.content


def test_head_answers_like_get_without_a_body(client, episode, settled):
    get = fetch(client, episode.show)
    head = client.head(episode.show.get_feed_path())
    assert head.status_code == 200
    assert head.content == b""
    for header in ["ETag", "Last-Modified", "Content-Type", "Cache-Control", "Content-Length"]:
        assert head[header] == get[header]


def test_post_is_refused(client, episode):
    assert client.post(episode.show.get_feed_path()).status_code == 405


def test_unknown_show_is_404(client, db):
    assert client.get("/no-such-show/feed.xml").status_code == 404


def test_repeats_are_byte_identical_even_when_rebuilt(client, full_episode, monkeypatch):
    from django.core.cache import cache

    first = fetch(client, full_episode.show).content
    assert fetch(client, full_episode.show).content == first
    cache.clear()
    later = timezone.now() + timedelta(minutes=5)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert fetch(client, full_episode.show).content == first


def test_the_response_body_is_one_bytes_object(client, episode):
    response = fetch(client, episode.show)
    assert not response.streaming
    assert len(response._container) == 1
    assert isinstance(response._container[0], bytes)


def _rename_guest(e):
    guest = e.appearances.get(role=Appearance.Role.GUEST).guest
    guest.name = "Renamed Guest"
    guest.save()


def _edit_appearance(e):
    appearance = e.appearances.get(role=Appearance.Role.GUEST)
    appearance.role = Appearance.Role.CO_HOST
    appearance.save()


def _edit_tag(e):
    tag = e.tags.get()
    tag.name = "edited tag"
    tag.save()


def _edit_chapter(e):
    chapter = e.chapters.get()
    chapter.title = "Edited chapter"
    chapter.save()


def _edit_link(e):
    PlatformLinkFactory(episode=e, platform="spotify", url="https://open.spotify.com/e/2")


def _remove_chapters(e):
    e.chapters.all().delete()


def _move_episode(e):
    e.show = ShowFactory()
    e.save()


EDITS = {
    "episode": (
        lambda e: (setattr(e, "title", "Edited title"), e.save()),
        b"<title>Edited title</title>",
    ),
    "show notes": (
        lambda e: (setattr(e, "show_notes", "Fresh **notes**"), e.save()),
        b"<content:encoded>&lt;p&gt;Fresh &lt;strong&gt;notes&lt;/strong&gt;&lt;/p&gt;<",
    ),
    "show": (
        lambda e: (setattr(e.show, "title", "Edited show"), e.show.save()),
        b"<title>Edited show</title>",
    ),
    "guest": (_rename_guest, b">Renamed Guest</podcast:person>"),
    "appearance": (_edit_appearance, b'role="co-host">Grace Guest<'),
    "tag": (_edit_tag, b"<category>edited tag</category>"),
    "tag added": (lambda e: e.tags.add(TagFactory(name="added")), b"<category>added</category>"),
    "chapter removed": (_remove_chapters, None),
    "chapter": (_edit_chapter, None),
    "link": (_edit_link, None),
    "episode moved away": (_move_episode, None),
}


@pytest.mark.parametrize("edit", EDITS)
def test_every_edit_shows_in_the_next_request(client, full_episode, edit):
    change, expected = EDITS[edit]
    show = full_episode.show
    before = fetch(client, show)
    change(full_episode)
    # A poller holding the old validators gets the new feed, never a 304.
    after = client.get(show.get_feed_path(), headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    if expected is not None:
        assert expected in after.content
    if edit == "chapter removed":
        assert b"podcast:chapters" not in after.content
    if edit == "episode moved away":
        assert full_episode.guid.encode() not in after.content


def test_a_moved_show_answers_301_to_the_new_feed(client, episode, settled):
    show = episode.show
    first = fetch(client, show)
    show.new_feed_url = "https://new.example.com/show/feed.xml"
    show.save()
    for method, headers in [
        ("get", {}),
        ("head", {}),
        ("get", {"if-none-match": first["ETag"]}),
        ("get", {"if-modified-since": first["Last-Modified"]}),
    ]:
        response = getattr(client, method)(show.get_feed_path(), headers=headers)
        assert response.status_code == 301
        assert response["Location"] == "https://new.example.com/show/feed.xml"


HOSTILE = "A\x02b\x08c\x0bd\x1f & ]]> <b>bold</b> 🎙️🚀 مرحبا بالعالم עברית \u202eevil"


def test_hostile_text_never_breaks_the_xml(client, show):
    show.title = HOSTILE
    show.description = HOSTILE * 3
    show.copyright = HOSTILE
    show.save()
    guest = GuestFactory(name="Gü\x07est & <Co> ]]> 🎤")
    title = ("🎙️ مرحبا & ]]> \x01" * 30)[:255]
    episode = EpisodeFactory(
        show=show,
        title=title,
        summary=HOSTILE * 40,
        show_notes=(HOSTILE + "\n\n") * 60 + "<img src=x onerror=alert(1)>",
    )
    AppearanceFactory(episode=episode, guest=guest)
    content = fetch(client, show).content

    assert feedparser.parse(content).bozo == 0
    channel = channel_of(content)
    clean = "Abcd & ]]> <b>bold</b> 🎙️🚀 مرحبا بالعالم עברית \u202eevil"
    assert one(channel, "title").text == clean
    item = one(channel, "item")
    assert one(item, "title").text == title.replace("\x01", "")
    assert one(item, "podcast:person").text == "Güest & <Co> ]]> 🎤"
    description = one(item, "description").text
    assert len(description.encode()) <= rules.DESCRIPTION_LIMIT
    assert description.startswith("<p>Abcd &amp; ]]&gt; &lt;b&gt;bold&lt;/b&gt;")
    assert "onerror" not in one(item, "content:encoded").text
    podcast = podcastparser.parse(SITE + show.get_feed_path(), io.BytesIO(content))
    assert podcast["episodes"][0]["title"] == title.replace("\x01", "").strip()


@pytest.mark.parametrize("text", ["a" * 5000, "&<>" * 2000, "ü" * 3000, "x\n\n" * 2000])
def test_description_fits_in_4000_bytes(text):
    html = description_html(text)
    assert 3000 < len(html.encode()) <= rules.DESCRIPTION_LIMIT
    assert html.startswith("<p>")
    assert html.endswith("</p>")


def _populate(show, count: int) -> None:
    host = GuestFactory()
    show.hosts.add(host)
    tag = TagFactory()
    for _ in range(count):
        episode = EpisodeFactory(show=show)
        AppearanceFactory(episode=episode, guest=host, role=Appearance.Role.HOST)
        AppearanceFactory(episode=episode)
        ChapterFactory(episode=episode)
        episode.tags.add(tag)


# stamp, build lease (3 the first time: its row is made), show, hosts, the channel's 5
# Podcasting 2.0 lists, kept items, then for the items to render: their rows (the first time),
# episodes, tags, appearances, the items' 4 Podcasting 2.0 lists, keeping them, renewing the
# lease; releasing the lease. PostgreSQL keeps them in three statements (a temporary table, COPY
# into it, an update from it), other databases in one.
COLD_QUERIES = 25 if connection.vendor == "postgresql" else 23


@pytest.mark.parametrize("count", [5, 200])
def test_query_count_is_constant(client, show, count, django_assert_num_queries):
    from episodes.feed.serve import forget_process_copies

    _populate(show, count)
    with django_assert_num_queries(COLD_QUERIES):
        cold = fetch(client, show)
    assert cold.content.count(b"<item>") == count
    with django_assert_num_queries(1):  # stamp only: the bytes come from the cache
        warm = fetch(client, show)
    assert warm.content == cold.content
    episode = show.episodes.first()
    episode.title = "Edited"
    episode.save()
    forget_process_copies()
    with django_assert_num_queries(COLD_QUERIES - 3):  # one item rendered, the rows are there
        edited = fetch(client, show)
    assert edited.content.count(b"<item>") == count
    assert b"<title>Edited</title>" in edited.content


def _refuse(execute, sql, params, many, context):
    raise OperationalError("connection refused")


def test_outage_serves_the_last_good_feed(client, episode):
    good = fetch(client, episode.show)
    episode.title = "Changed before the outage"
    episode.save()  # the cached copy under the old stamp is now out of date, yet the best we have
    with connection.execute_wrapper(_refuse):
        response = client.get(episode.show.get_feed_path())
    assert response.status_code == 200
    assert response.content == good.content
    assert response["ETag"] == good["ETag"]
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"


def test_outage_in_a_process_whose_cache_never_held_the_feed_serves_the_disk_copy(client, episode):
    from django.core.cache import cache

    from episodes.feed.serve import forget_process_copies

    good = fetch(client, episode.show)
    cache.clear()  # another process: its own cache is empty
    forget_process_copies()
    with connection.execute_wrapper(_refuse):
        response = client.get(episode.show.get_feed_path())
    assert response.status_code == 200
    assert response.content == good.content


def test_outage_without_a_copy_answers_503_with_retry_after(client, episode):
    with connection.execute_wrapper(_refuse):
        response = client.get(episode.show.get_feed_path())
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0


def test_a_release_that_changes_the_feed_format_is_not_answered_304(client, episode, monkeypatch):
    from episodes.feed import build

    url = f"/{episode.show.slug}/feed.xml"
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    monkeypatch.setattr(build, "FEED_FORMAT", build.FEED_FORMAT + 1)
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_a_new_site_address_is_not_answered_304_and_reaches_every_item(client, episode, settings):
    url = f"/{episode.show.slug}/feed.xml"
    etag = client.get(url)["ETag"]
    settings.SITE_URL = "https://moved.example.com"
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert b"http://127.0.0.1:8000" not in response.content
    assert b"https://moved.example.com/" in response.content


def test_a_current_poll_is_answered_before_sessions_and_authentication(
    client, episode, django_assert_num_queries
):
    url = f"/{episode.show.slug}/feed.xml"
    first = client.get(url)
    with django_assert_num_queries(1):
        response = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 304
    assert response["ETag"] == first["ETag"]
    assert "max-age" in response["Cache-Control"]
    assert not hasattr(response.wsgi_request, "user")  # the rest of the stack never ran
    stale = client.get(url, HTTP_IF_NONE_MATCH='"old"')
    assert stale.status_code == 200 and hasattr(stale.wsgi_request, "user")


def serve(handler, path: str, **headers: str) -> tuple[str, dict[str, str]]:
    """A request through a WSGI handler as a server makes it, with Django's per-request
    connection upkeep (which the test client leaves out)."""
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
        **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
    }
    answer = []
    body = handler(environ, lambda status, headers, exc_info=None: answer.append((status, headers)))
    b"".join(body)
    body.close()
    status, response_headers = answer[0]
    return status, dict(response_headers)


@pytest.fixture
def server(settings, monkeypatch) -> tuple[WSGIHandler, list[int]]:
    """A WSGI handler with persistent, health-checked connections, and the health checks made."""
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"]
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    checks: list[int] = []
    wrapper = type(connections["default"])
    is_usable = wrapper.is_usable
    monkeypatch.setattr(wrapper, "is_usable", lambda self: checks.append(1) or is_usable(self))
    return WSGIHandler(), checks


@pytest.mark.django_db(transaction=True)
def test_a_current_poll_is_its_own_connection_health_check(server, episode):
    handler, checks = server
    # A connection of this test's own: one opened earlier in a long run may reach CONN_MAX_AGE
    # in the middle of it, and a reconnect is not checked.
    connection.close()
    serve(handler, "/healthz")
    checks.clear()
    path = episode.show.get_feed_path()
    status, headers = serve(handler, path)
    assert status == "200 OK"
    serve(handler, "/")
    assert len(checks) == 2  # a persistent connection is checked before each request's queries
    status, _ = serve(handler, path, if_none_match=headers["ETag"])
    assert status == "304 Not Modified"
    assert len(checks) == 2  # the poll's one query showed the connection alive


@pytest.mark.django_db(transaction=True)
def test_a_poll_on_a_connection_the_database_dropped_still_gets_the_right_answer(server, episode):
    requires_postgresql("Dropping a connection needs a database server")
    handler, _ = server
    path = episode.show.get_feed_path()
    _, headers = serve(handler, path)
    serve(handler, path, if_none_match=headers["ETag"])
    # As in a database restart: the server ends the app's idle connection.
    params = connection.get_connection_params()
    pid = connection.connection.info.backend_pid
    with psycopg.connect(
        **{k: v for k, v in params.items() if k not in ("context", "cursor_factory")},
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    status, _ = serve(handler, path, if_none_match=headers["ETag"])
    assert status == "304 Not Modified"  # not the last good copy: the view reconnected
    assert connection.connection.info.backend_pid != pid
