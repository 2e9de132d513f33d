from datetime import timedelta

import pytest
from django.utils import timezone

from guests.models import GuestLink
from tests.factories import AppearanceFactory, EpisodeFactory, ShowFactory

pytestmark = pytest.mark.django_db


def pages(episode) -> list[str]:
    show = episode.show.slug
    return ["/", f"/{show}/", f"/{show}/episodes/", episode.get_absolute_url()]


def test_a_repeated_page_costs_one_query(client, episode, django_assert_num_queries):
    first = client.get(episode.get_absolute_url())
    with django_assert_num_queries(1):
        again = client.get(episode.get_absolute_url())
    assert again.status_code == 200
    assert again.content == first.content


@pytest.mark.parametrize("index", range(4))
def test_an_edit_is_shown_at_once(client, episode, index):
    url = pages(episode)[index]
    assert episode.title in client.get(url).content.decode()
    episode.title = "A better title"
    episode.save()
    assert "A better title" in client.get(url).content.decode()


def test_a_guest_edit_is_shown_at_once(client, episode):
    appearance = AppearanceFactory(episode=episode)
    url = episode.get_absolute_url()
    assert appearance.guest.name in client.get(url).content.decode()
    appearance.guest.name = "Renamed Person"
    appearance.guest.save()
    assert "Renamed Person" in client.get(url).content.decode()


def test_a_guests_links_added_changed_or_removed_are_shown_at_once(client, episode):
    guest = AppearanceFactory(episode=episode).guest
    url = guest.get_absolute_url()
    first = client.get(url)
    assert "mastodon.example" not in first.content.decode()
    etags = {first["ETag"]}

    def shown(etag: str) -> str:
        response = client.get(url, headers={"if-none-match": etag})
        assert response.status_code == 200  # not 304: the page changed
        assert response["ETag"] not in etags
        etags.add(response["ETag"])
        return response.content.decode()

    link = GuestLink.objects.create(guest=guest, kind="mastodon", url="https://mastodon.example/@a")
    assert "https://mastodon.example/@a" in shown(first["ETag"])
    etag = client.get(url)["ETag"]
    link.url = "https://mastodon.example/@renamed"
    link.save()
    assert "https://mastodon.example/@renamed" in shown(etag)
    etag = client.get(url)["ETag"]
    link.delete()
    assert "mastodon.example" not in shown(etag)
    assert "mastodon.example" not in client.get(url).content.decode()


def test_unchanged_page_answers_304_and_an_edit_ends_it(client, episode):
    url = f"/{episode.show.slug}/episodes/"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    episode.save()
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != etag


def test_a_scheduled_episode_appears_when_due(client, show, monkeypatch):
    EpisodeFactory(show=show, title="Already out")
    EpisodeFactory(show=show, title="Coming soon", pub_date=timezone.now() + timedelta(hours=1))
    url = f"/{show.slug}/episodes/"
    assert "Coming soon" not in client.get(url).content.decode()
    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "Coming soon" in client.get(url).content.decode()


def test_staff_preview_is_never_served_to_the_public(client, editor_client, show):
    draft = EpisodeFactory(show=show, draft=True, title="Secret draft")
    url = draft.get_absolute_url()
    assert "Secret draft" in editor_client.get(url).content.decode()
    assert client.get(url).status_code == 404
    assert "Secret draft" not in client.get(f"/{show.slug}/episodes/").content.decode()


def test_a_new_show_changes_the_network_home(client, show):
    EpisodeFactory(show=show)
    client.get("/")
    ShowFactory(title="Second Show", slug="second")
    assert "Second Show" in client.get("/").content.decode()


def test_unknown_show_and_page_still_404(client, episode):
    assert client.get("/nope/episodes/").status_code == 404
    assert client.get(f"/{episode.show.slug}/episodes/?page=99").status_code == 404


@pytest.fixture
def stored_pages(monkeypatch):
    """The keys of every page the cache stores from here on."""
    from django.core.cache import cache

    keys, store = [], cache.set

    def counting_set(key, *args, **kwargs):
        if key.startswith("page:"):
            keys.append(key)
        return store(key, *args, **kwargs)

    monkeypatch.setattr(cache, "set", counting_set)
    return keys


def test_parameters_a_page_does_not_use_make_no_pages_of_their_own(
    client, episode, stored_pages, django_assert_num_queries
):
    url = f"/{episode.show.slug}/episodes/"
    plain = client.get(url).content
    for n in range(30):
        with django_assert_num_queries(1):  # the stamp; the page itself comes from the cache
            response = client.get(url, {"utm_source": f"x{n}", "fbclid": n, "page": "1"})
        assert response.content == plain
    assert len(stored_pages) == 1
    for other in ("/", episode.get_absolute_url(), f"/{episode.show.slug}/"):
        first = client.get(other).content
        assert client.get(other, {"utm_campaign": "spring", "_": "123"}).content == first
    assert len(stored_pages) == 4


def test_parameters_a_page_uses_are_normalised(client, show, stored_pages, settings):
    settings.EPISODES_PER_PAGE = 1
    EpisodeFactory(show=show, season_number=2)
    EpisodeFactory(show=show, season_number=2)
    url = f"/{show.slug}/episodes/"
    second = client.get(url, {"page": "2", "season": "2"}).content
    for query in ("page=02&season=2", "season=+2+&page=002", "page=2&season=2&ref=x"):
        assert client.get(f"{url}?{query}").content == second
    assert len(stored_pages) == 1
    # Links on the page carry what the page uses, never the rest.
    page = client.get(f"{url}?page=2&season=2&utm_source=newsletter").content.decode()
    assert "utm_source" not in page


def test_a_filter_value_that_does_not_exist_is_not_cached(client, episode, stored_pages):
    url = f"/{episode.show.slug}/episodes/"
    client.get(url)
    for n in range(20):
        response = client.get(url, {"tag": f"no-such-tag-{n}", "guest": f"nobody-{n}"})
        assert response.status_code == 404
    assert len(stored_pages) == 1


def test_search_pages_are_keyed_by_the_cleaned_query(client, episode, stored_pages):
    first = client.get("/search/", {"q": "episode"}).content
    for query in ("  episode ", "episode\x00", "episode", "episode&utm_source=x"):
        assert client.get(f"/search/?q={query}").content == first
    assert len(stored_pages) == 1


def test_searches_that_find_nothing_are_not_cached(client, episode, stored_pages):
    for n in range(20):
        response = client.get("/search/", {"q": f"zzqx{n}"})
        assert response.status_code == 200 and b"Nothing matched" in response.content
    assert stored_pages == []
