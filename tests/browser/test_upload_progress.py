"""The episode form shows an upload's progress and says plainly when a file is refused or fails."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from episodes.models import Episode
from podcast.generate import tone_mp3
from tests.browser.conftest import log_in_as_editor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def episode_form(page: Page, site, editor) -> Page:
    log_in_as_editor(page)
    page.goto(reverse("admin:episodes_episode_change", args=[site["episodes"][0].pk]))
    return page


def choose_audio(page: Page, data: bytes, name: str = "new.mp3", kind: str = "audio/mpeg") -> None:
    page.locator("#id_audio_file").set_input_files(
        files=[{"name": name, "mimeType": kind, "buffer": data}]
    )


def posts_of(page: Page) -> list[str]:
    sent: list[str] = []
    page.on("request", lambda request: request.method == "POST" and sent.append(request.url))
    return sent


def test_an_upload_shows_percent_and_time_left_then_the_saved_page(episode_form: Page, site):
    page = episode_form
    # A slow home connection's upstream: 1 MB then takes about ten seconds.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 100_000},
    )
    choose_audio(page, tone_mp3(seconds=130))  # about 1 MB
    page.locator("input[name='_continue']").click()
    status = page.locator(".upload-status")
    # The size counted is the whole form body: the file and the form's other fields.
    expect(status).to_have_text(
        re.compile(r"Uploading (10\d\d KB|1\.\d MB): [1-8]\d % · about \d+ s left")
    )
    assert 0 < page.locator(".upload-progress progress").evaluate("p => p.value") < 100
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully", timeout=30_000)
    episode = Episode.objects.get(pk=site["episodes"][0].pk)
    assert episode.duration == 130
    assert episode.audio_file.name.endswith(".mp3")


def test_a_file_too_large_is_refused_before_anything_is_sent(episode_form: Page, settings):
    page = episode_form
    settings.MAX_AUDIO_UPLOAD_BYTES = 50_000
    page.reload()
    sent = posts_of(page)
    choose_audio(page, tone_mp3(seconds=12), name="long.mp3")  # 96 KB
    page.locator("input[name='_save']").click()
    expect(page.locator(".upload-errors")).to_have_text(
        "“long.mp3” is 94 KB: too large, at most 48.8\xa0KB is accepted. Nothing was sent."
    )
    page.locator("#id_audio_file").set_input_files(
        files=[{"name": "talk.wav", "mimeType": "audio/wav", "buffer": b"RIFF" + bytes(40)}]
    )
    page.locator("input[name='_save']").click()
    expect(page.locator(".upload-errors")).to_contain_text(
        "“talk.wav” is not a file this field takes (MP3 or M4A audio)."
    )
    assert sent == []


def test_a_failed_upload_says_so_and_saves_nothing(episode_form: Page, site):
    page = episode_form
    before = Episode.objects.get(pk=site["episodes"][0].pk).audio_file.name
    page.route(
        "**/change/",
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    choose_audio(page, tone_mp3(seconds=3))
    page.locator("input[name='_save']").click()
    expect(page.locator(".upload-errors")).to_have_text(
        "The upload stopped: the connection to the server was lost. Nothing was saved; try again."
    )
    expect(page.locator("input[name='_save']")).to_be_enabled()
    assert Episode.objects.get(pk=site["episodes"][0].pk).audio_file.name == before
    page.console_errors.clear()  # the aborted request is reported as a console error


def test_a_refused_file_comes_back_with_the_servers_message(episode_form: Page):
    page = episode_form
    choose_audio(page, b"ID3" + bytes(2000), name="broken.mp3")
    page.locator("input[name='_save']").click()
    expect(page.locator(".errorlist").first).to_contain_text("could not be read as MP3")
    expect(page).to_have_url(re.compile(r"/change/$"))
