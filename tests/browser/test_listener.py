"""What a listener does in a real browser: browse, filter, search, play, seek, by keyboard too."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_home_renders_with_artwork_and_subscribe_links(page: Page, site):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Signal Path")
    expect(page.locator(".hero img")).to_be_visible()
    expect(page.get_by_role("link", name="Apple Podcasts")).to_be_visible()
    expect(page.get_by_role("button", name="Copy")).to_be_visible()
    assert page.locator(".hero img").evaluate("img => img.naturalWidth") > 0
    screenshot(page, "home")


def test_filters_and_search_narrow_the_episodes(page: Page, site):
    page.goto("/signal-path/episodes/")
    cards = page.locator(".episode-card h3")
    expect(cards).to_have_count(3)
    page.get_by_label("Topic", exact=True).select_option("mics")
    page.get_by_label("Guest", exact=True).select_option("ada")
    page.get_by_role("button", name="Filter").click()
    expect(cards).to_have_text(["Dynamic versus condenser", "Choosing a microphone"])
    assert "tag=mics" in page.url and "guest=ada" in page.url
    page.get_by_label("Season", exact=True).select_option("2")
    page.get_by_role("button", name="Filter").click()
    expect(cards).to_have_text(["Dynamic versus condenser"])

    search = page.get_by_role("searchbox", name="Search episodes")
    search.fill("treating")
    search.press("Enter")
    expect(page).to_have_url("/search/?q=treating")
    expect(cards).to_have_text(["Treating a small room"])


def test_the_player_plays_and_chapters_and_timestamps_seek_it(page: Page, site):
    audio_requests = []
    page.on("request", lambda r: audio_requests.append(r.url) if "/listen/" in r.url else None)
    page.goto("/signal-path/episodes/episode-1/")
    audio = page.locator("audio#player")
    page.wait_for_load_state("networkidle")
    # Opening the page is not a listen: the measured audio is fetched only once it plays.
    assert audio_requests == []
    page.get_by_role("link", name="0:05").click()
    page.wait_for_function("() => document.querySelector('audio').currentTime >= 5")
    page.wait_for_function("() => !document.querySelector('audio').paused")
    assert audio.evaluate("a => a.currentTime") >= 5
    page.locator(".show-notes a.seek", has_text="0:07").click()
    page.wait_for_function("() => document.querySelector('audio').currentTime >= 7")
    assert "#t=7" in page.url
    screenshot(page, "episode")


def test_a_keyboard_only_listener_reaches_and_starts_the_player(page: Page, site):
    page.goto("/signal-path/episodes/episode-1/")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "player":
            break
    else:
        pytest.fail("Tab never reached the player")
    page.keyboard.press("Space")
    page.wait_for_function("() => !document.querySelector('audio').paused")


def test_no_console_errors_on_any_page(page: Page, site, live_server):
    episode = site["episodes"][0]
    urls = [
        "/",
        "/signal-path/",
        "/signal-path/episodes/",
        "/signal-path/episodes/?season=1&tag=mics&guest=ada&junk=1",
        "/signal-path/seasons/1/",
        episode.get_absolute_url(),
        "/guests/ada/",
        "/tags/mics/",
        "/search/?q=microphone",
        "/search/?q=",
    ]
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, url
        page.wait_for_load_state("load")
    assert page.console_errors == []
    assert page.goto("/no-such-page/").status == 404
    page.console_errors.clear()  # the 404 status itself is reported as a console error


def test_on_a_phone_the_sticky_header_takes_one_row(page: Page, site):
    page.set_viewport_size({"width": 360, "height": 780})
    for url in ("/", "/signal-path/episodes/", "/search/?q=microphone"):
        page.goto(url)
        header = page.locator(".site-header").bounding_box()
        assert header["height"] <= 0.1 * 780, (url, header)  # one row, not two
        boxes = [
            page.locator(part).bounding_box() for part in (".brand", ".site-nav", ".search-box")
        ]
        middles = [box["y"] + box["height"] / 2 for box in boxes]
        assert max(middles) - min(middles) < 8, (url, boxes)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, url
    search = page.get_by_role("searchbox", name="Search episodes")
    search.fill("treating")
    page.get_by_role("button", name="Search", exact=True).first.click()
    expect(page.locator(".episode-card h3")).to_have_text(["Treating a small room"])
