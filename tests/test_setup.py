import io

import mutagen
import pytest
from django.core.management import call_command

from episodes.models import Episode, PlatformLink, Show, Tag
from guests.models import Guest

pytestmark = pytest.mark.django_db


def test_migrations_are_complete():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_demo_can_run_twice_without_duplicating_anything():
    out = io.StringIO()
    call_command("demo", stdout=out)
    counts = [m.objects.count() for m in (Show, Episode, Guest, Tag, PlatformLink)]
    call_command("demo", stdout=out)
    assert [m.objects.count() for m in (Show, Episode, Guest, Tag, PlatformLink)] == counts
    assert "Editor login" in out.getvalue()


def test_demo_content_matches_the_sample_episode():
    call_command("demo", stdout=io.StringIO())
    published = Episode.objects.published()
    assert published.count() >= 6
    assert set(published.values_list("season_number", flat=True)) == {1, 2}
    sample = Episode.objects.get(title="The Challenges of ML Engineering in Production")
    assert (sample.pub_date.date().isoformat(), sample.duration) == ("2023-07-20", 2732)
    assert (sample.episode_number, sample.season_number) == (1, 1)
    guests = {(g.name, g.affiliation) for g in sample.guests.all()}
    assert ("Dr. Jane Smith", "ML Research Lead at TechCorp") in guests
    assert ("Alex Johnson", "Senior MLOps Engineer") in guests
    assert {t.name for t in sample.tags.all()} == {
        "machine learning",
        "engineering",
        "production",
        "MLOps",
    }
    assert {link.platform for link in sample.links.all()} == {
        "spotify",
        "apple",
        "google",
        "youtube",
    }


def test_demo_sample_has_transcript_chapters_and_art_renditions(client):
    call_command("demo", stdout=io.StringIO())
    call_command("demo", stdout=io.StringIO())
    sample = Episode.objects.get(title="The Challenges of ML Engineering in Production")
    assert sample.transcript_type == "text/vtt"
    assert sample.transcript_text.startswith("[0:00] Sam Rivera: Welcome to Shipping ML.")
    assert sample.chapters.count() == 7
    assert all(c.start_time < sample.duration for c in sample.chapters.all())
    show = sample.show
    assert sorted(show.cover_art_renditions["files"], key=int) == ["300", "600", "1400"]
    page = client.get(sample.get_absolute_url()).content.decode()
    assert 'data-seek="135"' in page and "<time>2:15</time></a> Jane Smith: Research code" in page
    assert client.get(sample.get_chapters_url()).json()["chapters"][1]["startTime"] == 135


def test_demo_audio_is_a_real_mp3_whose_duration_mutagen_reads():
    call_command("demo", stdout=io.StringIO())
    episode = Episode.objects.exclude(audio_file="").first()
    with episode.audio_file.open("rb") as handle:
        data = handle.read()
    audio = mutagen.File(io.BytesIO(data))
    assert audio is not None and audio.info.length > 5
    assert episode.audio_size == len(data)


def test_demo_editor_can_log_in_to_the_admin(client):
    out = io.StringIO()
    call_command("demo", stdout=out)
    password = out.getvalue().rsplit("password “", 1)[1].split("”")[0]
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "editor", "password": password}
    )
    assert response.status_code == 302
    assert client.get("/admin/episodes/episode/").status_code == 200


def test_env_example_documents_every_variable_the_site_and_gunicorn_read():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    read = set()
    for source in ("podcast/settings.py", "gunicorn.conf.py"):
        text = (root / source).read_text()
        read |= set(
            re.findall(r"""(?:environ\.get|env_bool|env_list|_int)\(\s*["']([A-Z0-9_]+)""", text)
        )
        read |= set(re.findall(r"""environ\[["']([A-Z0-9_]+)""", text))
    documented = set(re.findall(r"^#? ?([A-Z0-9_]+)=", (root / ".env.example").read_text(), re.M))
    assert len(read) > 20
    assert read - documented == set()
