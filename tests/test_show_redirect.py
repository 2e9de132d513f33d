import feedparser
import pytest

from episodes.models import ShowRedirect
from tests.factories import EpisodeFactory, ShowFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def renamed(show):
    episode = EpisodeFactory(show=show, slug="first")
    guid = show.podcast_guid
    show.slug = "new-name"
    show.save()
    return show, episode, guid


def test_old_feed_url_answers_301_to_the_new_one_and_identity_stays(client, renamed):
    show, episode, guid = renamed
    response = client.get("/the-show/feed.xml")
    assert response.status_code == 301
    assert response["Location"] == "/new-name/feed.xml"
    feed = client.get(response["Location"])
    parsed = feedparser.parse(feed.content)
    assert parsed.bozo == 0
    assert [entry.id for entry in parsed.entries] == [episode.guid]
    show.refresh_from_db()
    assert show.podcast_guid == guid


def test_old_page_urls_answer_301_with_their_query(client, renamed):
    response = client.get("/the-show/episodes/first/")
    assert (response.status_code, response["Location"]) == (301, "/new-name/episodes/first/")
    response = client.get("/the-show/episodes/?season=1")
    assert response["Location"] == "/new-name/episodes/?season=1"
    assert client.get("/the-show/").status_code == 301


def test_unknown_paths_under_an_old_slug_still_end_in_404(client, renamed):
    response = client.get("/the-show/episodes/nope/", follow=True)
    assert response.status_code == 404


def test_renaming_twice_and_back_keeps_every_old_address_working(client, renamed):
    show, _, _ = renamed
    show.slug = "third-name"
    show.save()
    assert client.get("/the-show/feed.xml")["Location"] == "/third-name/feed.xml"
    assert client.get("/new-name/feed.xml")["Location"] == "/third-name/feed.xml"
    show.slug = "the-show"
    show.save()
    assert client.get("/the-show/feed.xml").status_code == 200
    assert not ShowRedirect.objects.filter(slug="the-show").exists()
    assert client.get("/third-name/feed.xml")["Location"] == "/the-show/feed.xml"


def test_a_former_slug_stays_with_its_show(renamed):
    from django.core.exceptions import ValidationError

    other = ShowFactory.build(slug="the-show", title="Another")
    with pytest.raises(ValidationError, match="used this address before"):
        other.full_clean()
