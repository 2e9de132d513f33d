import pytest

from podcast.enclosures import audio_url
from tests.factories import AppearanceFactory, EpisodeFactory, PlatformLinkFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_episode_list_is_newest_first_and_paginated(client, show, settings):
    settings.EPISODES_PER_PAGE = 3
    episodes = [EpisodeFactory(show=show) for _ in range(5)]
    response = client.get(f"/{show.slug}/episodes/")
    assert response.status_code == 200
    assert list(response.context["page_obj"]) == episodes[::-1][:3]
    second = client.get(f"/{show.slug}/episodes/?page=2")
    assert list(second.context["page_obj"]) == episodes[::-1][3:]


@pytest.mark.parametrize("page", ["3", "0", "-1", "abc", "1e9", "%00"])
def test_out_of_range_or_junk_pages_answer_404(client, show, page, settings):
    settings.EPISODES_PER_PAGE = 3
    EpisodeFactory(show=show)
    assert client.get(f"/{show.slug}/episodes/?page={page}").status_code == 404


def test_drafts_and_future_episodes_are_not_listed_and_answer_404(client, show):
    public = EpisodeFactory(show=show)
    draft = EpisodeFactory(show=show, draft=True)
    future = EpisodeFactory(show=show, scheduled=True)
    listed = list(client.get(f"/{show.slug}/episodes/").context["page_obj"])
    assert listed == [public]
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(future.get_absolute_url()).status_code == 404


def test_episode_page_has_player_notes_guests_tags_and_links(client, show):
    episode = EpisodeFactory(show=show, show_notes="## Highlights\n\nGreat *stuff*")
    appearance = AppearanceFactory(episode=episode)
    tag = TagFactory(name="MLOps")
    episode.tags.add(tag)
    PlatformLinkFactory(episode=episode, platform="spotify", url="https://open.spotify.com/e/1")
    body = client.get(episode.get_absolute_url()).content.decode()
    assert f'<audio id="player" controls preload="none" src="{audio_url(episode)}"' in body
    assert "<h2>Highlights</h2>" in body
    assert appearance.guest.get_absolute_url() in body
    assert tag.get_absolute_url() in body
    assert "https://open.spotify.com/e/1" in body


def test_unknown_episode_and_show_answer_404(client, show):
    assert client.get(f"/{show.slug}/episodes/nope/").status_code == 404
    assert client.get("/no-such-show/episodes/").status_code == 404
