"""Each episode's `<item>`, written from plain rows.

A feed has thousands of items of some forty elements each. Django's `Feed.get_feed` would make a
model instance, a dict of values and a method dispatch per value for each, and its XML writer a
call per element; here one round of queries fetches a chunk of episodes and everything their items
show as rows, and each item is written straight to a string. The XML is what Django's
`SimplerXMLGenerator` writes (attributes sorted, empty elements short);
`test_items_are_what_djangos_xml_writer_writes` holds the two together.
"""

import mimetypes
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from html import escape as html_escape
from html import unescape
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.encoding import iri_to_uri
from django.utils.html import strip_tags
from django.utils.translation import get_language

from episodes.models import Appearance, Chapter, Episode, Role, Show
from episodes.podcasting20 import feed as podcasting20
from guests.models import Guest
from podcast.enclosures import audio_filename, measured_paths
from podcast.media import absolute_url
from podcast.rules import CAPTION_TYPES, DESCRIPTION_LIMIT
from podcast.text import strip_control_chars, truncate_bytes

# The Episode columns an item shows (file fields come as their storage names).
FIELDS = [
    "id",
    "slug",
    "title",
    "guid",
    "summary",
    "show_notes_html",
    "pub_date",
    "audio_file",
    "audio_url",
    "audio_size",
    "audio_mime_type",
    "duration",
    "episode_type",
    "season_number",
    "episode_number",
    "explicit",
    "cover_art",
    "cover_art_url",
    "cover_art_renditions",
    "transcript",
    "transcript_url",
    "transcript_mime_type",
    "chapters_url",
    "license",
    "license_url",
    "location_name",
    "location_rel",
    "location_geo",
    "location_osm",
    "location_country",
    "social_protocol",
    "social_uri",
    "social_account_id",
    "social_account_url",
]


def escape(text: str) -> str:
    """`xml.sax.saxutils.escape`, without its entity machinery."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(value: str) -> str:
    """`xml.sax.saxutils.quoteattr`, without its general entity machinery."""
    value = escape(value)
    if "\n" in value or "\r" in value or "\t" in value:
        value = value.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"{}"'.format(value.replace('"', "&quot;"))


def _start(name: str, attrs: dict[str, str] | None) -> str:
    if not attrs:
        return "<" + name
    return "<" + name + "".join(f" {key}={quoteattr(attrs[key])}" for key in sorted(attrs))


def element(name: str, text: str | None = None, attrs: dict[str, str] | None = None) -> str:
    """One element with its text, as `SimplerXMLGenerator.addQuickElement` writes it."""
    start = _start(name, attrs) if attrs else "<" + name
    if not text:
        return start + "/>"
    text = text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    return f"{start}>{text}</{name}>"


def elements(found: Iterable[podcasting20.Element]) -> str:
    """Podcasting 2.0 elements (`(name, text, attrs, children)`), nested ones around their
    children."""
    written = []
    for name, text, attrs, children in found:
        if children:
            written.append(f"{_start(name, attrs)}>{elements(children)}</{name}>")
        else:
            written.append(element(name, text, attrs))
    return "".join(written)


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rfc2822_date(moment: datetime) -> str:
    """Django's `rfc2822_date` (`email.utils.format_datetime`) of a datetime, in a third of its
    time: it is called once per item. `test_item_dates_are_djangos` holds the two together."""
    offset = moment.utcoffset()
    zone = "-0000" if offset is None else moment.strftime("%z") if offset else "+0000"
    return (
        f"{_DAYS[moment.weekday()]}, {moment.day:02d} {_MONTHS[moment.month - 1]} "
        f"{moment.year:04d} {moment.hour:02d}:{moment.minute:02d}:{moment.second:02d} {zone}"
    )


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


def url_maker(name: str, **kwargs: str) -> Callable[[str], str]:
    """`SITE_URL` + reverse(name, slug=…) for many slugs in one reverse; slugs need no quoting."""
    marker = "slug-marker"
    template = settings.SITE_URL + reverse(name, kwargs={**kwargs, "slug": marker})
    head, _, tail = template.rpartition(marker)
    return lambda slug: f"{head}{slug}{tail}"


def person_attrs(person: dict[str, str]) -> dict[str, str]:
    """The attributes of a `podcast:person`."""
    attrs = {"role": person["role"], "group": person["group"], "href": person["href"]}
    if person["img"]:
        attrs["img"] = person["img"]
    return attrs


class People:
    """`podcast:person` entries, made once per guest and role in a build."""

    def __init__(self) -> None:
        self._guest_url = url_maker("guests:detail")
        self._photo_url = Guest._meta.get_field("photo").storage.url
        self._made: dict[tuple[int, str], dict[str, str]] = {}
        self._xml: dict[tuple[int, str], str] = {}

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

    def xml(self, guest_id: int, name: str, slug: str, photo: str, role: str) -> str:
        key = (guest_id, role)
        if key not in self._xml:
            person = self.person(guest_id, name, slug, photo, role)
            self._xml[key] = element("podcast:person", person["name"], person_attrs(person))
        return self._xml[key]


class ItemRenderer:
    """Writes the `<item>`s of one show's episodes, a chunk of episodes per round of queries."""

    def __init__(self, show: Show) -> None:
        self.show = show
        self.language = show.language or get_language()
        self.people = People()
        hosts = list(show.hosts.all())
        self.host_ids = {host.pk for host in hosts}
        host_rows = [(h.pk, h.name, h.slug, h.photo.name, Role.HOST) for h in hosts]
        self.host_persons = [self.people.person(*row) for row in host_rows]
        # Item-level persons replace the channel's, so the hosts come first on every item.
        self._hosts_xml = "".join(self.people.xml(*row) for row in host_rows)
        self._episode_url = url_maker("episodes:detail", show=show.slug)
        self._chapters_url = url_maker("episodes:chapters", show=show.slug)
        field = Episode._meta.get_field
        self.audio_url = field("audio_file").storage.url
        self._art_url = field("cover_art").storage.url
        self._transcript_url = field("transcript").storage.url
        self._measured = measured_paths() if settings.ANALYTICS_ENABLED else None
        self._categories: dict[str, str] = {}

    def render(self, ids: Sequence[int]) -> dict[int, str]:
        """The `<item>` XML of each of the episodes `ids` still there, in one round of queries."""
        ordered = sorted(ids)
        of_episodes = self._among(ordered, "episode__pk")
        rows = self._episodes(self._among(ordered, "pk"))
        tags, appearances = self._parts(of_episodes)
        lists = podcasting20.item_lists(of_episodes)
        wanted = set(ids)
        return {
            row.id: self._item(row, tags[row.id], appearances[row.id], lists)
            for row in rows
            if row.id in wanted
        }

    def _among(self, ids: Sequence[int], field: str) -> Q:
        """Rows of the episodes `ids` (sorted) and maybe of others of the show between them: a
        range where the ids lie close, since a list of hundreds of ids cost more to send than
        the rows the range adds (those are left out by the caller)."""
        if len(ids) < 50 or ids[-1] - ids[0] > 2 * len(ids):
            return Q(**{f"{field}__in": ids})
        show = "show" if field == "pk" else "episode__show"
        return Q(**{f"{field}__range": (ids[0], ids[-1]), show: self.show})

    @staticmethod
    def _episodes(among: Q) -> Iterable[Any]:
        chapters = Chapter.objects.filter(episode=OuterRef("pk"))
        return (
            Episode.objects.filter(among)
            .annotate(has_chapters=Exists(chapters))
            .order_by()
            .values_list(*FIELDS, "has_chapters", named=True)
        )

    @staticmethod
    def _parts(among: Q) -> tuple[defaultdict[int, list], defaultdict[int, list]]:
        """Tag names and appearances (with their guests) of the episodes, as plain values."""
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

    def _enclosure(self, episode: Any) -> str:
        if self._measured is not None:
            name = audio_filename(episode.audio_file, episode.audio_url)
            return absolute_url(self._measured(episode.id, name))
        if episode.audio_file:
            return absolute_url(self.audio_url(episode.audio_file))
        return absolute_url(episode.audio_url)

    def _item(self, episode: Any, tags: list[str], appearances: list, lists: Any) -> str:
        # Values that need no escaping (numbers, dates, choices) go into the markup as they are.
        notes = episode.show_notes_html
        description = description_html(episode.summary or unescape(strip_tags(notes)))
        parts = [
            "<item>",
            element("title", episode.title),
            # Django's feed makes links and enclosure URLs URIs (`iri_to_uri`); so do items.
            element("link", iri_to_uri(self._episode_url(episode.slug))),
            element("description", description),
        ]
        if episode.pub_date is not None:
            parts.append(f"<pubDate>{rfc2822_date(episode.pub_date)}</pubDate>")
        parts.append(element("guid", episode.guid, {"isPermaLink": "false"}))
        if episode.audio_file or episode.audio_url:
            url = self._enclosure(episode)
            kind = episode.audio_mime_type or mimetypes.guess_type(url)[0] or "audio/mpeg"
            parts.append(
                f'<enclosure length="{episode.audio_size or 0}" type={quoteattr(kind)}'
                f" url={quoteattr(iri_to_uri(url))}/>"
            )
        parts += [self._category(name) for name in tags]
        if notes:
            parts.append(element("content:encoded", notes))
        if episode.duration is not None:
            parts.append(f"<itunes:duration>{episode.duration}</itunes:duration>")
        parts.append(f"<itunes:episodeType>{episode.episode_type}</itunes:episodeType>")
        if season := episode.season_number:
            parts.append(f"<itunes:season>{season}</itunes:season>")
            parts.append(f"<podcast:season>{season}</podcast:season>")
        if number := episode.episode_number:
            parts.append(f"<itunes:episode>{number}</itunes:episode>")
            parts.append(f"<podcast:episode>{number}</podcast:episode>")
        explicit = "true" if episode.explicit else "false"
        parts.append(f"<itunes:explicit>{explicit}</itunes:explicit>")
        art_url = self._art_url(episode.cover_art) if episode.cover_art else ""
        if image := absolute_url(art_url or episode.cover_art_url):
            parts.append(f"<itunes:image href={quoteattr(image)}/>")
        if episode.transcript or episode.transcript_url:
            parts.append(self._transcript(episode))
        chapters = episode.chapters_url
        if episode.has_chapters:
            chapters = self._chapters_url(episode.slug)
        if chapters:
            url = quoteattr(absolute_url(chapters))
            parts.append(f'<podcast:chapters type="application/json+chapters" url={url}/>')
        parts.append(self._hosts_xml)
        parts += [
            self.people.xml(guest_id, name, slug, photo, role)
            for guest_id, name, slug, photo, role in appearances
            if not (role == Role.HOST and guest_id in self.host_ids)
        ]
        parts.append(elements(podcasting20.item_elements(episode, art_url, lists, self.show)))
        parts.append("</item>")
        # Control characters are invalid in XML 1.0 and never part of the markup: one pass
        # over the item removes them from every value in it.
        return strip_control_chars("".join(parts))

    def _category(self, name: str) -> str:
        if name not in self._categories:
            self._categories[name] = element("category", name)
        return self._categories[name]

    def _transcript(self, episode: Any) -> str:
        name = episode.transcript
        url = self._transcript_url(name) if name else episode.transcript_url
        kind = episode.transcript_mime_type
        if not kind:
            subrip = (name or episode.transcript_url).lower().endswith(".srt")
            kind = "application/x-subrip" if subrip else "text/vtt"
        attrs = {"url": absolute_url(url), "type": kind, "language": self.language}
        if kind in CAPTION_TYPES:
            attrs["rel"] = "captions"
        return element("podcast:transcript", None, attrs)
