"""The podcast feed: RSS 2.0 with the iTunes, Podcasting 2.0, content and atom namespaces.

`ShowFeed` supplies the data, `PodcastFeedGenerator` writes the extra elements, and
`build_feed` turns one show into the bytes the view caches and serves.
"""

import io
import mimetypes
import re
from collections.abc import Iterator
from datetime import datetime
from html import unescape
from itertools import batched
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import feedgenerator
from django.utils.html import escape, strip_tags

from episodes.models import Chapter, Episode, Role, Show
from episodes.podcasting20 import feed as podcasting20
from guests.models import Guest
from podcast.enclosures import enclosure_url
from podcast.media import absolute_url
from podcast.rules import CAPTION_TYPES, CONTENT_NS, DESCRIPTION_LIMIT, ITUNES_NS, PODCAST_NS
from podcast.text import strip_control_chars, truncate_bytes

FEED_CHUNK = 500  # episodes fetched (with their people) per round trip
# Part of every cache key of the feed and its pieces: bump it when the output changes.
# Measured enclosures (analytics) are other XML than the files' own URLs, hence two formats.
FEED_FORMAT = 3 if settings.ANALYTICS_ENABLED else 2


def _clean(value: Any) -> Any:
    """Strip XML-invalid control characters from every string on its way into the feed."""
    if isinstance(value, str):
        return strip_control_chars(value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    return value


def _true_false(value: bool) -> str:
    return "true" if value else "false"


def description_html(text: str) -> str:
    """Plain text as escaped HTML paragraphs, cut to fit Apple's 4,000 bytes."""

    def paragraphs(value: str) -> str:
        parts = (part.strip() for part in re.split(r"\n\s*\n", value))
        return "".join(f"<p>{escape(part)}</p>" for part in parts if part)

    budget = DESCRIPTION_LIMIT
    html = paragraphs(truncate_bytes(text, budget))
    # Escaping and tags add bytes: shrink the text until the HTML fits (the budget always falls).
    while (size := len(html.encode())) > DESCRIPTION_LIMIT:
        budget = min(budget - 1, budget * DESCRIPTION_LIMIT // size)
        html = paragraphs(truncate_bytes(text, max(budget, 0)))
    return html


def _person(guest: Guest, role: str, group: str) -> dict[str, str]:
    return {
        "name": guest.name,
        "role": role,
        "group": group,
        "href": settings.SITE_URL + guest.get_absolute_url(),
        "img": absolute_url(guest.photo.url) if guest.photo else "",
    }


class PodcastFeedGenerator(feedgenerator.Rss201rev2Feed):
    """Writes the iTunes and Podcasting 2.0 elements that `ShowFeed` passes as extra kwargs."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.feed = _clean(self.feed)

    def add_item(self, *args, **kwargs) -> None:
        super().add_item(*args, **kwargs)
        self.items[-1] = _clean(self.items[-1])

    def rss_attributes(self) -> dict[str, str]:
        return {
            **super().rss_attributes(),
            "xmlns:itunes": ITUNES_NS,
            "xmlns:podcast": PODCAST_NS,
            "xmlns:content": CONTENT_NS,
        }

    def latest_post_date(self) -> datetime:
        # lastBuildDate comes from the freshness stamp, never from the clock.
        return self.feed["last_modified"]

    def add_root_elements(self, handler) -> None:
        super().add_root_elements(handler)
        # WebSub: the hubs told of every change (notify app), beside rel="self".
        for hub in settings.WEBSUB_HUBS:
            handler.addQuickElement("atom:link", None, {"rel": "hub", "href": hub})
        feed = self.feed
        add = handler.addQuickElement
        add("itunes:author", feed["itunes_author"])
        handler.startElement("itunes:owner", {})
        add("itunes:name", feed["owner_name"])
        add("itunes:email", feed["owner_email"])
        handler.endElement("itunes:owner")
        if feed["image"]:
            add("itunes:image", attrs={"href": feed["image"]})
            handler.startElement("image", {})
            add("url", feed["image"])
            add("title", feed["title"])
            add("link", feed["link"])
            handler.endElement("image")
        handler.startElement("itunes:category", {"text": feed["category"]})
        if feed["subcategory"]:
            add("itunes:category", attrs={"text": feed["subcategory"]})
        handler.endElement("itunes:category")
        add("itunes:explicit", _true_false(feed["explicit"]))
        add("itunes:type", feed["show_type"])
        if feed["complete"]:
            add("itunes:complete", "Yes")
        if feed["new_feed_url"]:
            add("itunes:new-feed-url", feed["new_feed_url"])
        add("podcast:guid", feed["podcast_guid"])
        add("podcast:locked", "yes" if feed["locked"] else "no", {"owner": feed["owner_email"]})
        if feed["funding_url"]:
            add("podcast:funding", feed["funding_text"], {"url": feed["funding_url"]})
        self.add_persons(handler, feed["persons"])
        podcasting20.write(handler, feed["podcasting20"])

    def add_item_elements(self, handler, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        add = handler.addQuickElement
        if item["content_encoded"]:
            add("content:encoded", item["content_encoded"])
        if item["duration"] is not None:
            add("itunes:duration", str(item["duration"]))
        add("itunes:episodeType", item["episode_type"])
        if item["season"]:
            add("itunes:season", str(item["season"]))
            add("podcast:season", str(item["season"]))
        if item["episode"]:
            add("itunes:episode", str(item["episode"]))
            add("podcast:episode", str(item["episode"]))
        add("itunes:explicit", _true_false(item["explicit"]))
        if item["image"]:
            add("itunes:image", attrs={"href": item["image"]})
        if item["transcript_url"]:
            attrs = {"url": item["transcript_url"], "type": item["transcript_type"]}
            attrs["language"] = self.feed["language"]
            if item["transcript_type"] in CAPTION_TYPES:
                attrs["rel"] = "captions"
            add("podcast:transcript", attrs=attrs)
        if item["chapters_url"]:
            add(
                "podcast:chapters",
                attrs={"url": item["chapters_url"], "type": "application/json+chapters"},
            )
        # Item-level persons replace the channel's, so the hosts come first on every item.
        self.add_persons(handler, item["persons"])
        podcasting20.write(handler, item["podcasting20"])

    @staticmethod
    def add_persons(handler, persons: list[dict[str, str]]) -> None:
        for person in persons:
            attrs = {"role": person["role"], "group": person["group"], "href": person["href"]}
            if person["img"]:
                attrs["img"] = person["img"]
            handler.addQuickElement("podcast:person", person["name"], attrs)


class ShowFeed(Feed):
    feed_type = PodcastFeedGenerator

    def __init__(self, last_modified: datetime) -> None:
        self.last_modified = last_modified

    def get_feed(self, obj: Show, request: HttpRequest) -> PodcastFeedGenerator:
        self.language = obj.language
        self.host_persons = [_person(host, Role.HOST, "cast") for host in obj.hosts.all()]
        self.host_ids = {host.pk for host in obj.hosts.all()}
        return super().get_feed(obj, request)

    def items(self, show: Show) -> Iterator[Episode]:
        # In chunks: a 10,000-episode archive never holds all its model instances at once.
        for chunk in batched(self._episodes(show), FEED_CHUNK):
            for episode in chunk:
                episode.show = show
                yield episode

    def _episodes(self, show: Show) -> QuerySet[Episode]:
        episodes = (
            Episode.objects.published()
            .filter(show=show)
            .annotate(has_chapters=Exists(Chapter.objects.filter(episode=OuterRef("pk"))))
            .for_cards()
            .select_related(None)  # every item's show is this show: not joined to each row
            .prefetch_related(*podcasting20.ITEM_PREFETCH)
        )
        if show.show_type == Show.ShowType.SERIAL:
            episodes = episodes.order_by("pub_date", "id")
        else:
            episodes = episodes.newest_first()
        return episodes.defer("transcript_text").iterator(chunk_size=FEED_CHUNK)

    def title(self, show: Show) -> str:
        return show.title

    def link(self, show: Show) -> str:
        return settings.SITE_URL + show.get_absolute_url()

    def description(self, show: Show) -> str:
        return show.description

    def feed_url(self, show: Show) -> str:
        return show.feed_url

    def feed_copyright(self, show: Show) -> str | None:
        return show.copyright or None

    def feed_extra_kwargs(self, show: Show) -> dict[str, Any]:
        return {
            "last_modified": self.last_modified,
            "itunes_author": show.author,
            "owner_name": show.owner_name,
            "owner_email": show.owner_email,
            "image": absolute_url(show.cover_art.url) if show.cover_art else "",
            "category": show.category,
            "subcategory": show.subcategory,
            "explicit": show.explicit,
            "show_type": show.show_type,
            "complete": show.complete,
            "new_feed_url": show.new_feed_url,
            "podcast_guid": str(show.podcast_guid),
            "locked": show.locked,
            "funding_url": show.funding_url,
            "funding_text": show.funding_text or "Support the show",
            "persons": self.host_persons,
            "podcasting20": podcasting20.channel_elements(show),
        }

    def item_title(self, episode: Episode) -> str:
        return episode.title

    def item_description(self, episode: Episode) -> str:
        text = episode.summary or unescape(strip_tags(episode.show_notes_html))
        return description_html(text)

    def item_link(self, episode: Episode) -> str:
        return settings.SITE_URL + episode.get_absolute_url()

    def item_guid(self, episode: Episode) -> str:
        return episode.guid

    item_guid_is_permalink = False

    def item_categories(self, episode: Episode) -> list[str]:
        return [tag.name for tag in episode.tags.all()]

    def item_pubdate(self, episode: Episode) -> datetime:
        return episode.pub_date

    def item_enclosures(self, episode: Episode) -> list[feedgenerator.Enclosure]:
        if not episode.has_audio:
            return []
        url = enclosure_url(episode)
        mime_type = episode.audio_mime_type or mimetypes.guess_type(url)[0] or "audio/mpeg"
        return [feedgenerator.Enclosure(url, str(episode.audio_size or 0), mime_type)]

    def item_extra_kwargs(self, episode: Episode) -> dict[str, Any]:
        transcript = episode.transcript_src
        if episode.has_chapters:
            chapters = settings.SITE_URL + episode.get_chapters_url()
        else:
            chapters = episode.chapters_url
        art = episode.cover_art.url if episode.cover_art else episode.cover_art_url
        guests = [
            _person(a.guest, a.role, a.group)
            for a in episode.appearances.all()
            if not (a.role == Role.HOST and a.guest_id in self.host_ids)
        ]
        return {
            "content_encoded": episode.show_notes_html,
            "duration": episode.duration,
            "episode_type": episode.episode_type,
            "season": episode.season_number,
            "episode": episode.episode_number,
            "explicit": episode.explicit,
            "image": absolute_url(art),
            "transcript_url": absolute_url(transcript),
            "transcript_type": episode.transcript_type if transcript else "",
            "chapters_url": absolute_url(chapters),
            "persons": self.host_persons + guests,
            "podcasting20": podcasting20.item_elements(episode),
        }


def build_feed(slug: str, last_modified: datetime, request: HttpRequest) -> bytes | None:
    """The whole feed as one bytes object, in a fixed number of queries; None: no such show."""
    hosts = Prefetch("hosts", queryset=Guest.objects.order_by("name", "id"))
    show = (
        Show.objects.select_related(*podcasting20.CHANNEL_SELECT)
        .prefetch_related(hosts, *podcasting20.CHANNEL_PREFETCH)
        .filter(slug=slug)
        .first()
    )
    if show is None:
        return None
    # Written straight to bytes: a str of the whole feed first would cost several times its size.
    buffer = io.BytesIO()
    ShowFeed(last_modified).get_feed(show, request).write(buffer, "utf-8")
    return buffer.getvalue()
