"""Linked alternate renditions: the worker fetches each new address and mutagen reads it.

The files are real (AAC, Opus and WAV encoded by PyAV) and served by a real HTTP server on
loopback; `work()` runs the queued tasks as `manage.py db_worker` would. Tests commit for real
(transactional), since the reading is queued only after the editor's save commits.
"""

import base64
import hashlib
import io
import socket
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from lxml import etree

from episodes.models import AlternateEnclosure, Episode
from tests.factories import EpisodeFactory
from tests.media_files import admin_form_data, low_bitrate_mp3, m4a, opus, wav
from tests.notify_servers import Hub, serve
from tests.worker import work

pytestmark = pytest.mark.django_db(transaction=True)

NS = {"podcast": "https://podcastindex.org/namespace/1.0"}
SECONDS = 3


@pytest.fixture
def host(settings) -> Iterator[Hub]:
    """A file host on loopback, which the fetcher's guard lets the tests reach."""
    routes = {
        "/low.opus": (200, {"Content-Type": "audio/ogg"}, opus(SECONDS)),
        "/low.m4a": (200, {"Content-Type": "audio/mp4"}, m4a(SECONDS)),
        "/low.mp3": (200, {"Content-Type": "audio/mpeg"}, low_bitrate_mp3(SECONDS)),
        "/notes.html": (200, {"Content-Type": "text/html"}, b"<!doctype html><p>Show notes" * 50),
        "/talk.wav": (200, {"Content-Type": "audio/wav"}, wav(SECONDS)),
    }
    with serve(answer=lambda number: (404, {}), path="", routes=routes) as hub:
        settings.ALLOW_PRIVATE_RENDITIONS = True
        yield hub


@pytest.fixture
def episode(show) -> Episode:
    """As long as the renditions, which therefore raise no warning of another length."""
    return EpisodeFactory(show=show, duration=SECONDS)


def save_rendition(editor_client, episode: Episode, **fields: str) -> None:
    """The editor saves the episode with one alternate rendition as given (new or the one kept)."""
    url = reverse("admin:episodes_episode_change", args=[episode.pk])
    data = admin_form_data(editor_client, url)
    data.setdefault("alternate_enclosures-0-order", "0")
    data |= {"alternate_enclosures-TOTAL_FORMS": "1"}
    data |= {f"alternate_enclosures-0-{name}": value for name, value in fields.items()}
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors


def fetched(host: Hub, path: str) -> int:
    return sum(1 for request in host.received if request.path == path)


def alternates(client, episode: Episode) -> list:
    response = client.get(episode.show.get_feed_path())
    assert response.status_code == 200
    return etree.fromstring(response.content).xpath("//podcast:alternateEnclosure", namespaces=NS)


def offered_on_the_page(client, episode: Episode, link: str) -> bool:
    response = client.get(episode.get_absolute_url())
    assert response.status_code == 200
    return f'href="{link}"' in response.content.decode()


def check_feed_lines() -> list[str]:
    out = io.StringIO()
    with pytest.raises(CommandError):  # errors make it fail
        call_command("check_feed", stdout=out)
    return out.getvalue().splitlines()


def sri(content: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()


@pytest.mark.parametrize(
    ("path", "content", "mime_type", "codecs"),
    [
        ("/low.opus", opus(SECONDS), "audio/ogg", "opus"),
        ("/low.mp3", low_bitrate_mp3(SECONDS), "audio/mpeg", "mp3"),
    ],
    ids=["opus", "low-bitrate-mp3"],
)
def test_a_linked_file_is_read_by_the_worker_and_then_announced(
    client, editor_client, episode, host, path, content, mime_type, codecs
):
    link = f"{host.url}{path}"
    save_rendition(editor_client, episode, title="Low", url=link)
    rendition = episode.alternate_enclosures.get()
    assert (rendition.mime_type, rendition.size, rendition.read_url) == ("", None, "")
    assert alternates(client, episode) == [], "nothing is announced before it is read"
    assert not offered_on_the_page(client, episode, link)

    work()

    rendition.refresh_from_db()
    assert (rendition.mime_type, rendition.codecs) == (mime_type, codecs)
    assert rendition.size == len(content) and rendition.duration == SECONDS
    assert 8_000 <= rendition.bitrate < 200_000
    assert rendition.integrity == sri(content)
    assert (rendition.read_url, rendition.read_problem) == (link, "")
    [alternate] = alternates(client, episode)
    assert (alternate.get("type"), alternate.get("codecs")) == (mime_type, codecs)
    assert alternate.get("length") == str(len(content))
    assert alternate.get("bitrate") == str(rendition.bitrate)
    assert alternate.get("title") == "Low"
    [source] = alternate.xpath("podcast:source", namespaces=NS)
    assert source.get("uri") == link
    [integrity] = alternate.xpath("podcast:integrity", namespaces=NS)
    assert (integrity.get("type"), integrity.get("value")) == ("sri", sri(content))
    assert fetched(host, path) == 1
    assert offered_on_the_page(client, episode, link)


def test_only_a_new_address_is_fetched_again(client, editor_client, episode, host):
    save_rendition(editor_client, episode, title="Low", url=f"{host.url}/low.opus")
    work()
    save_rendition(editor_client, episode, title="Low bandwidth")
    work()
    assert fetched(host, "/low.opus") == 1, "a save that keeps the address fetches nothing"
    assert alternates(client, episode)[0].get("title") == "Low bandwidth"

    save_rendition(editor_client, episode, url=f"{host.url}/low.m4a")
    rendition = episode.alternate_enclosures.get()
    assert (rendition.mime_type, rendition.integrity, rendition.duration) == ("", "", None), (
        "what was read from the old address is not shown for the new one"
    )
    assert alternates(client, episode) == []
    work()

    assert fetched(host, "/low.m4a") == 1
    [alternate] = alternates(client, episode)
    assert (alternate.get("type"), alternate.get("codecs")) == ("audio/mp4", "mp4a.40.2")
    assert alternate.get("length") == str(len(m4a(SECONDS)))
    rendition.refresh_from_db()
    assert alternate.get("bitrate") == str(rendition.bitrate) and rendition.duration == SECONDS
    assert rendition.integrity == sri(m4a(SECONDS))


@pytest.mark.parametrize(
    ("path", "limit", "problem"),
    [
        ("/notes.html", None, "This is not MP3, M4A (AAC), Opus, Ogg Vorbis or FLAC audio."),
        ("/talk.wav", None, "This is not MP3, M4A (AAC), Opus, Ogg Vorbis or FLAC audio."),
        ("/gone.opus", None, "the server answered 404."),
        ("/low.opus", 1000, "larger than the limit of 1,000 bytes."),
    ],
    ids=["not-audio", "wrong-kind-of-audio", "missing", "too-large"],
)
def test_a_link_that_cannot_be_read_is_a_problem_for_editors_and_stays_out_of_the_feed(
    client, editor_client, episode, host, settings, path, limit, problem
):
    if limit:
        settings.MAX_AUDIO_UPLOAD_BYTES = limit
    link = f"{host.url}{path}"
    save_rendition(editor_client, episode, title="Low", url=link)
    work()

    rendition = episode.alternate_enclosures.get()
    assert rendition.read_problem == f"{link}: {problem}"
    assert (rendition.mime_type, rendition.codecs, rendition.integrity) == ("", "", "")
    assert (rendition.size, rendition.bitrate, rendition.duration) == (None, None, None)
    assert alternates(client, episode) == []
    assert not offered_on_the_page(client, episode, link)
    message = f"alternate enclosure “Low” is left out of the feed: {link}: {problem}"
    assert any(line.startswith("ERROR") and message in line for line in check_feed_lines())
    page = editor_client.get(reverse("admin:episodes_episode_change", args=[episode.pk]))
    assert page.status_code == 200 and message in page.content.decode()


def test_an_unreachable_host_is_a_problem_and_is_tried_again_later(
    client, editor_client, episode, host, clock
):
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    link = f"http://127.0.0.1:{port}/low.opus"
    save_rendition(editor_client, episode, title="Low", url=link)
    work()

    rendition = episode.alternate_enclosures.get()
    assert rendition.read_problem.startswith(f"{link}: ConnectionRefusedError")
    assert rendition.mime_type == "" and alternates(client, episode) == []
    [retry] = DBTaskResult.objects.filter(status="READY")
    assert retry.args_kwargs["kwargs"] == {"retry_attempt": 2}
    assert retry.run_after > clock.now


def test_a_failed_link_is_read_again_when_the_editor_saves_it(client, editor_client, episode, host):
    save_rendition(editor_client, episode, title="Low", url=f"{host.url}/later.opus")
    work()
    assert "404" in episode.alternate_enclosures.get().read_problem
    host.routes["/later.opus"] = (200, {}, opus(SECONDS))  # the file was put in place

    save_rendition(editor_client, episode, title="Low bandwidth")
    work()

    rendition = episode.alternate_enclosures.get()
    assert (rendition.read_problem, rendition.mime_type) == ("", "audio/ogg")
    assert len(alternates(client, episode)) == 1
    assert fetched(host, "/later.opus") == 2


def test_a_private_address_is_refused_unless_allowed(editor_client, episode, host, settings):
    settings.ALLOW_PRIVATE_RENDITIONS = False
    save_rendition(editor_client, episode, title="Low", url=f"{host.url}/low.opus")
    work()

    problem = episode.alternate_enclosures.get().read_problem
    assert "private or reserved address (127.0.0.1)" in problem
    assert "ALLOW_PRIVATE_RENDITIONS=1 allows it" in problem
    assert fetched(host, "/low.opus") == 0


def test_an_address_changed_before_the_worker_came_is_not_read_under_the_old_one(episode, host):
    rendition = AlternateEnclosure.objects.create(episode=episode, url=f"{host.url}/low.opus")
    AlternateEnclosure.objects.filter(pk=rendition.pk).update(url=f"{host.url}/low.m4a")
    work()  # the task queued for the first address finds another

    rendition.refresh_from_db()
    assert (rendition.read_url, rendition.mime_type) == ("", "")
    assert fetched(host, "/low.opus") == 0
