"""Podcasting 2.0 tags beyond the first phases: from admin fields, only when set, checked."""

import io

import feedparser
import podcastparser
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from lxml import etree, html

from episodes.feed_checks import check_episode, check_show
from episodes.models import (
    AlternateEnclosure,
    Episode,
    EpisodeValueRecipient,
    PodrollItem,
    Show,
    ShowBlock,
    ShowValueRecipient,
    Soundbite,
    ValueTimeSplit,
    podcast_guid_for,
)
from tests.factories import EpisodeFactory
from tests.media_files import admin_form_data, low_bitrate_mp3, opus

pytestmark = pytest.mark.django_db

NS = {"podcast": "https://podcastindex.org/namespace/1.0"}
SITE = "http://127.0.0.1:8000"
NODE = "02" + "ab" * 32


def feed_of(client, show: Show) -> bytes:
    response = client.get(show.get_feed_path())
    assert response.status_code == 200
    return response.content


def one(node, path: str):
    found = node.xpath(path, namespaces=NS)
    assert len(found) == 1, (path, found)
    return found[0]


@pytest.fixture
def demo_feed(client) -> tuple[bytes, Show]:
    call_command("demo", stdout=io.StringIO())
    show = Show.objects.get(slug="shipping-ml")
    return feed_of(client, show), show


def test_the_demo_feed_carries_every_channel_tag(demo_feed):
    content, show = demo_feed
    channel = etree.fromstring(content).find("channel")
    assert one(channel, "podcast:medium").text == "podcast"
    txt = one(channel, "podcast:txt")
    assert (txt.get("purpose"), txt.text) == ("verify", "shipping-ml-ownership-7f3a9c")
    assert one(channel, "podcast:license").text == "cc-by-4.0"
    location = one(channel, "podcast:location")
    assert location.text == "Berlin, Germany"
    assert dict(location.attrib) == {
        "rel": "creator", "geo": "geo:52.52,13.405", "osm": "R62422", "country": "de",
    }  # fmt: skip
    trailer = one(channel, "podcast:trailer")
    welcome = show.episodes.get(slug="welcome-to-shipping-ml")
    assert trailer.text == "Welcome to Shipping ML"
    assert trailer.get("url") == welcome.enclosure_url
    assert trailer.get("pubdate") == "Thu, 13 Jul 2023 09:00:00 +0000"
    assert (trailer.get("length"), trailer.get("type")) == (str(welcome.audio_size), "audio/mpeg")
    assert trailer.get("season") == "1"
    frequency = one(channel, "podcast:updateFrequency")
    assert frequency.text == "Every other Thursday"
    assert frequency.get("rrule") == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"
    remote = channel.xpath("podcast:podroll/podcast:remoteItem", namespaces=NS)
    assert [r.get("feedUrl") for r in remote] == [
        "https://feeds.podcastindex.org/pc20.xml",
        "https://changelog.com/practicalai/feed",
    ]
    assert remote[0].get("feedGuid") == str(podcast_guid_for(remote[0].get("feedUrl")))
    block = one(channel, "podcast:block")
    assert (block.get("id"), block.text) == ("google", "yes")
    value = one(channel, "podcast:value")
    assert dict(value.attrib) == {
        "type": "lightning", "method": "keysend", "suggested": "0.00000005000",
    }  # fmt: skip
    recipients = value.xpath("podcast:valueRecipient", namespaces=NS)
    assert [(r.get("name"), r.get("split"), r.get("fee")) for r in recipients] == [
        ("Sam Rivera (host)", "99", None),
        ("Hosting", "1", "true"),
    ]
    assert all(r.get("type") == "node" and len(r.get("address")) == 66 for r in recipients)
    images = channel.xpath("podcast:image", namespaces=NS)
    assert [i.get("width") for i in images] == ["1400", "1400", "600", "300"]
    assert images[0].get("href") == SITE + show.cover_art.url
    assert images[0].get("aspect-ratio") == "1/1" and images[0].get("type") == "image/png"
    assert {i.get("purpose") for i in images} == {"artwork"}
    assert images[0].get("alt", "").startswith("Concentric rings")
    publisher = one(channel, "podcast:publisher/podcast:remoteItem")
    assert publisher.get("medium") == "publisher"
    assert publisher.get("feedUrl") == "https://example.com/network/feed.xml"
    assert publisher.get("feedGuid") == str(podcast_guid_for(publisher.get("feedUrl")))


def test_the_demo_feed_carries_every_item_tag(demo_feed):
    content, show = demo_feed
    sample = show.episodes.get(title="The Challenges of ML Engineering in Production")
    item = one(etree.fromstring(content), f"//item[guid='{sample.guid}']")
    assert one(item, "podcast:license").text == "cc-by-nc-4.0"
    assert one(item, "podcast:location").get("osm") == "R62428"
    bites = item.xpath("podcast:soundbite", namespaces=NS)
    assert [(b.get("startTime"), b.get("duration"), b.text) for b in bites] == [
        ("135", "30", "Research code answers one question once"),
        ("1265", "45", "Monitor the inputs as closely as the outputs"),
    ]
    alternate = one(item, "podcast:alternateEnclosure")
    rendition = sample.alternate_enclosures.get()
    assert alternate.get("type") == "audio/mpeg" and alternate.get("title") == "Low bandwidth"
    assert alternate.get("length") == str(rendition.file.size)
    assert alternate.get("bitrate") == "8000" and rendition.duration == sample.duration
    assert one(alternate, "podcast:source").get("uri") == SITE + rendition.file.url
    integrity = one(alternate, "podcast:integrity")
    assert integrity.get("type") == "sri" and integrity.get("value").startswith("sha384-")
    split = one(item, "podcast:value/podcast:valueTimeSplit")
    assert (split.get("startTime"), split.get("duration")) == ("135", "505")
    names = [r.get("name") for r in split.xpath("podcast:valueRecipient", namespaces=NS)]
    assert names == ["Sam Rivera (host)", "Dr. Jane Smith (guest)"]  # fees are not restated
    social = one(item, "podcast:socialInteract")
    assert social.get("protocol") == "activitypub"
    assert social.get("uri").startswith("https://podcastindex.social/@shippingml/")
    assert social.get("accountId") == "@shippingml@podcastindex.social"


def test_real_clients_parse_the_demo_feed(demo_feed):
    content, show = demo_feed
    parsed = feedparser.parse(content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert len(parsed.entries) == show.episodes.count()
    podcast = podcastparser.parse(SITE + show.get_feed_path(), io.BytesIO(content))
    assert podcast["title"] == "Shipping ML"
    assert len(podcast["episodes"]) == show.episodes.count()


def test_nothing_is_written_that_was_not_set(client, episode):
    channel = etree.fromstring(feed_of(client, episode.show)).find("channel")
    written = {
        el.tag.split("}")[1] for el in channel.iter() if el.tag.startswith("{" + NS["podcast"])
    }
    # The first phases (guid, locked, person…) plus the medium, which every show has.
    assert written <= {"guid", "locked", "medium", "person", "season", "episode", "funding"}


def test_a_new_soundbite_reaches_the_feed_at_once(client, episode):
    before = feed_of(client, episode.show)
    assert b"podcast:soundbite" not in before
    Soundbite.objects.create(episode=episode, start_time=60, duration=30, title="The moment")
    assert b'<podcast:soundbite duration="30" startTime="60">The moment<' in feed_of(
        client, episode.show
    )


def test_a_trailer_chosen_explicitly_wins_over_trailer_episodes(client, show):
    EpisodeFactory(show=show, title="Teaser", episode_type=Episode.EpisodeType.TRAILER)
    chosen = EpisodeFactory(show=show, title="The real trailer")
    show.trailer = chosen
    show.save()
    trailers = etree.fromstring(feed_of(client, show)).xpath("//podcast:trailer", namespaces=NS)
    assert [t.text for t in trailers] == ["The real trailer"]


def change(editor_client, show: Show, **fields) -> object:
    url = reverse("admin:episodes_show_change", args=[show.pk])
    return editor_client.post(url, admin_form_data(editor_client, url) | fields)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"location_name": "Austin", "location_geo": "30.2,-97.7"}, "location_geo", "geo: URI"),
        ({"location_name": "Austin", "location_geo": "geo:95,10"}, "location_geo", "Latitude"),
        ({"location_name": "Austin", "location_osm": "113314"}, "location_osm", "N (node)"),
        ({"location_osm": "R113314"}, "location_name", "Name the place"),
        ({"location_name": "Austin", "location_country": "U1"}, "location_country", "two-letter"),
        ({"license": "my-own-license"}, "license_url", "not a well-known license"),
        ({"update_rrule": "WEEKLY"}, "update_rrule", "FREQ="),
        ({"update_rrule": "FREQ=SOMETIMES"}, "update_rrule", "recurrence rule"),
        ({"update_rrule": "FREQ=WEEKLY;COUNT=10"}, "update_dtstart", "COUNT"),
        ({"medium": "podcasts"}, "medium", "valid choice"),
    ],
)
def test_the_admin_refuses_wrong_values_with_a_clear_message(
    editor_client, show, fields, field, message
):
    response = change(editor_client, show, **fields)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors.get(field, [])), errors


def test_the_admin_refuses_another_shows_episode_as_trailer(editor_client, show):
    other = EpisodeFactory()
    response = change(editor_client, show, trailer=str(other.pk))
    assert "trailer" in response.context["adminform"].form.errors


def recipients_post(editor_client, show: Show, rows: list[tuple[str, str, str, bool]]):
    url = reverse("admin:episodes_show_change", args=[show.pk])
    data = admin_form_data(editor_client, url)
    data["value_recipients-TOTAL_FORMS"] = str(len(rows))
    for index, (name, address, split, fee) in enumerate(rows):
        data |= {
            f"value_recipients-{index}-name": name,
            f"value_recipients-{index}-address": address,
            f"value_recipients-{index}-split": split,
            f"value_recipients-{index}-order": "0",
        }
        if fee:
            data[f"value_recipients-{index}-fee"] = "on"
    return editor_client.post(url, data)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("Host", "02abc", "90", False)], "66 hexadecimal"),
        ([("Host", NODE, "0", False)], "greater than or equal to 1"),
        ([("Fee", NODE, "5", True)], "someone must receive the rest"),
        ([("Host", NODE, "90", False), ("Fee", NODE, "101", True)], "at most 100"),
    ],
)
def test_value_recipients_and_their_splits_are_validated(editor_client, show, rows, message):
    response = recipients_post(editor_client, show, rows)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ShowValueRecipient.objects.exists()


def test_good_value_recipients_are_saved(editor_client, show):
    response = recipients_post(
        editor_client, show, [("Host", NODE, "95", False), ("Hosting", NODE, "5", True)]
    )
    assert response.status_code == 302
    assert list(show.value_recipients.values_list("split", "fee")) == [(95, False), (5, True)]


def test_check_feed_reports_what_reached_the_database_another_way(show):
    show.location_name, show.location_geo = "Nowhere", "geo:north"
    show.license = "my-license"
    show.update_rrule = "FREQ=WEEKLY;COUNT=3"
    show.publisher_name = "A network"
    show.save()
    ShowBlock.objects.create(show=show, service="", blocked=True)
    ShowValueRecipient.objects.create(show=show, name="Bad", address="xyz", split=5, fee=True)
    episode = EpisodeFactory(show=show, duration=600, social_uri="https://example.social/1")
    Soundbite.objects.create(episode=episode, start_time=598, duration=5)
    opus_url = "https://cdn.example.com/a.opus"
    AlternateEnclosure.objects.create(
        episode=episode, url=opus_url, read_url=opus_url, integrity="md5-abc", duration=300
    )
    AlternateEnclosure.objects.create(episode=episode, title="Unread", url=opus_url)
    AlternateEnclosure.objects.create(
        episode=episode, title="Gone", url=opus_url, read_url=opus_url, read_problem="it is gone"
    )
    ValueTimeSplit.objects.create(
        episode=episode, start_time=100, duration=600, name="G", address=NODE, split=10
    )
    messages = [p.message for p in check_show(show)]
    expected = [
        "location geo “geo:north”",
        "license “my-license” is not well known",
        "update rule has a COUNT but no start date",
        "publisher named without its feed",
        "podcast:block is “yes” for every platform",
        "value recipient “Bad”: A Lightning node's public key",
        "value recipients: value recipients are all fees",
        "soundbite at 598 s ends after the episode",
        "soundbite at 598 s lasts 5 s",
        "alternate enclosure “Rendition” has no type",
        "integrity is not an SRI hash",
        "alternate enclosure “Rendition” plays 300 s but the episode 600 s",
        "alternate enclosure “Unread” is left out of the feed until its link is read",
        "alternate enclosure “Gone” is left out of the feed: it is gone",
        "guest segment at 100 s ends after the episode",
        "discussion post without a protocol",
    ]
    for text in expected:
        assert any(text in message for message in messages), (text, messages)
    assert {p.message for p in check_episode(episode)} <= set(messages)


def test_the_episode_admin_shows_podcasting20_problems(editor_client, episode):
    Soundbite.objects.create(episode=episode, start_time=0, duration=3)
    url = reverse("admin:episodes_episode_change", args=[episode.pk])
    assert "soundbite at 0 s lasts 3 s" in editor_client.get(url).content.decode()


def upload_rendition(editor_client, episode: Episode, name: str, content: bytes):
    url = reverse("admin:episodes_episode_change", args=[episode.pk])
    data = admin_form_data(editor_client, url) | {
        "alternate_enclosures-TOTAL_FORMS": "1",
        "alternate_enclosures-0-title": "Opus",
        "alternate_enclosures-0-order": "0",
        "alternate_enclosures-0-file": SimpleUploadedFile(name, content),
    }
    return editor_client.post(url, data)


def test_an_uploaded_opus_rendition_is_read_by_mutagen_and_vouched_for(
    client, editor_client, episode
):
    response = upload_rendition(editor_client, episode, "talk.bin", opus())
    assert response.status_code == 302, response.context["adminform"].form.errors
    rendition = episode.alternate_enclosures.get()
    assert rendition.file.name.endswith(".opus")
    assert (rendition.mime_type, rendition.codecs) == ("audio/ogg", "opus")
    assert rendition.size == len(opus()) and rendition.bitrate > 0
    import base64
    import hashlib

    digest = base64.b64encode(hashlib.sha384(opus()).digest()).decode()
    assert rendition.integrity == f"sha384-{digest}"
    item = one(etree.fromstring(feed_of(client, episode.show)), "//podcast:alternateEnclosure")
    assert item.get("codecs") == "opus" and item.get("length") == str(len(opus()))
    served = client.get(rendition.file.url)
    assert served["Content-Type"] == "audio/ogg"


def test_a_low_bitrate_mp3_without_a_tag_or_its_name_is_read_as_a_rendition(editor_client, episode):
    response = upload_rendition(editor_client, episode, "talk.bin", low_bitrate_mp3())
    assert response.status_code == 302, response.context["adminform"].form.errors
    rendition = episode.alternate_enclosures.get()
    assert rendition.file.name.endswith(".mp3") and rendition.mime_type == "audio/mpeg"


def test_a_file_that_is_not_audio_is_refused_as_a_rendition(editor_client, episode):
    response = upload_rendition(editor_client, episode, "notes.opus", b"not audio at all" * 100)
    assert response.status_code == 200
    assert "This is not MP3, M4A (AAC), Opus" in response.content.decode()
    assert not AlternateEnclosure.objects.exists()


def test_episode_value_recipients_replace_the_shows(client, episode):
    ShowValueRecipient.objects.create(show=episode.show, name="Show", address=NODE, split=1)
    EpisodeValueRecipient.objects.create(episode=episode, name="Guest", address=NODE, split=1)
    root = etree.fromstring(feed_of(client, episode.show))
    item_value = one(root, "//item/podcast:value")
    assert [r.get("name") for r in item_value] == ["Guest"]
    assert one(root, "channel/podcast:value/podcast:valueRecipient").get("name") == "Show"


def test_a_podroll_item_needs_a_url_or_a_guid(show):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        PodrollItem(show=show, title="Nothing").full_clean()


def test_the_demo_pages_show_what_the_tags_say(client, demo_feed):
    _, show = demo_feed
    page = html.fromstring(client.get(show.get_absolute_url()).content)
    text = page.text_content()
    assert "New episodes: Every other Thursday" in text
    assert "Recorded in" in text and "Berlin, Germany" in text
    assert page.xpath("//a[@href='https://www.openstreetmap.org/relation/62422']")
    assert page.xpath("//a[@rel='noopener license']/text()") == ["cc-by-4.0"]
    picks = page.xpath("//h3[.='Shows we recommend']/following-sibling::ul[1]//a/text()")
    assert picks == ["Podcasting 2.0", "Practical AI"]
    sample = show.episodes.get(title="The Challenges of ML Engineering in Production")
    episode_page = html.fromstring(client.get(sample.get_absolute_url()).content)
    (version,) = episode_page.xpath("//h2[.='Other versions']/following-sibling::ul[1]//a")
    assert version.text == "Low bandwidth" and version.get("href").endswith(".mp3")
    assert episode_page.xpath("//a[.='Join the discussion']/@href") == [sample.social_uri]
    highlights = episode_page.xpath("//ol[@class='soundbite-list']//a/@data-seek")
    assert highlights == ["135", "1265"]


def test_update_frequency_writes_its_rule_start_and_completion(client, show):
    from datetime import UTC, datetime

    show.update_frequency = "Ten episodes, every other Monday"
    show.update_rrule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;COUNT=10"
    show.update_dtstart = datetime(2023, 8, 28, tzinfo=UTC)
    show.complete = True
    show.save()
    frequency = one(etree.fromstring(feed_of(client, show)), "//podcast:updateFrequency")
    assert frequency.text == "Ten episodes, every other Monday"
    assert frequency.get("rrule") == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;COUNT=10"
    assert frequency.get("dtstart") == "2023-08-28T00:00:00.000Z"
    assert frequency.get("complete") == "true"


def test_only_editors_pick_soundbites_from_the_episode_page(client, editor_client, episode):
    url = reverse("episodes:soundbite", kwargs={"show": "the-show", "slug": episode.slug})
    assert b"Pick a soundbite" not in client.get(episode.get_absolute_url()).content
    assert client.post(url, {"start_time": "10", "duration": "20"}).status_code == 403
    assert b"Pick a soundbite" in editor_client.get(episode.get_absolute_url()).content
    late = editor_client.post(url, {"start_time": "1790", "duration": "20"}, follow=True)
    assert "The soundbite was not saved. It ends at 1810" in late.content.decode()
    saved = editor_client.post(url, {"start_time": "10", "duration": "20", "title": "Hi"})
    assert saved.status_code == 302 and saved["Location"].endswith("#soundbites")
    assert list(episode.soundbites.values_list("title", flat=True)) == ["Hi"]
    assert not Soundbite.objects.filter(start_time=1790).exists()


def test_a_platform_is_blocked_or_allowed_once(editor_client, show):
    url = reverse("admin:episodes_show_change", args=[show.pk])
    data = admin_form_data(editor_client, url) | {
        "blocks-TOTAL_FORMS": "2",
        "blocks-0-service": "spotify",
        "blocks-0-blocked": "on",
        "blocks-1-service": "spotify",
    }
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "Please correct the duplicate data for service." in response.content.decode()
    assert not ShowBlock.objects.exists()
