import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command
from mutagen.mp3 import MP3

from episodes.management.commands.demo import EPISODES
from episodes.models import Episode, PlatformLink, Show, Tag
from guests.models import Guest
from podcast.generate import tone_mp3
from podcast.text import parse_duration
from tests.conftest import server_environ

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


def test_migrations_are_complete():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_migrate_tells_a_database_part_way_through_squashed_migrations_how_to_finish():
    from django.core.checks import run_checks
    from django.db.migrations.recorder import MigrationRecorder

    def squash_errors() -> list[str]:
        return [e.msg for e in run_checks(databases=["default"]) if e.id == "podcast.E001"]

    assert squash_errors() == []
    MigrationRecorder.Migration.objects.filter(
        app="episodes", name="0011_linked_renditions_read"
    ).delete()
    (error,) = squash_errors()
    assert "episodes.0010_feed_items" in error


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


def test_every_demo_episode_really_lasts_as_long_as_it_says():
    call_command("demo", stdout=io.StringIO())
    episodes = Episode.objects.exclude(audio_file="")
    said = {e["title"]: parse_duration(e["duration"]) for e in EPISODES}
    assert said.keys() <= set(episodes.values_list("title", flat=True))
    for episode in episodes:  # the sample's episodes, and the Podcasting 2.0 demo's trailer
        with episode.audio_file.open("rb") as handle:
            data = handle.read()
        audio = MP3(io.BytesIO(data))
        assert abs(audio.info.length - episode.duration) < 1, episode.slug
        assert episode.duration == said.get(episode.title, episode.duration)
        assert episode.audio_size == len(data)
        assert audio.info.bitrate <= 16_000  # small files: about 1 kB a second
    sample = Episode.objects.get(title="The Challenges of ML Engineering in Production")
    assert sample.duration == 45 * 60 + 32
    assert max(sample.chapters.values_list("start_time", flat=True)) < sample.duration


def test_a_demo_from_before_gets_audio_as_long_as_its_episodes(settings):
    call_command("demo", stdout=io.StringIO())
    sample = Episode.objects.get(title="The Challenges of ML Engineering in Production")
    sample.audio_file.save("old.mp3", ContentFile(tone_mp3(seconds=12)), save=True)
    call_command("demo", stdout=io.StringIO())
    sample.refresh_from_db()
    with sample.audio_file.open("rb") as handle:
        assert abs(MP3(handle).info.length - 2732) < 1


def login_printed(out: io.StringIO) -> str:
    return out.getvalue().rsplit("password “", 1)[1].split("”")[0]


def admin_login(client, password: str) -> bool:
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "editor", "password": password}
    )
    return response.status_code == 302


def test_demo_editor_can_log_in_to_the_admin(client):
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert admin_login(client, login_printed(out))
    assert client.get("/admin/episodes/episode/").status_code == 200


def test_the_demo_login_keeps_working_on_every_run(client, settings):
    first, second = io.StringIO(), io.StringIO()
    call_command("demo", stdout=first)
    call_command("demo", stdout=second)
    assert login_printed(first) == login_printed(second)
    assert admin_login(client, login_printed(first))
    assert oct(settings.DEMO_LOGIN_FILE.stat().st_mode & 0o777) == "0o600"


def test_the_demo_leaves_a_password_changed_in_the_admin_and_says_so(client):
    call_command("demo", stdout=io.StringIO())
    editor = get_user_model().objects.get(username="editor")
    editor.set_password("chosen-in-the-admin-42")
    editor.save()
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "password “" not in out.getvalue()
    assert "with the password given to it in the admin since" in out.getvalue()
    assert admin_login(client, "chosen-in-the-admin-42")


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


LOG_PROBE = """
import django, logging
django.setup()
logging.getLogger("django.request").warning("Not Found: /probe/")
logging.getLogger("episodes.views").warning("an app's own warning")
"""


@pytest.mark.parametrize("debug", ["1", "0"])
def test_each_log_line_is_printed_once(debug):
    """As under `./run site` (DEBUG on), where Django's console handler doubled the root's."""
    env = server_environ(
        DEBUG=debug, SECRET_KEY="x" * 50, DJANGO_SETTINGS_MODULE="podcast.settings"
    )
    result = subprocess.run(
        [sys.executable, "-c", LOG_PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["Not Found: /probe/", "an app's own warning"]


FAKE_PYTHON = """#!/bin/sh
# Stands in for .venv/bin/python: records how it was called, answers as Playwright would.
echo "$*" >> "$(dirname "$0")/calls"
case "$*" in
    "-m playwright install chromium") exit "${INSTALL_STATUS:-0}" ;;
    -c*) echo "$(dirname "$0")/chrome" ;;
esac
"""


def ensure_chromium(tmp_path: Path, install_status: int) -> tuple[subprocess.CompletedProcess, str]:
    """`run`'s ensure_chromium as a user without root and without Debian's chromium meets it."""
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").write_text(FAKE_PYTHON)
    (bin_dir / "python").chmod(0o755)
    (bin_dir / "chrome").write_text("")
    (bin_dir / "chrome").chmod(0o755)
    shims = tmp_path / "shims"
    shims.mkdir()
    (shims / "id").write_text("#!/bin/sh\necho 1000\n")
    (shims / "id").chmod(0o755)
    for tool in ("sed", "dirname", "cat"):
        (shims / tool).symlink_to(shutil.which(tool))
    script = (
        f'source <(sed -n "/^ensure_chromium() {{/,/^}}/p" {ROOT / "run"}); '
        'ensure_chromium; echo "CHROMIUM_PATH=$CHROMIUM_PATH"'
    )
    env = {"PATH": str(shims), "INSTALL_STATUS": str(install_status), "HOME": str(tmp_path)}
    result = subprocess.run(
        [shutil.which("bash"), "-c", script], cwd=tmp_path, env=env, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    calls = (bin_dir / "calls").read_text() if (bin_dir / "calls").exists() else ""
    return result, calls


def test_without_debians_chromium_or_root_tests_fall_back_to_playwrights_own(tmp_path):
    result, calls = ensure_chromium(tmp_path, install_status=0)
    assert result.returncode == 0, result.stderr
    assert calls.splitlines()[0] == "-m playwright install chromium"
    assert "CHROMIUM_PATH=.venv/bin/chrome" in result.stdout  # what the fake Playwright named


def test_when_the_fallback_fails_too_the_tests_stop_and_say_what_to_install(tmp_path):
    result, calls = ensure_chromium(tmp_path, install_status=1)
    assert result.returncode == 1
    assert calls.splitlines() == ["-m playwright install chromium"]
    assert "The browser tests need Chromium: install it (apt-get install chromium)" in result.stderr
