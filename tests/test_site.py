"""The listener's site: pages, filters, sharing metadata, search, sitemap and freshness."""

import json
import re
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import RequestFactory
from lxml import html as lxml_html

from episodes.models import Episode
from episodes.search import highlight, search_episodes
from podcast.enclosures import audio_url, enclosure_url
from podcast.views import server_error
from tests.conftest import requires_postgresql
from tests.factories import (
    AppearanceFactory,
    ChapterFactory,
    EpisodeFactory,
    GuestFactory,
    ShowFactory,
    ShowLinkFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


def page(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, url
    return lxml_html.fromstring(response.content)


def test_home_with_one_show_is_that_show(client, show):
    ShowLinkFactory(show=show, platform="apple", url="https://podcasts.apple.com/x/id1")
    EpisodeFactory(show=show, title="Hello world")
    doc = page(client, "/")
    assert doc.findtext(".//h1") == "The Show"
    assert doc.xpath("//input[@readonly]/@value") == [show.feed_url]
    assert doc.xpath("//button[@data-copy]")
    assert "https://podcasts.apple.com/x/id1" in doc.xpath("//a/@href")
    assert "Hello world" in doc.text_content()


def test_home_with_several_shows_lists_them(client, show):
    other = ShowFactory(title="Other Show")
    doc = page(client, "/")
    assert doc.findtext(".//h1") == "Our podcasts"
    assert {show.get_absolute_url(), other.get_absolute_url()} <= set(doc.xpath("//h2/a/@href"))
    feeds = doc.xpath("//link[@rel='alternate'][@type='application/rss+xml']/@href")
    assert sorted(feeds) == sorted([show.feed_url, other.feed_url])


def listed(client, url: str) -> list[str]:
    return page(client, url).xpath("//article[@class='episode-card']//h3/a/text()")


def test_episode_filters_combine_and_live_in_the_url(client, show):
    ml, data = TagFactory(name="ML", slug="ml"), TagFactory(name="Data", slug="data")
    jane = GuestFactory(name="Jane", slug="jane")
    one = EpisodeFactory(show=show, title="One", season_number=1)
    two = EpisodeFactory(show=show, title="Two", season_number=1)
    three = EpisodeFactory(show=show, title="Three", season_number=2)
    one.tags.add(ml)
    two.tags.add(ml, data)
    three.tags.add(ml)
    AppearanceFactory(episode=two, guest=jane)
    AppearanceFactory(episode=three, guest=jane)
    base = f"/{show.slug}/episodes/"
    assert listed(client, base) == ["Three", "Two", "One"]
    assert listed(client, base + "?season=1") == ["Two", "One"]
    assert listed(client, base + "?season=1&tag=ml") == ["Two", "One"]
    assert listed(client, base + "?tag=ml&guest=jane") == ["Three", "Two"]
    assert listed(client, base + "?season=1&tag=data&guest=jane") == ["Two"]
    doc = page(client, base + "?season=2&guest=jane")
    assert doc.xpath("//select[@name='season']/option[@selected]/@value") == ["2"]
    assert doc.xpath("//select[@name='guest']/option[@selected]/@value") == ["jane"]
    seasons = doc.xpath("//nav[@aria-label='Seasons']//a/@href")
    assert seasons == [f"/{show.slug}/seasons/1/", f"/{show.slug}/seasons/2/"]
    for label in doc.xpath("//form[@class='filters']//select/@id"):
        assert doc.xpath(f"//label[@for='{label}']"), label


@pytest.mark.parametrize(
    "query",
    [
        "season=abc",
        "season=99",
        "season=-1",
        "tag=nope",
        "guest=%00",
        "season=1e3&tag[]=x",
        "tag=" + "x" * 5000,
    ],
)
def test_filter_values_that_match_nothing_offered_answer_404_and_say_so(client, show, query):
    EpisodeFactory(show=show, title="Only", season_number=1)
    response = client.get(f"/{show.slug}/episodes/?{query}")
    assert response.status_code == 404
    doc = lxml_html.fromstring(response.content)
    assert doc.xpath("//p[@id='filter-problem']/text()")[0].startswith("There is no ")
    assert doc.xpath("//article[@class='episode-card']") == []


@pytest.mark.parametrize("query", ["utm_source=x&fbclid=1", "tag[]=x", "season=&tag="])
def test_parameters_the_list_does_not_read_change_nothing(client, show, query):
    EpisodeFactory(show=show, title="Only", season_number=1)
    assert listed(client, f"/{show.slug}/episodes/?{query}") == ["Only"]


def test_filtered_pagination_keeps_the_filters_and_out_of_range_is_404(client, show, settings):
    settings.EPISODES_PER_PAGE = 2
    for _ in range(3):
        EpisodeFactory(show=show, season_number=4)
    EpisodeFactory(show=show, season_number=5)
    doc = page(client, f"/{show.slug}/episodes/?season=4")
    assert doc.xpath("//a[@rel='next']/@href") == ["?season=4&page=2"]
    second = page(client, f"/{show.slug}/episodes/?season=4&page=2")
    assert len(second.xpath("//article[@class='episode-card']")) == 1
    assert second.xpath("//link[@rel='canonical']/@href")[0].endswith("/episodes/?page=2")
    page(client, f"/{show.slug}/episodes/?season=4&page=3", status=404)


def test_season_page_lists_its_episodes_and_unknown_seasons_are_404(client, show):
    EpisodeFactory(show=show, title="In", season_number=2)
    EpisodeFactory(show=show, title="Out", season_number=3)
    EpisodeFactory(show=show, title="Draft", season_number=2, draft=True)
    doc = page(client, f"/{show.slug}/seasons/2/")
    assert doc.findtext(".//h1") == "Season 2"
    assert listed(client, f"/{show.slug}/seasons/2/") == ["In"]
    page(client, f"/{show.slug}/seasons/9/", status=404)
    page(client, f"/{show.slug}/seasons/0/", status=404)
    page(client, f"/{show.slug}/seasons/{'9' * 30}/", status=404)


def test_episode_page_has_everything_a_listener_needs(client, show):
    older = EpisodeFactory(show=show, title="Older")
    episode = EpisodeFactory(
        show=show,
        title="Middle",
        show_notes="At 12:34 we talk; at 1:02:03 we stop. Not [5:00](https://x.example) or `7:07`.",
        transcript_text="Hello there.",
    )
    newer = EpisodeFactory(show=show, title="Newer")
    EpisodeFactory(show=show, title="Draft", draft=True)
    ChapterFactory(episode=episode, start_time=90, title="Intro")
    guest = AppearanceFactory(episode=episode).guest
    doc = page(client, episode.get_absolute_url())
    assert doc.xpath("//audio[@controls]/@src") == [audio_url(episode)]
    assert doc.xpath("//a[@download]/@href") == [audio_url(episode)]
    notes = doc.xpath("//div[@class='show-notes']")[0]
    assert notes.xpath(".//a[@data-seek]/@data-seek") == ["754", "3723"]
    assert notes.xpath(".//a[@data-seek]/@href") == ["#t=754", "#t=3723"]
    assert notes.xpath(".//code/text()") == ["7:07"]
    assert doc.xpath("//section[@class='chapters']//a[@data-seek]/@data-seek") == ["90"]
    assert guest.get_absolute_url() in doc.xpath("//a/@href")
    assert doc.xpath("//a[@rel='prev']/@href") == [older.get_absolute_url()]
    assert doc.xpath("//a[@rel='next']/@href") == [newer.get_absolute_url()]
    assert "Hello there." in doc.xpath("string(//section[@class='transcript'])")


def test_timestamp_links_never_turn_editor_text_into_markup(client, show):
    notes = '<a title="12:34" href="https://x.example">x</a> <img src=x onerror=alert(1)> 3:21'
    episode = EpisodeFactory(show=show, show_notes=notes)
    body = client.get(episode.get_absolute_url()).content.decode()
    assert "onerror" not in body
    assert 'title="12:34"' in body
    assert '<a class="seek" href="#t=201" data-seek="201">3:21</a>' in body


def test_guest_and_tag_pages(client, show):
    guest = GuestFactory(name="Dr. Jane Smith", title="Lead", organisation="Lab", bio="**Bio**")
    tag = TagFactory(name="MLOps")
    episode = EpisodeFactory(show=show, title="Seen")
    hidden = EpisodeFactory(show=show, title="Hidden", draft=True)
    episode.tags.add(tag)
    hidden.tags.add(tag)
    AppearanceFactory(episode=episode, guest=guest)
    AppearanceFactory(episode=hidden, guest=guest)
    doc = page(client, guest.get_absolute_url())
    assert doc.findtext(".//h1") == "Dr. Jane Smith"
    assert "Lead at Lab" in doc.text_content()
    assert doc.xpath("//div[@class='bio']//strong/text()") == ["Bio"]
    assert listed(client, guest.get_absolute_url()) == ["Seen"]
    assert listed(client, tag.get_absolute_url()) == ["Seen"]


def test_every_page_has_title_description_canonical_and_the_feed_link(client, show, settings):
    settings.SITE_URL = "https://pod.example"
    show.language = "de"
    show.save()
    tag = TagFactory()
    guest = GuestFactory()
    episode = EpisodeFactory(show=show, season_number=1)
    episode.tags.add(tag)
    AppearanceFactory(episode=episode, guest=guest)
    urls = [
        "/",
        show.get_absolute_url(),
        f"/{show.slug}/episodes/",
        f"/{show.slug}/seasons/1/",
        episode.get_absolute_url(),
        guest.get_absolute_url(),
        tag.get_absolute_url(),
        "/search/?q=episode",
    ]
    for url in urls:
        doc = page(client, url)
        assert doc.findtext(".//title").strip(), url
        assert doc.xpath("//meta[@name='description']/@content")[0].strip(), url
        canonical = "https://pod.example" + (url.split("?")[0] if url != "/" else "/the-show/")
        assert doc.xpath("//link[@rel='canonical']/@href") == [canonical]
        feeds = doc.xpath("//link[@rel='alternate'][@type='application/rss+xml']/@href")
        assert feeds == ["https://pod.example/the-show/feed.xml"], url
        assert doc.get("lang") == "de", url
        assert doc.xpath("//header") and doc.xpath("//nav") and doc.xpath("//main"), url
        assert doc.xpath("//footer"), url
        assert len(doc.xpath("//h1")) == 1, url
        assert doc.xpath("//form[@role='search']//input[@name='q']/@id"), url


def json_ld(doc) -> dict:
    (script,) = doc.xpath("//script[@type='application/ld+json']/text()")
    return json.loads(script)


def test_show_and_episode_carry_json_ld_and_open_graph(client, show, settings):
    settings.SITE_URL = "https://pod.example"
    episode = EpisodeFactory(
        show=show, title="</script><script>alert(1)</script>", episode_number=7
    )
    doc = page(client, show.get_absolute_url())
    series = json_ld(doc)
    assert series["@type"] == "PodcastSeries"
    assert series["webFeed"] == "https://pod.example/the-show/feed.xml"
    body = client.get(episode.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in body
    doc = lxml_html.fromstring(body)
    data = json_ld(doc)
    assert data["@type"] == "PodcastEpisode"
    assert data["name"] == episode.title
    assert data["episodeNumber"] == 7
    assert data["associatedMedia"]["contentUrl"] == episode.enclosure_url
    assert doc.xpath("//meta[@property='og:audio']/@content") == [enclosure_url(episode)]
    assert doc.xpath("//meta[@property='og:title']/@content") == [episode.title]
    assert doc.xpath("//meta[@name='twitter:card']/@content")


def test_staff_preview_of_a_draft_is_marked_and_never_cached(client, editor_client, show):
    draft = EpisodeFactory(show=show, draft=True)
    response = editor_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "not public yet" in response.content.decode()
    assert not response.has_header("ETag")
    assert "Cookie" in response["Vary"]
    assert client.get(draft.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("path", ["", "episodes/", "seasons/1/", "episodes/{slug}/"])
def test_published_pages_answer_conditional_requests_with_304(client, show, path, settled):
    episode = EpisodeFactory(show=show, season_number=1)
    settled.tick()
    url = f"/{show.slug}/" + path.format(slug=episode.slug)
    first = client.get(url)
    assert first.status_code == 200
    assert first.has_header("Last-Modified")
    assert "Cookie" in first["Vary"]
    again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    since = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304
    episode.title = "Changed"
    episode.save()
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 200


def test_site_wide_pages_answer_304_until_something_changes(client, show):
    tag = TagFactory()
    episode = EpisodeFactory(show=show)
    episode.tags.add(tag)
    first = client.get(tag.get_absolute_url())
    assert (
        client.get(tag.get_absolute_url(), headers={"If-None-Match": first["ETag"]}).status_code
        == 304
    )
    EpisodeFactory(show=show)
    assert (
        client.get(tag.get_absolute_url(), headers={"If-None-Match": first["ETag"]}).status_code
        == 200
    )


def test_sitemap_lists_published_content_only_and_robots_names_it(client, show, settings):
    settings.SITE_URL = "https://pod.example"
    public = EpisodeFactory(show=show)
    draft = EpisodeFactory(show=show, draft=True)
    future = EpisodeFactory(show=show, scheduled=True)
    secret_guest = GuestFactory()
    AppearanceFactory(episode=draft, guest=secret_guest)
    host = GuestFactory()  # a host has a public page, heard in an episode or not
    show.hosts.add(host)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    body = response.content.decode()
    assert f"https://pod.example{public.get_absolute_url()}" in body
    assert f"https://pod.example{show.get_absolute_url()}" in body
    assert draft.get_absolute_url() not in body
    assert future.get_absolute_url() not in body
    assert secret_guest.get_absolute_url() not in body
    assert f"https://pod.example{host.get_absolute_url()}" in body
    assert client.get(host.get_absolute_url()).status_code == 200
    robots = client.get("/robots.txt")
    assert robots["Content-Type"].startswith("text/plain")
    assert "Sitemap: https://pod.example/sitemap.xml" in robots.content.decode()


def test_not_found_is_friendly_and_the_500_page_needs_no_database(
    client, django_assert_num_queries
):
    doc = page(client, "/nowhere/at/all/", status=404)
    assert "couldn't find" in doc.findtext(".//h1")
    assert doc.xpath("//form[@role='search']")
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert b"site.css" in response.content


def search(client, query: str) -> list[str]:
    return listed(client, "/search/?q=" + query)


def test_search_finds_titles_notes_transcripts_and_guests_but_never_drafts(client, show):
    EpisodeFactory(show=show, title="Feature stores explained", summary="", show_notes="")
    EpisodeFactory(show=show, title="B", summary="", show_notes="We discuss kubernetes a lot.")
    EpisodeFactory(show=show, title="C", summary="", show_notes="", transcript_text="quantisation")
    guest = EpisodeFactory(show=show, title="D", summary="", show_notes="")
    AppearanceFactory(episode=guest, guest=GuestFactory(name="Priya Natarajan"))
    EpisodeFactory(show=show, title="Secret kubernetes", draft=True)
    assert search(client, "feature stores") == ["Feature stores explained"]
    assert search(client, "kubernetes") == ["B"]
    assert search(client, "quantisation") == ["C"]
    assert search(client, "Natarajan") == ["D"]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        '"unbalanced',
        "a & | ! ( )",
        "100%",
        "%00",
        "x%00y",
        "-",
        "OR",
        "'; drop table",
        "é" * 10,
    ],
)
def test_odd_search_queries_never_fail(client, show, query):
    EpisodeFactory(show=show)
    assert client.get("/search/?q=" + query).status_code == 200


def test_very_long_search_queries_are_cut_not_fatal(client, show):
    EpisodeFactory(show=show, title="Long")
    assert client.get("/search/", {"q": "long " * 2048}).status_code == 200


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("-" * 33, []),  # PostgreSQL: "tsquery stack too small"
        ("- " * 40, []),
        ("kubernetes " + "-" * 40, ["B"]),
        ("kubernetes " + "!" * 60 + " (((((((((((((((((((((((((((((((((((", ["B"]),
        ("kubernetes " + "-- " * 40, ["B"]),
        ("kubernetes or or or or or or or or or or or or or or or or or or or or or or or", ["B"]),
        ('kubernetes """""""""""""""""""""""""""""""""""""""""""""""""""""""""', ["B"]),
        ("kubernetes " + "-a " * 60, ["B"]),
        ("kubernetes " + "a-" * 80, []),
        ("or kubernetes or quantisation or", ["B", "C"]),
        ('"feature stores" -kubernetes', ["Feature stores explained"]),
    ],
)
def test_search_with_any_operator_soup_gives_results_or_none(client, show, query, found):
    EpisodeFactory(show=show, title="Feature stores explained", summary="", show_notes="")
    EpisodeFactory(show=show, title="B", summary="", show_notes="We discuss kubernetes a lot.")
    EpisodeFactory(show=show, title="C", summary="", show_notes="", transcript_text="quantisation")
    before = Episode.objects.count()
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    if connection.vendor == "postgresql":
        assert sorted(search(client, quote(query))) == found
    assert Episode.objects.count() == before


def drift_episodes(show) -> None:
    EpisodeFactory(show=show, title="Other", show_notes="A passing mention of drift.")
    EpisodeFactory(
        show=show, title="Drift, drift and drift", summary="<b>drift</b> <script>x</script>"
    )


def test_search_ranks_and_highlights_on_postgresql(client, show):
    requires_postgresql("Ranked full-text search with highlighted snippets is PostgreSQL's")
    drift_episodes(show)
    doc = page(client, "/search/?q=drift")
    assert doc.xpath("//article//h3/a/text()") == ["Drift, drift and drift", "Other"]
    snippet = doc.xpath("//p[@class='snippet']")[0]
    assert snippet.xpath(".//mark/text()")
    assert not snippet.xpath(".//b | .//script")
    markup = lxml_html.tostring(snippet, encoding="unicode")
    assert set(re.findall(r"</?(\w+)", markup)) == {"p", "mark"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'episode_search_idx'")
        assert "gin" in cursor.fetchone()[0].lower()
        # With a handful of rows the planner prefers scanning; forbid it to see the index is usable.
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = search_episodes(Episode.objects.published(), "drift").explain()
    assert "episode_search_idx" in plan


def test_search_without_postgresql_finds_the_same_episodes_unranked(client, show):
    if connection.vendor == "postgresql":
        pytest.skip("The fallback search for databases without full-text search (SQLite)")
    drift_episodes(show)
    doc = page(client, "/search/?q=drift")
    assert sorted(doc.xpath("//article//h3/a/text()")) == ["Drift, drift and drift", "Other"]
    assert not doc.xpath("//script[not(@src)][not(@type)]")


def test_snippet_marks_are_the_only_html():
    assert highlight("<b>a</b> \ue000drift\ue001 & more") == (
        "&lt;b&gt;a&lt;/b&gt; <mark>drift</mark> &amp; more"
    )
    assert highlight("\ue001x\ue000y\ue000z") == "x<mark>yz</mark>"


def test_robots_does_not_give_away_a_custom_admin_path(client, settings, db):
    assert "Disallow: /admin/" in client.get("/robots.txt").content.decode()
    settings.ADMIN_PATH = "backstage-7f3a/"
    body = client.get("/robots.txt").content.decode()
    assert "backstage" not in body
    assert "admin" not in body


def test_guests_and_topics_of_drafts_only_are_not_public_yet(client, show, editor_client):
    draft = EpisodeFactory(show=show, draft=True)
    appearance = AppearanceFactory(episode=draft)
    tag = TagFactory()
    draft.tags.add(tag)
    guest_url, tag_url = appearance.guest.get_absolute_url(), tag.get_absolute_url()
    assert client.get(guest_url).status_code == 404
    assert client.get(tag_url).status_code == 404
    assert editor_client.get(guest_url).status_code == 200
    assert editor_client.get(tag_url).status_code == 200
    draft.status, draft.pub_date = "published", draft.created
    draft.save()
    assert client.get(guest_url).status_code == 200
    assert client.get(tag_url).status_code == 200
