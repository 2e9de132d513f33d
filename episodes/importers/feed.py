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
from lxml import etree

from episodes.categories import APPLE_CATEGORIES
from episodes.models import (
    SHOW_NOTES_MAX_CHARS,
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
    CONVERSION_ERRORS,
    EpisodeData,
    EpisodeWriter,
    FileSource,
    ItemError,
    Person,
    Report,
    ShowData,
    ShowWriter,
    clean_text,
    html_to_text,
    http_url,
    read_or_fail,
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
    overwrite: bool = False


def load_source(source: str, fetcher: Fetcher) -> tuple[bytes, str]:
    """The feed's bytes and where they came from: a URL (fetched safely) or a file path."""
    if "://" in source:
        try:
            return fetcher.fetch_bytes(source, FEED_MAX_BYTES)
        except FetchError as exc:
            raise FeedError(str(exc)) from exc
    try:
        # What is read is bounded, not what the file claims: a pipe or a device says size 0.
        with Path(source).open("rb") as handle:
            data = handle.read(FEED_MAX_BYTES + 1)
    except OSError as exc:
        raise FeedError(f"{source}: cannot read the file: {exc.strerror or exc}") from exc
    if len(data) > FEED_MAX_BYTES:
        raise FeedError(f"{source}: larger than the limit of {FEED_MAX_BYTES:,} bytes.")
    return data, source


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
        parsed, channel = parse(data)
    except FeedError as exc:
        report.fail(source, str(exc))
        return None
    reader = FeedReader(channel, parsed, fetcher, report, options)
    where = f"{origin} (channel)"
    show_data = read_or_fail(report, where, reader.show)
    if show_data is None:
        return None
    writer = ShowWriter(
        report, show_slug=options.show_slug, dry_run=options.dry_run, overwrite=options.overwrite
    )
    show = writer.write(show_data, where)
    if show is not None:
        _import_items(reader, channel, parsed, show, report, options)
    return show


def _import_items(
    reader: "FeedReader",
    channel: etree._Element,
    parsed: feedparser.FeedParserDict,
    show: Show,
    report: Report,
    options: FeedOptions,
) -> None:
    writer = EpisodeWriter(show, report, dry_run=options.dry_run, overwrite=options.overwrite)
    items = zip(channel.findall("item"), parsed.entries, strict=True)
    for index, (item, entry) in enumerate(items, start=1):
        where = f"item {index}"
        episode = read_or_fail(report, where, reader.episode, item, entry, where)
        if episode is not None:
            writer.write(episode, f"{where} (guid {episode.guid})")


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

    def show(self) -> ShowData:
        """The channel as a show, read and checked; nothing is saved here."""
        channel, where = self.channel, "channel"
        title = _text(channel, "title")
        if not title:
            raise ItemError("the channel has no <title>")
        owner = channel.find(f"{{{ITUNES}}}owner")
        owner_name = _text(owner, f"{{{ITUNES}}}name") if owner is not None else ""
        author = _text(channel, f"{{{ITUNES}}}author") or owner_name or title
        if _text(channel, f"{{{ITUNES}}}new-feed-url"):
            self.report.warn(where, "itunes:new-feed-url not imported: it would move our feed")
        return ShowData(
            title=title[:255],
            description=self._show_description(title),
            author=author[:255],
            owner_name=(owner_name or author)[:255],
            owner_email=self._owner_email(owner),
            podcast_guid=self._podcast_guid(),
            subtitle=_text(channel, f"{{{ITUNES}}}subtitle")[:255],
            copyright=_text(channel, "copyright")[:255],
            website=http_url(channel.findtext("link"), 500),
            explicit=_yes(_text(channel, f"{{{ITUNES}}}explicit")),
            complete=_yes(_text(channel, f"{{{ITUNES}}}complete")),
            show_type=self._show_type(),
            language=self._language(),
            category=self._category(),
            locked=self._locked(),
            funding=self._funding(),
            hosts=[p for p in self._people(channel, where) if p.role == Role.HOST],
            cover_art=self._show_art(),
        )

    def _show_description(self, title: str) -> str:
        description = html_to_text(self.channel.findtext("description") or "") or title
        if len(description.encode()) > SUMMARY_LIMIT:
            self.report.warn("channel", "description cut to Apple's 4,000 bytes")
            description = truncate_bytes(description, SUMMARY_LIMIT)
        return description

    def _owner_email(self, owner: etree._Element | None) -> str | None:
        email = _text(owner, f"{{{ITUNES}}}email") if owner is not None else ""
        try:
            validate_email(email)
        except ValidationError:
            if email:
                self.report.warn("channel", f"owner email {email!r} is not valid; left empty")
            return None
        return email

    def _podcast_guid(self) -> uuid.UUID | None:
        element = _find(self.channel, "guid")
        if element is None or not (element.text or "").strip():
            return None
        try:
            return uuid.UUID(element.text.strip())
        except ValueError:
            self.report.warn("channel", f"podcast:guid {element.text!r} is not a UUID; ignored")
            return None

    def _show_type(self) -> str:
        show_type = _text(self.channel, f"{{{ITUNES}}}type").lower()
        return show_type if show_type in Show.ShowType.values else Show.ShowType.EPISODIC

    def _language(self) -> str | None:
        raw = _text(self.channel, "language")
        if not raw:
            return None
        language = raw.replace("_", "-").lower()
        try:
            validate_language(language)
        except ValidationError:
            self.report.warn("channel", f"language {raw!r} is not an ISO 639 code; not imported")
            return None
        return language

    def _category(self) -> tuple[str, str] | None:
        element = self.channel.find(f"{{{ITUNES}}}category")
        if element is None:
            return None
        name = (element.get("text") or "").strip()
        by_lower = {key.lower(): key for key in APPLE_CATEGORIES}
        category = by_lower.get(name.lower())
        if category is None:
            self.report.warn("channel", f"category {name!r} is not an Apple category; not imported")
            return None
        subcategory = ""
        child = element.find(f"{{{ITUNES}}}category")
        if child is not None:
            sub_name = (child.get("text") or "").strip()
            subs = {sub.lower(): sub for sub in APPLE_CATEGORIES[category]}
            if sub_name.lower() in subs:
                subcategory = subs[sub_name.lower()]
            else:
                self.report.warn("channel", f"{sub_name!r} is not a subcategory of {category}")
        return category, subcategory

    def _locked(self) -> bool | None:
        locked = _find(self.channel, "locked")
        if locked is not None and (locked.text or "").strip():
            return _yes(locked.text)
        return None

    def _funding(self) -> tuple[str, str] | None:
        funding = _find(self.channel, "funding")
        if funding is not None and (url := http_url(funding.get("url"), 500)):
            return url, clean_text(funding.text)[:128]
        return None

    def _show_art(self) -> FileSource | None:
        # A show has no external-art field, and apps need the art: it is copied to our media.
        image = self.channel.find(f"{{{ITUNES}}}image")
        url = http_url(image.get("href")) if image is not None else ""
        url = url or http_url(self.channel.findtext("image/url"))
        return self._remote(url, IMAGE_MAX_BYTES) if url else None

    # The items

    def episode(
        self, item: etree._Element, entry: feedparser.FeedParserDict, where: str
    ) -> EpisodeData:
        """One item as an episode; ItemError says why it cannot be one."""
        enclosure = item.find("enclosure")
        enclosure_url = self._enclosure_url(enclosure, where)
        guid = self._guid(item, enclosure_url)
        title = clean_text(entry.get("title"))
        if not title:
            raise ItemError(f"no title (guid {guid})")
        if len(title) > 255:
            self.report.warn(where, "title cut to 255 characters")
        pub_date = self._pub_date(entry, where)
        summary, notes = self._texts(item, where)
        data = EpisodeData(
            title=title[:255],
            slug=slug_for(title, 200),
            guid=guid,
            summary=summary,
            show_notes=notes,
            status=Episode.Status.PUBLISHED if pub_date else Episode.Status.DRAFT,
            pub_date=pub_date,
            episode_number=self._number(item, "episode", where),
            season_number=self._number(item, "season", where),
            episode_type=self._episode_type(item),
            explicit=_yes(_text(item, f"{{{ITUNES}}}explicit")),
            duration=self._duration(item, where),
            people=self._guests(item, where),
            tags=[clean_text(c.text)[:100] for c in item.findall("category") if clean_text(c.text)]
            or None,
        )
        self._enclosure(data, enclosure, enclosure_url, where)
        self._item_art(item, data)
        self._transcript(item, data)
        chapters = _find(item, "chapters")
        if chapters is not None:
            data.chapters_url = http_url(chapters.get("url"))
        return data

    def _enclosure_url(self, enclosure: etree._Element | None, where: str) -> str:
        if enclosure is None:
            return ""
        url = http_url(enclosure.get("url"))
        if not url and enclosure.get("url"):
            self.report.warn(
                where, f"enclosure URL {enclosure.get('url')!r} is not http(s); skipped"
            )
        return url

    def _guid(self, item: etree._Element, enclosure_url: str) -> str:
        element = item.find("guid")
        guid = strip_control_chars(element.text or "").strip() if element is not None else ""
        if not guid:
            if not enclosure_url:
                raise ItemError("no guid and no enclosure URL: the item cannot be identified")
            guid = enclosure_url  # what Apple does for items without a guid
        if len(guid) > 255:
            raise ItemError(f"guid longer than 255 characters: {guid[:60]}…")
        return guid

    def _pub_date(self, entry: feedparser.FeedParserDict, where: str) -> datetime | None:
        if not entry.get("published_parsed"):
            self.report.warn(where, "no valid pubDate: imported as a draft")
            return None
        try:
            return datetime.fromtimestamp(calendar.timegm(entry.published_parsed), tz=UTC)
        except (*CONVERSION_ERRORS, OSError) as exc:
            raise ItemError(f"pubDate {entry.get('published')!r} is out of range") from exc

    def _texts(self, item: etree._Element, where: str) -> tuple[str, str]:
        """The plain-text summary and the HTML show notes, within their limits."""
        description = item.findtext("description") or ""
        content = item.findtext(f"{{{CONTENT}}}encoded") or ""
        notes = sanitize_html(content or description).strip()
        if len(notes) > SHOW_NOTES_MAX_CHARS:
            raise ItemError(
                f"show notes of {len(notes):,} characters; at most {SHOW_NOTES_MAX_CHARS:,} "
                "are allowed"
            )
        summary = html_to_text(description) or html_to_text(content)
        if len(summary.encode()) > SUMMARY_LIMIT:
            self.report.warn(where, "description cut to Apple's 4,000 bytes")
            summary = truncate_bytes(summary, SUMMARY_LIMIT)
        return summary, notes

    def _guests(self, item: etree._Element, where: str) -> list[Person] | None:
        """The item's people, without the show's own hosts restated on every item."""
        people = [
            person
            for person in self._people(item, where)
            if not (person.role == Role.HOST and slug_for(person.line.name, 140) in self.host_slugs)
        ]
        return people or None

    def _item_art(self, item: etree._Element, data: EpisodeData) -> None:
        image = item.find(f"{{{ITUNES}}}image")
        url = http_url(image.get("href")) if image is not None else ""
        if url and self.options.download:
            data.cover_art = self._remote(url, IMAGE_MAX_BYTES)
        elif url:
            data.cover_art_url = url

    def _enclosure(self, data: EpisodeData, enclosure, url: str, where: str) -> None:
        if not url:
            self.report.warn(where, "no enclosure: the episode has no audio")
            return
        length = (enclosure.get("length") or "").strip()
        size = int(length) if length.isascii() and length.isdigit() else None
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
        if raw.isascii() and raw.isdigit() and int(raw) > 0:
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
