"""The embeddable player, its oEmbed endpoint and the tags that point other sites at it."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from lxml import html

from podcast.enclosures import audio_url, enclosure_url
from tests.factories import ChapterFactory, EpisodeFactory

pytestmark = pytest.mark.django_db
SITE = "http://127.0.0.1:8000"


def policy(response) -> dict[str, str]:
    return dict(d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";"))


@pytest.fixture
def playable(show):
    episode = EpisodeFactory(show=show, slug="the-one", title="The one")
    ChapterFactory(episode=episode, start_time=0, title="Hello")
    return episode


def test_the_embed_may_be_framed_anywhere_and_nothing_else_may(client, playable):
    for url in ["/embed/the-show/the-one/", "/embed/the-show/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "X-Frame-Options" not in response, url
        directives = policy(response)
        assert directives["frame-ancestors"] == "*", url
        assert directives["script-src"] == "'self'" and "unsafe" not in str(directives), url
    page = client.get(playable.get_absolute_url())
    assert page["X-Frame-Options"] == "DENY"
    assert policy(page)["frame-ancestors"] == "'none'"


def test_the_embed_shows_player_artwork_chapters_and_a_link_back(client, playable):
    tree = html.fromstring(client.get("/embed/the-show/the-one/").content)
    assert tree.xpath("//audio[@controls]/@src") == [audio_url(playable)]
    assert tree.xpath("//h1//a/@href") == [SITE + playable.get_absolute_url()]
    assert tree.xpath("//a/@target") and set(tree.xpath("//a/@target")) == {"_blank"}
    assert tree.xpath("//li[@data-chapter-start='0']//text()")[-1].strip() == "Hello"
    assert not tree.xpath("//*[@style]") and not tree.xpath("//script[not(@src)]")


def test_the_latest_embed_follows_the_newest_episode(client, playable):
    assert b"The one" in client.get("/embed/the-show/").content
    EpisodeFactory(show=playable.show, title="Brand new")
    assert b"Brand new" in client.get("/embed/the-show/").content


def test_drafts_unknown_shows_and_silent_episodes_have_no_embed(client, show):
    EpisodeFactory(show=show, slug="draft", draft=True)
    EpisodeFactory(show=show, slug="silent", audio_url="")
    assert client.get("/embed/the-show/draft/").status_code == 404
    assert client.get("/embed/the-show/silent/").status_code == 404
    assert client.get("/embed/the-show/").status_code == 404
    assert client.get("/embed/nope/").status_code == 404


def oembed(client, **params):
    return client.get(reverse("oembed") + "?" + urlencode(params))


def test_oembed_describes_an_episode_with_its_iframe(client, playable):
    response = oembed(client, url=SITE + playable.get_absolute_url(), maxwidth=400)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    assert (data["version"], data["type"], data["title"]) == ("1.0", "rich", "The one")
    assert (data["width"], data["height"]) == (400, 420)
    frame = html.fragment_fromstring(data["html"])
    assert frame.tag == "iframe"
    assert frame.get("src") == SITE + "/embed/the-show/the-one/"
    assert frame.get("width") == "400" and frame.get("title") == "The one · The Show"
    show = oembed(client, url=SITE + playable.show.get_absolute_url()).json()
    assert html.fragment_fromstring(show["html"]).get("src") == SITE + "/embed/the-show/"


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"url": "https://elsewhere.example/the-show/episodes/the-one/"}, 404),
        ({"url": SITE + "/search/"}, 404),
        ({"url": SITE + "/the-show/episodes/nope/"}, 404),
        ({"url": SITE + "/no/such/page/at/all/"}, 404),
        ({"url": SITE + "/the-show/episodes/the-one/", "format": "xml"}, 501),
        ({}, 404),
    ],
)
def test_oembed_refuses_what_it_cannot_embed(client, playable, params, status):
    assert oembed(client, **params).status_code == status


def test_episode_pages_offer_oembed_discovery_player_cards_and_the_embed_code(client, playable):
    tree = html.fromstring(client.get(playable.get_absolute_url()).content)
    (link,) = tree.xpath("//link[@type='application/json+oembed']")
    assert link.get("href").startswith(SITE + "/oembed/?url=")
    assert client.get(link.get("href").removeprefix(SITE)).json()["title"] == "The one"
    meta = {m.get("name") or m.get("property"): m.get("content") for m in tree.iter("meta")}
    assert meta["twitter:card"] == "player"
    assert meta["twitter:player"] == SITE + "/embed/the-show/the-one/"
    assert meta["twitter:player:stream"] == enclosure_url(playable)
    assert meta["og:video"] == SITE + "/embed/the-show/the-one/"
    assert meta["og:video:type"] == "text/html"
    assert (meta["twitter:player:width"], meta["twitter:player:height"]) == ("600", "420")
    (code,) = tree.xpath("//textarea[@id='embed-code']/text()")
    assert html.fragment_fromstring(code).get("src") == SITE + "/embed/the-show/the-one/"


def test_show_pages_offer_the_latest_episode_embed(client, playable):
    tree = html.fromstring(client.get(playable.show.get_absolute_url()).content)
    (link,) = tree.xpath("//link[@type='application/json+oembed']")
    assert client.get(link.get("href").removeprefix(SITE)).status_code == 200
    (code,) = tree.xpath("//textarea[@id='embed-code']/text()")
    assert html.fragment_fromstring(code).get("src") == SITE + "/embed/the-show/"


def test_a_renamed_shows_old_embed_addresses_follow_it(client, playable):
    show = playable.show
    show.slug = "renamed"
    show.save()
    moved = client.get("/embed/the-show/the-one/")
    assert (moved.status_code, moved["Location"]) == (301, "/embed/renamed/the-one/")
    latest = client.get("/embed/the-show/")
    assert (latest.status_code, latest["Location"]) == (301, "/embed/renamed/")
    assert client.get("/embed/renamed/the-one/").status_code == 200
    old_page = oembed(client, url=SITE + "/the-show/episodes/the-one/").json()
    assert html.fragment_fromstring(old_page["html"]).get("src") == SITE + "/embed/renamed/the-one/"
