"""axe-core finds no WCAG 2.1 AA or best-practice violation on any public page, in either theme."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page

from episodes.models import Episode
from tests import factories
from tests.browser.a11y import axe_violations

pytestmark = pytest.mark.browser


def public_pages(site: dict) -> list[tuple[str, int]]:
    """Every kind of page a listener can reach, with the status it answers."""
    show, episode, guest, tag = site["show"], site["episodes"][0], site["guest"], site["tags"][0]
    episodes = reverse("episodes:list", kwargs={"show": show.slug})
    return [
        ("/", 200),
        (show.get_absolute_url(), 200),
        (episodes, 200),
        (f"{episodes}?season=1&tag={tag.slug}&guest={guest.slug}", 200),
        (f"{episodes}?season=9", 404),
        (reverse("episodes:season", kwargs={"show": show.slug, "number": 1}), 200),
        (episode.get_absolute_url(), 200),
        (guest.get_absolute_url(), 200),
        (tag.get_absolute_url(), 200),
        (reverse("episodes:search"), 200),
        (reverse("episodes:search") + "?q=microphone", 200),
        (reverse("episodes:search") + "?q=zzzz", 200),
        ("/no-such-page/", 404),
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_public_page_has_no_axe_violations(page: Page, site, scheme):
    page.emulate_media(color_scheme=scheme)
    found = {}
    for url, status in public_pages(site):
        assert page.goto(url).status == status, url
        if violations := axe_violations(page):
            found[url] = [
                f"{v['id']} ({v['impact']}): {v['help']} at {v['targets']}" for v in violations
            ]
    page.console_errors.clear()  # the 404s themselves are reported as console errors
    assert found == {}, "\n".join(f"{url}: {problems}" for url, problems in found.items())


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_home_page_of_several_shows_has_no_axe_violations(page: Page, site, scheme):
    factories.ShowFactory(slug="second-show", title="Second Show")
    page.emulate_media(color_scheme=scheme)
    page.goto("/")
    assert axe_violations(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_demos_pages_have_no_axe_violations(page: Page, transactional_db, editor, scheme):
    """Real show notes (headings, lists, links), chapters, a transcript and several guests.

    (`editor` remakes the Editors group, which the demo's login joins, after earlier flushes.)
    """
    call_command("demo", stdout=io.StringIO())
    sample = Episode.objects.get(slug="the-challenges-of-ml-engineering-in-production")
    guest = sample.guests.order_by("name").first()
    page.emulate_media(color_scheme=scheme)
    found = {}
    for url in (
        "/",
        "/shipping-ml/episodes/",
        "/shipping-ml/seasons/2/",
        sample.get_absolute_url(),
        guest.get_absolute_url(),
        sample.tags.first().get_absolute_url(),
        "/search/?q=drift",
    ):
        assert page.goto(url).status == 200, url
        if violations := axe_violations(page):
            found[url] = [f"{v['id']}: {v['help']} at {v['targets']}" for v in violations]
    assert found == {}, "\n".join(f"{url}: {problems}" for url, problems in found.items())
