"""Demo content for every Podcasting 2.0 tag the site writes: a newcomer sees each in the feed."""

from datetime import UTC, datetime
from decimal import Decimal

from django.core.files.base import ContentFile

from episodes.models import (
    AlternateEnclosure,
    Episode,
    PodrollItem,
    Show,
    ShowBlock,
    ShowTxt,
    ShowValueRecipient,
    Soundbite,
    ValueTimeSplit,
)
from podcast.generate import tone_mp3
from podcast.media import read_audio, read_rendition
from podcast.rules import LocationRel, Medium, SocialProtocol

SAMPLE_TITLE = "The Challenges of ML Engineering in Production"
# Made-up Lightning node keys: the demo pays no one.
HOST_NODE = "02" + "5a" * 32
HOSTING_NODE = "03" + "c4" * 32
GUEST_NODE = "02" + "7e" * 32

SHOW_FIELDS = {
    "medium": Medium.PODCAST,
    "cover_art_alt": "Concentric rings on a warm gradient, with the words Shipping ML",
    "license": "cc-by-4.0",
    "license_url": "https://creativecommons.org/licenses/by/4.0/",
    "location_name": "Berlin, Germany",
    "location_geo": "geo:52.52,13.405",
    "location_osm": "R62422",
    "location_country": "de",
    "location_rel": LocationRel.CREATOR,
    "update_frequency": "Every other Thursday",
    "update_rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
    "value_suggested": Decimal("0.00000005"),
    "publisher_name": "Example Network",
    "publisher_feed_url": "https://example.com/network/feed.xml",
}
SAMPLE_FIELDS = {
    "license": "cc-by-nc-4.0",
    "location_name": "TechCorp offices, Munich",
    "location_geo": "geo:48.1374,11.5755",
    "location_osm": "R62428",
    "location_country": "de",
    "social_protocol": SocialProtocol.ACTIVITYPUB,
    "social_uri": "https://podcastindex.social/@shippingml/111222333444555666",
    "social_account_id": "@shippingml@podcastindex.social",
    "social_account_url": "https://podcastindex.social/@shippingml",
}


def add_demo_podcasting20(show: Show) -> None:
    """Set every Podcasting 2.0 tag on the demo show and its sample episode (idempotent)."""
    _update(show, SHOW_FIELDS)
    ShowTxt.objects.get_or_create(
        show=show, purpose="verify", defaults={"text": "shipping-ml-ownership-7f3a9c"}
    )
    ShowBlock.objects.get_or_create(show=show, service="google", defaults={"blocked": True})
    for order, (title, url) in enumerate(
        [
            ("Podcasting 2.0", "https://feeds.podcastindex.org/pc20.xml"),
            ("Practical AI", "https://changelog.com/practicalai/feed"),
        ]
    ):
        PodrollItem.objects.get_or_create(
            show=show, feed_url=url, defaults={"title": title, "order": order}
        )
    for order, (name, address, split, fee) in enumerate(
        [("Sam Rivera (host)", HOST_NODE, 99, False), ("Hosting", HOSTING_NODE, 1, True)]
    ):
        ShowValueRecipient.objects.get_or_create(
            show=show,
            address=address,
            defaults={"name": name, "split": split, "fee": fee, "order": order},
        )
    _trailer(show)
    sample = show.episodes.filter(title=SAMPLE_TITLE).first()
    if sample is not None:
        _sample_episode(sample)


def _update(item: Show | Episode, fields: dict) -> None:
    changed = [name for name, value in fields.items() if getattr(item, name) != value]
    for name in changed:
        setattr(item, name, fields[name])
    if changed:
        item.save()


def _trailer(show: Show) -> None:
    trailer, _ = Episode.objects.get_or_create(
        show=show,
        slug="welcome-to-shipping-ml",
        defaults={
            "title": "Welcome to Shipping ML",
            "summary": "What the show is about, in under a minute.",
            "show_notes": "What the show is about, in under a minute.",
            "status": Episode.Status.PUBLISHED,
            "pub_date": datetime(2023, 7, 13, 9, 0, tzinfo=UTC),
            "episode_type": Episode.EpisodeType.TRAILER,
            "season_number": 1,
        },
    )
    if not trailer.has_audio:
        trailer.audio_file.save(
            "trailer.mp3",
            ContentFile(tone_mp3(seconds=6, sample_rate=8000, bitrate_kbps=8)),
            save=False,
        )
        with trailer.audio_file.open("rb") as handle:
            info = read_audio(handle)
        trailer.audio_size, trailer.audio_mime_type = info.size, info.mime_type
        trailer.duration, trailer.audio_bitrate = info.duration, info.bitrate
        trailer.save()


def _sample_episode(episode: Episode) -> None:
    _update(episode, SAMPLE_FIELDS)
    for start, duration, title in [
        (135, 30, "Research code answers one question once"),
        (1265, 45, "Monitor the inputs as closely as the outputs"),
    ]:
        Soundbite.objects.get_or_create(
            episode=episode, start_time=start, defaults={"duration": duration, "title": title}
        )
    # As long as the episode: a rendition of another length is another recording (check_feed).
    # Demos made before renditions were timed get theirs replaced.
    if not episode.alternate_enclosures.filter(duration=episode.duration).exists():
        for stale in episode.alternate_enclosures.all():
            stale.file.delete(save=False)
            stale.delete()
        audio = tone_mp3(episode.duration, sample_rate=8000, bitrate_kbps=8, base_hz=330)
        low = ContentFile(audio, name="low-bandwidth.mp3")
        rendition = AlternateEnclosure(episode=episode, title="Low bandwidth", file=low)
        rendition.take(read_rendition(low))
        rendition.save()
    ValueTimeSplit.objects.get_or_create(
        episode=episode,
        start_time=135,
        defaults={"duration": 505, "name": "Dr. Jane Smith (guest)", "address": GUEST_NODE,
                  "split": 10},
    )  # fmt: skip
