"""Building a show's feed: RSS 2.0 with the iTunes, Podcasting 2.0, content and atom namespaces.

`ShowFeed` supplies the data and `PodcastFeedGenerator` writes the extra elements, as in any Django
feed. What is particular: each episode's `<item>` is rendered once per change of what it shows and
kept in the database (`FeedItem`), so a feed is the channel plus the kept items, and an edit costs
the items it changed. `build_feed` turns one show into the bytes `serve.py` caches and answers with.

To add an item element: supply its value in `ShowFeed.item_extra_kwargs` (fetching what it needs
in `ShowFeed.items`, in a fixed number of queries), write it in
`PodcastFeedGenerator.add_item_elements`, and watch the model it comes from in
`episodes.feed.freshness` (`watch_episode_part(Model)` for a row of one episode). A release that
changes the XML of items that did not change in the database bumps `FEED_FORMAT`.
"""

import functools
import hashlib
import io
import json
import mimetypes
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from html import escape as html_escape
from html import unescape
from itertools import batched
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.http import HttpRequest
from django.urls import reverse
from django.utils import feedgenerator
from django.utils.html import strip_tags

from episodes.models import Appearance, Chapter, Episode, FeedItem, Role, Show
from episodes.podcasting20 import feed as podcasting20
from guests.models import Guest
from podcast.enclosures import enclosure_url
from podcast.media import absolute_url
from podcast.rules import CAPTION_TYPES, CONTENT_NS, DESCRIPTION_LIMIT, ITUNES_NS, PODCAST_NS
from podcast.text import strip_control_chars, truncate_bytes

FEED_CHUNK = 500  # items rendered (and stored) per round of queries
# Part of the feed's ETag, of its cache keys and of every kept item's context (`feed_version`):
# bump it when a release changes the XML.
# Measured enclosures (analytics) are other XML than the files' own URLs, hence two formats.
FEED_FORMAT = 5 if settings.ANALYTICS_ENABLED else 3
# Settings the XML is made of: changing one makes every copy and kept item stale at once.
FEED_SETTINGS = ["SITE_URL", "MEDIA_URL"]


def feed_version() -> str:
    """The feed format and the values of FEED_SETTINGS, as a short digest."""
    return _version(FEED_FORMAT, *(str(getattr(settings, name, "")) for name in FEED_SETTINGS))


@functools.lru_cache(maxsize=16)
def _version(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]


def _clean(value: Any) -> Any:
    """Strip XML-invalid control characters from every string on its way into the channel."""
    if isinstance(value, str):
        return strip_control_chars(value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    return value


def quoteattr(value: str) -> str:
    """`xml.sax.saxutils.quoteattr`, without its general entity machinery (a tenth of its time)."""
    value = value.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    if "\n" in value or "\r" in value or "\t" in value:
        value = value.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"{}"'.format(value.replace('"', "&quot;"))


class ItemWriter:
    """Writes what Django's `SimplerXMLGenerator` writes (attributes sorted, empty elements
    short), into a list of strings: an item has some forty elements and a feed thousands of
    items, and the SAX writer's overhead per call would be most of the cost of an item.
    `test_item_writer_writes_what_djangos_writer_writes` holds the two together."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self._open = False  # a start tag waits for its ">" or "/>"

    def startElement(self, name: str, attrs: dict[str, str]) -> None:
        parts = self.parts
        if self._open:
            parts.append(">")
        parts.append("<" + name)
        for key in sorted(attrs):
            parts.append(f" {key}={quoteattr(attrs[key])}")
        self._open = True

    def endElement(self, name: str) -> None:
        if self._open:
            self.parts.append("/>")
            self._open = False
        else:
            self.parts.append(f"</{name}>")

    def characters(self, content: str) -> None:
        if content:
            if self._open:
                self.parts.append(">")
                self._open = False
            self.parts.append(escape(content))

    def addQuickElement(
        self, name: str, contents: str | None = None, attrs: dict[str, str] | None = None
    ) -> None:
        if attrs or self._open:
            self.startElement(name, attrs or {})
            self.characters(contents)
            self.endElement(name)
        elif contents:
            self.parts.append(f"<{name}>{escape(contents)}</{name}>")
        else:
            self.parts.append(f"<{name}/>")

    def getvalue(self) -> str:
        # Control characters are invalid in XML 1.0 and never part of the markup: one pass
        # over the item removes them from every value in it.
        return strip_control_chars("".join(self.parts))


def _true_false(value: bool) -> str:
    return "true" if value else "false"


PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def description_html(text: str) -> str:
    """Plain text as escaped HTML paragraphs, cut to fit Apple's 4,000 bytes."""

    def paragraphs(value: str) -> str:
        parts = (part.strip() for part in PARAGRAPH_BREAK.split(value))
        return "".join(f"<p>{html_escape(part)}</p>" for part in parts if part)

    budget = DESCRIPTION_LIMIT
    html = paragraphs(truncate_bytes(text, budget))
    # Escaping and tags add bytes: shrink the text until the HTML fits (the budget always falls).
    while (size := len(html.encode())) > DESCRIPTION_LIMIT:
        budget = min(budget - 1, budget * DESCRIPTION_LIMIT // size)
        html = paragraphs(truncate_bytes(text, max(budget, 0)))
    return html


class PodcastFeedGenerator(feedgenerator.Rss201rev2Feed):
    """Writes the iTunes and Podcasting 2.0 elements that `ShowFeed` passes as extra kwargs.

    The channel is written by Django's `write`; items come in already rendered (`item_xml`).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.feed = _clean(self.feed)
        self.rendered_items: Iterable[str] = ()

    def write_items(self, handler) -> None:
        # Items are rendered (and kept) apart from the channel: the feed is assembled from them.
        for xml in self.rendered_items:
            handler.ignorableWhitespace(xml)

    def item_xml(self, item: dict[str, Any]) -> str:
        """One `<item>` as XML, exactly as `write_items` of Django's feed would write it."""
        writer = ItemWriter()
        writer.startElement("item", self.item_attributes(item))
        self.add_item_elements(writer, item)
        writer.endElement("item")
        return writer.getvalue()

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


class _SiteRequest(HttpRequest):
    """What Django's `Feed` asks of a request, answered from SITE_URL: one feed serves every
    poller, so nothing in it may come from the request that happened to build it."""

    def __init__(self) -> None:
        super().__init__()
        site = urlsplit(settings.SITE_URL)
        self.site_host, self.site_secure = site.netloc, site.scheme == "https"
        self.path = "/"

    def get_host(self) -> str:
        return self.site_host

    def is_secure(self) -> bool:
        return self.site_secure


def _url_maker(name: str, **kwargs: str) -> Callable[[str], str]:
    """`SITE_URL` + reverse(name, slug=…) for many slugs in one reverse; slugs need no quoting."""
    marker = "slug-marker"
    template = settings.SITE_URL + reverse(name, kwargs={**kwargs, "slug": marker})
    head, _, tail = template.rpartition(marker)
    return lambda slug: f"{head}{slug}{tail}"


class People:
    """`podcast:person` entries, made once per guest and role in a build."""

    def __init__(self) -> None:
        self._guest_url = _url_maker("guests:detail")
        self._photo_url = Guest._meta.get_field("photo").storage.url
        self._made: dict[tuple[int, str], dict[str, str]] = {}

    def person(self, guest_id: int, name: str, slug: str, photo: str, role: str) -> dict[str, str]:
        key = (guest_id, role)
        if key not in self._made:
            self._made[key] = {
                "name": name,
                "role": role,
                "group": Appearance.ROLE_GROUPS.get(role, "cast"),
                "href": self._guest_url(slug),
                "img": absolute_url(self._photo_url(photo)) if photo else "",
            }
        return self._made[key]


class ShowFeed(Feed):
    """The data of one show's feed: the channel from the show, items from `episode_ids`."""

    feed_type = PodcastFeedGenerator

    def __init__(self, show: Show, last_modified: datetime) -> None:
        self.show = show
        self.last_modified = last_modified
        self.language = show.language
        self.people = People()
        hosts = list(show.hosts.all())
        self.host_ids = {host.pk for host in hosts}
        self.host_persons = [
            self.people.person(h.pk, h.name, h.slug, h.photo.name, Role.HOST) for h in hosts
        ]
        self.episode_url = _url_maker("episodes:detail", show=show.slug)
        self.chapters_url = _url_maker("episodes:chapters", show=show.slug)
        self.episode_ids: Sequence[int] = ()

    def context(self) -> str:
        """Digest of what every item repeats from the show and the settings: items are current
        only under the context they were rendered in."""
        parts = [
            feed_version(),
            self.show.slug,
            self.language,
            sorted(self.host_ids),
            self.host_persons,
            # An item's podcast:value falls back to the show's recipients and suggestion.
            podcasting20.show_value(self.show),
            absolute_url(Episode._meta.get_field("audio_file").storage.url("x")),
        ]
        return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()

    def items(self, show: Show) -> Iterator[Episode]:
        for chunk in batched(sorted(self.episode_ids), FEED_CHUNK):
            wanted = set(chunk)
            episodes = [e for e in self._episodes(self._among(chunk, "pk")) if e.pk in wanted]
            tags, appearances = self._parts(self._among(chunk, "episode__pk"))
            for episode in episodes:
                episode.show = show
                episode.feed_tags = tags[episode.pk]
                episode.feed_appearances = appearances[episode.pk]
                yield episode

    def _among(self, ids: Sequence[int], field: str) -> Q:
        """Rows of the episodes `ids` (sorted) and maybe of others of the show between them: a
        range where the ids lie close, since a list of hundreds of ids cost more to send than
        the rows the range adds (those are left out by the caller)."""
        if len(ids) < 50 or ids[-1] - ids[0] > 2 * len(ids):
            return Q(**{f"{field}__in": ids})
        show = "show" if field == "pk" else "episode__show"
        return Q(**{f"{field}__range": (ids[0], ids[-1]), show: self.show})

    def _episodes(self, among: Q) -> QuerySet[Episode]:
        chapters = Chapter.objects.filter(episode=OuterRef("pk"))
        return (
            Episode.objects.filter(among)
            .annotate(has_chapters=Exists(chapters))
            .defer("transcript_text", "cover_art_renditions")
            .prefetch_related(*podcasting20.ITEM_PREFETCH)
        )

    @staticmethod
    def _parts(among: Q) -> tuple[dict[int, list], dict[int, list]]:
        """Tag names and appearances (with their guests) of the episodes, as plain values: model
        instances for tens of thousands of rows cost more than rendering the items."""
        tags, appearances = defaultdict(list), defaultdict(list)
        tag_rows = (
            Episode.tags.through.objects.filter(among)
            .order_by("tag__name", "tag_id")
            .values_list("episode_id", "tag__name")
        )
        for episode_id, name in tag_rows:
            tags[episode_id].append(name)
        appearance_rows = (
            Appearance.objects.filter(among)
            .order_by("order", "id")
            .values_list(
                "episode_id", "guest_id", "guest__name", "guest__slug", "guest__photo", "role"
            )
        )
        for episode_id, *appearance in appearance_rows:
            appearances[episode_id].append(appearance)
        return tags, appearances

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
        return self.episode_url(episode.slug)

    def item_guid(self, episode: Episode) -> str:
        return episode.guid

    item_guid_is_permalink = False

    def item_categories(self, episode: Episode) -> list[str]:
        return episode.feed_tags

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
        own = episode.has_chapters
        chapters = self.chapters_url(episode.slug) if own else episode.chapters_url
        art = episode.cover_art.url if episode.cover_art else episode.cover_art_url
        guests = [
            self.people.person(guest_id, name, slug, photo, role)
            for guest_id, name, slug, photo, role in episode.feed_appearances
            if not (role == Role.HOST and guest_id in self.host_ids)
        ]
        return {
            "episode_id": episode.pk,
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

    def generator(self) -> PodcastFeedGenerator:
        return self.get_feed(self.show, _SiteRequest())

    def render_items(
        self, ids: Sequence[int], progress: Callable[[], object] = lambda: None
    ) -> Iterator[tuple[int, str]]:
        """(episode id, `<item>` XML) for each of `ids`, a chunk of queries at a time;
        `progress` is called after each chunk."""
        for chunk in batched(ids, FEED_CHUNK):
            self.episode_ids = chunk
            generator = self.generator()
            for item in generator.items:
                yield item["episode_id"], generator.item_xml(item)
            progress()
        self.episode_ids = ()


def _in_feed_order(show: Show) -> QuerySet[Episode]:
    episodes = Episode.objects.published().filter(show=show)
    if show.show_type == Show.ShowType.SERIAL:
        return episodes.order_by("pub_date", "id")
    return episodes.newest_first()


def _keep(rendered: dict[int, str], versions: dict[int, int], context: str) -> None:
    """Store rendered items as current for the version read before their data was.

    Only the rendering columns are written on a conflict: a change since then has raised
    `version`, and the stored XML then stays stale.
    """
    # Each XML a parameter of its own (Value): PostgreSQL's array form of a bulk insert escapes
    # every element in Python, three times slower for texts of this size.
    rows = [
        FeedItem(episode_id=pk, version=versions[pk], rendered_version=versions[pk],
                 context=context, xml=Value(xml))
        for pk, xml in rendered.items()
    ]  # fmt: skip
    FeedItem.objects.bulk_create(
        rows,
        batch_size=FEED_CHUNK,
        update_conflicts=True,
        unique_fields=["episode"],
        update_fields=["rendered_version", "context", "xml"],
    )


def show_for_feed(slug: str) -> Show | None:
    """The show with everything its channel and every item repeat, in a fixed number of queries."""
    hosts = Prefetch("hosts", queryset=Guest.objects.order_by("name", "id"))
    return (
        Show.objects.select_related(*podcasting20.CHANNEL_SELECT)
        .prefetch_related(hosts, *podcasting20.CHANNEL_PREFETCH)
        .filter(slug=slug)
        .first()
    )


def build_feed(
    slug: str,
    last_modified: datetime,
    *,
    keep: bool = True,
    progress: Callable[[], object] = lambda: None,
) -> bytes | None:
    """The whole feed as one bytes object, in a fixed number of queries; None: no such show.

    Items still current are taken as kept; the others are rendered and kept for next time.
    `keep=False` renders every item and keeps none: the feed as a fresh install would build it.
    `progress` is called after each chunk of items rendered (a builder keeps its lease alive).
    """
    show = show_for_feed(slug)
    if show is None:
        return None
    feed = ShowFeed(show, last_modified)
    context = feed.context()
    if keep:
        rows = list(
            _in_feed_order(show).values_list(
                "pk",
                "feed_item__version",
                "feed_item__rendered_version",
                "feed_item__context",
                "feed_item__xml",
            )
        )
    else:
        rows = [
            (pk, None, None, None, None) for pk in _in_feed_order(show).values_list("pk", flat=True)
        ]
    items: list[str | None] = []
    versions: dict[int, int] = {}
    unkept: list[FeedItem] = []
    for pk, version, rendered_version, kept_context, xml in rows:
        current = version is not None and version == rendered_version and kept_context == context
        items.append(xml if current else None)
        if not current:
            versions[pk] = version or 0
        if version is None:
            unkept.append(FeedItem(episode_id=pk))
    del rows
    if keep and unkept:
        # Rows before data: an edit from now on raises their version past the one read here.
        FeedItem.objects.bulk_create(unkept, ignore_conflicts=True, batch_size=FEED_CHUNK)
    rendered = dict(feed.render_items(list(versions), progress))
    if keep and rendered:
        _keep(rendered, versions, context)
    order = iter(versions)
    generator = feed.generator()
    generator.rendered_items = (xml if xml is not None else rendered[next(order)] for xml in items)
    # Written straight to bytes: a str of the whole feed first would cost several times its size.
    buffer = io.BytesIO()
    generator.write(buffer, "utf-8")
    return buffer.getvalue()
