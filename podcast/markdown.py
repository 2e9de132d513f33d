"""Markdown to HTML that is safe to show anywhere: the site, markdownx's preview and the feed.

Python-Markdown takes time far out of proportion to some inputs (20,000 characters of `[a](b `
take 20 s, a few thousand `[` minutes), so text is rendered once, when it is saved, and in a
child process that is stopped after MARKDOWN_RENDER_SECONDS: the editor or importer hears that
the text is too slow to render, and no listener's request ever renders markdown.
"""

import json
import os
import re
import select
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import BinaryIO

import markdown as md
import nh3
from django.conf import settings
from django.utils.html import escape
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
    """Render editor markdown to sanitised HTML, however long it takes: see render_bounded."""
    html = _converter().reset().convert(strip_control_chars(text or ""))
    return mark_safe(sanitize_html(html))  # noqa: S308 - nh3 has just cleaned it


class RenderTooSlow(Exception):
    """The text could not be rendered in MARKDOWN_RENDER_SECONDS; nothing was rendered."""

    def __init__(self, seconds: float, *, stopped: bool = False) -> None:
        if stopped:  # the renderer died (out of memory, killed): not the text's length as such
            super().__init__(
                "This text could not be turned into HTML (the renderer stopped); try again, or "
                "shorten it or simplify its markup."
            )
            return
        super().__init__(
            f"This text takes longer than {seconds:g} s to turn into HTML; shorten it or simplify "
            "its markup (long runs of brackets, links or nested quotes are the usual cause)."
        )


# Texts this short render in the calling process: the slowest inputs known (200 `[`) take about
# 20 ms at this length, and most short notes far less than a round trip to the renderer.
INLINE_CHARS = 200
_FRAME = struct.Struct(">I")
STARTUP_SECONDS = 30


class _Renderer:
    """A child process that renders markdown, one text at a time, killed when it takes too long.

    It is started on first use and kept (a render costs a pipe round trip, not a Python start);
    after a timeout it is killed and the next text starts a new one.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None
        self.owner = 0

    def render(self, text: str, seconds: float) -> str:
        with self.lock:
            try:
                process = self._running()
            except (TimeoutError, OSError) as exc:
                self.stop()
                raise RenderTooSlow(seconds, stopped=True) from exc
            payload = json.dumps(
                {"text": text, "extensions": list(settings.MARKDOWNX_MARKDOWN_EXTENSIONS)}
            ).encode()
            try:
                process.stdin.write(_FRAME.pack(len(payload)) + payload)
                process.stdin.flush()
                deadline = time.monotonic() + seconds
                (size,) = _FRAME.unpack(self._read(_FRAME.size, deadline))
                return self._read(size, deadline).decode()
            except TimeoutError as exc:
                self.stop()
                raise RenderTooSlow(seconds) from exc
            except (OSError, struct.error) as exc:
                self.stop()
                raise RenderTooSlow(seconds, stopped=True) from exc

    def _running(self) -> subprocess.Popen:
        if self.process is None or self.process.poll() is not None or self.owner != os.getpid():
            self.process = subprocess.Popen(
                [sys.executable, "-m", "podcast.markdown"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=Path(__file__).resolve().parent.parent,
            )
            self.owner = os.getpid()
            # Starting Python is not rendering: the clock starts once the child says it is ready.
            self._read(_FRAME.size, time.monotonic() + STARTUP_SECONDS)
        return self.process

    def _read(self, size: int, deadline: float) -> bytes:
        chunks, remaining, fd = [], size, self.process.stdout.fileno()
        while remaining:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise TimeoutError
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                raise OSError("the renderer stopped")
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def stop(self) -> None:
        if self.process is not None and self.owner == os.getpid():
            self.process.kill()
            self.process.wait()
        self.process = None


_renderer = _Renderer()


def render_bounded(text: str) -> SafeString:
    """render(text), or RenderTooSlow once it has taken MARKDOWN_RENDER_SECONDS."""
    text = text or ""
    if len(text) <= INLINE_CHARS:
        return render(text)
    html = _renderer.render(text, settings.MARKDOWN_RENDER_SECONDS)
    return mark_safe(html)  # noqa: S308 - nh3 cleaned it in the renderer


def _serve(source: BinaryIO, sink: BinaryIO) -> None:
    """The renderer's loop: length-prefixed JSON requests in, length-prefixed HTML out."""
    converters: dict[tuple[str, ...], md.Markdown] = {}
    sink.write(_FRAME.pack(0))
    sink.flush()
    while header := source.read(_FRAME.size):
        (size,) = _FRAME.unpack(header)
        request = json.loads(source.read(size))
        extensions = tuple(request["extensions"])
        if extensions not in converters:
            converters[extensions] = md.Markdown(extensions=list(extensions), output_format="html")
        html = converters[extensions].reset().convert(strip_control_chars(request["text"]))
        out = sanitize_html(html).encode()
        sink.write(_FRAME.pack(len(out)) + out)
        sink.flush()


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


def _bounded_preview(text: str) -> SafeString:
    try:
        return render_bounded(text)
    except RenderTooSlow as exc:
        return mark_safe(f"<p><strong>{escape(str(exc))}</strong></p>")  # noqa: S308


def preview_show_notes(text: str) -> SafeString:
    """The admin's live preview of show notes: the page's rendering (stored HTML, then
    timestamps), bounded in time like a save, with the reason when it fails."""
    return timestamps(_bounded_preview(text))


def preview_plain(text: str) -> SafeString:
    """The live preview of markdown shown without a player (a guest's bio), bounded."""
    return _bounded_preview(text)


if __name__ == "__main__":
    _serve(sys.stdin.buffer, sys.stdout.buffer)
