"""What both importers share: the episode record, saving it once per item, the report."""

import hashlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO

import lxml.html
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import DatabaseError, transaction
from django.db.models.fields.files import FieldFile
from django.utils.text import slugify
from lxml import etree
from PIL import Image, UnidentifiedImageError

from episodes.models import Appearance, Episode, Platform, PlatformLink, Role, Show, Tag
from guests.models import Guest
from guests.parsing import GuestLine
from podcast import rules
from podcast.media import MediaError, artwork_in_rgb, read_audio
from podcast.text import strip_control_chars

from .fetch import FetchError


class ItemError(Exception):
    """What is wrong with one file or item, in words for the person importing."""


@dataclass
class Report:
    """Counts and messages of one import run."""

    write: Callable[[str], None] = print
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    warnings: list[str] = field(default_factory=list)

    def warn(self, location: str, message: str) -> None:
        self.warnings.append(f"{location}: {message}")
        self.write(f"warning: {location}: {message}")

    def fail(self, location: str, message: str) -> None:
        self.failed += 1
        self.write(f"FAILED: {location}: {message}")

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    @property
    def summary(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.failed} failed"
        )


@dataclass(frozen=True)
class FileSource:
    """A file to copy into media storage: where it came from and how to open it."""

    name: str
    open: Callable[[], AbstractContextManager[IO[bytes]]]


@dataclass(frozen=True)
class Person:
    line: GuestLine
    role: str = Role.GUEST
    website: str = ""


@dataclass
class EpisodeData:
    """An episode as read from a file or a feed item, before it meets the database."""

    title: str
    slug: str
    guid: str | None = None
    summary: str = ""
    show_notes: str = ""
    status: str = Episode.Status.PUBLISHED
    pub_date: datetime | None = None
    episode_number: int | None = None
    season_number: int | None = None
    episode_type: str = Episode.EpisodeType.FULL
    explicit: bool = False
    duration: int | None = None
    audio_url: str = ""
    audio_size: int | None = None
    audio_mime_type: str = ""
    audio_file: FileSource | None = None
    cover_art_url: str = ""
    cover_art: FileSource | None = None
    transcript_url: str = ""
    transcript_mime_type: str = ""
    chapters_url: str = ""
    tags: list[str] | None = None
    people: list[Person] | None = None
    links: list[tuple[str, str, str]] | None = None
    # Markdown files own their slug (the file name); feed titles only suggest one.
    slug_is_identity: bool = False


def clean_text(value: object) -> str:
    return strip_control_chars(str(value)).strip() if value is not None else ""


def http_url(value: object, max_length: int = 1000) -> str:
    """The value when it is an http(s) URL our URLFields accept, else ""."""
    url = clean_text(value)
    if not url or len(url) > max_length or not url.lower().startswith(("http://", "https://")):
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return ""
    return url


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment (descriptions become the plain-text summary)."""
    if not html.strip():
        return ""
    try:
        document = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return clean_text(html)
    for bad in document.xpath("//script|//style"):
        bad.drop_tree()
    return clean_text(" ".join(document.text_content().split()))


def slug_for(text: str, max_length: int) -> str:
    """An ASCII slug; names with no ASCII letters get a stable hash instead of nothing."""
    slug = slugify(text)[:max_length].strip("-")
    if slug:
        return slug
    return "x-" + hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:10]


def guest_for(person: Person) -> Guest:
    """The guest with this name's slug; created when new, blanks filled when known."""
    line = person.line
    slug = slug_for(line.name, 140)
    guest = Guest.objects.filter(slug=slug).first()
    if guest is None:
        guest = Guest(slug=slug, name=line.name[:128])
    changed = guest.pk is None
    for attr, value, limit in (
        ("title", line.title, 200),
        ("organisation", line.organisation, 200),
        ("website", person.website, 500),
    ):
        if value and not getattr(guest, attr):
            setattr(guest, attr, value[:limit])
            changed = True
    if changed:
        guest.full_clean()
        guest.save()
    return guest


def tag_for(name: str) -> Tag:
    slug = slug_for(name, 120)
    tag = Tag.objects.filter(slug=slug).first()
    return tag or Tag.objects.create(slug=slug, name=name[:100])


def art_problem(handle: IO[bytes]) -> str | None:
    """Why this image cannot be a podcast's artwork, or None when it can (made RGB if need be)."""
    try:
        with Image.open(handle) as image:
            problems = rules.artwork_shape_problems(image.format, *image.size)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return "not a JPEG or PNG image (SVG and other formats cannot be podcast artwork)"
    finally:
        handle.seek(0)
    return f"it {'; it '.join(problems)}" if problems else None


def _digest(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    handle.seek(0)
    while chunk := handle.read(1024 * 1024):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


def _same_content(stored: FieldFile, handle: IO[bytes]) -> bool:
    if not stored or not stored.storage.exists(stored.name):
        return False
    with stored.storage.open(stored.name, "rb") as current:
        return _digest(current) == _digest(handle)


class FileSaver:
    """Copies files into storage and removes them again if their item fails."""

    def __init__(self) -> None:
        self.saved: list[str] = []

    def save(self, field_file: FieldFile, name: str, handle: IO[bytes]) -> None:
        field_file.save(name, File(handle), save=False)
        self.saved.append(field_file.name)

    def discard(self) -> None:
        for name in self.saved:
            default_storage.delete(name)
        self.saved.clear()


def save_art(
    field_file: FieldFile, source: FileSource, saver: FileSaver, report: Report, where: str
) -> bool:
    """Copy artwork when it conforms and differs from what is stored; True if it changed."""
    with source.open() as handle:
        problem = art_problem(handle)
        if problem:
            report.warn(where, f"artwork {source.name} not imported: {problem}.")
            return False
        try:
            art = artwork_in_rgb(handle)
        except MediaError as exc:
            report.warn(where, f"artwork {source.name} not imported: {exc}")
            return False
        if _same_content(field_file, art):
            return False
        with Image.open(art) as image:
            extension = rules.artwork_extension(image.format)
        art.seek(0)
        stem = source.name.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "cover"
        saver.save(field_file, f"{stem}{extension}", art)
    return True


EPISODE_FIELDS = [
    "title", "slug", "guid", "summary", "show_notes", "status", "pub_date", "episode_number",
    "season_number", "episode_type", "explicit", "duration", "audio_url", "audio_size",
    "audio_mime_type", "audio_file", "cover_art_url", "cover_art", "transcript_url",
    "transcript_mime_type", "chapters_url",
]  # fmt: skip


def _fields(episode: Episode) -> tuple[str, ...]:
    """Comparable values: the same moment in two time zones is the same value."""

    def comparable(value: object) -> str:
        if isinstance(value, datetime):
            return value.astimezone(UTC).isoformat()
        return str(value)

    return tuple(comparable(getattr(episode, name)) for name in EPISODE_FIELDS)


def _relations(episode: Episode) -> tuple:
    if episode.pk is None:
        return ()
    people = tuple(episode.appearances.values_list("guest__slug", "role", "order"))
    tags = tuple(sorted(episode.tags.values_list("slug", flat=True)))
    links = tuple(sorted(episode.links.values_list("platform", "label", "url")))
    return (people, tags, links)


class EpisodeWriter:
    """Creates or updates one episode per call, all or nothing, and counts the outcome."""

    def __init__(self, show: Show, report: Report, *, dry_run: bool = False) -> None:
        self.show = show
        self.report = report
        self.dry_run = dry_run
        self.seen_guids: dict[str, str] = {}
        self.seen_slugs: dict[str, str] = {}

    def write(self, data: EpisodeData, where: str) -> None:
        saver = FileSaver()
        try:
            with transaction.atomic():
                outcome = self._upsert(data, where, saver)
        except (
            ItemError, ValidationError, DatabaseError, MediaError, FetchError, OSError, ValueError
        ) as exc:  # fmt: skip
            saver.discard()
            self.report.fail(where, error_message(exc))
            return
        self.report.count(outcome)

    def _find(self, data: EpisodeData, where: str) -> Episode | None:
        if data.guid is not None:
            if data.guid in self.seen_guids:
                raise ItemError(
                    f"duplicate guid {data.guid!r}, already used by {self.seen_guids[data.guid]}"
                )
            self.seen_guids[data.guid] = where
            existing = Episode.objects.filter(guid=data.guid).select_related("show").first()
            if existing is not None:
                if existing.show_id != self.show.pk:
                    raise ItemError(
                        f"guid {data.guid!r} belongs to an episode of another show "
                        f"({existing.show.slug}); guids are unique across the site"
                    )
                if not data.slug_is_identity:
                    data.slug = existing.slug  # a new title in the feed must not move the page
                return existing
        by_slug = Episode.objects.filter(show=self.show, slug=data.slug).first()
        if data.slug_is_identity:
            if data.slug in self.seen_slugs:
                raise ItemError(
                    f"slug {data.slug!r} is also the slug of {self.seen_slugs[data.slug]}"
                )
            self.seen_slugs[data.slug] = where
            if (
                by_slug is not None
                and data.guid is not None
                and by_slug.guid != data.guid
                and by_slug.status == Episode.Status.PUBLISHED
            ):
                raise ItemError(
                    f"episode {data.slug!r} is published with guid {by_slug.guid!r}; "
                    "a published episode's guid never changes"
                )
            return by_slug
        if by_slug is not None and by_slug.status == Episode.Status.DRAFT:
            return by_slug
        data.slug = self._free_slug(data.slug)
        return None

    def _free_slug(self, slug: str) -> str:
        taken = set(
            Episode.objects.filter(show=self.show, slug__startswith=slug).values_list(
                "slug", flat=True
            )
        )
        taken |= set(self.seen_slugs)
        candidate, n = slug, 2
        while candidate in taken:
            suffix = f"-{n}"
            candidate = slug[: 200 - len(suffix)] + suffix
            n += 1
        self.seen_slugs[candidate] = candidate
        return candidate

    def _upsert(self, data: EpisodeData, where: str, saver: FileSaver) -> str:
        episode = self._find(data, where)
        created = episode is None
        if created:
            episode = Episode(show=self.show)
        fields_before, relations_before = _fields(episode), _relations(episode)
        for name in (
            "title", "slug", "summary", "show_notes", "status", "pub_date", "episode_number",
            "season_number", "episode_type", "explicit", "transcript_url",
            "transcript_mime_type", "chapters_url",
        ):  # fmt: skip
            setattr(episode, name, getattr(data, name))
        if data.guid is not None:
            episode.guid = data.guid
        if data.duration is not None and data.audio_file is None:
            episode.duration = data.duration  # a copied file's own length wins
        self._audio(episode, data, saver)
        if episode.status == Episode.Status.PUBLISHED and not (
            episode.has_audio or data.audio_file
        ):
            # An item without an enclosure breaks the feed for every app: keep it off the air.
            episode.status = Episode.Status.DRAFT
            self.report.warn(where, "no audio: imported as a draft; add it, then publish")
        self._art(episode, data, saver, where)
        episode.full_clean()
        fields_changed = _fields(episode) != fields_before
        if created or fields_changed:
            episode.save()
        if data.people is not None:
            self._people(episode, data.people)
        if data.tags is not None:
            episode.tags.set([tag_for(name) for name in data.tags])
        if data.links is not None:
            self._links(episode, data.links)
        if created:
            return "created"
        changed = fields_changed or _relations(episode) != relations_before
        return "updated" if changed else "unchanged"

    def _audio(self, episode: Episode, data: EpisodeData, saver: FileSaver) -> None:
        if data.audio_file is not None:
            if episode.audio_file and data.audio_size and episode.audio_size == data.audio_size:
                return
            with data.audio_file.open() as handle:
                info = read_audio(handle)
                if self.dry_run:
                    return
                if not _same_content(episode.audio_file, handle):
                    name = data.audio_file.name.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "audio"
                    saver.save(episode.audio_file, f"{name}.{info.extension}", handle)
            episode.audio_url = ""
            episode.audio_size = info.size
            episode.audio_mime_type = info.mime_type
            episode.audio_bitrate = info.bitrate
            episode.duration = info.duration
        elif data.audio_url:
            episode.audio_file = ""
            episode.audio_url = data.audio_url
            episode.audio_size = data.audio_size
            episode.audio_mime_type = data.audio_mime_type[:50]

    def _art(self, episode: Episode, data: EpisodeData, saver: FileSaver, where: str) -> None:
        if data.cover_art is not None:
            if not self.dry_run and save_art(
                episode.cover_art, data.cover_art, saver, self.report, where
            ):
                episode.cover_art_url = ""
        elif data.cover_art_url:
            episode.cover_art_url = data.cover_art_url

    def _people(self, episode: Episode, people: list[Person]) -> None:
        wanted = []
        for order, person in enumerate(people, start=1):
            key = (guest_for(person).pk, person.role)
            if key not in [w[0] for w in wanted]:
                wanted.append((key, order))
        current = {(a.guest_id, a.role): a for a in episode.appearances.all()}
        for (guest_id, role), order in wanted:
            appearance = current.pop((guest_id, role), None)
            if appearance is None:
                Appearance.objects.create(
                    episode=episode, guest_id=guest_id, role=role, order=order
                )
            elif appearance.order != order:
                appearance.order = order
                appearance.save(update_fields=["order", "updated"])
        for appearance in current.values():
            appearance.delete()

    def _links(self, episode: Episode, links: list[tuple[str, str, str]]) -> None:
        current = {
            (link.platform, link.label if link.platform == Platform.OTHER else ""): link
            for link in episode.links.all()
        }
        for platform, label, url in links:
            key = (platform, label if platform == Platform.OTHER else "")
            link = current.pop(key, None)
            if link is None:
                PlatformLink.objects.create(
                    episode=episode, platform=platform, label=label, url=url
                )
            elif link.url != url:
                link.url = url
                link.save(update_fields=["url", "updated"])
        for link in current.values():
            link.delete()


def error_message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
            )
        return " ".join(exc.messages)
    return str(exc)


@contextmanager
def dry_run_guard(dry_run: bool) -> Iterator[None]:
    """In a dry run everything inside is rolled back; otherwise each item commits on its own."""
    if not dry_run:
        yield
        return
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
