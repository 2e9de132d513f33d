"""The Content-Security-Policy holds in a real browser, on our pages and in the admin."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in_as_editor

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

# Playwright's init scripts run outside the page's CSP, so this listener sees every violation.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def watched(page: Page) -> Page:
    """The conftest's page (console errors fail the test) that also records CSP violations."""
    page.add_init_script(RECORD_VIOLATIONS)
    return page


def assert_no_violations(page: Page) -> None:
    assert page.evaluate("window.__cspViolations") == [], page.url
    assert page.console_errors == [], page.url


def test_public_pages_run_without_csp_violations(watched: Page, site):
    episode = site["episodes"][0]
    urls = [
        "/",
        site["show"].get_absolute_url(),
        reverse("episodes:list", kwargs={"show": "signal-path"}),
        reverse("episodes:season", kwargs={"show": "signal-path", "number": 1}),
        episode.get_absolute_url(),
        site["guest"].get_absolute_url(),
        site["tags"][0].get_absolute_url(),
        reverse("episodes:search") + "?q=microphone",
    ]
    for url in urls:
        response = watched.goto(url)
        assert response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert_no_violations(watched)
    # The site's own script still works under the policy: a timestamp seeks the player.
    watched.goto(episode.get_absolute_url())
    watched.locator(".show-notes a.seek", has_text="0:07").click()
    watched.wait_for_function("() => document.querySelector('audio').currentTime >= 7")
    assert_no_violations(watched)


def test_admin_and_markdown_editor_work_under_the_csp(watched: Page, site, editor):
    page = watched
    log_in_as_editor(page)
    assert_no_violations(page)

    # The markdownx editor renders its live preview through the staff-only endpoint.
    episode = site["episodes"][0]
    page.goto(reverse("admin:episodes_episode_change", args=[episode.pk]))
    page.locator("textarea#id_show_notes").fill("## Preview heading\n\nSome **bold** words")
    preview = page.locator(".markdownx-preview").first
    expect(preview.locator("h2")).to_have_text("Preview heading")
    expect(preview.locator("strong")).to_have_text("bold")
    # The collapsed "Identity" fieldset opens through the admin's own script.
    page.locator("fieldset.collapse summary").first.click()
    expect(page.locator("div.field-guid").first).to_be_visible()
    assert_no_violations(page)

    # A new show: the admin's slug prepopulation and autocomplete widgets run.
    page.goto(reverse("admin:episodes_show_add"))
    page.fill("#id_title", "Brand New Show")
    page.locator("#id_title").blur()
    expect(page.locator("#id_slug")).to_have_value("brand-new-show")
    assert page.locator(".select2-container").count() > 0
    assert_no_violations(page)

    for url in (
        reverse("admin:episodes_episode_changelist"),
        reverse("admin:guests_guest_change", args=[site["guest"].pk]),
        reverse("admin:episodes_episode_add"),
        reverse("admin:episodes_tag_changelist"),
    ):
        assert page.goto(url).status == 200
        assert_no_violations(page)
