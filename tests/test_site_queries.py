"""Every public page runs a fixed number of queries, however much content a show has."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def populate(size: int) -> dict:
    """`size` episodes, each with guests, tags, links and chapters, in two seasons."""
    show = factories.ShowFactory(slug="sized", title="Sized")
    for platform in ("apple", "spotify", "youtube"):
        factories.ShowLinkFactory(
            show=show, platform=platform, url=f"https://{platform}.example/show"
        )
    guests = [factories.GuestFactory() for _ in range(max(2, size // 3))]
    tags = [factories.TagFactory() for _ in range(max(2, size // 3))]
    for n in range(size):
        episode = factories.EpisodeFactory(
            show=show, season_number=1 + n % 2, title=f"Searchable {n}", episode_number=n + 1
        )
        episode.tags.add(tags[n % len(tags)], tags[(n + 1) % len(tags)])
        factories.AppearanceFactory(episode=episode, guest=guests[n % len(guests)])
        factories.AppearanceFactory(episode=episode, guest=guests[(n + 1) % len(guests)])
        factories.PlatformLinkFactory(
            episode=episode, platform="spotify", url=f"https://s.example/{n}"
        )
        factories.PlatformLinkFactory(
            episode=episode, platform="apple", url=f"https://a.example/{n}"
        )
        factories.ChapterFactory(episode=episode, start_time=0)
        factories.ChapterFactory(episode=episode, start_time=60)
    factories.EpisodeFactory(show=show, draft=True)
    episode = show.episodes.get(title=f"Searchable {size // 2}")
    return {
        "home": "/",
        "show": show.get_absolute_url(),
        "list": f"/{show.slug}/episodes/",
        "filtered": f"/{show.slug}/episodes/?season=1&tag={tags[0].slug}&guest={guests[0].slug}",
        "season": f"/{show.slug}/seasons/1/",
        "episode": episode.get_absolute_url(),
        "guest": guests[0].get_absolute_url(),
        "tag": tags[0].get_absolute_url(),
        "search": "/search/?q=searchable",
        "sitemap": "/sitemap.xml",
    }


# One row per page: the queries it runs for an anonymous listener.
EXPECTED = {
    "home": 7,  # freshness, shows, their links and podroll, episodes with tags and people (3)
    "show": 7,  # freshness, show, links, podroll, episodes, tags, people
    "list": 9,  # freshness, show, seasons, tags, guests, count, episodes, tags, people
    "filtered": 9,
    "season": 6,  # freshness, show, count, episodes, tags, people
    # freshness, episode+show, tags, links, chapters, soundbites, renditions, people, prev, next
    "episode": 10,
    "guest": 8,  # freshness (2: site, guest), guest, links, episodes, tags, people, feed links
    "tag": 8,  # freshness (2: site, tag), tag, count, episodes, tags, people, feed links
    "search": 6,  # freshness, count, episodes, tags, people, show list for the feed links
    "sitemap": 8,  # count and items for each of the four sections
}


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize("name", list(EXPECTED))
def test_page_queries_do_not_grow_with_content(client, django_assert_num_queries, size, name):
    url = populate(size)[name]
    with django_assert_num_queries(EXPECTED[name]):
        response = client.get(url)
        assert response.status_code == 200
        response.content  # noqa: B018 - rendering happens lazily
