"""Headers that tell browsers what the site may do and who may read it, and quiet security logs."""

import logging
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from podcast.enclosures import audio_url
from tests.factories import ChapterFactory, EpisodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def uploaded(settings):
    path = settings.MEDIA_ROOT / "shows/the-show/audio/episode.mp3"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"ID3" + bytes(1000))
    transcript = settings.MEDIA_ROOT / "shows/the-show/transcripts/episode.vtt"
    transcript.parent.mkdir(parents=True)
    transcript.write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n")
    return [
        "/media/shows/the-show/audio/episode.mp3",
        "/media/shows/the-show/transcripts/episode.vtt",
    ]


def test_what_web_players_read_is_readable_cross_origin(client, show, uploaded, settings):
    episode = EpisodeFactory(
        show=show, audio_file=uploaded[0].removeprefix("/media/"), audio_url=""
    )
    elsewhere = EpisodeFactory(show=show, audio_url="https://cdn.example.org/episode.mp3")
    ChapterFactory(episode=episode)
    feed = show.get_feed_path()
    oembed = (
        reverse("oembed") + "?" + urlencode({"url": settings.SITE_URL + episode.get_absolute_url()})
    )
    # The feed's enclosure URLs (measured: served here, or sent on to where the audio lives).
    enclosures = [audio_url(episode), audio_url(elsewhere)]
    assert all(url.startswith("/listen/") for url in enclosures)
    urls = [*uploaded, feed, episode.get_chapters_url(), oembed, *enclosures]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302), url
        assert response["Cross-Origin-Resource-Policy"] == "cross-origin", url
        assert response["Access-Control-Allow-Origin"] == "*", url
    # A poll answered 304 before the view runs keeps the header the stored copy has.
    etag = client.get(feed)["ETag"]
    not_modified = client.get(feed, headers={"if-none-match": etag})
    assert not_modified.status_code == 304
    assert not_modified["Cross-Origin-Resource-Policy"] == "cross-origin"
    ranged = client.get(uploaded[0], HTTP_RANGE="bytes=0-9")
    assert ranged.status_code == 206 and ranged["Cross-Origin-Resource-Policy"] == "cross-origin"


def test_pages_admin_and_errors_are_same_origin_and_ask_for_no_device(client, editor_client, show):
    episode = EpisodeFactory(show=show)
    responses = [
        client.get(url)
        for url in ("/", show.get_absolute_url(), episode.get_absolute_url(), "/search/?q=x",
                    "/no-such-page/", "/robots.txt", "/healthz",
                    reverse("admin:login"))
    ]  # fmt: skip
    responses.append(editor_client.get(reverse("admin:index")))
    for response in responses:
        url = response.wsgi_request.get_full_path()
        assert response["Cross-Origin-Resource-Policy"] == "same-origin", url
        policy = dict(item.split("=") for item in response["Permissions-Policy"].split(", "))
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert policy[feature] == "()", (url, feature)
    media = client.get(show.get_feed_path())
    assert "camera=()" in media["Permissions-Policy"]


def one_line_each(caplog, response_status: int, send) -> list[str]:
    with caplog.at_level(logging.WARNING):
        response = send()
    assert response.status_code == response_status
    return [line for line in caplog.text.splitlines() if line.strip()]


def test_a_disallowed_host_writes_one_log_line_not_a_traceback(client, caplog):
    lines = one_line_each(caplog, 400, lambda: client.get("/", HTTP_HOST="evil.example"))
    assert len(lines) == 1, lines
    assert "Invalid HTTP_HOST header: 'evil.example'" in lines[0]
    assert "Traceback" not in caplog.text


def test_other_suspicious_requests_write_one_line_too(client, caplog, settings, db):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    query = "&".join(f"f{n}=x" for n in range(50))
    lines = one_line_each(
        caplog,
        400,
        lambda: client.post(
            f"/admin/login/?{query}", query, content_type="application/x-www-form-urlencoded"
        ),
    )
    assert len(lines) == 1, lines
    assert "Traceback" not in caplog.text
