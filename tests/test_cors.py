"""Web podcast apps read the feed, chapters, transcripts and audio from any origin; nothing else."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tests.factories import ChapterFactory, EpisodeFactory
from tests.media_files import VTT, mp3
from tests.test_security import admin_page_urls, page_urls

pytestmark = pytest.mark.django_db
ORIGIN = {"Origin": "https://webapp.example"}


def assert_readable_anywhere(response) -> None:
    assert response["Access-Control-Allow-Origin"] == "*"
    exposed = {h.strip() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {"Content-Range", "Content-Length", "Accept-Ranges"} <= exposed
    assert "Access-Control-Allow-Credentials" not in response


@pytest.fixture
def media_episode(show):
    episode = EpisodeFactory(show=show, audio_url="")
    episode.audio_file.save("talk.mp3", ContentFile(mp3()), save=False)
    episode.transcript.save("talk.vtt", ContentFile(VTT.encode()), save=True)
    ChapterFactory(episode=episode, start_time=0)
    return episode


def test_the_feed_is_readable_from_any_origin_also_as_a_304(client, media_episode, settled):
    response = client.get(media_episode.show.get_feed_path(), headers=ORIGIN)
    assert response.status_code == 200
    assert_readable_anywhere(response)
    settled.tick()
    again = client.get(
        media_episode.show.get_feed_path(), headers=ORIGIN | {"If-None-Match": response["ETag"]}
    )
    assert again.status_code == 304
    assert_readable_anywhere(again)


def test_chapters_transcripts_and_audio_ranges_are_readable_from_any_origin(client, media_episode):
    assert_readable_anywhere(client.get(media_episode.get_chapters_url(), headers=ORIGIN))
    assert_readable_anywhere(client.get(media_episode.transcript.url, headers=ORIGIN))
    ranged = client.get(media_episode.audio_file.url, headers=ORIGIN | {"Range": "bytes=0-99"})
    assert ranged.status_code == 206
    assert ranged["Content-Range"].startswith("bytes 0-99/")
    assert_readable_anywhere(ranged)


def test_a_preflight_for_a_ranged_request_is_answered(client, media_episode):
    response = client.options(
        media_episode.audio_file.url,
        headers=ORIGIN
        | {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "range"},
    )
    assert response.status_code == 204
    assert "Range" in response["Access-Control-Allow-Headers"]
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD"
    assert_readable_anywhere(response)


def test_pages_and_the_admin_are_never_readable_from_other_origins(
    client,
    editor_client,
    content,
):
    responses = [client.get(url, headers=ORIGIN) for url in page_urls(content)]
    responses += [editor_client.get(url, headers=ORIGIN) for url in admin_page_urls(content)]
    responses.append(client.options(reverse("admin:login"), headers=ORIGIN))
    for response in responses:
        assert "Access-Control-Allow-Origin" not in response, response.wsgi_request.path
