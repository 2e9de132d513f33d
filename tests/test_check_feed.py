import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from PIL import Image

from episodes.models import Episode, Show
from podcast.generate import cover_art, tone_mp3
from tests.factories import EpisodeFactory, ShowFactory

pytestmark = pytest.mark.django_db


def check_feed(*args: str) -> tuple[list[str], int]:
    """Output lines of `manage.py check_feed` and its exit status."""
    out = io.StringIO()
    try:
        call_command("check_feed", *args, stdout=out)
    except CommandError as error:
        return out.getvalue().splitlines(), error.returncode
    return out.getvalue().splitlines(), 0


def image(size=(1400, 1400), fmt="PNG", mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "white" if mode != "P" else 0).save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _a_hub_is_configured(settings):
    """Clean shows here are clean with a hub; without one the check warns (tested below)."""
    settings.WEBSUB_HUBS = ["https://hub.example.com/"]


@pytest.fixture
def good_show(db):
    show = ShowFactory(slug="good")
    show.cover_art.save("good.png", ContentFile(cover_art(size=1400)))
    EpisodeFactory(show=show, season_number=1, episode_number=1)
    return show


def test_the_demo_passes_without_a_word(db):
    call_command("demo", stdout=io.StringIO())
    assert check_feed() == ([], 0)
    assert check_feed("shipping-ml") == ([], 0)


def test_a_stored_duration_the_audio_file_does_not_last_is_an_error(good_show):
    episode = EpisodeFactory(show=good_show, slug="chime", audio_url="", duration=45 * 60 + 32)
    episode.audio_file.save("chime.mp3", ContentFile(tone_mp3(seconds=12)), save=True)
    lines, status = check_feed("good")
    assert lines == [
        "ERROR good / chime: duration is 45:32 but the audio file plays for 0:12: apps show the "
        "wrong length, and chapters or timestamps past the end seek nowhere (correct the "
        "duration, or upload the right file)"
    ]
    assert status == 1
    Episode.objects.filter(pk=episode.pk).update(duration=13)  # within rounding: no problem
    assert check_feed("good") == ([], 0)


def test_a_clean_show_passes(good_show):
    assert check_feed("good") == ([], 0)


@pytest.mark.parametrize(
    ("configured", "warned"),
    [
        ({"WEBSUB_HUBS": []}, True),
        ({"WEBSUB_HUBS": [], "PODPING_URL": "https://podping.example.com/"}, True),
        (
            {
                "WEBSUB_HUBS": [],
                "PODPING_URL": "https://podping.example.com/",
                "PODPING_TOKEN": "secret",
            },
            False,
        ),
        ({"WEBSUB_HUBS": ["https://hub.example.com/"]}, False),
    ],
)
def test_a_show_nobody_is_told_about_gets_a_warning(good_show, settings, configured, warned):
    for name, value in configured.items():
        setattr(settings, name, value)
    expected = (
        ["WARNING good: no WebSub hub and no Podping configured: apps see new episodes only "
         "when they next poll (set WEBSUB_HUBS, or PODPING_URL and PODPING_TOKEN)"]
        if warned
        else []
    )  # fmt: skip
    assert check_feed("good") == (expected, 0)


def test_unknown_show_is_an_error(db):
    with pytest.raises(CommandError, match="No show"):
        call_command("check_feed", "nope")


@pytest.mark.parametrize(
    ("art", "name", "expected"),
    [
        (image((1000, 1000)), "a.png", "artwork is 1000×1000 px but must be between 1400 and 3000"),
        (image((3200, 3200)), "a.png", "artwork is 3200×3200 px but must be between 1400 and 3000"),
        (image((1400, 1600)), "a.png", "artwork is 1400×1600 px but must be square"),
        (image(fmt="GIF", mode="P"), "a.gif", "artwork is GIF; use JPEG or PNG"),
        (image(mode="P"), "a.png", "artwork is a palette (indexed-colour) image"),
        (image(fmt="JPEG", mode="CMYK"), "a.jpg", "artwork uses the CMYK colour space"),
        (image(mode="RGBA"), "a.png", "artwork has transparency"),
        (image(fmt="JPEG"), "a.png", "artwork is JPEG but its name ends in “.png”"),
        (b"not an image", "a.png", "artwork cannot be read as an image"),
    ],
)
def test_artwork_rules(good_show, art, name, expected):
    good_show.cover_art.save(name, ContentFile(art))
    lines, status = check_feed("good")
    assert status == 1
    assert lines[0].startswith(f"ERROR good: {expected}")
    assert len(lines) == (2 if name.endswith(".gif") else 1)  # a GIF is a palette image too


def test_missing_artwork_file_is_reported(good_show):
    good_show.cover_art.storage.delete(good_show.cover_art.name)
    assert check_feed("good") == (
        ["ERROR good: artwork cannot be read as an image (missing or damaged file)"],
        1,
    )


def _break_show(show: Show, **changes) -> None:
    Show.objects.filter(pk=show.pk).update(**changes)


def assert_reported_alone(expected: str) -> None:
    """check_feed reports `expected` and nothing else, and fails only for an error."""
    lines, status = check_feed("good")
    assert len(lines) == 1, lines
    assert lines[0].startswith(expected)
    assert status == (1 if expected.startswith("ERROR") else 0)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"cover_art": ""}, "ERROR good: no artwork: Apple requires it"),
        ({"owner_email": ""}, "ERROR good: no owner email"),
        ({"description": "é" * 2001}, "ERROR good: description is 4,002 bytes; at most 4,000"),
        ({"description": " "}, "ERROR good: no description"),
        ({"language": "en_US"}, "ERROR good: language “en_US” is not an ISO 639 code"),
        ({"owner_name": ""}, "WARNING good: no owner name"),
        ({"author": ""}, "WARNING good: no author"),
    ],
)
def test_show_rules(good_show, changes, expected):
    _break_show(good_show, **changes)
    assert_reported_alone(expected)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"audio_url": ""}, "ERROR good / bad: no audio file"),
        ({"audio_size": None}, "ERROR good / bad: audio size in bytes is unknown"),
        ({"duration": None}, "ERROR good / bad: duration is unknown"),
        (
            {"audio_url": "https://cdn.example.com/a.ogg"},
            "ERROR good / bad: audio file name ends in “.ogg”",
        ),
        (
            {"audio_mime_type": "audio/x-m4a"},
            "ERROR good / bad: audio type audio/x-m4a does not match its “.mp3” file name",
        ),
        ({"audio_mime_type": ""}, "ERROR good / bad: audio type is unknown"),
        ({"summary": "x" * 4001}, "ERROR good / bad: summary is 4,001 bytes; at most 4,000"),
        ({"title": "Episode 2: Feature stores"}, "WARNING good / bad: title contains its own"),
        ({"title": "2. Feature stores"}, "WARNING good / bad: title contains its own"),
        ({"title": "S1E2 Feature stores"}, "WARNING good / bad: title contains its own"),
        ({"title": "#2 - Feature stores"}, "WARNING good / bad: title contains its own"),
        ({"summary": "", "show_notes": ""}, "WARNING good / bad: no summary or show notes"),
        ({"explicit": True}, "WARNING good / bad: marked explicit while the show is not"),
        ({"episode_number": 1}, "WARNING good / bad: season 1 episode 1 is also “"),
    ],
)
def test_episode_rules(good_show, changes, expected):
    episode = EpisodeFactory(show=good_show, slug="bad", season_number=1, episode_number=2)
    Episode.objects.filter(pk=episode.pk).update(**changes)
    assert_reported_alone(expected)


@pytest.mark.parametrize(
    "title", ["Feature stores 2.0", "Top 20 tools", "Episode 12 of another show", "2024 review"]
)
def test_numbers_that_are_not_the_episode_number_are_fine(good_show, title):
    EpisodeFactory(show=good_show, title=title, season_number=1, episode_number=2)
    assert check_feed("good") == ([], 0)


def test_duplicate_guids_differing_only_in_case(good_show):
    first = good_show.episodes.get()
    EpisodeFactory(show=good_show, slug="copy", guid=first.guid.upper(), episode_number=2)
    lines, status = check_feed("good")
    assert status == 1
    assert lines == [
        f"ERROR good / copy: guid repeats that of “{first.slug}” (apps skip one of them)"
    ]


def test_serial_show_needs_numbered_full_episodes(good_show):
    _break_show(good_show, show_type=Show.ShowType.SERIAL)
    EpisodeFactory(show=good_show, slug="unnumbered")
    EpisodeFactory(show=good_show, slug="trailer", episode_type=Episode.EpisodeType.TRAILER)
    lines, status = check_feed("good")
    assert status == 1
    assert lines == [
        "ERROR good / unnumbered: serial show: every full episode needs an episode number"
    ]


def test_drafts_are_not_checked_but_scheduled_episodes_are(good_show):
    EpisodeFactory(show=good_show, slug="draft", draft=True, audio_url="")
    EpisodeFactory(show=good_show, slug="soon", scheduled=True, audio_url="")
    lines, _ = check_feed("good")
    assert lines == ["ERROR good / soon: no audio file"]


def test_every_show_is_checked_without_a_slug(good_show):
    ShowFactory(slug="other", owner_email="")
    lines, status = check_feed()
    assert status == 1
    assert "ERROR other: no owner email: Spotify and Apple verify ownership by it" in lines
    assert not [line for line in lines if " good" in line]


def test_episode_with_bad_art_names_the_episode(good_show):
    episode = EpisodeFactory(show=good_show, slug="arty", episode_number=3)
    episode.cover_art.save("small.png", ContentFile(image((500, 500))))
    lines, status = check_feed("good")
    assert status == 1
    assert lines == [
        "ERROR good / arty: artwork is 500×500 px but must be between 1400 and 3000 px on each side"
    ]


def test_the_admin_shows_the_problems(editor_client, good_show):
    episode = EpisodeFactory(show=good_show, slug="bad", audio_url="", episode_number=2)
    _break_show(good_show, owner_email="")

    show_page = editor_client.get(reverse("admin:episodes_show_change", args=[good_show.pk]))
    assert show_page.status_code == 200
    body = show_page.content.decode()
    assert "<strong>Error</strong> no owner email" in body
    assert "<strong>Error</strong> bad: no audio file" in body

    episode_page = editor_client.get(reverse("admin:episodes_episode_change", args=[episode.pk]))
    assert episode_page.status_code == 200
    body = episode_page.content.decode()
    assert "<strong>Error</strong> bad: no audio file" in body
    assert "owner email" not in body


def test_the_admin_says_when_there_is_nothing_to_fix(editor_client, good_show):
    episode = good_show.episodes.get()
    for url in [
        reverse("admin:episodes_show_change", args=[good_show.pk]),
        reverse("admin:episodes_episode_change", args=[episode.pk]),
    ]:
        assert "None: directories will accept it." in editor_client.get(url).content.decode()
    for url in [reverse("admin:episodes_show_add"), reverse("admin:episodes_episode_add")]:
        assert editor_client.get(url).status_code == 200
