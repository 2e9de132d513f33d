"""The embedded player inside a page of another origin, served by a second local server."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Page, expect

from podcast.generate import cover_art, tone_mp3
from tests import factories
from tests.browser.a11y import assert_accessible
from tests.browser.conftest import SCREENSHOTS, START_PLAYER

pytestmark = pytest.mark.browser


@pytest.fixture
def episode(transactional_db):
    show = factories.ShowFactory(slug="elsewhere", title="Heard Elsewhere")
    show.cover_art.save("cover.png", ContentFile(cover_art("Elsewhere", size=1400)))
    episode = factories.EpisodeFactory(
        show=show, slug="framed", title="Framed", audio_url="", duration=40
    )
    episode.audio_file.save("framed.mp3", ContentFile(tone_mp3(seconds=40)), save=True)
    factories.ChapterFactory(episode=episode, start_time=0, title="Start")
    factories.ChapterFactory(episode=episode, start_time=20, title="Second half")
    return episode


@pytest.fixture
def other_origin(live_server) -> Iterator[callable]:
    """A blog on another origin (127.0.0.1 versus the live server's localhost)."""
    pages: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.timeout = 5
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def publish(path: str, body: str) -> str:
        head = "<title>Blog</title><link rel='icon' href='data:,'>"
        pages[path] = f"<!doctype html><html lang='en'>{head}<body>{body}</body></html>"
        return f"http://127.0.0.1:{server.server_address[1]}{path}"

    assert "127.0.0.1" not in live_server.url  # the two must differ in origin
    yield publish
    server.shutdown()
    server.server_close()


def test_the_embed_plays_inside_a_page_of_another_origin(
    page: Page, episode, live_server, other_origin
):
    url = other_origin(
        "/post.html",
        f'<h1>My post</h1><iframe src="{live_server.url}/embed/elsewhere/framed/" '
        'title="Framed" width="600" height="420"></iframe>',
    )
    page.goto(url)
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading", name="Framed")).to_be_visible()
    expect(frame.locator("img").first).to_be_visible()
    frame.get_by_role("button", name="30 s forward").click()
    embedded = next(f for f in page.frames if f.url.endswith("/embed/elsewhere/framed/"))
    embedded.wait_for_function("() => document.querySelector('audio').currentTime >= 29")
    expect(frame.locator("[data-now-chapter]")).to_have_text("Chapter: Second half")
    frame.locator(".embed-chapters summary").click()
    frame.get_by_role("link", name="0:00").click()
    embedded.wait_for_function("() => !document.querySelector('audio').paused")
    embedded.wait_for_function("() => document.querySelector('audio').currentTime < 5")
    link = frame.get_by_role("link", name="Framed")
    assert link.get_attribute("target") == "_blank"


def test_only_the_embed_may_be_framed_and_only_public_files_read(
    page: Page, episode, live_server, other_origin
):
    url = other_origin(
        "/frames.html",
        f'<iframe id="page" src="{live_server.url}{episode.get_absolute_url()}" title="a"></iframe>'
        f'<iframe id="embed" src="{live_server.url}/embed/elsewhere/" title="b"></iframe>',
    )
    page.goto(url)
    embed = page.frame_locator("#embed")
    expect(embed.get_by_role("heading", name="Framed")).to_be_visible()
    # The episode page itself refuses to be framed: its frame never shows the page.
    page.wait_for_timeout(500)
    framed_page = page.frame_locator("#page")
    expect(framed_page.get_by_role("heading", name="Framed")).to_have_count(0)
    page.console_errors.clear()  # Chromium logs the refused frame, which is the point

    reads = page.evaluate(
        """async (base) => {
            const read = async (path, init) => {
                try { const r = await fetch(base + path, init); await r.arrayBuffer();
                      return [r.status, r.headers.get("content-range")]; }
                catch (error) { return ["blocked", null]; }
            };
            return {
                feed: await read("/elsewhere/feed.xml"),
                chapters: await read("/elsewhere/episodes/framed/chapters.json"),
                audio: await read(AUDIO, {headers: {Range: "bytes=0-9"}}),
                page: await read("/elsewhere/episodes/framed/"),
            };
        }""".replace("AUDIO", repr(episode.audio_file.url)),
        live_server.url,
    )
    assert reads["feed"] == [200, None]
    assert reads["chapters"] == [200, None]
    assert reads["audio"][0] == 206 and reads["audio"][1].startswith("bytes 0-9/")
    assert reads["page"] == ["blocked", None]
    page.console_errors.clear()  # the blocked read is logged too


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_embed_is_accessible(page: Page, episode, scheme):
    page.emulate_media(color_scheme=scheme)
    page.goto("/embed/elsewhere/framed/")
    page.evaluate(START_PLAYER)
    page.wait_for_function("() => document.querySelector('audio').readyState >= 1")
    page.locator(".embed-chapters summary").click()
    assert_accessible(page)
    page.set_viewport_size({"width": 600, "height": 420})
    page.screenshot(path=SCREENSHOTS / f"embed-{scheme}.png", full_page=True)
