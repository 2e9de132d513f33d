"""The Podcasting 2.0 elements of a show's channel and of each item, as data the generator writes.

`channel_elements` and `item_elements` return `(name, text, attrs, children)` tuples, only for
what the editor has set; `write` hands them to the feed's XML handler. The channel's rows come
with the show (`CHANNEL_PREFETCH`), the items' from `item_lists`, one query per kind for many
episodes, so the feed stays a fixed number of queries.
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import Prefetch, Q
from django.utils.feedgenerator import rfc2822_date

from episodes.models import (
    AlternateEnclosure,
    Episode,
    EpisodeValueRecipient,
    LicenseAndLocation,
    PodrollItem,
    Show,
    Soundbite,
    ValueRecipientBase,
    ValueTimeSplit,
    podcast_guid_for,
)
from podcast import rules
from podcast.media import absolute_url

Element = tuple[str, str | None, dict[str, str], list]

CHANNEL_PREFETCH = [
    "txt_records",
    "blocks",
    "podroll",
    "value_recipients",
    Prefetch(
        "episodes",
        queryset=Episode.objects.published()
        .filter(episode_type=Episode.EpisodeType.TRAILER)
        .newest_first(),
        to_attr="published_trailers",
    ),
]
CHANNEL_SELECT = ["trailer"]
# An episode's rows of each kind, in their models' own order.
ITEM_LISTS = {
    "soundbites": Soundbite,
    "alternates": AlternateEnclosure,
    "recipients": EpisodeValueRecipient,
    "splits": ValueTimeSplit,
}
ItemLists = dict[str, dict[int, list]]
# The same rows as prefetches on Episode instances, for the feed's checks.
ITEM_PREFETCH = ["soundbites", "alternate_enclosures", "value_recipients", "value_splits"]


def write(handler, elements: Iterable[Element]) -> None:
    for name, text, attrs, children in elements:
        if children:
            handler.startElement(name, attrs)
            write(handler, children)
            handler.endElement(name)
        else:
            handler.addQuickElement(name, text, attrs)


def _element(
    tag: str, text: str | None = None, /, *, nested: list | None = None, **attrs
) -> Element:
    """A podcast: element; attributes given as None or "" are left out."""
    present = {key: str(value) for key, value in attrs.items() if value not in (None, "")}
    return (f"podcast:{tag}", text, present, nested or [])


def channel_elements(show: Show) -> list[Element]:
    found = [_element("medium", show.medium)]
    if show.cover_art:
        art = show.cover_art
        found += _images(art.url, art.name, show.cover_art_renditions, show.cover_art_alt)
    found += [_element("txt", t.text, purpose=t.purpose) for t in show.txt_records.all()]
    found += _license_and_location(show)
    found += [_trailer(episode) for episode in _trailers(show)]
    if show.update_frequency or show.update_rrule or show.complete:
        dtstart = show.update_dtstart
        found.append(
            _element(
                "updateFrequency",
                show.update_frequency or ("Complete" if show.complete else show.update_rrule),
                rrule=show.update_rrule,
                dtstart=dtstart and dtstart.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                complete="true" if show.complete else None,
            )
        )
    if podroll := show.podroll.all():
        found.append(_element("podroll", nested=[_remote_item(item) for item in podroll]))
    found += [
        _element("block", "yes" if block.blocked else "no", id=block.service)
        for block in show.blocks.all()
    ]
    if value := _value(show, list(show.value_recipients.all())):
        found.append(value)
    if show.publisher_feed_url or show.publisher_feed_guid:
        guid = show.publisher_feed_guid or podcast_guid_for(show.publisher_feed_url)
        remote = _element(
            "remoteItem",
            medium="publisher",
            feedGuid=guid,
            feedUrl=show.publisher_feed_url,
            title=show.publisher_name,
        )
        found.append(_element("publisher", nested=[remote]))
    return found


def item_lists(episodes: Q) -> ItemLists:
    """The Podcasting 2.0 rows of the episodes (`episodes` on `episode__`), by kind and episode."""
    lists: ItemLists = {}
    for kind, model in ITEM_LISTS.items():
        lists[kind] = by_episode = defaultdict(list)
        for row in model.objects.filter(episodes):
            by_episode[row.episode_id].append(row)
    return lists


def item_elements(episode: Any, art_url: str, lists: ItemLists, show: Show) -> list[Element]:
    """An item's elements from its row (`episode`: the Episode fields by name, file fields as
    names), the storage URL of its uploaded artwork, and its rows in `lists`."""
    pk = episode.id
    found = []
    if episode.cover_art:
        found += _images(art_url, episode.cover_art, episode.cover_art_renditions, "")
    found += _license_and_location(episode)
    found += [
        _element(
            "soundbite",
            bite.title,
            startTime=rules.decimal_seconds(bite.start_time),
            duration=rules.decimal_seconds(bite.duration),
        )
        for bite in lists["soundbites"].get(pk, ())
    ]
    found += [
        _alternate(alternate) for alternate in lists["alternates"].get(pk, ()) if alternate.is_ready
    ]
    own = lists["recipients"].get(pk, [])
    splits = lists["splits"].get(pk, [])
    if own or splits:
        default = own or list(show.value_recipients.all())
        if value := _value(show, default, splits):
            found.append(value)
    if episode.social_protocol:
        found.append(
            _element(
                "socialInteract",
                protocol=episode.social_protocol,
                uri=episode.social_uri,
                accountId=episode.social_account_id,
                accountUrl=episode.social_account_url,
            )
        )
    return found


def show_value(show: Show) -> Element | None:
    """The show's own podcast:value, which items without recipients of their own repeat."""
    return _value(show, list(show.value_recipients.all()))


def _trailers(show: Show) -> list[Episode]:
    if show.trailer_id:
        trailer = show.trailer
        usable = trailer.is_published and trailer.show_id == show.pk and trailer.has_audio
        return [trailer] if usable else []
    return [episode for episode in show.published_trailers if episode.has_audio]


def _trailer(episode: Episode) -> Element:
    return _element(
        "trailer",
        episode.title,
        url=episode.enclosure_url,
        pubdate=rfc2822_date(episode.pub_date),
        length=episode.audio_size,
        type=episode.audio_mime_type,
        season=episode.season_number,
    )


def _images(url: str, name: str, renditions: dict | None, alt: str) -> list[Element]:
    """podcast:image for the artwork (its storage URL and name) and each of its renditions,
    largest first."""
    renditions = renditions or {}
    width, height = renditions.get("width"), renditions.get("height")
    kind = "image/png" if name.lower().endswith(".png") else "image/jpeg"
    images = [(absolute_url(url), width, height, kind)]
    for size, name in sorted(
        (renditions.get("files") or {}).items(), key=lambda pair: -int(pair[0])
    ):
        scaled = round(int(size) * height / width) if width and height else None
        images.append((absolute_url(default_storage.url(name)), size, scaled, "image/webp"))
    return [
        _element(
            "image",
            href=href,
            alt=alt,
            **{"aspect-ratio": "1/1" if w and w == h else None},
            width=w,
            height=h,
            type=kind,
            purpose="artwork",
        )
        for href, w, h, kind in images
    ]


def _license_and_location(item: LicenseAndLocation) -> list[Element]:
    found = []
    if item.license:
        found.append(_element("license", item.license, url=item.license_url))
    if item.location_name:
        found.append(
            _element(
                "location",
                item.location_name,
                rel=item.location_rel,
                geo=item.location_geo,
                osm=item.location_osm,
                country=item.location_country,
            )
        )
    return found


def _remote_item(item: PodrollItem) -> Element:
    return _element(
        "remoteItem", feedGuid=item.resolved_guid, feedUrl=item.feed_url, title=item.title
    )


def _recipient(recipient: ValueRecipientBase) -> Element:
    return _element(
        "valueRecipient",
        name=recipient.name,
        type="node",
        address=recipient.address,
        split=recipient.split,
        customKey=recipient.custom_key,
        customValue=recipient.custom_value,
        fee="true" if recipient.fee else None,
    )


def _value(show: Show, recipients: list, splits: Iterable[Any] = ()) -> Element | None:
    """podcast:value (Lightning keysend); a guest's segment pays the guest beside the others."""
    if not recipients:
        return None
    children = [_recipient(recipient) for recipient in recipients]
    for split in splits:
        shared = [_recipient(r) for r in recipients if not r.fee] + [_recipient(split)]
        children.append(
            _element(
                "valueTimeSplit",
                startTime=split.start_time,
                duration=split.duration,
                nested=shared,
            )
        )
    suggested = show.value_suggested
    return _element(
        "value",
        type="lightning",
        method="keysend",
        suggested=f"{Decimal(suggested):.11f}" if suggested is not None else None,
        nested=children,
    )


def _alternate(alternate: AlternateEnclosure) -> Element:
    children = [_element("source", uri=uri) for uri in alternate.sources]
    if alternate.integrity:
        children.append(_element("integrity", type="sri", value=alternate.integrity))
    return _element(
        "alternateEnclosure",
        type=alternate.mime_type,
        length=alternate.size,
        bitrate=alternate.bitrate,
        title=alternate.title,
        codecs=alternate.codecs,
        nested=children,
    )
