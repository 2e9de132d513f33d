"""An editor writes and publishes an episode in the admin, then finds it on the site and feed."""

import feedparser
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from podcast.generate import tone_mp3
from tests.browser.conftest import log_in_as_editor

# The `editor` fixture remakes the Editors group with its migration's code after flushes.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_editor_writes_previews_publishes_and_finds_the_episode(page: Page, site, editor):
    log_in_as_editor(page)

    page.goto("/admin/episodes/episode/add/")
    page.locator("#id_show").select_option(label="Signal Path")
    page.locator("#id_title").fill("Live from the editor")
    page.locator("#id_summary").fill("Written and published in a real browser.")
    page.locator("#id_show_notes").fill("We talk **loudness** at 0:04.")
    preview = page.locator(".markdownx-preview")
    expect(preview.locator("strong")).to_have_text("loudness")

    now = timezone.localtime() - timezone.timedelta(minutes=1)
    page.locator("#id_status").select_option("published")
    page.locator("#id_pub_date_0").fill(now.strftime("%Y-%m-%d"))
    page.locator("#id_pub_date_1").fill(now.strftime("%H:%M:%S"))
    page.locator("#id_audio_file").set_input_files(
        files=[{"name": "live.mp3", "mimeType": "audio/mpeg", "buffer": tone_mp3(seconds=3)}]
    )
    page.locator("input[name='_save']").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    page.goto("/")
    page.get_by_role("link", name="Live from the editor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Live from the editor")
    expect(page.locator(".show-notes strong")).to_have_text("loudness")
    feed = page.request.get("/signal-path/feed.xml")
    assert feed.ok
    parsed = feedparser.parse(feed.body())
    assert not parsed.bozo, parsed.get("bozo_exception")
    newest = parsed.entries[0]
    assert newest.title == "Live from the editor"
    assert newest.enclosures[0].href.endswith(".mp3")
