"""What both importers share: the records they read (ShowData, EpisodeData), the writers that save
each all or nothing (ShowWriter, EpisodeWriter), what an import last wrote (Provenance), the report.
"""

import hashlib
import json
import uuid
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
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.utils.text import slugify
from lxml import etree
from PIL import Image, UnidentifiedImageError

from episodes.models import (
    RESERVED_SLUGS,
    Appearance,
    Episode,
    Platform,
    PlatformLink,
    Role,
    Show,
    Tag,
)
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


@dataclass
class ShowData:
    """A show as read from a feed's channel, before it meets the database.

    None means the source says nothing about that field, so what is stored stays.
    """

    title: str
    description: str
    author: str
    owner_name: str
    podcast_guid: uuid.UUID | None = None
    owner_email: str | None = None
    subtitle: str = ""
    copyright: str = ""
    website: str = ""
    explicit: bool = False
    complete: bool = False
    show_type: str = Show.ShowType.EPISODIC
    language: str | None = None
    category: tuple[str, str] | None = None
    locked: bool | None = None
    funding: tuple[str, str] | None = None
    hosts: list[Person] = field(default_factory=list)
    cover_art: FileSource | None = None


# What reading a value can raise besides our own ItemError: a duration of `.inf`, a date in
# year 0, a number with thousands of digits. Each is one item's problem, never the run's.
CONVERSION_ERRORS = (ValueError, OverflowError, ArithmeticError, TypeError, RecursionError)


def read_or_fail[**P, T](
    report: Report, where: str, read: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T | None:
    """What `read` makes of one item (or the channel), or None once its failure is reported."""
    try:
        return read(*args, **kwargs)
    except ItemError as exc:
        report.fail(where, str(exc))
    except CONVERSION_ERRORS as exc:
        report.fail(where, f"a value cannot be read: {exc}")
    return None


def fingerprint(value: object) -> str:
    """A short hash of a value as stored; the same moment in two time zones is one value."""

    def comparable(item: object) -> object:
        if isinstance(item, datetime):
            return item.astimezone(UTC).isoformat()
        if isinstance(item, FieldFile):
            return item.name or ""
        if isinstance(item, list | tuple):
            return [comparable(part) for part in item]
        if isinstance(item, bool | int | type(None)):
            return item
        # A browser sends a textarea's lines back as CRLF: saving unchanged is not an edit.
        return str(item).replace("\r\n", "\n")

    encoded = json.dumps(comparable(value), sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:16]


def _empty(value: object) -> bool:
    if isinstance(value, list | tuple):
        return all(_empty(part) for part in value)
    return value in ("", None) or (isinstance(value, FieldFile) and not value)


class Provenance:
    """Decides, field by field, whether an import may write over what an object holds now.

    It may when the object is new, when the value is what the last import wrote (its stored
    fingerprint), when the field is empty, or when asked to overwrite; otherwise an editor has
    changed it since, and it is kept and reported.
    """

    def __init__(self, obj: Show | Episode, *, created: bool, overwrite: bool) -> None:
        self.obj = obj
        self.created = created
        self.overwrite = overwrite
        self.written = dict(obj.import_fingerprints or {})
        self.wrote: set[str] = set()
        self.kept: list[str] = []

    def may_write(self, name: str, current: object, new: object = None) -> bool:
        now, recorded = fingerprint(current), self.written.get(name)
        if (
            self.created
            or self.overwrite
            or (new is not None and now == fingerprint(new))
            or now == recorded
            or (recorded is None and _empty(current))
        ):
            return True
        self.kept.append(name.replace("_", " "))
        return False

    def set(self, name: str, value: object) -> None:
        """Write a field unless an editor changed it; None means the source has no value."""
        if value is not None and self.may_write(name, getattr(self.obj, name), value):
            setattr(self.obj, name, value)
            self.record(name, value)

    def record(self, name: str, value: object) -> None:
        self.written[name] = fingerprint(value)
        self.wrote.add(name)

    def save_fingerprints(self) -> bool:
        """Store what was written on the object; True if that changed anything."""
        changed = self.written != (self.obj.import_fingerprints or {})
        self.obj.import_fingerprints = dict(self.written)
        return changed

    def report_kept(self, report: "Report", where: str) -> None:
        if self.kept:
            report.warn(
                where,
                f"kept what an editor changed since the last import ({', '.join(self.kept)}); "
                "--overwrite replaces it",
            )


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


# Written as they come; the audio, the artwork and the relations have steps of their own.
PLAIN_EPISODE_FIELDS = [
    "title", "summary", "show_notes", "status", "pub_date", "episode_number", "season_number",
    "episode_type", "explicit", "transcript_url", "transcript_mime_type", "chapters_url",
]  # fmt: skip
AUDIO_FIELDS = ["audio_file", "audio_url", "audio_size", "audio_mime_type", "audio_bitrate"]
ART_FIELDS = ["cover_art", "cover_art_url"]
SHOW_FIELDS = [
    "title", "description", "author", "owner_name", "owner_email", "subtitle", "copyright",
    "website", "explicit", "complete", "show_type", "language", "locked",
]  # fmt: skip
ITEM_ERRORS = (
    ItemError, ValidationError, DatabaseError, MediaError, FetchError, OSError, *CONVERSION_ERRORS
)  # fmt: skip


def _values(obj: object, names: list[str]) -> list[object]:
    return [getattr(obj, name) for name in names]


def sync_children(
    current: dict[tuple, Model],
    wanted: list[tuple[tuple, dict]],
    create: Callable[[tuple, dict], object],
) -> None:
    """Make a set of child rows match `wanted` (key, values): update, create, delete the rest."""
    for key, values in wanted:
        row = current.pop(key, None)
        if row is None:
            create(key, values)
            continue
        changed = [name for name, value in values.items() if getattr(row, name) != value]
        if changed:
            for name in changed:
                setattr(row, name, values[name])
            row.save(update_fields=[*changed, "updated"])
    for row in current.values():
        row.delete()


class EpisodeWriter:
    """Creates or updates one episode per call, all or nothing, and counts the outcome.

    It updates only episodes an import created or that carry the item's guid, and in those
    only what no editor has changed since the last import (unless `overwrite`).
    """

    def __init__(
        self, show: Show, report: Report, *, dry_run: bool = False, overwrite: bool = False
    ) -> None:
        self.show = show
        self.report = report
        self.dry_run = dry_run
        self.overwrite = overwrite
        self.seen_guids: dict[str, str] = {}
        self.seen_slugs: dict[str, str] = {}

    def write(self, data: EpisodeData, where: str) -> None:
        saver = FileSaver()
        try:
            with transaction.atomic():
                outcome = self._upsert(data, where, saver)
        except ITEM_ERRORS as exc:
            saver.discard()
            self.report.fail(where, error_message(exc))
            return
        self.report.count(outcome)

    # Finding the episode an item is

    def _find(self, data: EpisodeData, where: str) -> Episode | None:
        if data.guid is not None:
            existing = self._by_guid(data, where)
            if existing is not None:
                return existing
        if data.slug_is_identity:
            return self._by_own_slug(data, where)
        # A feed title only suggests a slug: a taken one is never someone else's episode.
        data.slug = self._free_slug(data.slug)
        return None

    def _by_guid(self, data: EpisodeData, where: str) -> Episode | None:
        if data.guid in self.seen_guids:
            raise ItemError(
                f"duplicate guid {data.guid!r}, already used by {self.seen_guids[data.guid]}"
            )
        self.seen_guids[data.guid] = where
        existing = Episode.objects.filter(guid=data.guid).select_related("show").first()
        if existing is not None and existing.show_id != self.show.pk:
            raise ItemError(
                f"guid {data.guid!r} belongs to an episode of another show "
                f"({existing.show.slug}); guids are unique across the site"
            )
        return existing

    def _by_own_slug(self, data: EpisodeData, where: str) -> Episode | None:
        """A markdown file's episode: the one at its slug, if an import made that one."""
        if data.slug in self.seen_slugs:
            raise ItemError(f"slug {data.slug!r} is also the slug of {self.seen_slugs[data.slug]}")
        self.seen_slugs[data.slug] = where
        existing = Episode.objects.filter(show=self.show, slug=data.slug).first()
        if existing is None:
            return None
        if not existing.import_fingerprints:
            raise ItemError(
                f"the slug {data.slug!r} belongs to “{existing.title}”, which was not imported "
                f"(guid {existing.guid!r}); skipped, nothing changed. Give the file that guid to "
                "update it, or another slug to import it beside it"
            )
        if data.guid is not None and existing.status == Episode.Status.PUBLISHED:
            raise ItemError(
                f"episode {data.slug!r} is published with guid {existing.guid!r}; "
                "a published episode's guid never changes"
            )
        return existing

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

    # Writing it

    def _upsert(self, data: EpisodeData, where: str, saver: FileSaver) -> str:
        episode = self._find(data, where)
        created = episode is None
        if created:
            episode = Episode(show=self.show, slug=data.slug)
        provenance = Provenance(episode, created=created, overwrite=self.overwrite)
        before = self._state(episode)
        self._identity(episode, data, provenance)
        self._plain_fields(episode, data, provenance)
        self._audio_step(episode, data, saver, provenance)
        self._keep_off_the_air_without_audio(episode, data, provenance, where)
        self._art_step(episode, data, saver, provenance, where)
        episode.full_clean()
        fingerprints_changed = provenance.save_fingerprints()
        fields_changed = self._fields(episode) != before[0]
        if created or fields_changed or fingerprints_changed:
            episode.save()
        self._relations(episode, data, provenance)
        provenance.report_kept(self.report, where)
        if provenance.save_fingerprints():
            episode.save(update_fields=["import_fingerprints"])
        if created:
            return "created"
        changed = fields_changed or self._relations_now(episode) != before[1]
        return "updated" if changed else "unchanged"

    def _identity(self, episode: Episode, data: EpisodeData, provenance: Provenance) -> None:
        if data.slug_is_identity:
            provenance.set("slug", data.slug)
        if data.guid is not None:
            episode.guid = data.guid  # found by it, or a draft of ours: never a published change
        provenance.record("guid", episode.guid)

    def _plain_fields(self, episode: Episode, data: EpisodeData, provenance: Provenance) -> None:
        for name in PLAIN_EPISODE_FIELDS:
            provenance.set(name, getattr(data, name))
        if data.duration is not None and data.audio_file is None:
            provenance.set("duration", data.duration)  # a copied file's own length wins

    def _audio_step(
        self, episode: Episode, data: EpisodeData, saver: FileSaver, provenance: Provenance
    ) -> None:
        if data.audio_file is None and not data.audio_url:
            return
        if not provenance.may_write("audio", _values(episode, AUDIO_FIELDS)):
            return
        self._audio(episode, data, saver)
        provenance.record("audio", _values(episode, AUDIO_FIELDS))
        if data.audio_file is not None:
            provenance.record("duration", episode.duration)

    def _keep_off_the_air_without_audio(
        self, episode: Episode, data: EpisodeData, provenance: Provenance, where: str
    ) -> None:
        if "status" not in provenance.wrote:
            return  # the editor's status stays whatever it is
        if episode.status == Episode.Status.PUBLISHED and not (
            episode.has_audio or data.audio_file
        ):
            # An item without an enclosure breaks the feed for every app: keep it off the air.
            episode.status = Episode.Status.DRAFT
            provenance.record("status", episode.status)
            self.report.warn(where, "no audio: imported as a draft; add it, then publish")

    def _art_step(
        self,
        episode: Episode,
        data: EpisodeData,
        saver: FileSaver,
        provenance: Provenance,
        where: str,
    ) -> None:
        if data.cover_art is None and not data.cover_art_url:
            return
        if not provenance.may_write("cover_art", _values(episode, ART_FIELDS)):
            return
        self._art(episode, data, saver, where)
        provenance.record("cover_art", _values(episode, ART_FIELDS))

    def _relations(self, episode: Episode, data: EpisodeData, provenance: Provenance) -> None:
        people, tags, links = self._relations_now(episode)
        if data.people is not None and provenance.may_write("people", people):
            self._people(episode, data.people)
            provenance.record("people", self._relations_now(episode)[0])
        if data.tags is not None and provenance.may_write("tags", tags):
            episode.tags.set([tag_for(name) for name in data.tags])
            provenance.record("tags", self._relations_now(episode)[1])
        if data.links is not None and provenance.may_write("links", links):
            self._links(episode, data.links)
            provenance.record("links", self._relations_now(episode)[2])

    @staticmethod
    def _fields(episode: Episode) -> str:
        names = ["slug", "guid", *PLAIN_EPISODE_FIELDS, "duration", *AUDIO_FIELDS, *ART_FIELDS]
        return fingerprint(_values(episode, names))

    @staticmethod
    def _relations_now(episode: Episode) -> tuple:
        if episode.pk is None:
            return ((), (), ())
        people = tuple(episode.appearances.values_list("guest__slug", "role", "order"))
        tags = tuple(sorted(episode.tags.values_list("slug", flat=True)))
        links = tuple(sorted(episode.links.values_list("platform", "label", "url")))
        return (people, tags, links)

    def _state(self, episode: Episode) -> tuple[str, tuple]:
        return self._fields(episode), self._relations_now(episode)

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
        wanted: dict[tuple, dict] = {}
        for order, person in enumerate(people, start=1):
            wanted.setdefault((guest_for(person).pk, person.role), {"order": order})

        def create(key: tuple, values: dict) -> None:
            guest_id, role = key
            Appearance.objects.create(episode=episode, guest_id=guest_id, role=role, **values)

        sync_children(
            {(a.guest_id, a.role): a for a in episode.appearances.all()},
            list(wanted.items()),
            create,
        )

    def _links(self, episode: Episode, links: list[tuple[str, str, str]]) -> None:
        def key(platform: str, label: str) -> tuple[str, str]:
            return (platform, label if platform == Platform.OTHER else "")

        def create(link_key: tuple, values: dict) -> None:
            platform, _ = link_key
            PlatformLink.objects.create(episode=episode, platform=platform, **values)

        wanted = [(key(p, label), {"label": label, "url": url}) for p, label, url in links]
        current = {key(link.platform, link.label): link for link in episode.links.all()}
        sync_children(current, wanted, create)


class ShowWriter:
    """Finds or creates the show a channel describes and writes what may be written, at once."""

    def __init__(
        self, report: Report, *, show_slug: str | None, dry_run: bool, overwrite: bool
    ) -> None:
        self.report = report
        self.show_slug = show_slug
        self.dry_run = dry_run
        self.overwrite = overwrite

    def write(self, data: ShowData, where: str) -> Show | None:
        saver = FileSaver()
        try:
            with transaction.atomic():
                return self._write(data, where, saver)
        except ITEM_ERRORS as exc:
            saver.discard()
            self.report.fail(where, error_message(exc))
            return None

    def _write(self, data: ShowData, where: str, saver: FileSaver) -> Show:
        show = self._find(data, where)
        provenance = Provenance(show, created=show.pk is None, overwrite=self.overwrite)
        self._fields(show, data, provenance)
        self._validate(show, where)
        provenance.save_fingerprints()
        show.save()
        self._hosts(show, data, provenance)
        self._art(show, data, saver, provenance, where)
        provenance.report_kept(self.report, where)
        if provenance.save_fingerprints():
            show.save(update_fields=["import_fingerprints", "updated"])
        return show

    def _find(self, data: ShowData, where: str) -> Show:
        if self.show_slug:
            show = Show.objects.filter(slug=self.show_slug).first()
        elif data.podcast_guid is not None:
            show = Show.objects.filter(podcast_guid=data.podcast_guid).first()
        else:
            show = None
        if show is None:
            return Show(slug=self._new_slug(data.title), podcast_guid=data.podcast_guid)
        if data.podcast_guid is not None and show.podcast_guid != data.podcast_guid:
            self.report.warn(
                where,
                f"podcast:guid {data.podcast_guid} differs from the show's {show.podcast_guid}, "
                "which is kept: a show's podcast:guid never changes",
            )
        return show

    def _new_slug(self, title: str) -> str:
        if self.show_slug:
            return self.show_slug
        base = slug_for(title, 90)
        if base in RESERVED_SLUGS:
            base = f"{base}-podcast"
        slug, n = base, 2
        while Show.objects.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    def _fields(self, show: Show, data: ShowData, provenance: Provenance) -> None:
        for name in SHOW_FIELDS:
            provenance.set(name, getattr(data, name))
        if data.category is not None:
            current = (show.category, show.subcategory)
            if provenance.may_write("category", current, data.category):
                show.category, show.subcategory = data.category
                provenance.record("category", data.category)
        if data.funding is not None:
            url, text = data.funding
            funding = (url, text or show.funding_text)
            if provenance.may_write("funding", (show.funding_url, show.funding_text), funding):
                show.funding_url, show.funding_text = funding
                provenance.record("funding", funding)

    def _validate(self, show: Show, where: str) -> None:
        exclude = ["cover_art"]
        if not show.owner_email:
            exclude.append("owner_email")
            self.report.warn(
                where, "no itunes:owner e-mail; add one in the admin (Apple and Spotify need it)"
            )
        show.full_clean(exclude=exclude)

    def _hosts(self, show: Show, data: ShowData, provenance: Provenance) -> None:
        if not data.hosts:
            return
        current = sorted(show.hosts.values_list("slug", flat=True))
        if provenance.may_write("hosts", current):
            show.hosts.set([guest_for(person) for person in data.hosts])
            provenance.record("hosts", sorted(show.hosts.values_list("slug", flat=True)))

    def _art(
        self, show: Show, data: ShowData, saver: FileSaver, provenance: Provenance, where: str
    ) -> None:
        if data.cover_art is None or self.dry_run:
            return
        if not provenance.may_write("cover_art", show.cover_art):
            return
        try:
            if save_art(show.cover_art, data.cover_art, saver, self.report, where):
                show.save(update_fields=["cover_art", "updated"])
        except FetchError as exc:
            self.report.warn(where, f"artwork not copied: {exc}")
        provenance.record("cover_art", show.cover_art)


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
