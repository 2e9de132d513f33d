"""Markdown to HTML that is safe to show anywhere: the site, markdownx's preview and the feed."""

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
