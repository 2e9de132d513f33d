"""The media view as podcast apps use it: ranges, HEAD, conditional requests, and no escapes."""

import os

import pytest
from django.utils.http import http_date

from podcast.views import CHUNK_SIZE

DATA = bytes(range(256)) * 40  # 10,240 bytes, every offset recognisable
SIZE = len(DATA)
URL = "/media/shows/the-show/audio/episode.mp3"


@pytest.fixture
def media_file(settings):
    path = settings.MEDIA_ROOT / "shows/the-show/audio/episode.mp3"
    path.parent.mkdir(parents=True)
    path.write_bytes(DATA)
    return path


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_whole_file_is_streamed_with_validators_and_safe_headers(client, media_file):
    response = client.get(URL)
    assert response.status_code == 200 and response.streaming
    assert body(response) == DATA
    assert response["Content-Length"] == str(SIZE)
    assert response["Content-Type"] == "audio/mpeg"
    assert response["Accept-Ranges"] == "bytes"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["ETag"].startswith('"') and response["Last-Modified"]


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-1", 0, 1),
        ("bytes=100-", 100, SIZE - 1),
        ("bytes=-500", SIZE - 500, SIZE - 1),
        ("bytes=10000-99999", 10000, SIZE - 1),
        ("bytes=-99999", 0, SIZE - 1),
        ("bytes=5-5", 5, 5),
        ("bytes=0-9, 20-29", 0, 9),
        ("bytes=99999-, 30-39", 30, 39),
        ("BYTES = 7-8", 7, 8),
    ],
)
def test_ranges_are_answered_206_byte_for_byte(client, media_file, header, first, last):
    response = client.get(URL, HTTP_RANGE=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{SIZE}"
    assert response["Content-Length"] == str(last - first + 1)
    assert body(response) == DATA[first : last + 1]
    assert response["Accept-Ranges"] == "bytes"


@pytest.mark.parametrize("header", ["bytes=10240-", "bytes=20000-30000", "bytes=-0"])
def test_unsatisfiable_range_is_416_with_the_size(client, media_file, header):
    response = client.get(URL, HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"


@pytest.mark.parametrize("header", ["bytes=5-2", "items=0-1", "bytes=a-b", "bytes=", "bytes=-"])
def test_malformed_range_is_ignored_and_the_whole_file_sent(client, media_file, header):
    response = client.get(URL, HTTP_RANGE=header)
    assert response.status_code == 200 and body(response) == DATA


@pytest.mark.parametrize(
    "header",
    [
        "bytes=²-",  # a superscript two: str.isdigit() says yes, int() says no
        "bytes=0-²",
        "bytes=٣-٥",  # Arabic-Indic digits, which int() reads as 3 and 5
        "bytes=１-２",  # fullwidth digits
        "bytes=0x10-",
        "bytes=+1-2",
        "bytes=1_0-20",
        "bytes= 1 - 2",
        "bytes=" + ",".join(["0-1"] * 65),
    ],
)
def test_ranges_with_anything_but_ascii_digits_get_the_whole_file(client, media_file, header):
    response = client.get(URL, HTTP_RANGE=header)
    assert response.status_code == 200 and body(response) == DATA


@pytest.mark.parametrize(
    ("header", "status", "first", "last"),
    [
        ("bytes=" + "9" * 5000 + "-", 416, None, None),
        ("bytes=" + "9" * 19 + "-" + "9" * 20, 416, None, None),
        ("bytes=0-" + "9" * 5000, 206, 0, SIZE - 1),
        ("bytes=-" + "9" * 5000, 206, 0, SIZE - 1),
        ("bytes=" + "0" * 30 + "5-" + "0" * 30 + "9", 206, 5, 9),
    ],
)
def test_numbers_thousands_of_digits_long_are_416_or_a_range(
    client, media_file, header, status, first, last
):
    response = client.get(URL, HTTP_RANGE=header)
    assert response.status_code == status
    if status == 416:
        assert response["Content-Range"] == f"bytes */{SIZE}"
    else:
        assert response["Content-Range"] == f"bytes {first}-{last}/{SIZE}"
        assert body(response) == DATA[first : last + 1]


def test_head_gives_headers_without_a_body(client, media_file):
    response = client.head(URL)
    assert response.status_code == 200
    assert response["Content-Length"] == str(SIZE) and response.content == b""
    ranged = client.head(URL, HTTP_RANGE="bytes=0-1")
    assert ranged.status_code == 206 and ranged["Content-Range"] == f"bytes 0-1/{SIZE}"
    assert ranged.content == b""


def test_conditional_requests_answer_304(client, media_file):
    first = client.get(URL)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert client.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(URL, HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304
    assert client.get(URL, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    not_modified = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert not_modified["ETag"] == etag and not_modified.content == b""
    assert client.get(URL, HTTP_IF_NONE_MATCH='"other"').status_code == 200
    assert client.get(URL, HTTP_IF_MODIFIED_SINCE=http_date(0)).status_code == 200
    assert client.get(URL, HTTP_IF_MATCH='"other"').status_code == 412


def test_etag_changes_when_the_file_changes(client, media_file):
    before = client.get(URL)["ETag"]
    media_file.write_bytes(DATA + b"more")
    os.utime(media_file, ns=(1, 1))
    assert client.get(URL)["ETag"] != before


def test_large_files_are_sent_in_chunks(client, settings):
    path = settings.MEDIA_ROOT / "big.mp3"
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = os.urandom(CHUNK_SIZE * 3 + 17)
    path.write_bytes(payload)
    response = client.get("/media/big.mp3")
    chunks = list(response.streaming_content)
    assert len(chunks) == 4 and max(len(c) for c in chunks) == CHUNK_SIZE
    assert b"".join(chunks) == payload


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("a.m4a", "audio/x-m4a"),
        ("a.vtt", "text/vtt; charset=utf-8"),
        ("a.srt", "application/x-subrip; charset=utf-8"),
        ("a.png", "image/png"),
        ("a.JPG", "image/jpeg"),
        ("a.webp", "image/webp"),
        ("a.unknownext", "application/octet-stream"),
    ],
)
def test_content_types(client, settings, name, content_type):
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / name).write_bytes(b"x")
    assert client.get(f"/media/{name}")["Content-Type"] == content_type


@pytest.mark.parametrize("accel", [False, True])
@pytest.mark.parametrize("name", ["page.html", "art.svg", "tool.exe", "notes", "x.unknownext"])
def test_files_of_unknown_types_are_downloads_never_pages(client, settings, name, accel):
    """An HTML or SVG file in the media folder must never run as a page of this site."""
    if accel:
        settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media"
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / name).write_bytes(b"<script>alert(document.cookie)</script>")
    for response in (client.get(f"/media/{name}"), client.head(f"/media/{name}")):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"] == "attachment"
        assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name", ["a.mp3", "a.m4a", "a.vtt", "a.png", "a.jpg", "a.webp"])
def test_known_media_types_play_and_show_inline(client, settings, name):
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / name).write_bytes(b"x")
    assert "Content-Disposition" not in client.get(f"/media/{name}")


@pytest.mark.parametrize(
    "url",
    [
        "/media/../secret.txt",
        "/media/%2e%2e/secret.txt",
        "/media/shows/%2E%2E/%2e%2e/secret.txt",
        "/media/shows/the-show/audio/..%2f..%2f..%2f..%2fsecret.txt",
        "/media//{secret}",
        "/media/%2F{secret_quoted}",
        "/media/link-out.txt",
        "/media/dir-link/secret.txt",
        "/media/shows/the-show/audio/episode.mp3%00.png",
        "/media/shows/the-show/audio/",
        "/media/shows",
        "/media/missing.mp3",
    ],
)
def test_no_path_escapes_the_media_root(client, db, media_file, settings, tmp_path, url):
    # `db`: the 404 page names the site's shows.
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    (settings.MEDIA_ROOT / "link-out.txt").symlink_to(secret)
    (settings.MEDIA_ROOT / "dir-link").symlink_to(tmp_path, target_is_directory=True)
    url = url.format(secret=str(secret).lstrip("/"), secret_quoted=str(secret).lstrip("/"))
    response = client.get(url)
    assert response.status_code == 404
    assert b"top secret" not in body(response)


def test_only_safe_methods(client, media_file):
    assert client.post(URL).status_code == 405


def test_nginx_x_accel_redirect_sends_the_checked_path(client, db, media_file, settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media"
    response = client.get(URL, HTTP_RANGE="bytes=0-1")
    assert response["X-Accel-Redirect"] == "/protected-media/shows/the-show/audio/episode.mp3"
    assert response.content == b""
    assert response["Content-Type"] == "audio/mpeg" and response["Accept-Ranges"] == "bytes"
    assert client.get("/media/%2e%2e/secret.txt").status_code == 404
    assert client.get(URL, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_x_accel_redirect_quotes_the_name(client, settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media"
    settings.MEDIA_ROOT.mkdir(parents=True)
    (settings.MEDIA_ROOT / "a b#.mp3").write_bytes(b"x")
    response = client.get("/media/a%20b%23.mp3")
    assert response["X-Accel-Redirect"] == "/protected-media/a%20b%23.mp3"


def test_if_range_gets_the_range_only_for_the_current_version(client, media_file):
    etag = client.head(URL)["ETag"]
    modified = client.head(URL)["Last-Modified"]
    for validator in (etag, modified):
        response = client.get(URL, HTTP_RANGE="bytes=0-1", HTTP_IF_RANGE=validator)
        assert response.status_code == 206
        assert body(response) == DATA[:2]
    stale = client.get(URL, HTTP_RANGE="bytes=0-1", HTTP_IF_RANGE='"an-older-version"')
    assert stale.status_code == 200
    assert body(stale) == DATA
