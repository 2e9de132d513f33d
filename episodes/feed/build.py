"""Building a show's feed: RSS 2.0 with the iTunes, Podcasting 2.0, content and atom namespaces.

`ShowFeed` supplies the channel's data and `PodcastFeedGenerator` writes its extra elements, as in
any Django feed. Items are written by `items.ItemRenderer`, each once per change of what it shows,
and kept in the database (`FeedItem`), so a feed is the channel plus the kept items, and an edit
costs the items it changed. `build_feed` turns one show into the bytes `serve.py` caches and
answers with.

To add an item element: fetch what it needs in `ItemRenderer.render` (a fixed number of queries
per chunk of items), write it in `ItemRenderer._item`, and watch the model it comes from in
`episodes.feed.freshness` (`watch_episode_part(Model)` for a row of one episode). A release that
changes the XML of items that did not change in the database bumps `FEED_FORMAT`.
"""

import functools
import hashlib
import io
import json
from collections.abc import Callable, Iterator
from datetime import datetime
from itertools import batched
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db import connection, transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import feedgenerator

from episodes.feed.items import ItemRenderer, person_attrs
from episodes.models import Episode, FeedItem, Show
from episodes.podcasting20 import feed as podcasting20
from guests.models import Guest
from podcast.media import absolute_url
from podcast.rules import CONTENT_NS, ITUNES_NS, PODCAST_NS
from podcast.text import strip_control_chars

FEED_CHUNK = 1000  # items rendered (and kept) per round of queries
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


def item_context(items: ItemRenderer) -> str:
    """Digest of what every item repeats from the show and the settings: items are current only
    under the context they were rendered in."""
    parts = [
        feed_version(),
        items.show.slug,
        items.show.language,
        sorted(items.host_ids),
        items.host_persons,
        # An item's podcast:value falls back to the show's recipients and suggestion.
        podcasting20.show_value(items.show),
        absolute_url(items.audio_url("x")),
    ]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def _clean(value: Any) -> Any:
    """Strip XML-invalid control characters from every string on its way into the channel."""
    if isinstance(value, str):
        return strip_control_chars(value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    return value


def _true_false(value: bool) -> str:
    return "true" if value else "false"


class PodcastFeedGenerator(feedgenerator.Rss201rev2Feed):
    """Writes the iTunes and Podcasting 2.0 elements of the channel that `ShowFeed` passes as
    extra kwargs; items come in already written (`rendered_items`)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.feed = _clean(self.feed)
        self.rendered_items: Iterator[str] = iter(())

    def write_items(self, handler) -> None:
        for xml in self.rendered_items:
            handler.ignorableWhitespace(xml)

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
        for person in feed["persons"]:
            add("podcast:person", person["name"], person_attrs(person))
        podcasting20.write(handler, feed["podcasting20"])


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


class ShowFeed(Feed):
    """The data of one show's channel; its items are written apart (`items.ItemRenderer`)."""

    feed_type = PodcastFeedGenerator

    def __init__(self, show: Show, last_modified: datetime, host_persons: list[dict]) -> None:
        self.show = show
        self.last_modified = last_modified
        self.language = show.language
        self.host_persons = host_persons

    def items(self, show: Show) -> tuple:
        return ()

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

    def generator(self) -> PodcastFeedGenerator:
        return self.get_feed(self.show, _SiteRequest())


def _in_feed_order(show: Show) -> QuerySet[Episode]:
    episodes = Episode.objects.published().filter(show=show)
    if show.show_type == Show.ShowType.SERIAL:
        return episodes.order_by("pub_date", "id")
    return episodes.newest_first()


def _make_rows(episode_ids: list[int]) -> None:
    """Rows before data: an edit from now on raises their version past the one read here."""
    if connection.vendor != "postgresql":
        rows = [FeedItem(episode_id=pk) for pk in episode_ids]
        FeedItem.objects.bulk_create(rows, ignore_conflicts=True)
        return
    # One array of ids: a model instance and a parameter per column of each row cost more
    # than the insert itself.
    table = connection.ops.quote_name(FeedItem._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (episode_id, version, context, xml)"
            " SELECT unnest(%s::bigint[]), 0, '', '' ON CONFLICT DO NOTHING",
            [episode_ids],
        )


def _keep(rendered: dict[int, str], versions: dict[int, int], context: str) -> None:
    """Store rendered items as current for the version read before their data was.

    Only the rendering columns are written: a change since then has raised `version`, and the
    stored XML then stays stale. Every row was made before its data was read; one gone since
    (its episode deleted) stays gone.
    """
    if connection.vendor != "postgresql":
        rows = [
            FeedItem(episode_id=pk, rendered_version=versions[pk], context=context, xml=xml)
            for pk, xml in rendered.items()
        ]
        FeedItem.objects.bulk_update(rows, ["rendered_version", "context", "xml"])
        return
    # Megabytes of XML go through COPY, which streams them as they are; as query parameters
    # every one would be escaped and parsed again. COPY cannot update, hence a staging table
    # (per transaction, for connection poolers) that the update empties.
    staging = "feed_items_rendered"
    table = connection.ops.quote_name(FeedItem._meta.db_table)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging}"
            " (episode_id bigint, rendered_version bigint, xml text) ON COMMIT DROP"
        )
        with cursor.copy(f"COPY {staging} FROM STDIN") as copy:
            for pk, xml in rendered.items():
                copy.write_row((pk, versions[pk], xml))
        # Names come from the model's metadata; the one value is a query parameter.
        cursor.execute(
            f"WITH rendered AS (DELETE FROM {staging} RETURNING *)"  # noqa: S608
            f" UPDATE {table} SET rendered_version = rendered.rendered_version,"
            " context = %s, xml = rendered.xml FROM rendered"
            f" WHERE {table}.episode_id = rendered.episode_id",
            [context],
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
    renderer = ItemRenderer(show)
    context = item_context(renderer)
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
    items: list[tuple[int, str | None]] = []
    versions: dict[int, int] = {}  # of the items to render, in feed order
    unkept: list[int] = []
    for pk, version, rendered_version, kept_context, xml in rows:
        current = version is not None and version == rendered_version and kept_context == context
        items.append((pk, xml if current else None))
        if not current:
            versions[pk] = version or 0
        if version is None:
            unkept.append(pk)
    del rows
    if keep and unkept:
        _make_rows(unkept)
    del unkept
    generator = ShowFeed(show, last_modified, renderer.host_persons).generator()
    generator.rendered_items = _assembled(items, renderer, versions, context, keep, progress)
    # Written straight to bytes: a str of the whole feed first would cost several times its size.
    buffer = io.BytesIO()
    generator.write(buffer, "utf-8")
    return buffer.getvalue()


def _assembled(
    items: list[tuple[int, str | None]],
    renderer: ItemRenderer,
    versions: dict[int, int],
    context: str,
    keep: bool,
    progress: Callable[[], object],
) -> Iterator[str]:
    """Each item's XML in feed order: kept, or rendered (and kept) a chunk at a time as the
    assembly reaches it, so that only one chunk of rendered items is held at once."""
    chunks = batched(versions, FEED_CHUNK)
    chunk: set[int] = set()
    rendered: dict[int, str] = {}
    for pk, xml in items:
        if xml is None:
            if pk not in chunk:  # the next chunk's first item: chunks follow feed order
                chunk = set(ids := next(chunks))
                rendered = renderer.render(ids)
                if keep and rendered:
                    _keep(rendered, versions, context)
                progress()
            xml = rendered.pop(pk, None)
            if xml is None:  # deleted since the list was read
                continue
        yield xml
