"""Any RSS podcast feed: the channel becomes a show, its items become episodes.

feedparser reads the feed as podcast apps do (dates, entities, encodings); lxml reads what it
does not keep exactly or at all: guids as written and the Podcasting 2.0 tags, under both the
official namespace URI and the old GitHub one.
"""

import calendar
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import feedparser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, transaction
from lxml import etree

from episodes.categories import APPLE_CATEGORIES
from episodes.models import (
    RESERVED_SLUGS,
    Episode,
    Role,
    Show,
    validate_language,
)
from guests.parsing import GuestLine
from podcast.markdown import sanitize_html
from podcast.rules import CONTENT_NS as CONTENT
from podcast.rules import DESCRIPTION_LIMIT as SUMMARY_LIMIT
from podcast.rules import ITUNES_NS as ITUNES
from podcast.rules import PODCAST_NAMESPACES
from podcast.text import parse_duration, strip_control_chars, truncate_bytes

from .common import (
    EpisodeData,
    EpisodeWriter,
    FileSaver,
    FileSource,
    ItemError,
    Person,
    Report,
    clean_text,
    error_message,
    guest_for,
    html_to_text,
    http_url,
    save_art,
    slug_for,
)
from .fetch import FEED_MAX_BYTES, IMAGE_MAX_BYTES, MEDIA_MAX_BYTES, Fetcher, FetchError

TRANSCRIPT_PREFERENCE = ["text/vtt", "application/x-subrip", "application/srt", "text/srt"]


class FeedError(Exception):
    """The feed as a whole cannot be imported."""


@dataclass
class FeedOptions:
    show_slug: str | None = None
    download: bool = False
    dry_run: bool = False


def load_source(source: str, fetcher: Fetcher) -> tuple[bytes, str]:
    """The feed's bytes and where they came from: a URL (fetched safely) or a file path."""
    if "://" in source:
        try:
            return fetcher.fetch_bytes(source, FEED_MAX_BYTES)
        except FetchError as exc:
            raise FeedError(str(exc)) from exc
    path = Path(source)
    try:
        if path.stat().st_size > FEED_MAX_BYTES:
            raise FeedError(f"{source}: larger than the limit of {FEED_MAX_BYTES:,} bytes.")
        return path.read_bytes(), source
    except OSError as exc:
        raise FeedError(f"{source}: cannot read the file: {exc.strerror or exc}") from exc


def parse(data: bytes) -> tuple[feedparser.FeedParserDict, etree._Element]:
    # No entities, no network: a feed must not make the parser read files or URLs (XXE).
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"not well-formed XML: {exc}") from exc
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise FeedError("not an RSS feed (no <rss><channel>)")
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if len(parsed.entries) != len(channel.findall("item")):
        raise FeedError("feedparser and lxml disagree about the items; the feed is malformed")
    return parsed, channel


def import_feed(source: str, fetcher: Fetcher, report: Report, options: FeedOptions) -> Show | None:
    try:
        data, origin = load_source(source, fetcher)
    except FeedError as exc:
        report.fail("feed", str(exc))  # the message names the source
        return None
    try:
        parsed, channel = parse(data)
    except FeedError as exc:
        report.fail(origin, str(exc))
        return None
    reader = FeedReader(channel, parsed, fetcher, report, options)
    saver = FileSaver()
    try:
        with transaction.atomic():
            show = reader.show(saver)
    except (ValidationError, DatabaseError, ItemError, FetchError, OSError) as exc:
        saver.discard()
        report.fail(f"{origin} (channel)", error_message(exc))
        return None
    writer = EpisodeWriter(show, report, dry_run=options.dry_run)
    for index, (item, entry) in enumerate(
        zip(channel.findall("item"), parsed.entries, strict=True)
    ):
        where = f"item {index + 1}"
        try:
            episode = reader.episode(item, entry, where)
        except ItemError as exc:
            report.fail(where, str(exc))
            continue
        writer.write(episode, f"{where} (guid {episode.guid})")
    return show


def _find(element: etree._Element, name: str) -> etree._Element | None:
    """A Podcasting 2.0 child under either namespace URI."""
    for namespace in PODCAST_NAMESPACES:
        found = element.find(f"{{{namespace}}}{name}")
        if found is not None:
            return found
    return None


def _findall(element: etree._Element, name: str) -> list[etree._Element]:
    return [
        found
        for namespace in PODCAST_NAMESPACES
        for found in element.findall(f"{{{namespace}}}{name}")
    ]


def _text(element: etree._Element, path: str) -> str:
    return clean_text(element.findtext(path) or "")


def _yes(value: str) -> bool:
    return value.strip().lower() in ("yes", "true", "explicit")


class FeedReader:
    def __init__(
        self,
        channel: etree._Element,
        parsed: feedparser.FeedParserDict,
        fetcher: Fetcher,
        report: Report,
        options: FeedOptions,
    ) -> None:
        self.channel = channel
        self.parsed = parsed
        self.fetcher = fetcher
        self.report = report
        self.options = options
        # Feeds restate the show's hosts on every item (item persons replace the channel's);
        # those are the show's hosts, not appearances of their own.
        self.host_slugs = {
            slug_for(p.line.name, 140)
            for p in self._people(channel, "channel", warn=False)
            if p.role == Role.HOST
        }

    # The channel

    def show(self, saver: FileSaver) -> Show:
        channel, where = self.channel, "channel"
        title = _text(channel, "title")
        if not title:
            raise ItemError("the channel has no <title>")
        feed_guid = self._podcast_guid()
        show = self._existing_show(feed_guid)
        if show is None:
            show = Show(slug=self._new_show_slug(title))
            if feed_guid is not None:
                show.podcast_guid = feed_guid
        elif feed_guid is not None and show.podcast_guid != feed_guid:
            self.report.warn(
                where,
                f"podcast:guid {feed_guid} differs from the show's {show.podcast_guid}, "
                "which is kept: a show's podcast:guid never changes",
            )
        description = html_to_text(channel.findtext("description") or "") or title
        if len(description.encode()) > SUMMARY_LIMIT:
            self.report.warn(where, "description cut to Apple's 4,000 bytes")
            description = truncate_bytes(description, SUMMARY_LIMIT)
        owner = channel.find(f"{{{ITUNES}}}owner")
        owner_name = _text(owner, f"{{{ITUNES}}}name") if owner is not None else ""
        owner_email = _text(owner, f"{{{ITUNES}}}email") if owner is not None else ""
        try:
            validate_email(owner_email)
        except ValidationError:
            if owner_email:
                self.report.warn(where, f"owner email {owner_email!r} is not valid; left empty")
            owner_email = ""
        author = _text(channel, f"{{{ITUNES}}}author") or owner_name or title
        show.title = title[:255]
        show.description = description
        show.author = author[:255]
        show.owner_name = (owner_name or author)[:255]
        show.owner_email = owner_email or show.owner_email
        show.subtitle = _text(channel, f"{{{ITUNES}}}subtitle")[:255]
        show.copyright = _text(channel, "copyright")[:255]
        show.website = http_url(channel.findtext("link"), 500)
        show.explicit = _yes(_text(channel, f"{{{ITUNES}}}explicit"))
        show.complete = _yes(_text(channel, f"{{{ITUNES}}}complete"))
        show_type = _text(channel, f"{{{ITUNES}}}type").lower()
        show.show_type = show_type if show_type in Show.ShowType.values else Show.ShowType.EPISODIC
        self._language(show)
        self._category(show)
        locked = _find(channel, "locked")
        if locked is not None and (locked.text or "").strip():
            show.locked = _yes(locked.text)
        funding = _find(channel, "funding")
        if funding is not None and (url := http_url(funding.get("url"), 500)):
            show.funding_url = url
            show.funding_text = clean_text(funding.text)[:128] or show.funding_text
        if _text(channel, f"{{{ITUNES}}}new-feed-url"):
            self.report.warn(where, "itunes:new-feed-url not imported: it would move our feed")
        exclude = ["cover_art"]
        if not show.owner_email:
            exclude.append("owner_email")
            self.report.warn(
                where, "no itunes:owner e-mail; add one in the admin (Apple and Spotify need it)"
            )
        show.full_clean(exclude=exclude)
        show.save()
        hosts = [p for p in self._people(channel, where) if p.role == Role.HOST]
        if hosts:
            show.hosts.set([guest_for(person) for person in hosts])
        self._show_art(show, saver)
        return show

    def _podcast_guid(self) -> uuid.UUID | None:
        element = _find(self.channel, "guid")
        if element is None or not (element.text or "").strip():
            return None
        try:
            return uuid.UUID(element.text.strip())
        except ValueError:
            self.report.warn("channel", f"podcast:guid {element.text!r} is not a UUID; ignored")
            return None

    def _existing_show(self, feed_guid: uuid.UUID | None) -> Show | None:
        if self.options.show_slug:
            return Show.objects.filter(slug=self.options.show_slug).first()
        if feed_guid is not None:
            return Show.objects.filter(podcast_guid=feed_guid).first()
        return None

    def _new_show_slug(self, title: str) -> str:
        if self.options.show_slug:
            return self.options.show_slug
        base = slug_for(title, 90)
        if base in RESERVED_SLUGS:
            base = f"{base}-podcast"
        slug, n = base, 2
        while Show.objects.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    def _language(self, show: Show) -> None:
        raw = _text(self.channel, "language")
        if not raw:
            return
        language = raw.replace("_", "-").lower()
        try:
            validate_language(language)
        except ValidationError:
            self.report.warn(
                "channel", f"language {raw!r} is not an ISO 639 code; kept {show.language!r}"
            )
            return
        show.language = language

    def _category(self, show: Show) -> None:
        element = self.channel.find(f"{{{ITUNES}}}category")
        if element is None:
            return
        name = (element.get("text") or "").strip()
        by_lower = {key.lower(): key for key in APPLE_CATEGORIES}
        category = by_lower.get(name.lower())
        if category is None:
            self.report.warn(
                "channel", f"category {name!r} is not an Apple category; kept {show.category!r}"
            )
            return
        show.category, show.subcategory = category, ""
        child = element.find(f"{{{ITUNES}}}category")
        if child is not None:
            sub_name = (child.get("text") or "").strip()
            subs = {sub.lower(): sub for sub in APPLE_CATEGORIES[category]}
            if sub_name.lower() in subs:
                show.subcategory = subs[sub_name.lower()]
            else:
                self.report.warn("channel", f"{sub_name!r} is not a subcategory of {category}")

    def _show_art(self, show: Show, saver: FileSaver) -> None:
        # A show has no external-art field, and apps need the art: it is copied to our media.
        image = self.channel.find(f"{{{ITUNES}}}image")
        url = http_url(image.get("href")) if image is not None else ""
        url = url or http_url(self.channel.findtext("image/url"))
        if not url or self.options.dry_run:
            return
        try:
            if save_art(
                show.cover_art, self._remote(url, IMAGE_MAX_BYTES), saver, self.report, "channel"
            ):
                show.save(update_fields=["cover_art", "updated"])
        except FetchError as exc:
            self.report.warn("channel", f"artwork not copied: {exc}")

    # The items

    def episode(
        self, item: etree._Element, entry: feedparser.FeedParserDict, where: str
    ) -> EpisodeData:
        enclosure = item.find("enclosure")
        enclosure_url = ""
        if enclosure is not None:
            enclosure_url = http_url(enclosure.get("url"))
            if not enclosure_url and enclosure.get("url"):
                self.report.warn(
                    where, f"enclosure URL {enclosure.get('url')!r} is not http(s); skipped"
                )
        guid_element = item.find("guid")
        guid = (
            strip_control_chars(guid_element.text or "").strip() if guid_element is not None else ""
        )
        if not guid:
            if not enclosure_url:
                raise ItemError("no guid and no enclosure URL: the item cannot be identified")
            guid = enclosure_url  # what Apple does for items without a guid
        if len(guid) > 255:
            raise ItemError(f"guid longer than 255 characters: {guid[:60]}…")
        title = clean_text(entry.get("title"))
        if not title:
            raise ItemError(f"no title (guid {guid})")
        if len(title) > 255:
            self.report.warn(where, "title cut to 255 characters")
        pub_date = None
        if entry.get("published_parsed"):
            pub_date = datetime.fromtimestamp(calendar.timegm(entry.published_parsed), tz=UTC)
        status = Episode.Status.PUBLISHED
        if pub_date is None:
            self.report.warn(where, "no valid pubDate: imported as a draft")
            status = Episode.Status.DRAFT

        description = item.findtext("description") or ""
        content = item.findtext(f"{{{CONTENT}}}encoded") or ""
        summary = html_to_text(description) or html_to_text(content)
        if len(summary.encode()) > SUMMARY_LIMIT:
            self.report.warn(where, "description cut to Apple's 4,000 bytes")
            summary = truncate_bytes(summary, SUMMARY_LIMIT)
        notes = sanitize_html(content or description).strip()

        data = EpisodeData(
            title=title[:255],
            slug=slug_for(title, 200),
            guid=guid,
            summary=summary,
            show_notes=notes,
            status=status,
            pub_date=pub_date,
            episode_number=self._number(item, "episode", where),
            season_number=self._number(item, "season", where),
            episode_type=self._episode_type(item),
            explicit=_yes(_text(item, f"{{{ITUNES}}}explicit")),
            duration=self._duration(item, where),
            people=[
                person
                for person in self._people(item, where)
                if not (
                    person.role == Role.HOST and slug_for(person.line.name, 140) in self.host_slugs
                )
            ]
            or None,
            tags=[clean_text(c.text)[:100] for c in item.findall("category") if clean_text(c.text)]
            or None,
        )
        self._enclosure(data, enclosure, enclosure_url, where)
        image = item.find(f"{{{ITUNES}}}image")
        image_url = http_url(image.get("href")) if image is not None else ""
        if image_url:
            if self.options.download:
                data.cover_art = self._remote(image_url, IMAGE_MAX_BYTES)
            else:
                data.cover_art_url = image_url
        self._transcript(item, data)
        chapters = _find(item, "chapters")
        if chapters is not None:
            data.chapters_url = http_url(chapters.get("url"))
        return data

    def _enclosure(self, data: EpisodeData, enclosure, url: str, where: str) -> None:
        if not url:
            self.report.warn(where, "no enclosure: the episode has no audio")
            return
        length = (enclosure.get("length") or "").strip()
        size = int(length) if length.isdigit() else None
        if self.options.download:
            data.audio_file = self._remote(url, MEDIA_MAX_BYTES)
            data.audio_size = size
        else:
            data.audio_url = url
            data.audio_size = size
            data.audio_mime_type = clean_text(enclosure.get("type"))[:50]

    def _remote(self, url: str, max_bytes: int) -> FileSource:
        fetcher = self.fetcher

        @contextmanager
        def opener() -> Iterator[IO[bytes]]:
            handle, _ = fetcher.fetch_to_file(url, max_bytes)
            try:
                yield handle
            finally:
                handle.close()

        name = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or "download"
        return FileSource(name=name, open=opener)

    def _number(self, item: etree._Element, kind: str, where: str) -> int | None:
        raw = _text(item, f"{{{ITUNES}}}{kind}")
        if not raw and (element := _find(item, kind)) is not None:
            raw = clean_text(element.text)
        if not raw:
            return None
        if raw.isdigit() and int(raw) > 0:
            return int(raw)
        self.report.warn(where, f"{kind} number {raw!r} is not a whole number from 1 up; skipped")
        return None

    def _episode_type(self, item: etree._Element) -> str:
        value = _text(item, f"{{{ITUNES}}}episodeType").lower()
        return value if value in Episode.EpisodeType.values else Episode.EpisodeType.FULL

    def _duration(self, item: etree._Element, where: str) -> int | None:
        raw = _text(item, f"{{{ITUNES}}}duration")
        if not raw:
            return None
        seconds = parse_duration(raw)
        if seconds is None:
            self.report.warn(where, f"duration {raw!r} not understood; left empty")
        return seconds

    def _people(self, element: etree._Element, where: str, warn: bool = True) -> list[Person]:
        people = []
        for person in _findall(element, "person"):
            name = clean_text(person.text)[:128]
            if not name:
                continue
            role = (person.get("role") or "host").strip().lower()
            if role not in Role.values:
                if warn:
                    self.report.warn(
                        where, f"person {name!r} has role {role!r}, which we do not keep"
                    )
                continue
            people.append(
                Person(
                    line=GuestLine(name=name), role=role, website=http_url(person.get("href"), 500)
                )
            )
        return people

    def _transcript(self, item: etree._Element, data: EpisodeData) -> None:
        candidates = [
            (clean_text(t.get("type")).lower(), http_url(t.get("url")))
            for t in _findall(item, "transcript")
        ]
        candidates = [(kind, url) for kind, url in candidates if url]
        if not candidates:
            return
        rank = {kind: n for n, kind in enumerate(TRANSCRIPT_PREFERENCE)}
        kind, url = min(candidates, key=lambda c: rank.get(c[0], len(rank)))
        data.transcript_url, data.transcript_mime_type = url, kind[:50]
