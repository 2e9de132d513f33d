"""Imports never overwrite an editor's work, and no value in a source can stop a run.

Each case asserts the clear answer (the summary, the message with its location) and that
nothing else was saved or changed.
"""

import contextlib
import os
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from episodes.models import SHOW_NOTES_MAX_CHARS, Episode, Show
from tests.factories import EpisodeFactory, ShowFactory

pytestmark = pytest.mark.django_db

GUID = "0c0ffee0-1234-5678-9abc-def012345678"


def feed(*items: str, description: str = "What the feed says.", extra: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:podcast="https://podcastindex.org/namespace/1.0">
  <channel>
    <title>Imported Show</title>
    <description>{description}</description>
    <itunes:author>Feed Author</itunes:author>
    <itunes:owner><itunes:name>Owner</itunes:name><itunes:email>o@example.com</itunes:email></itunes:owner>
    <podcast:guid>{GUID}</podcast:guid>
    {extra}
    {"".join(items)}
  </channel>
</rss>"""


def item(title: str, guid: str, notes: str = "Feed notes.", **extra: str) -> str:
    pub_date = extra.pop("pub_date", "Mon, 05 Feb 2024 06:30:00 GMT")
    more = "".join(f"<{tag}>{value}</{tag}>" for tag, value in extra.items())
    enclosure = (
        f'<enclosure url="https://cdn.example.com/{guid}.mp3" length="9" type="audio/mpeg"/>'
    )
    return f"""<item><title>{title}</title><guid>{guid}</guid><pubDate>{pub_date}</pubDate>
      <description>{notes}</description>{enclosure}{more}</item>"""


def import_feed(tmp_path: Path, text: str, *args: str) -> tuple[str, str]:
    source = tmp_path / "feed.xml"
    source.write_text(text)
    out, err = StringIO(), StringIO()
    with contextlib.suppress(CommandError):  # failed items: the messages say which
        call_command("import_feed", str(source), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def import_markdown(*args: object) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with contextlib.suppress(CommandError):
        call_command("import_markdown", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(folder: Path, name: str, frontmatter: str, body: str = "Notes.") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{frontmatter.strip()}\n---\n\n{body}\n")
    return path


def rows() -> dict:
    return {
        "shows": list(Show.objects.order_by("pk").values()),
        "episodes": list(Episode.objects.order_by("pk").values()),
    }


# Data loss -------------------------------------------------------------------------------------


def test_an_editors_draft_with_the_items_slug_is_never_overwritten_or_published(tmp_path):
    show = ShowFactory(podcast_guid=GUID, description="The editor's description.")
    draft = EpisodeFactory(
        show=show, title="Big News", slug="big-news", draft=True, show_notes="My draft notes.",
        summary="My summary.",
    )  # fmt: skip
    before = Episode.objects.values().get(pk=draft.pk)
    out, err = import_feed(tmp_path, feed(item("Big News", "feed-guid-1")))
    assert out.startswith("1 created, 0 updated, 0 unchanged, 0 failed")
    assert Episode.objects.values().get(pk=draft.pk) == before
    imported = Episode.objects.get(guid="feed-guid-1")
    assert imported.slug == "big-news-2" and imported.show_notes == "Feed notes."
    # The show's description was the editor's: kept, and said so.
    show.refresh_from_db()
    assert show.description == "The editor's description."
    assert "(channel): kept what an editor changed since the last import (title, description" in err


def test_a_markdown_file_never_takes_over_a_published_episode_it_did_not_create(tmp_path):
    show = ShowFactory(slug="s")
    episode = EpisodeFactory(show=show, slug="ep-1", title="Published one")
    before = rows()
    write(tmp_path, "ep-1.md", "title: From the file\npubDate: 2024-01-01\nguid: file-guid")
    out, err = import_markdown(tmp_path, "--show", "s")
    assert out.startswith("0 created, 0 updated, 0 unchanged, 1 failed")
    assert "ep-1.md" in err and "“Published one”, which was not imported" in err
    assert rows() == before
    assert Episode.objects.get(pk=episode.pk).guid == before["episodes"][0]["guid"]


def edit(episode: Episode, **values) -> None:
    for name, value in values.items():
        setattr(episode, name, value)
    episode.save()


def test_a_reimport_keeps_what_an_editor_changed_unless_asked_to_overwrite(tmp_path):
    first = feed(item("Episode", "g-1", notes="Version one."), description="Feed description.")
    import_feed(tmp_path, first)
    episode = Episode.objects.get(guid="g-1")
    edit(episode, show_notes="The editor's notes.", status=Episode.Status.DRAFT)
    show = episode.show
    show.description = "The editor's show description."
    show.save()
    second = feed(
        item("Episode, renamed", "g-1", notes="Version two."), description="New feed description."
    )
    out, err = import_feed(tmp_path, second)
    assert out.startswith("0 created, 1 updated, 0 unchanged, 0 failed")
    episode.refresh_from_db()
    assert episode.title == "Episode, renamed"  # nobody edited the title: the feed's new one
    assert episode.show_notes == "The editor's notes."
    assert episode.status == Episode.Status.DRAFT  # unpublished by the editor: stays so
    show.refresh_from_db()
    assert show.description == "The editor's show description."
    assert "item 1 (guid g-1): kept what an editor changed" in err
    assert "show notes" in err and "status" in err
    # Asked to overwrite, the feed wins everywhere.
    out, _ = import_feed(tmp_path, second, "--overwrite")
    episode.refresh_from_db()
    show.refresh_from_db()
    assert episode.show_notes == "Version two." and episode.status == Episode.Status.PUBLISHED
    assert show.description == "New feed description."
    # And the next plain run sees no editor's change any more.
    out, err = import_feed(tmp_path, second)
    assert out.startswith("0 created, 0 updated, 1 unchanged, 0 failed") and "kept" not in err


def test_editor_changes_to_tags_and_guests_are_kept_too(tmp_path):
    text = feed(item("Tagged", "g-2", category="Science"))
    import_feed(tmp_path, text)
    episode = Episode.objects.get(guid="g-2")
    episode.tags.clear()
    import_feed(tmp_path, feed(item("Tagged", "g-2", category="Science")))
    assert list(episode.tags.all()) == []


def test_markdown_reimport_keeps_editor_changes(tmp_path):
    ShowFactory(slug="s")
    path = write(tmp_path, "ep.md", "title: One\npubDate: 2024-01-01\ndescription: From the file")
    import_markdown(path, "--show", "s")
    episode = Episode.objects.get(slug="ep")
    edit(episode, summary="Edited in the admin.")
    write(tmp_path, "ep.md", "title: One\npubDate: 2024-01-01\ndescription: File, changed")
    _, err = import_markdown(path, "--show", "s")
    assert "kept what an editor changed since the last import (summary)" in err
    assert Episode.objects.get(pk=episode.pk).summary == "Edited in the admin."


# Values that fail to convert -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frontmatter", "message"),
    [
        ("duration: .inf", "“duration” inf is not a duration"),
        ("duration: -.inf", "is not a duration"),
        ("duration: .nan", "is not a duration"),
        ("duration: 1e400", "is not a duration"),
        ("duration: '" + "9" * 5000 + "'", "is not a duration"),
        ("pubDate: 0000-01-01", "a value that cannot be read"),
        (
            "pubDate: 0001-01-01T00:00:00+01:00",
            "“pubDate” 0001-01-01T00:00:00+01:00 is out of range",
        ),
        ("pubDate: '2024-13-45T00:00:00'", "is not a date"),
        ("episodeNumber: " + "9" * 40, "Ensure this value is less than or equal to"),
    ],
)
def test_markdown_values_that_fail_to_convert_fail_their_file_and_the_run_goes_on(
    tmp_path, frontmatter, message
):
    ShowFactory(slug="s")
    base = "title: T\npubDate: 2024-01-01\n"
    lines = dict(line.split(": ", 1) for line in (base + frontmatter).splitlines())
    write(tmp_path, "a-bad.md", "\n".join(f"{k}: {v}" for k, v in lines.items()))
    write(tmp_path, "b-good.md", "title: Good\npubDate: 2024-01-02")
    out, err = import_markdown(tmp_path, "--show", "s")
    assert out.startswith("1 created, 0 updated, 0 unchanged, 1 failed")
    assert f"{tmp_path / 'a-bad.md'}: " in err and message in err, err
    assert list(Episode.objects.values_list("slug", flat=True)) == ["b-good"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"pub_date": "Sat, 01 Jan 0000 00:00:00 GMT"}, "item 1"),
        ({"itunes:duration": "1e400"}, "item 1"),
        ({"itunes:episode": "9" * 40}, "item 1"),
    ],
)
def test_feed_values_that_fail_to_convert_never_stop_the_run(tmp_path, extra, message):
    out, err = import_feed(tmp_path, feed(item("Bad", "bad", **extra), item("Good", "good")))
    assert "failed" in out and message in err
    assert Episode.objects.filter(guid="good").exists()
    assert "Traceback" not in err


def test_numbers_in_digits_int_refuses_are_warned_about_and_the_item_imported(tmp_path):
    out, err = import_feed(tmp_path, feed(item("Odd", "odd", **{"itunes:episode": "²"})))
    assert out.startswith("1 created, 0 updated, 0 unchanged, 0 failed")
    assert "item 1: episode number '²' is not a whole number from 1 up; skipped" in err
    assert Episode.objects.get(guid="odd").episode_number is None


def test_saving_an_imported_episode_unchanged_in_the_admin_is_not_an_edit(tmp_path, editor_client):
    from tests import media_files

    lines = item("Lines", "lines", notes="One\n\nTwo", **{"itunes:duration": "12:00"})
    import_feed(tmp_path, feed(lines))
    episode = Episode.objects.get(guid="lines")
    url = f"/admin/episodes/episode/{episode.pk}/change/"
    data = media_files.admin_form_data(editor_client, url)
    data["show_notes"] = data["show_notes"].replace("\n", "\r\n")  # as a browser sends it
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    updated = feed(item("Lines", "lines", notes="Three", **{"itunes:duration": "12:00"}))
    import_feed(tmp_path, updated)
    assert Episode.objects.get(pk=episode.pk).show_notes == "Three"


# Size ------------------------------------------------------------------------------------------


def test_a_yaml_anchor_bomb_is_refused_by_its_file(tmp_path):
    ShowFactory(slug="s")
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [*{chr(97 + n)},*{chr(97 + n)},*{chr(97 + n)},"
        f"*{chr(97 + n)},*{chr(97 + n)},*{chr(97 + n)},*{chr(97 + n)},*{chr(97 + n)}]\n"
        for n in range(9)
    )
    write(tmp_path, "bomb.md", "title: Bomb\npubDate: 2024-01-01\n" + bomb)
    write(tmp_path, "alias.md", "title: &t Alias\npubDate: 2024-01-01\ndescription: *t")
    write(tmp_path, "good.md", "title: Good\npubDate: 2024-01-01")
    out, err = import_markdown(tmp_path, "--show", "s")
    assert out.startswith("1 created, 0 updated, 0 unchanged, 2 failed")
    assert err.count("aliases (*name) are not allowed in frontmatter") == 2
    assert list(Episode.objects.values_list("slug", flat=True)) == ["good"]


def test_deeply_nested_frontmatter_fails_its_file(tmp_path):
    ShowFactory(slug="s")
    write(tmp_path, "deep.md", "title: Deep\npubDate: 2024-01-01\ntags: " + "[" * 5000)
    out, err = import_markdown(tmp_path, "--show", "s")
    assert "1 failed" in out and "deep.md" in err
    assert not Episode.objects.exists()


def test_show_notes_over_the_limit_are_reported_and_skipped(tmp_path):
    ShowFactory(slug="s")
    write(tmp_path, "long.md", "title: Long\npubDate: 2024-01-01", "word " * SHOW_NOTES_MAX_CHARS)
    write(tmp_path, "fine.md", "title: Fine\npubDate: 2024-01-01")
    out, err = import_markdown(tmp_path, "--show", "s")
    assert out.startswith("1 created, 0 updated, 0 unchanged, 1 failed")
    assert "long.md: larger than" in err
    text = feed(
        item("Long", "long", notes="word " * (SHOW_NOTES_MAX_CHARS // 5 + 1)), item("Ok", "ok")
    )
    out, err = import_feed(tmp_path, text)
    assert "1 created" in out and "1 failed" in out
    assert "item 1: show notes of 100,004 characters; at most 100,000 are allowed" in err
    assert not Episode.objects.filter(guid="long").exists()


def test_markdown_too_slow_to_render_is_reported_and_skipped(tmp_path, settings):
    settings.MARKDOWN_RENDER_SECONDS = 0.5
    ShowFactory(slug="s")
    write(tmp_path, "slow.md", "title: Slow\npubDate: 2024-01-01", "[a](b " * 4000)
    out, err = import_markdown(tmp_path, "--show", "s")
    assert "1 failed" in out and "takes longer than 0.5 s to turn into HTML" in err
    assert not Episode.objects.exists()


def test_import_feed_bounds_the_bytes_it_reads_from_a_pipe(tmp_path, monkeypatch):
    from episodes.importers import feed as feed_module

    monkeypatch.setattr(feed_module, "FEED_MAX_BYTES", 1000)
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)

    def endless() -> None:
        try:
            with pipe.open("wb") as writer:
                while True:
                    writer.write(b"<" * 4096)
        except OSError:
            pass  # the importer stopped reading

    writer = threading.Thread(target=endless, daemon=True)
    writer.start()
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("import_feed", str(pipe), stdout=out, stderr=err)
    writer.join(timeout=10)
    assert "larger than the limit of 1,000 bytes" in err.getvalue()
    assert not Show.objects.exists()


def test_import_feed_bounds_a_device_that_claims_size_zero(monkeypatch):
    from episodes.importers import feed as feed_module

    monkeypatch.setattr(feed_module, "FEED_MAX_BYTES", 1000)
    assert os.stat("/dev/zero").st_size == 0
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("import_feed", "/dev/zero", stdout=out, stderr=err)
    assert "/dev/zero: larger than the limit of 1,000 bytes" in err.getvalue()
    assert not Show.objects.exists()
