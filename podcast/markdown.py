"""Markdown to HTML that is safe to show anywhere: the site, markdownx's preview and the feed."""

import re
import threading

import markdown as md
import nh3
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from podcast.text import strip_control_chars

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# 12:34 or 1:02:03, not part of a longer run of digits and colons (dates, ratios, clock ranges).
_TIMESTAMP = re.compile(r"(?<![\d:])(?:(\d{1,2}):)?([0-5]?\d):([0-5]\d)(?![\d:])")
# Tags of sanitised HTML; nh3 always double-quotes attribute values, which may hold ">".
_TAG = re.compile(r'(<(?:[^>"]|"[^"]*")*>)')
_NO_LINKS_INSIDE = {"a", "code", "pre"}

# What Apple allows inside an item's <description>.
FEED_DESCRIPTION_TAGS = {"p", "ol", "ul", "li", "a"}


def sanitize_html(html: str, tags: set[str] | None = None) -> str:
    """Clean untrusted HTML with an allow-list; links get rel=noopener."""
    tags = ALLOWED_TAGS if tags is None else tags
    return nh3.clean(
        strip_control_chars(html),
        tags=tags,
        attributes={tag: attrs for tag, attrs in ALLOWED_ATTRIBUTES.items() if tag in tags},
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


_converters = threading.local()


def _converter() -> md.Markdown:
    """One Markdown instance per thread: building one costs more than converting a page of notes."""
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = md.Markdown(
            extensions=settings.MARKDOWNX_MARKDOWN_EXTENSIONS, output_format="html"
        )
        _converters.markdown = converter
    return converter


def render(text: str) -> SafeString:
    """Render editor markdown to sanitised HTML (also markdownx's preview function)."""
    html = _converter().reset().convert(strip_control_chars(text or ""))
    return mark_safe(sanitize_html(html))  # noqa: S308 - nh3 has just cleaned it


def _seek_link(match: re.Match) -> str:
    hours, minutes, secs = (int(g) if g else 0 for g in match.groups())
    seconds = hours * 3600 + minutes * 60 + secs
    return f'<a class="seek" href="#t={seconds}" data-seek="{seconds}">{match.group(0)}</a>'


def timestamps(html: SafeString) -> SafeString:
    """Turn 12:34 and 1:02:03 in already sanitised HTML into links that seek the player.

    Only text between tags changes, and only into digits-only links, so nothing the editor wrote
    becomes markup; text inside links and code is left alone.
    """
    parts, inside = [], []
    for piece in _TAG.split(str(html)):
        if piece.startswith("<"):
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", piece)
            tag = name.group(1).lower() if name else ""
            if tag in _NO_LINKS_INSIDE:
                if piece.startswith("</"):
                    if tag in inside:
                        inside.remove(tag)
                elif not piece.endswith("/>"):
                    inside.append(tag)
            parts.append(piece)
        elif inside:
            parts.append(piece)
        else:
            parts.append(_TIMESTAMP.sub(_seek_link, piece))
    return mark_safe("".join(parts))  # noqa: S308 - input was sanitised; we add only our own links


def render_show_notes(text: str) -> SafeString:
    """Show notes: sanitised markdown whose timestamps seek the player.

    The one rendering for the episode page and the admin's live preview of it.
    """
    return timestamps(render(text))
