"""`import_markdown`: a static site's episodes (markdown with YAML frontmatter) move in whole."""

from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from episodes.models import Episode, Platform, Show, Tag
from guests.models import Guest
from podcast.generate import cover_art, tone_mp3
from tests.factories import EpisodeFactory, GuestFactory, ShowFactory, TagFactory

SHARED_SAMPLE = (
    Path(django_settings.BASE_DIR).parent / "shared" / "seeds" / "episode-frontmatter-sample.md"
)
SAMPLE = """\
---
title: "The Challenges of ML Engineering in Production"
description: "Discussing real-world challenges of deploying machine learning models in production environments."
pubDate: 2023-07-20
audioFile: "/audio/podcasts/ml-engineering-challenges.mp3"
duration: "45:32"
episodeNumber: 1
season: 1
coverImage: "/images/podcasts/placeholder.svg"
externalLinks:
  spotify: "https://spotify.com/show/example"
  apple: "https://podcasts.apple.com/podcast/example"
  google: "https://podcasts.google.com/feed/example"
  youtube: "https://youtube.com/watch?v=example"
guests:
  - "Dr. Jane Smith, ML Research Lead at TechCorp"
  - "Alex Johnson, Senior MLOps Engineer"
tags: ["machine learning", "engineering", "production", "MLOps"]
---

# The Challenges of ML Engineering in Production

In this episode, I'm joined by Dr. Jane Smith and Alex Johnson to discuss the real-world \
challenges of deploying machine learning models in production environments.

## Episode Highlights

- The gap between research and production ML systems
"""  # noqa: E501 - the sample's own long line


def sample_file(tmp_path: Path) -> Path:
    """The shared sample when the checkout sits next to it; otherwise a copy of its content."""
    if SHARED_SAMPLE.is_file():
        return SHARED_SAMPLE
    copy = tmp_path / "episode-frontmatter-sample.md"
    copy.write_text(SAMPLE)
    return copy


AUDIO = "\naudioFile: https://cdn.example.com/episode.mp3"


def write(folder: Path, name: str, frontmatter: str, body: str = "Notes.") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{frontmatter.strip()}\n---\n\n{body}\n")
    return path


def run(*args: object) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_markdown", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args: object) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="failed; see the messages above"):
        call_command("import_markdown", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def stored_files() -> list[Path]:
    return [p for p in Path(django_settings.MEDIA_ROOT).rglob("*") if p.is_file()]


@pytest.mark.django_db
def test_the_shared_sample(tmp_path, client, django_user_model):
    path = sample_file(tmp_path)
    out, err = run(path)
    assert out.startswith("1 created, 0 updated, 0 unchanged, 0 failed")
    show = Show.objects.get()
    assert show.slug == "podcast"
    episode = Episode.objects.get()
    assert episode.show == show
    assert episode.slug == "episode-frontmatter-sample"
    assert episode.title == "The Challenges of ML Engineering in Production"
    assert episode.summary.startswith("Discussing real-world challenges")
    assert episode.pub_date == datetime(2023, 7, 20, tzinfo=UTC)
    # Its audio is a path and no --media-root was given: nothing to publish yet.
    assert episode.status == Episode.Status.DRAFT
    assert "no audio: imported as a draft" in err
    assert (episode.duration, episode.episode_number, episode.season_number) == (2732, 1, 1)
    assert episode.show_notes.startswith("In this episode, I'm joined")
    assert list(episode.appearances.values_list("guest__name", "guest__title", "role")) == [
        ("Dr. Jane Smith", "ML Research Lead", "guest"),
        ("Alex Johnson", "Senior MLOps Engineer", "guest"),
    ]
    assert Guest.objects.get(slug="dr-jane-smith").organisation == "TechCorp"
    assert sorted(episode.tags.values_list("name", flat=True)) == [
        "MLOps", "engineering", "machine learning", "production",
    ]  # fmt: skip
    assert dict(episode.links.values_list("platform", "url")) == {
        Platform.SPOTIFY: "https://spotify.com/show/example",
        Platform.APPLE: "https://podcasts.apple.com/podcast/example",
        Platform.GOOGLE: "https://podcasts.google.com/feed/example",
        Platform.YOUTUBE: "https://youtube.com/watch?v=example",
    }
    assert "“audioFile” /audio/podcasts/ml-engineering-challenges.mp3 is a path" in err
    assert "unknown keys" not in err
    assert client.get(episode.get_absolute_url()).status_code == 404  # a draft
    staff = django_user_model.objects.create_user("staff", password="x", is_staff=True)
    client.force_login(staff)
    assert "Dr. Jane Smith" in client.get(episode.get_absolute_url()).content.decode()

    out, _ = run(path)
    assert out.startswith("0 created, 0 updated, 1 unchanged, 0 failed")
    assert (Episode.objects.count(), Guest.objects.count(), Tag.objects.count()) == (1, 2, 4)


@pytest.mark.django_db
def test_existing_guests_and_tags_are_matched_by_slug_never_duplicated(tmp_path):
    show = ShowFactory(slug="shipping-ml")
    jane = GuestFactory(name="Dr. Jane Smith", slug="dr-jane-smith", title="", organisation="")
    mlops = TagFactory(name="MLOps", slug="mlops")
    write(tmp_path, "a.md", 'title: A\npubDate: 2024-01-01\ntags: [mlops, " MLOps "]\n'
          'guests: ["Dr. Jane Smith, ML Research Lead at TechCorp"]')  # fmt: skip
    write(tmp_path, "b.md", "title: B\npubDate: 2024-01-02\ntags: [MLOps]\n"
          "guests: [{name: Dr. Jane Smith}]")  # fmt: skip
    run(tmp_path, "--show", "shipping-ml")
    assert Guest.objects.get() == jane
    jane.refresh_from_db()
    assert (jane.title, jane.organisation) == ("ML Research Lead", "TechCorp")
    assert Tag.objects.get() == mlops
    assert show.episodes.count() == 2


@pytest.mark.django_db
def test_guests_as_mappings(tmp_path):
    write(
        tmp_path,
        "ep.md",
        """
title: Mapped
pubDate: 2024-03-01T10:30:00+01:00
guests:
  - name: Priya Natarajan
    title: Mobile ML Engineer
    organisation: Pocketlabs
    website: https://priya.example.com
  - name: Marco Bianchi
    organization: Railyard
""",
    )
    run(tmp_path)
    episode = Episode.objects.get()
    assert episode.pub_date == datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
    priya, marco = (a.guest for a in episode.appearances.all())
    assert (priya.name, priya.title, priya.organisation, priya.website) == (
        "Priya Natarajan", "Mobile ML Engineer", "Pocketlabs", "https://priya.example.com",
    )  # fmt: skip
    assert (marco.name, marco.organisation) == ("Marco Bianchi", "Railyard")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("written", "seconds"),
    [("'45:32'", 2732), ("'1:02:03'", 3723), ("2732", 2732), ("'2732'", 2732), ("'0:59'", 59),
     ("2732.6", 2732)],
)  # fmt: skip
def test_durations_in_every_form(tmp_path, written, seconds):
    write(tmp_path, "ep.md", f"title: T\npubDate: 2024-01-01\nduration: {written}")
    run(tmp_path)
    assert Episode.objects.get().duration == seconds


@pytest.mark.django_db
def test_broken_files_are_reported_by_path_and_skipped(tmp_path):
    good = write(tmp_path, "01-good.md", f"title: Good\npubDate: 2024-01-01{AUDIO}")
    yaml = write(tmp_path, "02-yaml.md", 'title: "unclosed\npubDate: [2024')
    no_title = write(tmp_path, "03-no-title.md", "pubDate: 2024-01-01")
    no_date = write(tmp_path, "04-no-date.md", "title: Undated")
    bad_duration = write(tmp_path, "05-dur.md", "title: D\npubDate: 2024-01-01\nduration: ages")
    bad_number = write(tmp_path, "06-num.md", "title: N\npubDate: 2024-01-01\nepisodeNumber: 0")
    bad_date = write(tmp_path, "07-date.md", "title: X\npubDate: someday")
    out, err = run_failing(tmp_path)
    assert out.startswith("1 created, 0 updated, 0 unchanged, 6 failed")
    assert f"FAILED: {yaml}: the frontmatter is not valid YAML" in err
    assert f"FAILED: {no_title}: “title” is missing" in err
    assert f"FAILED: {no_date}: “pubDate” is missing (only drafts may go without one)" in err
    assert f"FAILED: {bad_duration}: “duration” 'ages' is not a duration" in err
    assert f"FAILED: {bad_number}: “episodeNumber” must be a whole number from 1 up" in err
    assert f"FAILED: {bad_date}: “pubDate” 'someday' is not a date" in err
    assert str(good) not in err
    assert list(Episode.objects.values_list("title", flat=True)) == ["Good"]


@pytest.mark.django_db
def test_unknown_keys_are_reported_by_name(tmp_path):
    path = write(tmp_path, "ep.md", "title: T\npubDate: 2024-01-01\nheroVideo: x\nauthor: y")
    _, err = run(path)
    assert f"warning: {path}: unknown keys not imported: author, heroVideo" in err


@pytest.mark.django_db
def test_unknown_platforms_are_kept_as_other(tmp_path):
    write(
        tmp_path,
        "ep.md",
        "title: T\npubDate: 2024-01-01\nexternalLinks:\n  Castbox: https://castbox.fm/ep\n"
        "  pocket_casts: https://pca.st/ep\n  bad: javascript:alert(1)",
    )
    _, err = run(tmp_path)
    links = Episode.objects.get().links.values_list("platform", "label", "url")
    assert sorted(links) == [
        ("other", "Castbox", "https://castbox.fm/ep"),
        ("pocketcasts", "", "https://pca.st/ep"),
    ]
    assert "externalLinks.bad: 'javascript:alert(1)' is not an http(s) URL; skipped" in err


@pytest.mark.django_db
def test_drafts_stay_private(tmp_path, client):
    write(tmp_path, "ep.md", "title: Not yet\ndraft: true")
    run(tmp_path)
    episode = Episode.objects.get()
    assert episode.status == Episode.Status.DRAFT
    assert episode.pub_date is None
    assert client.get(episode.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_duplicate_guids_fail_the_second_file(tmp_path):
    first = write(tmp_path, "a.md", "title: A\npubDate: 2024-01-01\nguid: ep-1")
    second = write(tmp_path, "b.md", "title: B\npubDate: 2024-01-02\nguid: ep-1")
    _, err = run_failing(tmp_path)
    assert f"FAILED: {second}: duplicate guid 'ep-1', already used by {first}" in err
    assert Episode.objects.get().guid == "ep-1"


@pytest.mark.django_db
def test_a_published_guid_never_changes(tmp_path):
    path = write(tmp_path, "ep.md", f"title: A\npubDate: 2024-01-01\nguid: Original-GUID{AUDIO}")
    run(path)
    path.write_text(path.read_text().replace("Original-GUID", "new-guid"))
    _, err = run_failing(path)
    assert "is published with guid 'Original-GUID'; a published episode's guid never changes" in err
    assert Episode.objects.get().guid == "Original-GUID"


@pytest.mark.django_db
def test_scripts_in_notes_and_description_never_reach_a_page(tmp_path, client):
    write(
        tmp_path,
        "ep.md",
        "title: XSS\npubDate: 2024-01-01\ndescription: \"<script>alert('d')</script>Plain\""
        + AUDIO,
        body="Hello <script>alert('x')</script> <img src=x onerror=alert(1)> "
        "[link](javascript:alert(2)) **bold**",
    )
    run(tmp_path)
    page = client.get(Episode.objects.get().get_absolute_url()).content.decode()
    assert "<strong>bold</strong>" in page
    assert "alert(" not in page
    assert "<script" not in page.split("</header>", 1)[-1].split("<footer", 1)[0]


@pytest.mark.django_db
def test_local_audio_and_art_are_copied_with_their_metadata(tmp_path):
    site = tmp_path / "public"
    (site / "audio").mkdir(parents=True)
    (site / "images").mkdir()
    (site / "audio" / "ep.mp3").write_bytes(tone_mp3(seconds=4))
    (site / "images" / "cover.png").write_bytes(cover_art("Cover"))
    (site / "images" / "small.png").write_bytes(cover_art("Small", size=600))
    (site / "images" / "placeholder.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    content = tmp_path / "content"
    write(content, "one.md", "title: One\npubDate: 2024-01-01\nduration: '45:32'\n"
          "audioFile: /audio/ep.mp3\ncoverImage: /images/cover.png")  # fmt: skip
    write(content, "two.md", "title: Two\npubDate: 2024-01-02\ncoverImage: /images/placeholder.svg")
    write(content, "three.md", "title: Three\npubDate: 2024-01-03\ncoverImage: images/small.png")
    write(content, "four.md", "title: Four\npubDate: 2024-01-04\n"
          "audioFile: https://cdn.example.com/four.mp3\n"
          "coverImage: https://cdn.example.com/4.jpg")  # fmt: skip
    _, err = run(content, "--media-root", site)
    one = Episode.objects.get(slug="one")
    assert one.audio_file.name.endswith(".mp3")
    assert (one.audio_size, one.audio_mime_type, one.duration) == (
        len(tone_mp3(seconds=4)), "audio/mpeg", 4,
    )  # fmt: skip
    assert one.cover_art.name.endswith(".png")
    assert "artwork placeholder.svg not imported: not a JPEG or PNG image" in err
    assert "artwork small.png not imported: it is 600×600 px but must be between" in err
    assert not Episode.objects.get(slug="two").cover_art
    four = Episode.objects.get(slug="four")
    assert (four.audio_url, four.cover_art_url) == (
        "https://cdn.example.com/four.mp3", "https://cdn.example.com/4.jpg",
    )  # fmt: skip
    files = sorted(stored_files())
    assert len([f for f in files if f.suffix != ".webp"]) == 2  # the audio and the art
    assert len(files) == 5  # and the art's three renditions

    out, _ = run(content, "--media-root", site)
    assert out.startswith("0 created, 0 updated, 4 unchanged")
    assert sorted(stored_files()) == files


@pytest.mark.django_db
def test_a_failing_file_leaves_no_copied_media_behind(tmp_path):
    site = tmp_path / "public"
    site.mkdir()
    (site / "ep.mp3").write_bytes(tone_mp3(seconds=2))
    (site / "not-audio.mp3").write_bytes(b"definitely not audio")
    too_long = "x" * 4001
    write(tmp_path / "c", "a.md", f"title: A\npubDate: 2024-01-01\naudioFile: ep.mp3\n"
          f"description: {too_long}")  # fmt: skip
    write(tmp_path / "c", "b.md", "title: B\npubDate: 2024-01-01\naudioFile: not-audio.mp3")
    write(tmp_path / "c", "c.md", "title: C\npubDate: 2024-01-01\naudioFile: ../secret.mp3")
    write(tmp_path / "c", "d.md", "title: D\npubDate: 2024-01-01\naudioFile: gone.mp3")
    _, err = run_failing(tmp_path / "c", "--media-root", site)
    assert "summary: At most 4,000 bytes are allowed" in err
    assert "b.md: This is not MP3 or M4A audio" in err
    assert "c.md: “audioFile” ../secret.mp3 points outside --media-root" in err
    assert "d.md: “audioFile” gone.mp3 was not found under --media-root" in err
    assert not Episode.objects.exists()
    assert stored_files() == []


@pytest.mark.django_db
def test_dry_run_saves_nothing(tmp_path):
    site = tmp_path / "public"
    site.mkdir()
    (site / "ep.mp3").write_bytes(tone_mp3(seconds=2))
    write(tmp_path / "c", "a.md", "title: A\npubDate: 2024-01-01\naudioFile: ep.mp3\n"
          "guests: [Ann Guest]\ntags: [one]")  # fmt: skip
    out, _ = run(tmp_path / "c", "--media-root", site, "--dry-run")
    assert out.startswith("Dry run, nothing saved: 1 created")
    assert not Show.objects.exists()
    assert not Episode.objects.exists()
    assert not Guest.objects.exists()
    assert stored_files() == []


@pytest.mark.django_db
def test_changes_are_picked_up_on_the_next_run(tmp_path):
    path = write(tmp_path, "ep.md", "title: Old\npubDate: 2024-01-01\ntags: [a]\nguests: [Ann]")
    run(path)
    original = Episode.objects.get()
    path.write_text(path.read_text().replace("Old", "New").replace("[Ann]", "[Ann, Bob]"))
    out, _ = run(path)
    assert out.startswith("0 created, 1 updated, 0 unchanged")
    episode = Episode.objects.get()
    assert (episode.pk, episode.guid, episode.title) == (original.pk, original.guid, "New")
    assert list(episode.guests.values_list("name", flat=True)) == ["Ann", "Bob"]


@pytest.mark.django_db
def test_several_shows_need_a_choice(tmp_path):
    ShowFactory.create_batch(2)
    path = write(tmp_path, "ep.md", "title: T\npubDate: 2024-01-01")
    with pytest.raises(CommandError, match="choose one with --show SLUG"):
        run(path)
    run(path, "--show", "brand-new")
    assert Show.objects.get(slug="brand-new").episodes.count() == 1


@pytest.mark.django_db
def test_an_episode_no_import_made_is_never_taken_over_by_its_slug(tmp_path):
    show = ShowFactory(slug="s")
    existing = EpisodeFactory(show=show, slug="ep-7", title="Seven", draft=True)
    before = Episode.objects.values().get(pk=existing.pk)
    write(tmp_path, "ep-7.md", "title: Seven, revised\npubDate: 2024-01-01")
    out, err = run_failing(tmp_path, "--show", "s")
    assert out.startswith("0 created, 0 updated, 0 unchanged, 1 failed")
    assert "ep-7.md" in err and "“Seven”, which was not imported" in err
    assert Episode.objects.values().get(pk=existing.pk) == before
    # With the episode's guid the file is that episode; what the editor wrote stays unless asked.
    write(tmp_path, "ep-7.md", f"title: Seven, revised\npubDate: 2024-01-01\nguid: {existing.guid}")
    out, err = run(tmp_path, "--show", "s")
    assert "kept what an editor changed since the last import (title" in err
    assert Episode.objects.get(pk=existing.pk).title == "Seven"
    run(tmp_path, "--show", "s", "--overwrite")
    assert Episode.objects.get(pk=existing.pk).title == "Seven, revised"


@pytest.mark.django_db
def test_folder_per_episode_takes_the_folder_name_and_a_slug_key_wins(tmp_path):
    write(tmp_path / "episodes" / "first-steps", "index.md", "title: First\npubDate: 2024-01-01")
    write(tmp_path / "episodes", "x.md", "title: Second\npubDate: 2024-01-02\nslug: second-one")
    write(tmp_path / "episodes", "notes.txt", "not markdown")
    out, _ = run(tmp_path / "episodes")
    assert out.startswith("2 created, 0 updated, 0 unchanged, 0 failed")
    assert sorted(Episode.objects.values_list("slug", flat=True)) == ["first-steps", "second-one"]


@pytest.mark.django_db
def test_an_episode_without_audio_comes_in_as_a_draft_and_stays_off_the_feed(tmp_path, client):
    path = write(tmp_path, "ep.md", "title: Silent\npubDate: 2024-01-01\naudioFile: /a/ep.mp3")
    _, err = run(path)
    assert "no audio: imported as a draft" in err
    episode = Episode.objects.get()
    assert episode.status == Episode.Status.DRAFT
    assert b"<item>" not in client.get(f"/{episode.show.slug}/feed.xml").content


@pytest.mark.django_db
def test_dates_with_an_offset_are_unchanged_on_the_next_run(tmp_path):
    path = write(
        tmp_path, "ep.md", "title: Offset\npubDate: 2024-01-02T10:30:00+02:00\n"
        "audioFile: https://cdn.example.com/ep.mp3"
    )  # fmt: skip
    run(path)
    out, _ = run(path)
    assert out.startswith("0 created, 0 updated, 1 unchanged")
    assert Episode.objects.get().pub_date.isoformat() == "2024-01-02T08:30:00+00:00"
