import re

from django import template
from django.utils.safestring import SafeString

from podcast.markdown import render
from podcast.text import format_duration, parse_duration

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """Editor markdown as sanitised HTML."""
    return render(text)


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
