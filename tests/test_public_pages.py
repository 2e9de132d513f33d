import lxml.html
import pytest

from podcast.enclosures import audio_url
from tests.factories import (
    AppearanceFactory,
    EpisodeFactory,
    PlatformLinkFactory,
    ShowFactory,
    ShowLinkFactory,
    TagFactory,
)

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


def test_listeners_see_only_live_platforms_and_the_data_is_kept(client, show, editor_client):
    episode = EpisodeFactory(show=show)
    for platform, url in (
        ("google", "https://podcasts.google.com/feed/x"),
        ("spotify", "https://open.spotify.com/episode/x"),
    ):
        PlatformLinkFactory(episode=episode, platform=platform, url=url)
        ShowLinkFactory(show=show, platform=platform, url=url)
    ShowFactory(slug="second-show")  # two shows: the home page lists each show's links
    for url in ("/", show.get_absolute_url(), episode.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "open.spotify.com" in page, url
        assert "podcasts.google.com" not in page and "Google Podcasts" not in page, url
    assert episode.links.filter(platform="google").exists()
    assert show.links.filter(platform="google").exists()
    form = editor_client.get(f"/admin/episodes/episode/{episode.pk}/change/").content.decode()
    assert "https://podcasts.google.com/feed/x" in form  # editors still see and keep it


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("season=9", "There is no season “9” in The Show"),
        ("season=abc", "There is no season “abc” in The Show"),
        ("tag=nope", "There is no topic “nope” in The Show"),
        ("season=9&guest=nobody", "There is no season “9”, and no guest “nobody” in The Show"),
    ],
)
def test_a_filter_that_matches_nothing_offered_says_so(client, show, query, said):
    EpisodeFactory(show=show, season_number=1, title="Listed only when asked for")
    response = client.get(f"/{show.slug}/episodes/?{query}")
    assert response.status_code == 404
    page = response.content.decode()
    assert said in page
    assert "Listed only when asked for" not in page
    assert 'id="filter-season"' in page  # the filters to choose again


def test_empty_and_valid_filters_list_episodes(client, show):
    EpisodeFactory(show=show, season_number=1, title="Season one")
    for query in ("", "season=", "season=1", "season=%201%20"):
        response = client.get(f"/{show.slug}/episodes/?{query}")
        assert response.status_code == 200, query
        assert "Season one" in response.content.decode(), query


def test_an_undated_drafts_preview_shows_no_stray_separator(editor_client, show):
    draft = EpisodeFactory(show=show, draft=True, duration=12, explicit=True)
    meta = "//header[@class='hero wrap']//p[@class='meta']"
    page = lxml.html.fromstring(editor_client.get(draft.get_absolute_url()).content)
    assert page.xpath(meta)[0].text_content() == "0:12 · Explicit"
    draft.duration, draft.explicit = None, False
    draft.save()
    page = lxml.html.fromstring(editor_client.get(draft.get_absolute_url()).content)
    assert page.xpath(meta) == []
