"""Editors upload audio, art, photos, transcripts and chapters through the admin's own forms."""

import io
import random
import wave

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from episodes.models import Episode
from tests import media_files
from tests.factories import EpisodeFactory, GuestFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:episodes_episode_add")


def stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def new_episode_data(editor_client, show):
    data = media_files.admin_form_data(editor_client, ADD)
    data.update(show=show.pk, title="Uploaded", slug="uploaded", status="draft")
    return data


def add_episode(editor_client, data):
    return editor_client.post(ADD, data)


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def post_change(editor_client, obj, changes: dict):
    """The object's admin change form as it stands, with `changes` (uploads among them), posted."""
    data = media_files.admin_form_data(editor_client, change_url(obj))
    return editor_client.post(change_url(obj), {**data, **changes})


def added_episode(editor_client, data) -> Episode:
    """The episode the add form saved from `data`; the form's errors if it saved none."""
    response = add_episode(editor_client, data)
    assert response.status_code == 302, form_errors(response)
    return Episode.objects.get(slug="uploaded")


def form_errors(response) -> str:
    errors = response.context["adminform"].form.errors.as_text()
    for inline in response.context["inline_admin_formsets"]:
        errors += str(inline.formset.errors)
    return errors


def wav_bytes() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(bytes(16000 * 2))
    return buffer.getvalue()


# Audio -----------------------------------------------------------------------------------------


def test_mp3_upload_fills_size_type_duration_and_bitrate(editor_client, new_episode_data):
    data = media_files.mp3(4)
    new_episode_data["audio_file"] = upload("My Episode (final).mp3", data, "audio/mpeg")
    episode = added_episode(editor_client, new_episode_data)
    assert episode.audio_size == len(data)
    assert episode.audio_mime_type == "audio/mpeg"
    assert episode.duration == 4
    assert episode.audio_bitrate == 64
    assert episode.audio_file.name.startswith("shows/the-show/audio/my-episode-final-")
    assert episode.audio_file.read() == data
    assert episode.enclosure_url.startswith("http://") and episode.enclosure_url.endswith(".mp3")


def test_a_save_from_the_upload_script_names_the_next_page_and_keeps_its_message(
    editor_client, new_episode_data
):
    """The script's request follows no redirect: the "added" message waits for the page it names."""
    new_episode_data["audio_file"] = upload("talk.mp3", media_files.mp3(2), "audio/mpeg")
    response = editor_client.post(ADD, new_episode_data, headers={"X-Upload-Progress": "1"})
    assert response.status_code == 200
    assert response.json() == {"location": reverse("admin:episodes_episode_changelist")}
    listing = editor_client.get(response.json()["location"]).content.decode()
    assert "was added successfully" in listing
    new_episode_data.update(slug="second", audio_file=upload("bad.mp3", b"not audio"))
    refused = editor_client.post(ADD, new_episode_data, headers={"X-Upload-Progress": "1"})
    assert refused.status_code == 200 and refused["Content-Type"].startswith("text/html")
    assert "not MP3 or M4A audio" in refused.content.decode()  # the form again, with the reason


def test_m4a_upload_is_read_as_aac(editor_client, new_episode_data):
    data = media_files.m4a(3)
    new_episode_data["audio_file"] = upload("episode.m4a", data, "audio/mp4")
    episode = added_episode(editor_client, new_episode_data)
    assert (episode.audio_mime_type, episode.duration) == ("audio/x-m4a", 3)
    assert episode.audio_size == len(data) and episode.audio_bitrate


def test_editor_may_override_the_duration_read_from_the_file(editor_client, new_episode_data):
    new_episode_data["audio_file"] = upload("a.mp3", media_files.mp3(2))
    new_episode_data["duration"] = "1:02:03"
    assert added_episode(editor_client, new_episode_data).duration == 3723


def test_each_upload_gets_a_new_name_and_the_old_url_keeps_its_bytes(
    editor_client, new_episode_data, settings
):
    new_episode_data["audio_file"] = upload("same.mp3", media_files.mp3(2))
    episode = added_episode(editor_client, new_episode_data)
    first = episode.audio_file.name
    longer = upload("same.mp3", media_files.mp3(3))
    response = post_change(editor_client, episode, {"audio_file": longer})
    assert response.status_code == 302, form_errors(response)
    episode.refresh_from_db()
    assert episode.audio_file.name != first and episode.duration == 3
    assert default_storage.exists(first)


def truncated_mp3() -> bytes:
    data = media_files.mp3(4)
    return data[: len(data) * 2 // 3 + 101]


REFUSED_AUDIO = [
    ("random.mp3", b"\x00" + random.Random(7).randbytes(40_000), "not MP3 or M4A"),
    ("zero.mp3", b"", "empty"),
    ("truncated.mp3", None, "incomplete"),
    ("picture.mp3", None, "not MP3 or M4A"),
    ("program.mp3", media_files.EXECUTABLE, "not MP3 or M4A"),
    ("setup.mp3", media_files.MZ_EXECUTABLE, "not MP3 or M4A"),
    ("voice.wav", None, "Only MP3 and M4A"),
    ("half.m4a", None, "could not be read as M4A"),
    ("tiny.mp3", None, "no playable length"),
]


def refused_audio_bytes(name: str, given: bytes | None) -> bytes:
    if given is not None:
        return given
    return {
        "truncated.mp3": truncated_mp3,
        "picture.mp3": lambda: media_files.art(size=64),
        "voice.wav": wav_bytes,
        "half.m4a": lambda: media_files.m4a(2)[:4000],
        "tiny.mp3": lambda: media_files.mp3(0.5),
    }[name]()


@pytest.mark.parametrize(("name", "content", "message"), REFUSED_AUDIO)
def test_refused_audio_saves_nothing_on_add(
    editor_client, new_episode_data, settings, name, content, message
):
    new_episode_data["audio_file"] = upload(name, refused_audio_bytes(name, content))
    response = add_episode(editor_client, new_episode_data)
    assert response.status_code == 200
    assert message in form_errors(response)
    assert not Episode.objects.filter(slug="uploaded").exists()
    assert stored_files(settings) == []


@pytest.mark.parametrize(("name", "content", "message"), REFUSED_AUDIO[:5])
def test_refused_audio_leaves_the_episode_untouched(
    editor_client, show, settings, name, content, message
):
    episode = EpisodeFactory(show=show, audio_url="", audio_size=None, duration=None)
    before = Episode.objects.filter(pk=episode.pk).values().get()
    changes = {
        "title": "A new title that must not be saved either",
        "audio_file": upload(name, refused_audio_bytes(name, content)),
    }
    response = post_change(editor_client, episode, changes)
    assert response.status_code == 200 and message in form_errors(response)
    assert Episode.objects.filter(pk=episode.pk).values().get() == before
    assert stored_files(settings) == []


def test_audio_over_the_upload_limit_is_refused(editor_client, new_episode_data, settings):
    settings.MAX_AUDIO_UPLOAD_BYTES = 10_000
    new_episode_data["audio_file"] = upload("long.mp3", media_files.mp3(4))
    response = add_episode(editor_client, new_episode_data)
    assert response.status_code == 200
    assert "at most 9.8\xa0KB is accepted" in form_errors(response)
    assert stored_files(settings) == [] and not Episode.objects.filter(slug="uploaded").exists()


def test_external_audio_stores_size_type_and_duration(editor_client, new_episode_data):
    new_episode_data.update(
        audio_url="https://cdn.example.com/ep/episode-1.mp3?source=feed",
        audio_size="12345678",
        audio_mime_type="",
        duration="45:32",
    )
    episode = added_episode(editor_client, new_episode_data)
    assert (episode.audio_size, episode.audio_mime_type, episode.duration) == (
        12345678,
        "audio/mpeg",
        2732,
    )
    assert episode.enclosure_url == "https://cdn.example.com/ep/episode-1.mp3?source=feed"


def test_external_audio_needs_its_size_and_duration(editor_client, new_episode_data):
    new_episode_data.update(audio_url="https://cdn.example.com/ep/a.ogg", audio_mime_type="")
    response = add_episode(editor_client, new_episode_data)
    errors = form_errors(response)
    assert "size in bytes" in errors and "duration" in errors and "audio/mpeg" in errors
    assert not Episode.objects.filter(slug="uploaded").exists()


def test_file_and_external_url_together_are_refused(editor_client, new_episode_data, settings):
    new_episode_data.update(
        audio_url="https://cdn.example.com/a.mp3", audio_file=upload("a.mp3", media_files.mp3(2))
    )
    response = add_episode(editor_client, new_episode_data)
    assert "not both" in form_errors(response)
    assert stored_files(settings) == []


# Artwork and photos ------------------------------------------------------------------------------


def test_show_art_gets_webp_renditions_and_pages_never_load_the_original(
    editor_client, client, show, settings
):
    art = upload("Cover Art.png", media_files.art(1500), "image/png")
    response = post_change(editor_client, show, {"cover_art": art})
    assert response.status_code == 302, form_errors(response)
    show.refresh_from_db()
    assert show.cover_art.name.startswith("shows/the-show/art/cover-art-")
    files = show.cover_art_renditions["files"]
    assert sorted(files, key=int) == ["300", "600", "1400"]
    from PIL import Image

    for width, name in files.items():
        with default_storage.open(name) as handle, Image.open(handle) as image:
            assert image.format == "WEBP" and image.size == (int(width), int(width))
    episode = EpisodeFactory(show=show)
    page = client.get(episode.get_absolute_url()).content.decode()
    assert "srcset=" in page and f"{default_storage.url(files['300'])} 300w" in page
    assert default_storage.url(files["1400"]) + " 1400w" in page
    assert show.cover_art.url not in page


def test_new_art_gets_a_new_name_and_new_renditions(editor_client, show):
    for _ in range(2):
        art = upload("art.jpg", media_files.art(1400, fmt="JPEG"), "image/jpeg")
        assert post_change(editor_client, show, {"cover_art": art}).status_code == 302
        show.refresh_from_db()
        if _ == 0:
            first_name, first_renditions = show.cover_art.name, show.cover_art_renditions
    assert show.cover_art.name != first_name
    assert show.cover_art_renditions["source"] == show.cover_art.name
    assert show.cover_art_renditions["files"] != first_renditions["files"]


def rectangle_png() -> bytes:
    return media_files.png(1400, 1600)


REFUSED_ART = [
    ("cmyk.jpg", lambda: media_files.art(1400, fmt="JPEG", mode="CMYK"), "CMYK"),
    ("palette.png", lambda: media_files.art(1400, mode="P"), "palette"),
    ("grey.png", lambda: media_files.png(1400, 1400, mode="LA"), "greyscale"),
    ("alpha.png", lambda: media_files.png(1400, 1400, mode="RGBA"), "transparency"),
    ("tall.png", rectangle_png, "must be square"),
    ("small.png", lambda: media_files.png(1000, 1000), "between 1400 and 3000"),
    ("huge.png", lambda: media_files.png(3200, 3200), "between 1400 and 3000"),
    ("art.svg", lambda: media_files.SVG, "SVG"),
    ("art.png", lambda: media_files.SVG, "SVG"),
    ("bomb.png", media_files.png_bomb, "too many pixels"),
    ("warning-bomb.png", lambda: media_files.png_bomb(7000), "too many pixels"),
    ("art.gif", lambda: _gif(), "Only JPEG and PNG"),
    ("cut.png", lambda: media_files.art(1400)[:5000], "damaged or incomplete"),
    ("empty.png", lambda: b"", "empty"),
]


def _gif() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1400, 1400)).save(buffer, "GIF")
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "make", "message"), REFUSED_ART)
def test_show_art_breaking_apple_rules_is_refused_with_the_reason(
    editor_client, show, settings, name, make, message
):
    before = show.cover_art.name
    response = post_change(editor_client, show, {"cover_art": upload(name, make(), "image/png")})
    assert response.status_code == 200
    assert message in form_errors(response)
    show.refresh_from_db()
    assert show.cover_art.name == before
    assert stored_files(settings) == []


def test_image_over_the_upload_limit_is_refused(editor_client, show, settings):
    settings.MAX_IMAGE_UPLOAD_BYTES = 1024
    art = upload("art.png", media_files.art(1400), "image/png")
    response = post_change(editor_client, show, {"cover_art": art})
    assert "at most 1.0\xa0KB is accepted" in form_errors(response)
    assert stored_files(settings) == []


def test_episode_art_is_checked_and_its_renditions_shown(editor_client, client, show):
    episode = EpisodeFactory(show=show)
    oblong = upload("ep.png", media_files.png(1400, 1200), "image/png")
    refused = post_change(editor_client, episode, {"cover_art": oblong})
    assert "must be square" in form_errors(refused)
    square = upload("ep.png", media_files.art(1400), "image/png")
    assert post_change(editor_client, episode, {"cover_art": square}).status_code == 302
    episode.refresh_from_db()
    page = client.get(episode.get_absolute_url()).content.decode()
    assert default_storage.url(episode.cover_art_renditions["files"]["600"]) + " 600w" in page
    assert episode.cover_art.url not in page


def test_guest_photo_may_be_any_reasonable_size_but_not_svg(editor_client, settings):
    guest = GuestFactory()
    svg = upload("me.svg", media_files.SVG, "image/svg+xml")
    assert "SVG" in form_errors(post_change(editor_client, guest, {"photo": svg}))
    assert stored_files(settings) == []
    photo = upload("me.jpg", media_files.art(480, fmt="JPEG", mode="CMYK"), "image/jpeg")
    response = post_change(editor_client, guest, {"photo": photo})
    assert response.status_code == 302, form_errors(response)
    guest.refresh_from_db()
    assert guest.photo.name.startswith("guests/photos/me-")
    assert sorted(guest.photo_renditions["files"], key=int) == ["160", "320"]


# Transcripts ------------------------------------------------------------------------------------


def vtt_upload():
    return upload("talk.vtt", media_files.VTT.encode(), "text/vtt")


def test_vtt_transcript_is_validated_and_shown_with_timestamps(
    editor_client, client, show, settings
):
    episode = EpisodeFactory(show=show)
    response = post_change(editor_client, episode, {"transcript": vtt_upload()})
    assert response.status_code == 302, form_errors(response)
    episode.refresh_from_db()
    assert (
        episode.transcript_text
        == "[0:01] Welcome to Shipping ML.\n[1:05] Today: models in production."
    )
    assert (episode.transcript_type, episode.transcript_mime_type) == ("text/vtt", "text/vtt")
    page = client.get(episode.get_absolute_url()).content.decode()
    assert 'data-seek="65"><time>1:05</time></a> Today: models in production.' in page
    served = client.get(episode.transcript_src)
    assert served["Content-Type"] == "text/vtt; charset=utf-8"
    assert b"".join(served.streaming_content).decode() == media_files.VTT


def test_srt_transcript_is_accepted(editor_client, client, show):
    episode = EpisodeFactory(show=show)
    srt = upload("talk.srt", media_files.SRT.encode(), "application/x-subrip")
    response = post_change(editor_client, episode, {"transcript": srt})
    assert response.status_code == 302, form_errors(response)
    episode.refresh_from_db()
    assert episode.transcript_text == (
        "[0:02] Hello from an SRT file.\n[2:10] Second caption, on two lines."
    )
    assert episode.transcript_type == "application/x-subrip"
    assert client.get(episode.transcript_src)["Content-Type"].startswith("application/x-subrip")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("talk.vtt", b"Just some words, no cues at all.", "not a valid WebVTT"),
        ("talk.srt", b"1\nnot a time\nHello\n", "not a valid SubRip"),
        ("talk.vtt", b"WEBVTT\n\n", "no captions"),
        ("talk.txt", media_files.VTT.encode(), "WebVTT (.vtt) or SubRip (.srt)"),
        ("talk.vtt", b"\xff\xfe\x00W\x00E\x00B", "UTF-8"),
        ("talk.vtt", b"", "empty"),
    ],
)
def test_invalid_transcripts_are_refused(editor_client, show, settings, name, content, message):
    episode = EpisodeFactory(show=show)
    transcript = upload(name, content, "text/plain")
    response = post_change(editor_client, episode, {"transcript": transcript})
    assert response.status_code == 200 and message in form_errors(response)
    episode.refresh_from_db()
    assert not episode.transcript and episode.transcript_text == ""
    assert stored_files(settings) == []


# Chapters ---------------------------------------------------------------------------------------


def chapter_data(editor_client, episode, chapters: list[tuple[str, str]]) -> dict:
    data = media_files.admin_form_data(editor_client, change_url(episode))
    data["chapters-TOTAL_FORMS"] = str(len(chapters))
    for index, (start, title) in enumerate(chapters):
        data[f"chapters-{index}-start_time"] = start
        data[f"chapters-{index}-title"] = title
    return data


def test_chapters_are_saved_served_as_json_and_listed_as_seek_links(editor_client, client, show):
    episode = EpisodeFactory(show=show, duration=600)
    data = chapter_data(editor_client, episode, [("0", "Intro"), ("1:30", "Main part")])
    data["chapters-1-url"] = "https://example.com/paper"
    response = editor_client.post(change_url(episode), data)
    assert response.status_code == 302, form_errors(response)
    body = client.get(episode.get_chapters_url())
    assert body["Content-Type"] == "application/json+chapters"
    assert body.json() == {
        "version": "1.2.0",
        "chapters": [
            {"startTime": 0, "title": "Intro"},
            {"startTime": 90, "title": "Main part", "url": "https://example.com/paper"},
        ],
    }
    page = client.get(episode.get_absolute_url()).content.decode()
    assert 'data-seek="90"><time>1:30</time></a>' in page


def test_chapters_must_start_inside_the_episode_each_at_its_own_time(editor_client, show):
    episode = EpisodeFactory(show=show, duration=600)
    data = chapter_data(
        editor_client, episode, [("0", "Intro"), ("0:00", "Also intro"), ("10:00", "Too late")]
    )
    response = editor_client.post(change_url(episode), data)
    errors = form_errors(response)
    assert "already starts at 0:00" in errors
    assert "after the episode ends (10:00)" in errors
    assert not episode.chapters.exists()


def test_stored_name_and_type_follow_the_content_not_the_claimed_name(
    editor_client, client, new_episode_data
):
    new_episode_data["audio_file"] = upload("really-aac.mp3", media_files.m4a(2), "audio/mpeg")
    new_episode_data["cover_art"] = upload("really-png.jpg", media_files.art(1400), "image/jpeg")
    episode = added_episode(editor_client, new_episode_data)
    assert episode.audio_file.name.endswith(".m4a") and episode.audio_mime_type == "audio/x-m4a"
    assert episode.cover_art.name.endswith(".png")
    assert client.head(episode.audio_src)["Content-Type"] == "audio/x-m4a"


def test_transcript_over_the_limit_is_refused(editor_client, show, settings):
    settings.MAX_TRANSCRIPT_UPLOAD_BYTES = 50
    episode = EpisodeFactory(show=show)
    response = post_change(editor_client, episode, {"transcript": vtt_upload()})
    assert "at most 50\xa0bytes is accepted" in form_errors(response)
    assert stored_files(settings) == []


def test_removing_the_transcript_removes_its_text_from_the_page(editor_client, client, show):
    episode = EpisodeFactory(show=show)
    assert post_change(editor_client, episode, {"transcript": vtt_upload()}).status_code == 302
    assert "Today: models in production." in client.get(episode.get_absolute_url()).content.decode()
    assert post_change(editor_client, episode, {"transcript-clear": "on"}).status_code == 302
    episode.refresh_from_db()
    assert not episode.transcript and episode.transcript_text == ""
    assert "Today: models" not in client.get(episode.get_absolute_url()).content.decode()
