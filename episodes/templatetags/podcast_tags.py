import json
import re

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from episodes.models import Episode, Show
from episodes.search import highlight
from podcast.markdown import timestamps
from podcast.media import absolute_url
from podcast.text import format_duration, parse_duration

register = template.Library()

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def show_notes(stored_html: str) -> SafeString:
    """Show notes as stored when saved (sanitised HTML), with timestamps that seek the player."""
    return timestamps(stored_html)


@register.filter
def duration(seconds: int | None) -> str:
    return format_duration(seconds)


def _rendition_urls(renditions: dict | None) -> list[tuple[int, str]]:
    from django.core.files.storage import default_storage

    files = (renditions or {}).get("files") or {}
    return sorted((int(width), default_storage.url(name)) for width, name in files.items())


@register.filter
def srcset(renditions: dict | None) -> str:
    """`url 300w, url 600w, …` for an image's renditions."""
    return ", ".join(f"{url} {width}w" for width, url in _rendition_urls(renditions))


@register.filter
def rendition_url(renditions: dict | None, width: int | str = 300) -> str:
    """The smallest rendition at least `width` wide (else the largest); '' when there are none."""
    urls = _rendition_urls(renditions)
    for rendition_width, url in urls:
        if rendition_width >= int(width):
            return url
    return urls[-1][1] if urls else ""


@register.filter
def scaled_height(renditions: dict | None, width: int | str = 300) -> int:
    """The height an image shown `width` wide takes, from its stored proportions."""
    renditions = renditions or {}
    if renditions.get("width") and renditions.get("height"):
        return round(int(width) * renditions["height"] / renditions["width"])
    return int(width)


_TRANSCRIPT_LINE = re.compile(r"^\[((?:\d+:)?\d{1,2}:\d{2})\] (.*)$")


@register.filter
def transcript_lines(text: str) -> list[dict]:
    """Stored transcript lines (`[mm:ss] words`) as {seconds, stamp, text} for the page."""
    lines = []
    for line in (text or "").splitlines():
        match = _TRANSCRIPT_LINE.match(line)
        if match:
            stamp, words = match.groups()
            lines.append({"seconds": parse_duration(stamp), "stamp": stamp, "text": words})
        elif line.strip():
            lines.append({"seconds": None, "stamp": "", "text": line})
    return lines


@register.filter
def absolute(url: str) -> str:
    return absolute_url(url)


@register.filter
def snippet(text: str) -> SafeString:
    return highlight(text)


def _shared_art(item: Show | Episode) -> str:
    """The largest rendition of an uploaded artwork: pages never hand out the original upload."""
    return absolute_url(rendition_url(item.cover_art_renditions, 1400) or item.cover_art.url)


def artwork_url(item: Show | Episode) -> str:
    """Absolute URL of the artwork a page should share: the episode's, else the show's."""
    if isinstance(item, Episode):
        if item.cover_art:
            return _shared_art(item)
        if item.cover_art_url:
            return item.cover_art_url
        item = item.show
    return _shared_art(item) if item.cover_art else ""


register.filter("artwork_url", artwork_url)


def _ld(kind: str, item: Show | Episode, description: str, **fields: object) -> SafeString:
    """schema.org data about a show or an episode, as a JSON-LD script."""
    data = {
        "@context": "https://schema.org",
        "@type": kind,
        "name": item.title,
        "description": description,
        "url": absolute_url(item.get_absolute_url()),
        **fields,
    }
    if image := artwork_url(item):
        data["image"] = image
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


@register.simple_tag
def show_json_ld(show: Show) -> SafeString:
    return _ld(
        "PodcastSeries",
        show,
        show.description,
        webFeed=show.feed_url,
        inLanguage=show.language,
        author={"@type": "Person", "name": show.author},
    )


@register.simple_tag
def episode_json_ld(episode: Episode) -> SafeString:
    show = episode.show
    fields: dict[str, object] = {
        "datePublished": episode.pub_date,
        "partOfSeries": {
            "@type": "PodcastSeries",
            "name": show.title,
            "url": absolute_url(show.get_absolute_url()),
        },
    }
    if episode.episode_number:
        fields["episodeNumber"] = episode.episode_number
    if episode.duration:
        hours, rest = divmod(episode.duration, 3600)
        fields["timeRequired"] = f"PT{hours}H{rest // 60}M{rest % 60}S"
    if episode.has_audio:
        fields["associatedMedia"] = {
            "@type": "MediaObject",
            "contentUrl": episode.enclosure_url,
            "encodingFormat": episode.audio_mime_type or "audio/mpeg",
        }
    return _ld("PodcastEpisode", episode, episode.summary, **fields)


@register.simple_tag
def player_chapters(episode: Episode) -> str:
    """The chapters as JSON for the player's data attribute (escaped there like any text)."""
    return json.dumps(
        [{"startTime": c.start_time, "title": c.title} for c in episode.chapters.all()],
        ensure_ascii=False,
    )


@register.simple_tag
def player_artwork(episode: Episode) -> str:
    """Artwork sizes for the Media Session API (lock screens), as JSON.

    Storage URLs as they are: the browser resolves them against the page it is on.
    """
    item = episode if episode.cover_art else episode.show
    if not item.cover_art:
        url = episode.cover_art_url
        return json.dumps([{"src": url}] if url else [])
    urls = _rendition_urls(item.cover_art_renditions)
    art = [{"src": url, "sizes": f"{width}x{width}", "type": "image/webp"} for width, url in urls]
    return json.dumps(art or [{"src": item.cover_art.url}])


@register.simple_tag
def embed_code(episode: Episode | None = None, show: Show | None = None) -> str:
    """The <iframe> code of the embeddable player (of `episode`, else `show`'s latest)."""
    from episodes.embed import embed_url, iframe_code

    if episode is not None:
        return iframe_code(embed_url(episode), f"{episode.title} · {episode.show.title}")
    return iframe_code(embed_url(show=show), f"{show.title}: the latest episode")


@register.simple_tag
def oembed_url(page_url: str) -> str:
    from urllib.parse import urlencode

    from django.conf import settings
    from django.urls import reverse

    return (
        f"{settings.SITE_URL}{reverse('oembed')}?{urlencode({'url': page_url, 'format': 'json'})}"
    )


@register.simple_tag
def embed_size(dimension: str) -> int:
    """The embedded player's default "width" or "height" in px, as oEmbed gives it."""
    from episodes.embed import HEIGHT, WIDTH

    return {"width": WIDTH, "height": HEIGHT}[dimension]
