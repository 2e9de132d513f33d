import re

import pytest
from django.urls import reverse

from podcast.markdown import render
from tests.factories import AppearanceFactory, EpisodeFactory, GuestFactory

HOSTILE = (
    "Hello <script>alert('x')</script>\n\n"
    '<img src="x.png" onerror="alert(1)">\n\n'
    "[click me](javascript:alert(1))\n\n"
    '<a href="JaVaScRiPt:alert(2)">again</a> <iframe src="https://evil.example"></iframe>'
)


def assert_clean(html: str) -> None:
    lowered = html.lower()
    assert "<script" not in lowered
    assert "onerror" not in lowered
    assert "javascript:" not in lowered
    assert "<iframe" not in lowered


def test_render_strips_scripts_handlers_and_javascript_links():
    html = render(HOSTILE)
    assert_clean(html)
    assert "Hello" in html
    assert "<img" in html  # the harmless part survives


def test_render_keeps_ordinary_markdown():
    html = render("## Heading\n\n- item\n\n[link](https://example.com) **bold**")
    assert "<h2>Heading</h2>" in html
    assert '<a href="https://example.com"' in html
    assert "<strong>bold</strong>" in html


@pytest.mark.django_db
def test_episode_page_never_shows_hostile_markdown(client, show):
    episode = EpisodeFactory(show=show, show_notes=HOSTILE, title="<b>Title</b>")
    response = client.get(episode.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    notes = body.split('class="show-notes"', 1)[1]
    assert_clean(notes)
    assert "<b>Title</b>" not in body


@pytest.mark.django_db
def test_guest_bio_is_sanitised(client, show):
    from tests.factories import AppearanceFactory

    guest = GuestFactory(bio=HOSTILE)
    AppearanceFactory(episode=EpisodeFactory(show=show), guest=guest)
    body = client.get(guest.get_absolute_url()).content.decode()
    assert_clean(body.split('class="bio"', 1)[1])


@pytest.mark.django_db
def test_markdownx_preview_is_sanitised_and_staff_only(client, editor_client):
    url = reverse("markdownx_markdownify")
    anonymous = client.post(url, {"content": HOSTILE})
    assert anonymous.status_code == 302  # to the admin login
    response = editor_client.post(url, {"content": HOSTILE})
    assert response.status_code == 200
    assert_clean(response.content.decode())
    assert "Hello" in response.content.decode()


NOTES = "## Plan\n\nAt 12:34 we **ship**, at 1:02:03 we rest; `0:10` in code stays.\n\n- 5:00 list"


def inner(page: str, css_class: str) -> str:
    """The HTML inside the page's one `<div class="…">`, which holds no other div."""
    return re.search(rf'<div class="{css_class}">(.*?)</div>', page, re.S).group(1)


@pytest.mark.django_db
def test_the_live_preview_shows_notes_exactly_as_the_episode_page(client, editor_client):
    episode = EpisodeFactory(show_notes=NOTES)
    preview = editor_client.post(reverse("markdownx_markdownify"), {"content": NOTES})
    page = client.get(episode.get_absolute_url()).content.decode()
    assert 'data-seek="754"' in preview.content.decode()
    assert preview.content.decode() == inner(page, "show-notes")


@pytest.mark.django_db
def test_a_guests_bio_previews_as_its_page_shows_it(client, editor_client):
    episode = EpisodeFactory()
    guest = GuestFactory(bio=NOTES)
    AppearanceFactory(episode=episode, guest=guest)
    form = editor_client.get(reverse("admin:guests_guest_change", args=[guest.pk])).content
    url = reverse("markdown_preview_plain")
    assert f'data-markdownx-urls-path="{url}"' in form.decode()
    preview = editor_client.post(url, {"content": NOTES}).content.decode()
    assert "<strong>ship</strong>" in preview and "data-seek" not in preview
    assert preview == inner(client.get(guest.get_absolute_url()).content.decode(), "bio")
    assert client.post(url, {"content": NOTES}).status_code == 302  # staff only


@pytest.mark.django_db
def test_markdownx_upload_is_staff_only_and_refuses_svg(client, editor_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("markdownx_upload")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    anonymous = client.post(url, {"image": SimpleUploadedFile("x.svg", svg, "image/svg+xml")})
    assert anonymous.status_code == 302
    response = editor_client.post(
        url,
        {"image": SimpleUploadedFile("x.svg", svg, "image/svg+xml")},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert response.status_code == 400
