"""Denial of service through size: every stored text is bounded, markdown renders once when saved
and within a bounded time, and no listener's request renders any."""

import markdown
import pytest
from django.db import IntegrityError, transaction

from episodes.models import SHOW_NOTES_MAX_CHARS, Episode
from guests.models import BIO_MAX_CHARS
from tests import media_files
from tests.factories import AppearanceFactory, EpisodeFactory, GuestFactory
from tests.test_hostile import change, snapshot

pytestmark = pytest.mark.django_db

# Python-Markdown spends seconds on each of these, far out of proportion to their length.
SLOW_MARKDOWN = ["[a](b " * 4000, "[" * 20_000]


@pytest.fixture
def admin_forms(editor_client, show):
    """What the episode and guest change pages post back unchanged."""
    episode, guest = EpisodeFactory(show=show), GuestFactory()
    return {
        "episode": (episode, media_files.admin_form_data(editor_client, change(episode))),
        "guest": (guest, media_files.admin_form_data(editor_client, change(guest))),
    }


@pytest.fixture(autouse=True)
def _short_render_limit(settings):
    settings.MARKDOWN_RENDER_SECONDS = 0.5


@pytest.mark.parametrize(
    ("form", "field", "limit"),
    [("episode", "show_notes", SHOW_NOTES_MAX_CHARS), ("guest", "bio", BIO_MAX_CHARS)],
)
def test_markdown_over_the_limit_is_a_form_error_and_nothing_is_saved(
    editor_client, admin_forms, form, field, limit
):
    obj, data = admin_forms[form]
    before = snapshot()
    response = editor_client.post(change(obj), {**data, field: "word " * (limit // 5 + 1)})
    assert response.status_code == 200
    assert f"at most {limit:,} characters" in response.content.decode().replace("\n", " ")
    assert snapshot() == before


@pytest.mark.parametrize(("form", "field"), [("episode", "show_notes"), ("guest", "bio")])
@pytest.mark.parametrize("text", SLOW_MARKDOWN, ids=["links", "brackets"])
def test_markdown_too_slow_to_render_is_a_form_error_and_nothing_is_saved(
    editor_client, admin_forms, form, field, text
):
    obj, data = admin_forms[form]
    before = snapshot()
    response = editor_client.post(
        change(obj), {**data, field: text[: 10_000 if form == "guest" else None]}
    )
    assert response.status_code == 200
    assert "takes longer than 0.5 s to turn into HTML" in response.content.decode()
    assert snapshot() == before


def test_notes_render_when_saved_and_listeners_never_render(client, show, monkeypatch):
    episode = EpisodeFactory(show=show, show_notes="**Bold** at 12:34.\n\n" + "More. " * 100)
    guest = GuestFactory(bio="A *bio*.")
    AppearanceFactory(episode=episode, guest=guest)
    assert "<strong>Bold</strong>" in Episode.objects.get(pk=episode.pk).show_notes_html

    def no_rendering(*args, **kwargs):
        raise AssertionError("a listener's request rendered markdown")

    monkeypatch.setattr(markdown.Markdown, "convert", no_rendering)
    page = client.get(episode.get_absolute_url()).content.decode()
    assert "<strong>Bold</strong>" in page and 'data-seek="754"' in page
    assert "<em>bio</em>" in client.get(guest.get_absolute_url()).content.decode()
    assert "&lt;strong&gt;Bold&lt;/strong&gt;" in client.get(show.get_feed_path()).content.decode()


def test_an_edit_renders_again_and_a_partial_save_keeps_them_in_step(show):
    episode = EpisodeFactory(show=show, show_notes="*one*")
    episode = Episode.objects.get(pk=episode.pk)
    episode.show_notes = "*two*"
    episode.save(update_fields=["show_notes"])
    assert "<em>two</em>" in Episode.objects.get(pk=episode.pk).show_notes_html


@pytest.mark.parametrize(
    ("model", "field", "limit"),
    [("episode", "show_notes", SHOW_NOTES_MAX_CHARS), ("guest", "bio", BIO_MAX_CHARS)],
)
def test_the_database_refuses_texts_over_the_limit_whoever_saves_them(show, model, field, limit):
    obj = EpisodeFactory(show=show) if model == "episode" else GuestFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(obj).objects.filter(pk=obj.pk).update(**{field: "x" * (limit + 1)})
    assert len(getattr(type(obj).objects.get(pk=obj.pk), field)) < limit


def test_the_editor_preview_is_bounded_too(editor_client):
    response = editor_client.post("/markdownx/markdownify/", {"content": SLOW_MARKDOWN[0]})
    assert response.status_code == 200
    assert "takes longer than 0.5 s" in response.content.decode()
    fine = editor_client.post("/markdownx/markdownify/", {"content": "**ok** " * 100})
    assert "<strong>ok</strong>" in fine.content.decode()


def test_the_renderer_is_stopped_at_the_limit_and_the_next_text_renders():
    import time

    from podcast.markdown import RenderTooSlow, _renderer, render_bounded

    started = time.monotonic()
    with pytest.raises(RenderTooSlow, match=r"takes longer than 0\.5 s"):
        render_bounded(SLOW_MARKDOWN[1])
    assert time.monotonic() - started < 5
    assert "<strong>after</strong>" in render_bounded("**after** " * 50)
    _renderer.process.kill()  # a renderer that died (out of memory) is replaced, not fatal
    _renderer.process.wait()
    assert "<em>again</em>" in render_bounded("*again* " * 50)
