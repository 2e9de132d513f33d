"""The listener's player in a real browser: speed, skips, chapters, resume, share, keys, the lock
screen, the transcript following along, soundbite picking, all accessible in both themes."""

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Browser, Page, expect

from episodes.models import Soundbite
from podcast.generate import cover_art, tone_mp3
from tests import factories
from tests.browser.a11y import assert_accessible
from tests.browser.conftest import START_PLAYER, log_in_as_editor, screenshot

pytestmark = pytest.mark.browser
URL = "/long-play/episodes/ninety-seconds/"
TRANSCRIPT = "\n".join(
    f"[{t // 60}:{t % 60:02d}] Host: line at {t} seconds" for t in range(0, 90, 5)
)


@pytest.fixture
def episode(transactional_db):
    show = factories.ShowFactory(slug="long-play", title="Long Play")
    show.cover_art.save("cover.png", ContentFile(cover_art("Long Play", size=1400)))
    episode = factories.EpisodeFactory(
        show=show,
        slug="ninety-seconds",
        title="Ninety seconds",
        audio_url="",
        duration=90,
        transcript_text=TRANSCRIPT,
    )
    episode.audio_file.save("ninety.mp3", ContentFile(tone_mp3(seconds=90)), save=True)
    for start, title in [(0, "Opening"), (30, "The middle"), (60, "Closing")]:
        factories.ChapterFactory(episode=episode, start_time=start, title=title)
    return episode


def ready(page: Page, url: str = URL) -> None:
    page.goto(url)
    page.evaluate(START_PLAYER)
    page.wait_for_function("() => document.querySelector('audio').readyState >= 1")


def time_of(page: Page) -> float:
    return page.evaluate("document.querySelector('audio').currentTime")


def seek(page: Page, seconds: float) -> None:
    page.evaluate(f"document.querySelector('audio').currentTime = {seconds}")
    page.wait_for_function(
        f"() => Math.abs(document.querySelector('audio').currentTime - {seconds}) < 1"
    )


def test_speed_is_chosen_and_remembered(page: Page, episode):
    ready(page)
    page.get_by_label("Speed").select_option("1.5")
    assert page.evaluate("document.querySelector('audio').playbackRate") == 1.5
    ready(page)
    expect(page.get_by_label("Speed")).to_have_value("1.5")
    assert page.evaluate("document.querySelector('audio').playbackRate") == 1.5


def test_skip_back_15_and_forward_30(page: Page, episode):
    ready(page)
    seek(page, 40)
    page.get_by_role("button", name="15 s back").click()
    page.wait_for_function("() => Math.abs(document.querySelector('audio').currentTime - 25) < 1")
    page.get_by_role("button", name="30 s forward").click()
    page.wait_for_function("() => Math.abs(document.querySelector('audio').currentTime - 55) < 1")


def test_the_current_chapter_is_shown_and_marked_on_the_progress_bar(page: Page, episode):
    ready(page)
    marks = page.locator(".chapter-mark")
    expect(marks).to_have_count(2)  # the chapter at 0:00 needs no mark
    lefts = marks.evaluate_all("ms => ms.map(m => m.style.left)")
    assert [round(float(left.rstrip("%"))) for left in lefts] == [33, 67]
    expect(page.locator("[data-now-chapter]")).to_have_text("Chapter: Opening")
    seek(page, 35)
    expect(page.locator("[data-now-chapter]")).to_have_text("Chapter: The middle")
    expect(page.locator(".chapters li[aria-current='true']")).to_contain_text("The middle")
    assert "The middle" in page.get_by_label("Position").get_attribute("aria-valuetext")
    page.get_by_label("Position").fill("65")
    expect(page.locator("[data-now-chapter]")).to_have_text("Chapter: Closing")


def test_the_position_is_remembered_and_offered_back_after_a_reload(page: Page, episode):
    ready(page)
    seek(page, 42)
    page.evaluate("document.querySelector('audio').dispatchEvent(new Event('pause'))")
    page.reload()
    page.evaluate(START_PLAYER)
    page.wait_for_function("() => document.querySelector('audio').readyState >= 1")
    offer = page.get_by_role("button", name="Resume from 0:42")
    expect(offer).to_be_visible()
    assert time_of(page) < 1  # offered, not imposed
    offer.click()
    page.wait_for_function("() => document.querySelector('audio').currentTime >= 41")
    expect(offer).to_be_hidden()
    # Another episode has a memory of its own.
    other = factories.EpisodeFactory(show=episode.show, slug="other", audio_url="")
    other.audio_file.save("other.mp3", ContentFile(tone_mp3(seconds=10)), save=True)
    page.goto(other.get_absolute_url())
    expect(page.get_by_role("button", name="Resume from 0:42")).to_have_count(0)


def test_start_over_forgets_the_position(page: Page, episode):
    ready(page)
    seek(page, 20)
    page.evaluate("document.querySelector('audio').dispatchEvent(new Event('pause'))")
    ready(page)
    page.get_by_role("button", name="Start over").click()
    ready(page)
    expect(page.locator("[data-resume]")).to_be_hidden()


def test_share_from_here_links_to_the_moment(page: Page, episode, browser: Browser, live_server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    ready(page)
    seek(page, 47)
    page.get_by_role("button", name="Share from here").click()
    link = page.get_by_label("Link to this moment")
    expect(link).to_have_value(f"http://127.0.0.1:8000{URL}#t=47")
    expect(page.locator("[data-share-status]")).to_have_text("Link to 0:47 copied.")
    assert page.evaluate("navigator.clipboard.readText()").endswith("#t=47")
    ready(page, f"{URL}#t=47")
    page.wait_for_function("() => document.querySelector('audio').currentTime >= 46")


def test_keyboard_shortcuts_work_inside_the_player_only(page: Page, episode):
    ready(page)
    seek(page, 40)
    page.locator("body").press("l")  # outside the player: a screen reader's key, not ours
    assert abs(time_of(page) - 40) < 1
    page.get_by_role("button", name="Share from here").focus()
    page.keyboard.press("l")
    page.wait_for_function("() => Math.abs(document.querySelector('audio').currentTime - 70) < 1")
    page.keyboard.press("j")
    page.wait_for_function("() => Math.abs(document.querySelector('audio').currentTime - 55) < 1")
    page.keyboard.press(">")
    assert page.evaluate("document.querySelector('audio').playbackRate") == 1.25
    page.keyboard.press("<")
    page.keyboard.press("<")
    assert page.evaluate("document.querySelector('audio').playbackRate") == 0.75
    page.keyboard.press("k")
    page.wait_for_function("() => !document.querySelector('audio').paused")
    page.keyboard.press("k")
    page.wait_for_function("() => document.querySelector('audio').paused")


def test_the_lock_screen_shows_artwork_and_the_chapter(page: Page, episode):
    ready(page)
    metadata = """() => {
        const m = navigator.mediaSession.metadata;
        return m && [m.title, m.artist, m.album, m.artwork.length];
    }"""
    assert page.evaluate(metadata)[:3] == ["Opening", "Long Play", "Ninety seconds"]
    assert page.evaluate(metadata)[3] >= 1
    seek(page, 62)
    page.wait_for_function("() => navigator.mediaSession.metadata.title === 'Closing'")


def test_the_transcript_follows_along_and_each_line_seeks(page: Page, episode):
    ready(page)
    line = page.locator(".transcript-text p", has_text="line at 50 seconds")
    line.click(position={"x": 200, "y": 5})  # the words, not the time link
    page.wait_for_function("() => document.querySelector('audio').currentTime >= 50")
    page.wait_for_function("() => !document.querySelector('audio').paused")
    expect(line).to_have_class("is-current")
    expect(line).to_have_attribute("aria-current", "true")
    page.wait_for_function(
        "() => document.querySelector('audio').currentTime >= 60.5", timeout=15_000
    )
    expect(page.locator(".transcript-text p", has_text="line at 60 seconds")).to_have_class(
        "is-current"
    )
    expect(page.locator(".transcript-text p.is-current")).to_have_count(1)
    assert page.evaluate("document.querySelector('[data-transcript]').scrollTop") > 0
    screenshot(page, "player")


def test_without_javascript_the_native_player_still_plays(browser: Browser, live_server, episode):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto(URL)
    expect(page.locator("audio[controls]")).to_be_visible()
    expect(page.locator(".player-controls")).to_be_hidden()
    expect(page.locator(".chapters a.seek").first).to_have_attribute("href", "#t=0")
    context.close()


def test_an_editor_picks_a_soundbite_with_the_player(page: Page, episode, editor):
    log_in_as_editor(page)
    ready(page)
    seek(page, 30)
    page.get_by_role("button", name="Start here").click()
    seek(page, 52)
    page.get_by_role("button", name="End here").click()
    page.get_by_label("Title").fill("The middle, distilled")
    page.get_by_role("button", name="Save the soundbite").click()
    expect(page.locator(".message")).to_contain_text("Soundbite “The middle, distilled” saved")
    bite = Soundbite.objects.get()
    assert (float(bite.start_time), float(bite.duration)) == (30.0, 22.0)
    expect(page.locator(".soundbite-list")).to_contain_text("The middle, distilled")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_episode_page_with_its_player_is_accessible(page: Page, episode, scheme):
    Soundbite.objects.create(episode=episode, start_time=30, duration=20, title="A highlight")
    page.emulate_media(color_scheme=scheme)
    ready(page)
    seek(page, 35)
    page.get_by_role("button", name="Share from here").click()
    assert_accessible(page)
