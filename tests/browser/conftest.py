"""Real Chromium (Debian's) through Playwright against pytest-django's live server."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect, sync_playwright

from podcast.generate import cover_art, tone_mp3
from tests import factories
from tests.conftest import EDITOR_PASSWORD

SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
# The player preloads nothing (opening a page is not a listen): what pressing play would load.
START_PLAYER = (
    "() => { const a = document.querySelector('audio');"
    " if (!a.readyState && a.networkState !== 2) a.load(); }"
)


def chromium_path() -> str:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session", autouse=True)
def _media_through_the_site() -> Iterator[None]:
    """The live server answers /media/ with the site's own view, as production does.

    Django's test server otherwise sends media through its own handler, whole files without byte
    ranges, and a browser cannot seek in audio served that way. Private Django API, so this fails
    loudly if the handler changes.
    """
    from django.test import testcases

    handler = testcases._MediaFilesHandler
    assert hasattr(handler, "_should_handle"), "Django's test media handler changed"
    original = handler._should_handle
    handler._should_handle = lambda self, path: False
    yield
    handler._should_handle = original


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in fixtures
    # and assertions are still synchronous and safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    """A fresh tab whose console errors and uncaught exceptions fail the test."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    errors: list[str] = []
    tab.on(
        "console",
        lambda message: (
            message.type == "error"
            and errors.append(f"{message.text} ({message.location.get('url')})")
        ),
    )
    tab.on("pageerror", lambda error: errors.append(str(error)))
    # Console messages about failed loads do not name the address; these do.
    tab.on(
        "response",
        lambda response: (
            response.status >= 400 and errors.append(f"{response.status} {response.url}")
        ),
    )
    tab.console_errors = errors
    yield tab
    context.close()
    assert errors == [], errors


def log_in_as_editor(page: Page) -> None:
    """Through the admin's login form, as the `editor` fixture's user."""
    page.goto(reverse("admin:login"))
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, label in ((1280, "desktop"), (360, "phone")):
        page.set_viewport_size({"width": width, "height": 900 if width > 400 else 780})
        page.screenshot(path=SCREENSHOTS / f"{name}-{label}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def site(transactional_db) -> dict:
    """A show with artwork and playable episodes: guests, tags, chapters, timestamps, transcript."""
    show = factories.ShowFactory(
        slug="signal-path",
        title="Signal Path",
        subtitle="Conversations about sound",
        description="How audio gets from a microphone to your ears.",
    )
    show.cover_art.save("cover.png", ContentFile(cover_art("Signal Path", size=1400)))
    factories.ShowLinkFactory(show=show, platform="apple", url="https://podcasts.apple.com/x/id1")
    factories.ShowLinkFactory(show=show, platform="spotify", url="https://open.spotify.com/show/x")
    audio = tone_mp3(seconds=12)
    mics, rooms = (
        factories.TagFactory(name="Microphones", slug="mics"),
        factories.TagFactory(name="Rooms", slug="rooms"),
    )
    ada = factories.GuestFactory(name="Ada Lovelace", slug="ada", organisation="Engines")
    episodes = []
    for n, (title, season, tag) in enumerate(
        [
            ("Choosing a microphone", 1, mics),
            ("Treating a small room", 1, rooms),
            ("Dynamic versus condenser", 2, mics),
        ],
        start=1,
    ):
        episode = factories.EpisodeFactory(
            show=show,
            title=title,
            slug=f"episode-{n}",
            season_number=season,
            episode_number=n,
            audio_url="",
            duration=12,
            show_notes=f"Episode {n}. The chime starts at 0:00 and the fade begins at 0:07.",
            transcript_text=f"Welcome to episode {n}, a transcript about reverberation.",
        )
        episode.audio_file.save(f"episode-{n}.mp3", ContentFile(audio), save=True)
        episode.tags.add(tag)
        factories.ChapterFactory(episode=episode, start_time=0, title="Hello")
        factories.ChapterFactory(episode=episode, start_time=5, title="The middle")
        if n != 2:
            factories.AppearanceFactory(episode=episode, guest=ada)
        episodes.append(episode)
    return {"show": show, "episodes": episodes, "guest": ada, "tags": [mics, rooms]}
