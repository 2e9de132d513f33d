"""`import_feed`: a podcast's RSS feed becomes a show with its episodes, safely and repeatably."""

import contextlib
import ipaddress
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from PIL import Image

from episodes.importers.fetch import Fetcher, FetchError, is_public_address
from episodes.models import Appearance, Episode, Show, Tag
from guests.models import Guest
from podcast.generate import cover_art, tone_mp3
from tests.factories import (
    AppearanceFactory,
    EpisodeFactory,
    GuestFactory,
    ShowFactory,
    TagFactory,
)

FIXTURES = Path(__file__).parent / "fixtures" / "import"
FEED = FIXTURES / "feed.xml"


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_feed", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args: str) -> tuple[str, str, str]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_feed", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), str(failure.value)


# A small web server on 127.0.0.1 that serves the fixture feed, redirects, slow and big answers.


class Handler(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, dict[str, str], bytes]] = {}

    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(1.5)
        if self.path == "/dribble":
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                for _ in range(60):
                    self.wfile.write(b"z" * 100)
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                pass
            return
        if self.path == "/endless":
            # Close-delimited body with no Content-Length: only the running count can stop it.
            self.send_response(200)
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"x" * 10_000)
            except OSError:
                pass
            return
        if self.path == "/odd-length":
            # A length int() refuses although str.isdigit() says yes.
            self.send_response(200)
            self.send_header("Content-Length", "\u00b2")
            self.end_headers()
            self.wfile.write(b"<rss><channel><title>x</title></channel></rss>")
            self.close_connection = True
            return
        status, headers, body = self.routes.get(self.path, (404, {}, b"not found"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    base = f"http://127.0.0.1:{httpd.server_port}"
    feed = FEED.read_bytes().replace(b"https://cdn.example.com/night/", f"{base}/".encode())
    Handler.routes = {
        "/feed.xml": (200, {"Content-Type": "application/rss+xml"}, feed),
        "/r1": (301, {"Location": "/r2"}, b""),
        "/r2": (302, {"Location": f"{base}/feed.xml"}, b""),
        "/to-private": (302, {"Location": "http://10.0.0.7/feed.xml"}, b""),
        "/to-metadata": (307, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""),
        "/to-file": (302, {"Location": "file:///etc/passwd"}, b""),
        "/loop": (302, {"Location": "/loop"}, b""),
        "/big": (200, {}, b"y" * 50_000),
        "/slow": (200, {}, b"late"),
        "/baker.mp3": (200, {"Content-Type": "audio/mpeg"}, tone_mp3(seconds=3)),
        "/nurses.m4a": (200, {"Content-Type": "audio/mpeg"}, tone_mp3(seconds=2)),
        "/trailer.mp3": (200, {"Content-Type": "audio/mpeg"}, tone_mp3(seconds=1)),
        "/baker.jpg": (200, {"Content-Type": "image/png"}, cover_art("Baker")),
        "/art.png": (200, {"Content-Type": "image/png"}, cover_art("Night")),
    }
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    yield base
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def loopback_is_public(ip) -> bool:
    """Lets tests use 127.0.0.1 as “the internet” while everything else internal stays refused."""
    return ip.is_loopback or is_public_address(ip)


# The feed's content


@pytest.mark.django_db
def test_channel_becomes_a_show():
    out, _ = run(str(FEED))
    assert out.startswith("3 created, 0 updated, 0 unchanged, 0 failed")
    show = Show.objects.get()
    assert show.slug == "night-shift-radio"
    assert show.title == "Night Shift Radio"
    assert show.description == "Stories from people who work while you sleep."
    assert show.website == "https://nightshift.example.com/"
    assert show.language == "en-us"
    assert (show.category, show.subcategory) == ("Society & Culture", "Documentary")
    assert show.explicit is True
    assert show.show_type == "serial"
    assert str(show.podcast_guid) == "3a1f0b3e-8d0c-5e55-9b2a-0c6d1f9e2b77"
    assert show.locked is False
    assert (show.funding_url, show.funding_text) == (
        "https://nightshift.example.com/support",
        "Buy us coffee",
    )
    assert (show.author, show.owner_name, show.owner_email) == (
        "Rosa Night",
        "Rosa Night",
        "rosa@nightshift.example.com",
    )
    assert show.copyright == "© 2024 Night Shift"
    assert list(show.hosts.values_list("name", flat=True)) == ["Rosa Night"]


@pytest.mark.django_db
def test_items_become_episodes_with_guids_exactly_as_written():
    run(str(FEED))
    baker, nurses, trailer = Episode.objects.order_by("pub_date")
    assert baker.guid == "Tag:NightShift.Example.COM,2024:Episode/1"
    assert baker.pub_date == datetime(2024, 2, 5, 5, 30, tzinfo=UTC)
    assert baker.status == Episode.Status.PUBLISHED
    assert (baker.audio_url, baker.audio_size, baker.audio_mime_type) == (
        "https://cdn.example.com/night/baker.mp3",
        24567890,
        "audio/mpeg",
    )
    assert not baker.audio_file
    assert (baker.duration, baker.episode_number, baker.season_number) == (3723, 1, 1)
    assert baker.cover_art_url == "https://cdn.example.com/night/baker.jpg"
    assert (baker.transcript_url, baker.transcript_mime_type) == (
        "https://cdn.example.com/night/baker.vtt",
        "text/vtt",
    )
    assert baker.chapters_url == "https://cdn.example.com/night/baker-chapters.json"
    assert list(baker.tags.values_list("name", flat=True)) == ["Food"]
    # No guid: identified by its enclosure URL, as Apple does.
    assert nurses.guid == "https://cdn.example.com/night/nurses.m4a"
    assert nurses.duration == 45 * 60 + 32
    assert trailer.duration == 2732
    assert trailer.episode_type == "trailer"
    assert (trailer.episode_number, trailer.season_number) == (None, 2)


@pytest.mark.django_db
def test_people_become_guests_with_roles_under_both_namespace_uris():
    run(str(FEED))
    baker = Episode.objects.get(slug="the-baker-at-3-am")
    # The channel's host, restated on every item, is the show's host rather than an appearance.
    assert list(baker.appearances.values_list("guest__name", "role")) == [
        ("Marta Baker", Appearance.Role.GUEST),
        ("Li Wei", Appearance.Role.PRODUCER),
    ]
    nurses = Episode.objects.get(slug="night-nurses")
    assert list(nurses.appearances.values_list("guest__name", "role")) == [
        ("Marta Baker", Appearance.Role.GUEST),
    ]
    assert Guest.objects.count() == 3
    assert Guest.objects.get(name="Marta Baker").website == "https://bakery.example.com"


@pytest.mark.django_db
def test_scripts_in_descriptions_never_reach_a_page(client):
    run(str(FEED))
    baker = Episode.objects.get(slug="the-baker-at-3-am")
    assert baker.summary == "Bread before dawn."
    assert "<script" not in baker.show_notes
    assert "javascript:" not in baker.show_notes
    assert "onerror" not in baker.show_notes
    response = client.get(baker.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "<strong>notes</strong>" in page
    assert 'href="https://example.com/bread"' in page
    assert "alert(" not in page


@pytest.mark.django_db
def test_running_again_changes_nothing_then_catches_up(tmp_path):
    run(str(FEED))
    ids = dict(Episode.objects.values_list("guid", "id"))
    out, _ = run(str(FEED))
    assert out.startswith("0 created, 0 updated, 3 unchanged, 0 failed")

    changed = FEED.read_text().replace("Night Nurses", "Night Nurses, Revisited")
    changed = changed.replace(
        "</channel>",
        "<item><title>New one</title><guid>new-1</guid>"
        "<pubDate>Mon, 26 Feb 2024 06:30:00 GMT</pubDate>"
        '<enclosure url="https://cdn.example.com/night/new.mp3" length="9" type="audio/mpeg"/>'
        "</item></channel>",
    )
    source = tmp_path / "feed.xml"
    source.write_text(changed)
    out, _ = run(str(source))
    assert out.startswith("1 created, 1 updated, 2 unchanged, 0 failed")
    assert Episode.objects.count() == 4
    renamed = Episode.objects.get(guid="https://cdn.example.com/night/nurses.m4a")
    assert renamed.id == ids[renamed.guid]
    assert renamed.title == "Night Nurses, Revisited"
    assert renamed.slug == "night-nurses"  # the page does not move
    assert Guest.objects.count() == 3


@pytest.mark.django_db
def test_broken_items_are_reported_and_skipped_the_rest_go_on():
    out, err, message = run_failing(str(FIXTURES / "broken-items.xml"))
    assert out.startswith("2 created, 0 updated, 0 unchanged, 2 failed")
    assert "item 2 (guid same-guid): duplicate guid 'same-guid', already used by item 1" in err
    assert "item 3: no guid and no enclosure URL" in err
    assert "duration 'forty minutes' not understood" in err
    assert message == "2 failed; see the messages above."
    assert sorted(Episode.objects.values_list("title", flat=True)) == ["Also fine", "Good one"]


@pytest.mark.django_db
def test_a_guid_of_another_show_is_refused(show):
    Episode.objects.create(
        show=show, title="Mine", slug="mine", guid="https://cdn.example.com/night/nurses.m4a"
    )
    _, err, _ = run_failing(str(FEED))
    assert "belongs to an episode of another show (the-show)" in err
    assert Episode.objects.filter(show__slug="night-shift-radio").count() == 2


@pytest.mark.django_db
def test_not_a_feed_fails_cleanly(tmp_path):
    broken = tmp_path / "feed.xml"
    broken.write_text("<rss><channel><title>Oops</title></chanel></rss>")
    _, err, _ = run_failing(str(broken))
    assert "not well-formed XML" in err
    _, err, _ = run_failing(str(tmp_path / "missing.xml"))
    assert "cannot read the file" in err
    assert not Show.objects.exists()


@pytest.mark.django_db
def test_entities_are_not_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    hostile = tmp_path / "feed.xml"
    hostile.write_text(
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<rss><channel><title>T</title><description>D</description>"
        "<item><title>A &x;</title><guid>g</guid><pubDate>Mon, 05 Feb 2024 06:30:00 GMT"
        "</pubDate></item></channel></rss>"
    )
    run(str(hostile))
    assert Episode.objects.get().title == "A"


@pytest.mark.django_db
def test_dry_run_saves_nothing():
    out, _ = run(str(FEED), "--dry-run")
    assert out.startswith("Dry run, nothing saved: 3 created")
    assert not Show.objects.exists()
    assert not Episode.objects.exists()
    assert not Guest.objects.exists()


@pytest.mark.django_db
def test_import_into_a_chosen_show_keeps_its_podcast_guid(show):
    original = show.podcast_guid
    _, err = run(str(FEED), "--show", show.slug)
    assert Episode.objects.filter(show=show).count() == 3
    show.refresh_from_db()
    assert show.podcast_guid == original
    assert "podcast:guid 3a1f0b3e-8d0c-5e55-9b2a-0c6d1f9e2b77 differs" in err


# Fetching over HTTP


def test_addresses_that_are_not_public():
    for address in (
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        str(ipaddress.IPv4Address(0)), "224.0.0.1", "240.0.0.1", "::1", "fe80::1", "fc00::1",
        "::ffff:127.0.0.1",
    ):  # fmt: skip
        assert not is_public_address(ipaddress.ip_address(address)), address
    assert is_public_address(ipaddress.ip_address("93.184.216.34"))
    assert is_public_address(ipaddress.ip_address("2606:4700::1111"))


@pytest.mark.django_db
def test_loopback_is_refused_by_default(server):
    _, err, _ = run_failing(f"{server}/feed.xml")
    assert "resolves to a private or reserved address (127.0.0.1); refused" in err
    assert not Show.objects.exists()


def test_a_host_name_is_checked_by_every_address_it_resolves_to():
    fetcher = Fetcher(resolve=lambda host, port: ["93.184.216.34", "10.0.0.5"])
    with pytest.raises(FetchError, match=r"private or reserved address \(10.0.0.5\)"):
        fetcher.fetch_bytes("http://feeds.example.com/feed.xml")


def test_only_http_and_https():
    fetcher = Fetcher(allow_private=True)
    for url in ("file:///etc/passwd", "ftp://example.com/feed.xml", "gopher://x/"):
        with pytest.raises(FetchError, match="only http and https"):
            fetcher.fetch_bytes(url)


@pytest.mark.django_db
def test_allow_private_follows_redirects_and_downloads(server, settings):
    out, _ = run(f"{server}/r1", "--allow-private", "--download")
    assert out.startswith("3 created")
    baker = Episode.objects.get(slug="the-baker-at-3-am")
    assert baker.audio_file
    assert baker.audio_url == ""
    assert baker.audio_mime_type == "audio/mpeg"
    assert baker.duration == 3
    with baker.audio_file.open("rb") as handle:
        assert handle.read() == Handler.routes["/baker.mp3"][2]
    assert baker.cover_art.name.endswith(".png")
    assert baker.cover_art_url == ""
    stored = sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())
    originals = [name for name in stored if not name.endswith(".webp")]
    assert len(originals) == 4  # three recordings and one piece of episode art
    assert len(stored) == 7  # and that art's three renditions
    out, _ = run(f"{server}/feed.xml", "--allow-private", "--download")
    assert out.startswith("0 created, 0 updated, 3 unchanged")
    assert sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()) == stored


@pytest.mark.django_db
def test_a_failed_download_leaves_nothing_behind(server, tmp_path, settings):
    source = tmp_path / "feed.xml"
    source.write_text(
        "<rss xmlns:itunes='http://www.itunes.com/dtds/podcast-1.0.dtd'><channel><title>T</title>"
        "<description>D</description><item><title>Gone</title><guid>gone</guid>"
        "<pubDate>Mon, 05 Feb 2024 06:30:00 GMT</pubDate>"
        f"<itunes:image href='{server}/baker.jpg'/>"
        f"<enclosure url='{server}/missing.mp3' length='9' type='audio/mpeg'/></item>"
        "</channel></rss>"
    )
    _, err, _ = run_failing(str(source), "--allow-private", "--download")
    assert "item 1 (guid gone): " in err
    assert "missing.mp3: the server answered 404" in err
    assert not Episode.objects.exists()
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_redirect_chain_is_followed_with_each_hop_checked(server):
    fetcher = Fetcher(is_allowed=loopback_is_public)
    body, final = fetcher.fetch_bytes(f"{server}/r1")
    assert final == f"{server}/feed.xml"
    assert b"Night Shift Radio" in body
    for path, refused in (("/to-private", "10.0.0.7"), ("/to-metadata", "169.254.169.254")):
        with pytest.raises(FetchError, match=rf"private or reserved address \({refused}\)"):
            fetcher.fetch_bytes(f"{server}{path}")
    with pytest.raises(FetchError, match="only http and https"):
        fetcher.fetch_bytes(f"{server}/to-file")
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetcher.fetch_bytes(f"{server}/loop")


def test_size_cap_with_and_without_a_content_length(server):
    fetcher = Fetcher(allow_private=True)
    with pytest.raises(FetchError, match="larger than the limit of 10,000 bytes"):
        fetcher.fetch_bytes(f"{server}/big", max_bytes=10_000)
    with pytest.raises(FetchError, match="larger than the limit of 10,000 bytes"):
        fetcher.fetch_bytes(f"{server}/endless", max_bytes=10_000)
    body, _ = fetcher.fetch_bytes(f"{server}/big", max_bytes=50_000)
    assert len(body) == 50_000


def test_a_content_length_of_non_ascii_digits_is_ignored_not_fatal(server):
    body, _ = Fetcher(allow_private=True).fetch_bytes(f"{server}/odd-length")
    assert body.startswith(b"<rss>")


def test_timeout(server):
    fetcher = Fetcher(allow_private=True, timeout=0.3)
    with pytest.raises(FetchError, match="timed out"):
        fetcher.fetch_bytes(f"{server}/slow")


def test_a_server_that_drips_bytes_meets_the_overall_deadline(server):
    fetcher = Fetcher(allow_private=True, timeout=1, deadline=0.3)
    with pytest.raises(FetchError, match="took longer than allowed"):
        fetcher.fetch_bytes(f"{server}/dribble")


@pytest.mark.django_db
def test_show_art_is_copied_when_it_conforms(server, tmp_path):
    source = tmp_path / "feed.xml"
    source.write_text(
        FEED.read_text().replace(
            "<itunes:author>", f'<itunes:image href="{server}/art.png"/><itunes:author>'
        )
    )
    run(str(source), "--allow-private")
    show = Show.objects.get()
    assert show.cover_art.name.endswith(".png")
    with show.cover_art.open("rb") as handle:
        assert handle.read() == Handler.routes["/art.png"][2]
    out, _ = run(str(source), "--allow-private")
    show.refresh_from_db()
    assert out.startswith("0 created, 0 updated, 3 unchanged")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mode", "fmt"), [("P", "PNG"), ("L", "PNG"), ("LA", "PNG"), ("RGBA", "PNG"), ("CMYK", "JPEG")]
)
def test_an_imported_show_passes_its_own_preflight(server, tmp_path, mode, fmt):
    """Art in a colour mode Apple refuses is made RGB on the way in, so check_feed is silent."""
    extension = ".png" if fmt == "PNG" else ".jpg"
    path = f"/art-{mode.lower()}{extension}"
    Handler.routes[path] = (200, {}, cover_art("Colour", mode=mode, fmt=fmt))
    source = tmp_path / "feed.xml"
    source.write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
  <channel>
    <title>Colour Radio</title>
    <link>https://colour.example.com/</link>
    <description>Shows in every colour.</description>
    <language>en</language>
    <itunes:author>Ann Hue</itunes:author>
    <itunes:owner>
      <itunes:name>Ann Hue</itunes:name><itunes:email>ann@example.com</itunes:email>
    </itunes:owner>
    <itunes:image href="{server}{path}"/>
    <item>
      <title>Grey days</title>
      <guid isPermaLink="false">colour-1</guid>
      <pubDate>Mon, 05 Feb 2024 06:30:00 +0000</pubDate>
      <enclosure url="{server}/baker.mp3" length="1" type="audio/mpeg"/>
      <itunes:image href="{server}{path}"/>
      <description>One.</description>
    </item>
  </channel>
</rss>""")
    run(str(source), "--allow-private", "--download")
    episode = Episode.objects.select_related("show").get()
    for art in (episode.show.cover_art, episode.cover_art):
        assert art.name.endswith(extension)
        with art.open("rb") as handle, Image.open(handle) as image:
            assert (image.format, image.mode) == (fmt, "RGB")
    # A site that tells a hub of changes, or check_feed warns that it tells nobody.
    with override_settings(WEBSUB_HUBS=["https://hub.example.com/"]):
        call_command("check_feed", episode.show.slug, stdout=(out := StringIO()))
    assert out.getvalue() == ""
    # The conversion gives the same bytes every time: running again changes nothing.
    again = ("--show", episode.show.slug, "--allow-private", "--download")
    out, _ = run(str(source), *again)
    assert out.startswith("0 created, 0 updated, 1 unchanged")
    assert Show.objects.get().cover_art.name == episode.show.cover_art.name


# The round trip: our own feed, imported into an empty site, gives the same podcast.


def podcast_as_seen(show: Show) -> dict:
    episodes = show.episodes.published().order_by("pub_date", "id")
    return {
        "show": (
            show.title, str(show.podcast_guid), show.language, show.category, show.subcategory,
            show.explicit, show.show_type, show.author, show.owner_email,
            sorted(show.hosts.values_list("name", flat=True)),
        ),
        "episodes": [
            (
                e.guid, e.title, e.pub_date, e.duration, e.episode_number, e.season_number,
                e.episode_type, e.explicit, e.audio_src, e.audio_size, e.audio_mime_type,
                e.summary, sorted(e.tags.values_list("name", flat=True)),
                list(e.appearances.values_list("guest__name", "role")),
            )
            for e in episodes
        ],
    }  # fmt: skip


@pytest.mark.django_db
def test_round_trip_through_our_own_feed(client, tmp_path, settings):
    # Measured enclosures would hand the importer our /listen/ URLs (which it rightly keeps).
    settings.ANALYTICS_ENABLED = False
    show = ShowFactory(
        slug="shipping-ml", title="Shipping ML", language="en-gb", category="Science",
        subcategory="Physics", explicit=True, show_type="serial", owner_email="sam@example.com",
    )  # fmt: skip
    host = GuestFactory(name="Sam Rivera", slug="sam-rivera")
    show.hosts.add(host)
    jane = GuestFactory(name="Dr. Jane Smith", slug="dr-jane-smith")
    alex = GuestFactory(name="Alex Johnson", slug="alex-johnson")
    mlops, data = TagFactory(name="MLOps", slug="mlops"), TagFactory(name="data", slug="data")
    first = EpisodeFactory(
        show=show, title="The Challenges of ML Engineering", guid="Tag:Example,2023:1",
        pub_date=datetime(2023, 7, 20, 9, 0, 17, tzinfo=UTC), duration=2732,
        episode_number=1, season_number=1, explicit=True,
    )  # fmt: skip
    second = EpisodeFactory(
        show=show, title="Feature Stores & <Friends>", pub_date=datetime(2023, 8, 3, tzinfo=UTC),
        duration=3723, episode_number=2, season_number=1, episode_type="bonus",
    )  # fmt: skip
    EpisodeFactory(
        show=show, title="Trailer", pub_date=datetime(2024, 1, 1, tzinfo=UTC), duration=59,
        episode_type="trailer", season_number=2, episode_number=None,
    )  # fmt: skip
    EpisodeFactory(show=show, draft=True, title="Not in the feed")
    AppearanceFactory(episode=first, guest=host, role=Appearance.Role.HOST)
    AppearanceFactory(episode=first, guest=jane, role=Appearance.Role.GUEST)
    AppearanceFactory(episode=first, guest=alex, role=Appearance.Role.CO_HOST)
    AppearanceFactory(episode=second, guest=alex, role=Appearance.Role.GUEST)
    first.tags.add(mlops, data)
    second.tags.add(data)
    before = podcast_as_seen(show)

    response = client.get(show.get_feed_path())
    assert response.status_code == 200
    feed = tmp_path / "feed.xml"
    feed.write_bytes(b"".join(response) if response.streaming else response.content)

    # An empty site.
    Episode.objects.all().delete()
    Show.objects.all().delete()
    Guest.objects.all().delete()
    Tag.objects.all().delete()

    out, _ = run(str(feed))
    assert out.startswith("3 created, 0 updated, 0 unchanged, 0 failed")
    imported = Show.objects.get()
    assert imported.slug == "shipping-ml"
    after = podcast_as_seen(imported)
    # The host restated on the first episode is the show's host on both sides.
    before["episodes"][0][-1].remove(("Sam Rivera", "host"))
    assert after == before

    out, _ = run(str(feed))
    assert out.startswith("0 created, 0 updated, 3 unchanged, 0 failed")
