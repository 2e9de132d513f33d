"""The Content-Security-Policy holds in a real browser, on our pages and in the admin."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.urls import reverse

from tests.factories import AppearanceFactory, EpisodeFactory, TagFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# Playwright's init scripts run outside the page's CSP, so this listener sees every violation.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@contextmanager
def browser_page() -> Iterator:
    """A Chromium page that records CSP violations, script errors and failed requests.

    Playwright's sync API runs an event loop in this thread, so tests look everything up in the
    database first and open the browser last.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.add_init_script(RECORD_VIOLATIONS)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if "Security Policy" in m.text else None)
        page.on("pageerror", lambda exc: errors.append(f"script error: {exc}"))
        # Browsers ask for /favicon.ico by themselves; every other failed resource is a defect.
        page.on(
            "response",
            lambda r: (
                errors.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico")
                else None
            ),
        )
        page.errors = errors
        try:
            yield page
        finally:
            browser.close()


def assert_no_violations(page) -> None:
    assert page.evaluate("window.__cspViolations") == [], page.url
    assert page.errors == [], page.url


@pytest.fixture
def content(db):
    episode = EpisodeFactory(
        show__slug="the-show", show_notes="## Notes\n\n[a link](https://example.com) and *more*"
    )
    AppearanceFactory(episode=episode)
    episode.tags.add(TagFactory())
    return episode


def test_public_pages_run_without_csp_violations(live_server, content):
    urls = [
        "/",
        content.show.get_absolute_url(),
        reverse("episodes:list", kwargs={"show": content.show.slug}),
        content.get_absolute_url(),
        content.appearances.first().guest.get_absolute_url(),
        content.tags.first().get_absolute_url(),
    ]
    with browser_page() as page:
        for url in urls:
            response = page.goto(live_server.url + url)
            assert response.status == 200, url
            assert "script-src 'self'" in response.headers["content-security-policy"]
            assert_no_violations(page)


def test_admin_and_markdown_editor_work_under_the_csp(live_server, content, editor):
    guest_url = reverse("admin:guests_guest_change", args=[content.appearances.first().guest.pk])
    with browser_page() as page:
        use_the_admin(page, live_server.url, content, guest_url)


def use_the_admin(page, base: str, content, guest_url: str) -> None:
    page.goto(base + reverse("admin:login"))
    page.fill("#id_username", "editor")
    page.fill("#id_password", "editor-pass-123")
    page.click("input[type=submit]")
    page.wait_for_url(base + reverse("admin:index"))
    assert_no_violations(page)

    # The markdownx editor renders its live preview through the staff-only endpoint.
    page.goto(base + reverse("admin:episodes_episode_change", args=[content.pk]))
    editor_box = page.locator("textarea#id_show_notes")
    editor_box.fill("## Preview heading\n\nSome **bold** words")
    preview = page.locator(".markdownx-preview").first
    preview.locator("h2", has_text="Preview heading").wait_for(timeout=10_000)
    assert preview.locator("strong").inner_text() == "bold"
    # The collapsed "Identity" fieldset opens through the admin's own script.
    page.locator("fieldset.collapse summary").first.click()
    assert page.locator("div.field-guid").first.is_visible()
    assert_no_violations(page)

    # A new show: the admin's slug prepopulation and autocomplete widgets run.
    page.goto(base + reverse("admin:episodes_show_add"))
    page.fill("#id_title", "Brand New Show")
    page.locator("#id_title").blur()
    assert page.input_value("#id_slug") == "brand-new-show"
    assert page.locator(".select2-container").count() > 0
    assert_no_violations(page)

    for url in (
        reverse("admin:episodes_episode_changelist"),
        guest_url,
        reverse("admin:episodes_episode_add"),
    ):
        assert page.goto(base + url).status == 200
        assert_no_violations(page)
