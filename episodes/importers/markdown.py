"""Episodes of a static site: markdown files with YAML frontmatter (Astro content collections)."""

import email.utils
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import frontmatter
import yaml
from django.utils.dateparse import parse_date, parse_datetime
from frontmatter.default_handlers import YAMLHandler

from episodes.models import SHOW_NOTES_MAX_CHARS, Episode, Platform, Show
from guests.parsing import GuestLine, parse_guest_line
from podcast.text import parse_duration, strip_control_chars

from .common import (
    CONVERSION_ERRORS,
    EpisodeData,
    EpisodeWriter,
    FileSource,
    ItemError,
    Person,
    Report,
    clean_text,
    html_to_text,
    http_url,
    read_or_fail,
    slug_for,
)

MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdx"}
# The longest show notes allowed, in four-byte characters, and room for frontmatter.
MAX_FILE_BYTES = 4 * SHOW_NOTES_MAX_CHARS + 64 * 1024
KNOWN_KEYS = {
    "title", "description", "pubDate", "audioFile", "duration", "episodeNumber", "season",
    "coverImage", "externalLinks", "guests", "tags", "draft", "guid", "slug", "episodeType",
    "explicit",
}  # fmt: skip

# Platform keys as static sites spell them; anything else becomes an “other” link.
PLATFORM_ALIASES = {
    "apple": Platform.APPLE, "applepodcasts": Platform.APPLE, "itunes": Platform.APPLE,
    "spotify": Platform.SPOTIFY,
    "youtube": Platform.YOUTUBE, "youtubemusic": Platform.YOUTUBE,
    "amazon": Platform.AMAZON, "amazonmusic": Platform.AMAZON, "audible": Platform.AMAZON,
    "overcast": Platform.OVERCAST,
    "pocketcasts": Platform.POCKET_CASTS,
    "podcastindex": Platform.PODCAST_INDEX,
    "google": Platform.GOOGLE, "googlepodcasts": Platform.GOOGLE,
}  # fmt: skip


def markdown_files(paths: list[Path], report: Report) -> Iterator[Path]:
    """The markdown files named, and those inside the folders named, in a stable order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.suffix.lower() in MARKDOWN_SUFFIXES and p.is_file()
            )
        elif path.is_file():
            yield path
        else:
            report.fail(str(path), "no such file or folder")


def import_markdown(
    paths: list[Path],
    show: Show,
    report: Report,
    *,
    media_root: Path | None = None,
    dry_run: bool = False,
    overwrite: bool = False,
) -> None:
    writer = EpisodeWriter(show, report, dry_run=dry_run, overwrite=overwrite)
    for path in markdown_files(paths, report):
        where = str(path)
        data = read_or_fail(report, where, read_episode, path, report, media_root=media_root)
        if data is not None:
            writer.write(data, where)


class _NoAliasLoader(yaml.SafeLoader):
    """YAML without aliases: `*name` lets a few lines expand to gigabytes (an anchor bomb)."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None,
                None,
                "aliases (*name) are not allowed in frontmatter",
                self.peek_event().start_mark,
            )
        return super().compose_node(parent, index)


class _FrontmatterYAML(YAMLHandler):
    def load(self, fm: str, **kwargs: object) -> object:
        return yaml.load(fm, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader without aliases


def read_episode(path: Path, report: Report, *, media_root: Path | None = None) -> EpisodeData:
    """One markdown file as an episode; ItemError says what is wrong with it."""
    where = str(path)
    meta, body = _frontmatter(path)
    unknown = sorted(str(key) for key in meta if key not in KNOWN_KEYS)
    if unknown:
        report.warn(where, f"unknown keys not imported: {', '.join(unknown)}")
    title = clean_text(meta.get("title"))
    if not title:
        raise ItemError("“title” is missing")
    draft = _boolean(meta.get("draft"), "draft")
    pub_date = _datetime(meta.get("pubDate"))
    if pub_date is None and not draft:
        raise ItemError("“pubDate” is missing (only drafts may go without one)")
    stem = path.parent.name if path.stem.lower() == "index" else path.stem
    data = EpisodeData(
        title=title[:255],
        slug=slug_for(clean_text(meta.get("slug")) or stem, 200),
        guid=clean_text(meta.get("guid")) or None,
        summary=html_to_text(clean_text(meta.get("description"))),
        show_notes=_notes(body, title),
        status=Episode.Status.DRAFT if draft else Episode.Status.PUBLISHED,
        pub_date=pub_date,
        episode_number=_number(meta.get("episodeNumber"), "episodeNumber"),
        season_number=_number(meta.get("season"), "season"),
        episode_type=_episode_type(meta.get("episodeType")),
        explicit=_boolean(meta.get("explicit"), "explicit"),
        duration=_duration(meta.get("duration")),
        tags=_tags(meta["tags"]) if "tags" in meta else None,
        people=_guests(meta["guests"]) if "guests" in meta else None,
        links=_links(meta["externalLinks"], report, where) if "externalLinks" in meta else None,
        slug_is_identity=True,
    )
    _media(data, meta, media_root, report, where)
    return data


def _frontmatter(path: Path) -> tuple[dict, str]:
    """The file's YAML metadata and its markdown body, read within MAX_FILE_BYTES."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ItemError(f"cannot read the file: {exc}") from exc
    if len(raw) > MAX_FILE_BYTES:
        raise ItemError(f"larger than {MAX_FILE_BYTES:,} bytes; show notes this long are refused")
    try:
        post = frontmatter.loads(raw.decode("utf-8-sig"), handler=_FrontmatterYAML())
    except UnicodeDecodeError as exc:
        raise ItemError(f"cannot read the file: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ItemError(f"the frontmatter is not valid YAML: {_first_line(exc)}") from exc
    except RecursionError as exc:
        raise ItemError("the frontmatter is nested too deeply") from exc
    except CONVERSION_ERRORS as exc:  # a YAML date such as 0000-01-01
        raise ItemError(f"the frontmatter has a value that cannot be read: {exc}") from exc
    if not isinstance(post.metadata, dict):
        raise ItemError("the frontmatter must be a mapping of keys to values")
    return post.metadata, post.content


def _duration(value: object) -> int | None:
    if value in (None, ""):
        return None
    duration = parse_duration(value)
    if duration is None:
        raise ItemError(f"“duration” {value!r} is not a duration (use 45:32, 1:02:03 or seconds)")
    return duration


def _episode_type(value: object) -> str:
    episode_type = clean_text(value or Episode.EpisodeType.FULL).lower()
    if episode_type not in Episode.EpisodeType.values:
        raise ItemError(f"“episodeType” must be one of {', '.join(Episode.EpisodeType.values)}")
    return episode_type


def _media(
    data: EpisodeData, meta: dict, media_root: Path | None, report: Report, where: str
) -> None:
    """audioFile and coverImage: a URL to link to, or a path under --media-root to copy."""
    if audio := meta.get("audioFile"):
        if url := http_url(audio):
            data.audio_url = url
        else:
            data.audio_file = _local_file(str(audio), media_root, "audioFile", report, where)
    if cover := meta.get("coverImage"):
        if url := http_url(cover):
            data.cover_art_url = url
        else:
            data.cover_art = _local_file(str(cover), media_root, "coverImage", report, where)


def _notes(body: str, title: str) -> str:
    """The body as show notes, without a leading heading that only repeats the title."""
    body = strip_control_chars(body).strip()
    first, _, rest = body.partition("\n")
    if first.lstrip("#").strip() == title and first.startswith("# "):
        return rest.strip()
    return body


def _first_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _local_file(
    value: str, media_root: Path | None, key: str, report: Report, where: str
) -> FileSource | None:
    """A path from the frontmatter, found under --media-root and never outside it."""
    if media_root is None:
        report.warn(where, f"“{key}” {value} is a path; give --media-root to copy the file")
        return None
    root = media_root.resolve()
    candidate = (root / value.lstrip("/")).resolve()
    if not candidate.is_relative_to(root):
        raise ItemError(f"“{key}” {value} points outside --media-root")
    if not candidate.is_file():
        raise ItemError(f"“{key}” {value} was not found under --media-root ({candidate})")
    return FileSource(name=candidate.name, open=lambda: candidate.open("rb"))


def _datetime(value: object) -> datetime | None:
    """pubDate as YAML gives it (date or date-time) or as a string in ISO or RFC 2822 form."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    else:
        text = str(value).strip()
        try:
            moment = parse_datetime(text.replace("Z", "+00:00"))
        except ValueError:  # well formed but no real moment, such as month 13
            moment = None
        if moment is None and (day := _parse_date(text)) is not None:
            moment = datetime.combine(day, time())
        if moment is None:
            try:
                moment = email.utils.parsedate_to_datetime(text)
            except (TypeError, ValueError):
                moment = None
        if moment is None:
            raise ItemError(f"“pubDate” {text!r} is not a date")
    # A date without a zone means UTC, as YAML and JavaScript's Date read it.
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        moment.astimezone(UTC)
    except OverflowError as exc:  # 0001-01-01 at +01:00 is in year 0
        raise ItemError(f"“pubDate” {moment.isoformat()} is out of range") from exc
    return moment


def _parse_date(text: str) -> date | None:
    try:
        return parse_date(text)
    except ValueError:
        return None


def _number(value: object, key: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not re.fullmatch(r"\s*\d+\s*", str(value)) or int(value) < 1:
        raise ItemError(f"“{key}” must be a whole number from 1 up, not {value!r}")
    return int(value)


def _boolean(value: object, key: str) -> bool:
    if value in (None, ""):
        return False
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    raise ItemError(f"“{key}” must be true or false, not {value!r}")


def _tags(value: object) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        raise ItemError("“tags” must be a list")
    names = [clean_text(name) for name in value]
    return list(dict.fromkeys(name for name in names if name))


def _guests(value: object) -> list[Person]:
    """Guests as strings (“Name, Title at Organisation”) or mappings with those keys."""
    if not isinstance(value, list):
        raise ItemError("“guests” must be a list")
    people = []
    for entry in value:
        if isinstance(entry, str):
            line = parse_guest_line(strip_control_chars(entry))
            website = ""
        elif isinstance(entry, dict):
            line = GuestLine(
                name=clean_text(entry.get("name")),
                title=clean_text(entry.get("title")),
                organisation=clean_text(entry.get("organisation") or entry.get("organization")),
            )
            website = http_url(entry.get("website") or entry.get("url"), 500)
        else:
            raise ItemError(f"a guest must be text or a mapping, not {entry!r}")
        if not line.name:
            raise ItemError(f"a guest has no name: {entry!r}")
        people.append(Person(line=line, website=website))
    return people


def _links(value: object, report: Report, where: str) -> list[tuple[str, str, str]]:
    if not isinstance(value, dict):
        raise ItemError("“externalLinks” must be a mapping of platform to URL")
    links: dict[tuple[str, str], str] = {}
    for key, raw in value.items():
        url = http_url(raw)
        if not url:
            report.warn(where, f"externalLinks.{key}: {raw!r} is not an http(s) URL; skipped")
            continue
        platform = PLATFORM_ALIASES.get(re.sub(r"[^a-z]", "", str(key).lower()), Platform.OTHER)
        label = clean_text(key)[:100] if platform == Platform.OTHER else ""
        links[(platform, label)] = url
    return [(platform, label, url) for (platform, label), url in links.items()]
