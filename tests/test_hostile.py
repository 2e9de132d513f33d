"""Hostile input: whatever an editor, importer or visitor sends, nothing runs, nothing half-saves
and nothing answers 500 (the test client raises any unhandled exception)."""

import json

import feedparser
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from lxml import etree, html

from episodes.models import Chapter, Episode, PlatformLink, Show, ShowLink, Tag
from guests.models import Guest, GuestLink
from tests import factories, media_files

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>"><svg onload=alert(2)>'
XSS_MARKDOWN = (
    "Hello <script>alert(3)</script> and <img src=x onerror=alert(4)>\n\n"
    "[click](javascript:alert(5)) [data](data:text/html,<script>alert(6)</script>)\n\n"
    '<a href="javascript:alert(7)" onclick="alert(8)">raw</a> <iframe src="https://evil.test">'
    "</iframe> <object data=x></object> <style>body{display:none}</style>\n\n"
    '<p style="background:url(javascript:alert(9))">styled</p> <form action="https://evil.test">'
    "<input name=q></form>"
)
HOSTILE_SCHEMES = ("javascript:", "data:", "vbscript:")
# Scripts the browser never runs: JSON and JSON-LD data blocks.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


def assert_inert(markup: bytes | str, where: str) -> None:
    """Nothing in this HTML can run script: no inline script, handler or script URL, no frames."""
    tree = html.fromstring(markup)
    for script in tree.iter("script"):
        assert script.get("src") or script.get("type") in DATA_SCRIPT_TYPES, where
        if script.get("type") in DATA_SCRIPT_TYPES:
            json.loads(script.text)  # still valid data: nothing broke out of it
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag not in {"iframe", "object", "embed", "frame", "style"}, where
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (where, element.tag, name)
            if name in {"href", "src", "action", "formaction", "srcset", "poster", "data"}:
                compact = "".join(value.split()).lower()
                assert not compact.startswith(HOSTILE_SCHEMES), (where, name, value)
    text = markup.decode() if isinstance(markup, bytes) else markup
    assert "<script>alert" not in text, where


@pytest.fixture
def hostile(db):
    """Every field an editor or importer fills, holding script; as an importer would save it."""
    guest = factories.GuestFactory(
        name=f"Guest {XSS}", title=XSS, organisation=XSS, bio=XSS_MARKDOWN
    )
    show = factories.ShowFactory(
        slug="hostile",
        title=f"Show {XSS}",
        subtitle=XSS,
        description=f"Description {XSS}",
        author=XSS,
        owner_name=XSS,
        copyright=XSS,
        funding_url="https://example.com/support",
        funding_text=XSS,
    )
    show.hosts.add(guest)
    episode = factories.EpisodeFactory(
        show=show,
        slug="hostile-episode",
        title=f"Episode {XSS}",
        summary=f"Summary {XSS}",
        show_notes=XSS_MARKDOWN,
        season_number=1,
    )
    factories.AppearanceFactory(episode=episode, guest=guest)
    tag = factories.TagFactory(name=f"Tag {XSS}", slug="hostile-tag")
    episode.tags.add(tag)
    factories.ChapterFactory(episode=episode, start_time=0, title=XSS, url="https://example.com/ch")
    factories.PlatformLinkFactory(
        episode=episode, platform="other", label=XSS, url="https://e.test/1"
    )
    factories.ShowLinkFactory(show=show, platform="other", label=XSS, url="https://e.test/2")
    GuestLink.objects.create(guest=guest, url="https://e.test/3")
    return episode


def site_urls(episode: Episode) -> list[str]:
    show = episode.show
    return [
        "/",
        show.get_absolute_url(),
        reverse("episodes:list", kwargs={"show": show.slug}),
        reverse("episodes:season", kwargs={"show": show.slug, "number": 1}),
        episode.get_absolute_url(),
        episode.guests.get().get_absolute_url(),
        episode.tags.get().get_absolute_url(),
        reverse("episodes:search") + "?q=" + "Episode",
        reverse("episodes:search") + "?q=" + XSS,
    ]


def test_script_in_every_field_stays_text_on_the_site(client, hostile):
    for url in site_urls(hostile):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content, url)
    page = client.get(hostile.get_absolute_url()).content.decode()
    # Shown, as text: escaped, not dropped.
    assert "Episode &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    tree = html.fromstring(page)
    data = json.loads(tree.xpath("//script[@type='application/ld+json']")[0].text)
    assert data["name"] == hostile.title


def test_script_in_every_field_stays_text_in_the_admin(editor_client, hostile):
    guest = hostile.guests.get()
    tag = hostile.tags.get()
    urls = [
        reverse("admin:episodes_show_changelist"),
        reverse("admin:episodes_show_change", args=[hostile.show.pk]),
        reverse("admin:episodes_episode_changelist"),
        reverse("admin:episodes_episode_change", args=[hostile.pk]),
        reverse("admin:guests_guest_changelist"),
        reverse("admin:guests_guest_change", args=[guest.pk]),
        reverse("admin:episodes_tag_changelist"),
        reverse("admin:episodes_tag_change", args=[tag.pk]),
        reverse("admin:episodes_tag_delete", args=[tag.pk]),
        reverse("admin:guests_guest_delete", args=[guest.pk]),
    ]
    for url in urls:
        response = editor_client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content, url)
    # The markdown editor's live preview is sanitised the same way.
    preview = editor_client.post(reverse("markdownx_markdownify"), {"content": XSS_MARKDOWN})
    assert preview.status_code == 200
    assert_inert(b"<div>" + preview.content + b"</div>", "markdownify")


def test_script_in_every_field_stays_text_in_the_feed(client, hostile):
    response = client.get(hostile.show.get_feed_path())
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    channel = root.find("channel")
    assert channel.findtext("title") == hostile.show.title
    item = channel.find("item")
    assert item.findtext("title") == hostile.title
    for name in ("description", "{http://purl.org/rss/1.0/modules/content/}encoded"):
        assert_inert(f"<div>{item.findtext(name)}</div>", name)
    persons = root.findall(".//{https://podcastindex.org/namespace/1.0}person")
    assert {p.text for p in persons} == {hostile.guests.get().name}
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.entries[0].title == hostile.title


# Link URLs -------------------------------------------------------------------------------------

SCRIPT_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "//evil.test/x",
    "https://exa mple.com/<script>",
]

URL_FIELDS = [
    (Show, "website"),
    (Show, "funding_url"),
    (Show, "new_feed_url"),
    (ShowLink, "url"),
    (Episode, "audio_url"),
    (Episode, "cover_art_url"),
    (PlatformLink, "url"),
    (Chapter, "url"),
    (Guest, "website"),
    (GuestLink, "url"),
]


@pytest.mark.parametrize(("model", "field"), URL_FIELDS, ids=lambda v: getattr(v, "__name__", v))
@pytest.mark.parametrize("url", SCRIPT_URLS)
def test_every_url_field_refuses_script_urls_for_importers_too(model, field, url):
    with pytest.raises(ValidationError, match="Enter a valid URL"):
        model._meta.get_field(field).clean(url, None)


@pytest.mark.parametrize(
    ("factory", "field"),
    [
        (lambda url: factories.ShowLinkFactory(platform="other", label="x", url=url), "url"),
        (lambda url: factories.PlatformLinkFactory(platform="other", label="x", url=url), "url"),
        (lambda url: factories.ChapterFactory(url=url), "url"),
        (lambda url: GuestLink.objects.create(guest=factories.GuestFactory(), url=url), "url"),
        (lambda url: factories.GuestFactory(website=url), "website"),
        (lambda url: factories.ShowFactory(website=url), "website"),
        (lambda url: factories.ShowFactory(funding_url=url), "funding_url"),
    ],
)
def test_the_database_refuses_script_links_whoever_saves_them(factory, field):
    """Links reach an href; even code that skips validation cannot store a script URL."""
    with transaction.atomic(), pytest.raises(IntegrityError):
        factory("javascript:alert(1)")
    factory("HTTPS://example.com/fine")


def inline_data(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial)}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


@pytest.fixture
def admin_forms(editor_client, show):
    """What each admin change page posts back unchanged, to add one hostile value to."""
    episode = factories.EpisodeFactory(show=show)
    guest = factories.GuestFactory()
    return {
        "show": (show, media_files.admin_form_data(editor_client, change(show))),
        "episode": (episode, media_files.admin_form_data(editor_client, change(episode))),
        "guest": (guest, media_files.admin_form_data(editor_client, change(guest))),
    }


def change(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def snapshot() -> dict:
    """Every row a hostile submission could touch."""
    models = (Show, ShowLink, Episode, PlatformLink, Chapter, Guest, GuestLink, Tag)
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


ADMIN_URL_CASES = [
    ("show", {"website": "{url}"}),
    ("show", {"funding_url": "{url}"}),
    ("show", inline_data("links", [{"platform": "other", "label": "Evil", "url": "{url}"}])),
    ("episode", inline_data("links", [{"platform": "other", "label": "Evil", "url": "{url}"}])),
    ("episode", inline_data("chapters", [{"start_time": "0", "title": "A", "url": "{url}"}])),
    ("episode", {"audio_url": "{url}", "audio_size": "1", "duration": "60"}),
    ("guest", {"website": "{url}"}),
    ("guest", inline_data("links", [{"kind": "other", "url": "{url}"}])),
]


@pytest.mark.parametrize(("form", "fields"), ADMIN_URL_CASES)
@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<b>x</b>"])
def test_admin_refuses_script_links_and_saves_nothing(
    editor_client, admin_forms, form, fields, url
):
    obj, data = admin_forms[form]
    data = {**data, "title": "Changed title", "name": "Changed name"}
    data.update({key: value.replace("{url}", url) for key, value in fields.items()})
    before = snapshot()
    response = editor_client.post(change(obj), data)
    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()
    assert snapshot() == before


# Uploads ---------------------------------------------------------------------------------------


def stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def polyglot_png() -> bytes:
    """A real PNG with an HTML page after its end: an image to Pillow, a page to a sniffer."""
    return media_files.art(1400) + b"<html><script>alert(document.cookie)</script></html>"


def truncated_mp3() -> bytes:
    data = media_files.mp3(4)
    return data[: len(data) * 2 // 3 + 101]


UPLOADS = [
    ("show", "cover_art", "art.svg", lambda: media_files.SVG, "image/svg+xml", "SVG"),
    ("show", "cover_art", "art.png", lambda: media_files.SVG, "image/png", "SVG"),
    ("guest", "photo", "me.svg", lambda: media_files.SVG, "image/svg+xml", "SVG"),
    ("show", "cover_art", "art.png", polyglot_png, "image/png", "hidden after the image"),
    ("guest", "photo", "me.png", polyglot_png, "image/png", "hidden after the image"),
    ("show", "cover_art", "bomb.png", media_files.png_bomb, "image/png", "too many pixels"),
    ("show", "cover_art", "empty.png", lambda: b"", "image/png", "empty"),
    ("episode", "audio_file", "cut.mp3", truncated_mp3, "audio/mpeg", "incomplete"),
    ("episode", "audio_file", "x.mp3", lambda: media_files.EXECUTABLE, "audio/mpeg", "not MP3"),
    ("episode", "audio_file", "x.mp3", lambda: media_files.MZ_EXECUTABLE, "audio/mpeg", "not MP3"),
    ("episode", "audio_file", "zero.mp3", lambda: b"", "audio/mpeg", "empty"),
    ("episode", "audio_file", "p.mp3", polyglot_png, "audio/mpeg", "not MP3"),
    ("episode", "transcript", "t.vtt", lambda: media_files.EXECUTABLE, "text/vtt", "UTF-8"),
]


@pytest.mark.parametrize(("form", "field", "name", "make", "content_type", "message"), UPLOADS)
def test_hostile_uploads_are_refused_with_the_reason_and_store_nothing(
    editor_client, admin_forms, settings, form, field, name, make, content_type, message
):
    obj, data = admin_forms[form]
    data = {**data, "title": "Changed title", "name": "Changed name"}
    data[field] = SimpleUploadedFile(name, make(), content_type=content_type)
    before = snapshot()
    response = editor_client.post(change(obj), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.get(field)
    assert errors and message in str(errors), errors
    assert snapshot() == before
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    ("form", "field", "name", "make", "limit"),
    [
        ("episode", "audio_file", "long.mp3", lambda: media_files.mp3(4), "MAX_AUDIO_UPLOAD_BYTES"),
        ("show", "cover_art", "art.png", lambda: media_files.art(1400), "MAX_IMAGE_UPLOAD_BYTES"),
    ],
)
def test_uploads_over_the_size_limit_are_refused(
    editor_client, admin_forms, settings, form, field, name, make, limit
):
    setattr(settings, limit, 1024)
    obj, data = admin_forms[form]
    data[field] = SimpleUploadedFile(name, make())
    before = snapshot()
    response = editor_client.post(change(obj), data)
    assert "is accepted" in str(response.context["adminform"].form.errors[field])
    assert snapshot() == before
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("x.svg", lambda: media_files.SVG),
        ("x.png", polyglot_png),
        ("bomb.png", media_files.png_bomb),
        ("x.png", lambda: media_files.EXECUTABLE),
        ("empty.png", lambda: b""),
    ],
)
def test_markdown_editor_image_upload_refuses_hostile_images(editor_client, settings, name, make):
    upload = SimpleUploadedFile(name, make(), content_type="image/png")
    response = editor_client.post(
        reverse("markdownx_upload"), {"image": upload}, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
    )
    assert response.status_code == 400
    assert "image" in response.json()
    assert stored_files(settings) == []


def test_markdown_editor_image_upload_takes_a_real_image(editor_client, settings):
    upload = SimpleUploadedFile("a.png", media_files.png(200, 200), content_type="image/png")
    response = editor_client.post(
        reverse("markdownx_upload"), {"image": upload}, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
    )
    assert response.status_code == 200
    assert "![](" in response.json()["image_code"]
    assert len(stored_files(settings)) == 1


def test_markdown_editor_endpoints_answer_staff_only(client):
    upload = SimpleUploadedFile("a.png", media_files.png(200, 200), content_type="image/png")
    response = client.post(reverse("markdownx_upload"), {"image": upload})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.post(reverse("markdownx_markdownify"), {"content": "x"}).status_code == 302


# Control characters ----------------------------------------------------------------------------

CONTROL = "A\x01B\x07C\x08D\x0bE\x0cF\x1bG\x1fH\ufffeI\uffffJ"


def test_control_characters_never_reach_the_feed(client, show):
    guest = factories.GuestFactory(name=f"Guest {CONTROL}")
    episode = factories.EpisodeFactory(
        show=show, title=f"Title {CONTROL}", summary=f"Sum {CONTROL}", show_notes=f"Notes {CONTROL}"
    )
    factories.AppearanceFactory(episode=episode, guest=guest)
    factories.TagFactory(name=f"Tag {CONTROL}").episodes.add(episode)
    factories.ChapterFactory(episode=episode, title=f"Chapter {CONTROL}")
    Show.objects.filter(pk=show.pk).update(description=f"Show {CONTROL}", author=CONTROL)
    feed = client.get(show.get_feed_path())
    assert feed.status_code == 200
    root = etree.fromstring(feed.content)  # strict XML 1.0: one control character fails this
    assert root.find("channel/item/title").text == "Title ABCDEFGHIJ"
    assert not feedparser.parse(feed.content).bozo
    for url in (episode.get_absolute_url(), guest.get_absolute_url()):
        assert client.get(url).status_code == 200
    chapters = client.get(episode.get_chapters_url())
    assert chapters.status_code == 200 and chapters.json()["chapters"]


def test_null_characters_typed_in_the_admin_are_refused_and_nothing_is_saved(
    editor_client, admin_forms
):
    episode, data = admin_forms["episode"]
    before = snapshot()
    response = editor_client.post(change(episode), {**data, "title": "Bad\x00title"})
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert snapshot() == before


# Requests --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/media/../podcast/settings.py",
        "/media/%2e%2e/%2e%2e/etc/passwd",
        "/media/..%2f..%2fetc%2fpasswd",
        "/media/..%5c..%5cpodcast%5csettings.py",
        "/media/%00",
        "/media/shows/%2e%2e%2f%2e%2e%2fmanage.py",
        "/media//etc/passwd",
    ],
)
def test_media_urls_never_leave_the_media_folder(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"SECRET_KEY" not in body and b"root:" not in body


JUNK_QUERIES = [
    "page=abc",
    "page=-1",
    "page=0",
    "page=1e3",
    "page=99999999999999999999999999",
    "page=1&page=2",
    "page[]=1",
    "page=%00",
    "page=%ff%fe",
    "page=１",
    "%zz=1&page=%",
    "season=abc",
    "season=-1&type=<script>",
    "q=" + "a" * 10_000,
    "q=%00%01",
    "q=%ff%fe%fd",
    "q=<script>alert(1)</script>",
    "q=' OR 1=1 --",
    "q=%25%5F%5C",
    "sort=;DROP TABLE episodes_episode",
]


@pytest.mark.parametrize("query", JUNK_QUERIES)
def test_malformed_query_strings_never_fail(client, hostile, query):
    show = hostile.show.slug
    for path in (
        "/",
        f"/{show}/",
        f"/{show}/episodes/",
        f"/{show}/seasons/1/",
        "/tags/hostile-tag/",
        "/search/",
        f"/{show}/feed.xml",
        hostile.guests.get().get_absolute_url(),
    ):
        response = client.get(f"{path}?{query}")
        assert response.status_code in (200, 404), (path, query, response.status_code)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            assert_inert(response.content, f"{path}?{query}")


@pytest.mark.parametrize(
    "path",
    ["/%00/", "/%00/x", "/x%00/feed.xml", "/x%00y/episodes/", "/%ff%fe/", "/a%20b/feed.xml"],
)
def test_odd_bytes_in_paths_never_fail(client, hostile, path):
    assert client.get(path).status_code == 404
    assert client.head(path).status_code == 404


def test_request_bodies_over_the_limit_answer_400_and_save_nothing(
    client, editor_client, admin_forms, settings
):
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(reverse("admin:login"), {"username": "editor", "password": big})
    assert response.status_code == 400
    episode, data = admin_forms["episode"]
    before = snapshot()
    response = editor_client.post(change(episode), {**data, "show_notes": big})
    assert response.status_code == 400
    assert snapshot() == before
    assert editor_client.post(reverse("markdownx_markdownify"), {"content": big}).status_code == 400
    many = {f"field{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    assert editor_client.post(change(episode), {**data, **many}).status_code == 400
    assert snapshot() == before


def test_oversized_json_or_raw_bodies_answer_400(client, db, settings):
    raw = b"{" + b'"a":1,' * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 5) + b'"b":2}'
    response = client.generic(
        "POST", reverse("admin:login"), raw, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
