"""Uploads to S3-compatible object storage (django-storages) against a real moto S3 server."""

import json
import socket
import subprocess
import sys
from functools import cache

import boto3
import pytest
from botocore.config import Config
from django.urls import reverse
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

from episodes.models import Episode
from tests import media_files
from tests.conftest import server_environ

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

BUCKET = "podcast-media"
PORTS = range(8350, 8400)  # this area's port range
# A wedged S3 server fails a test within seconds instead of hanging the suite.
TIMEOUTS = Config(connect_timeout=5, read_timeout=15, retries={"max_attempts": 2})


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("No free port in 8350-8399")


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint, settings, monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", config=TIMEOUTS)
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {**settings.STORAGES, "default": with_timeouts(s3_settings(s3_endpoint))}
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def with_timeouts(storage: dict) -> dict:
    return {**storage, "OPTIONS": {**storage["OPTIONS"], "client_config": TIMEOUTS}}


@cache
def s3_settings(endpoint: str, custom_domain: str = "") -> dict:
    """STORAGES["default"] as podcast/settings.py builds it from the environment."""
    env = {
        **server_environ(),
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_S3_CUSTOM_DOMAIN": custom_domain,
        "DEBUG": "1",
    }
    code = "from django.conf import settings; import json; print(json.dumps(settings.STORAGES))"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**env, "DJANGO_SETTINGS_MODULE": "podcast.settings"},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout)["default"]


def test_settings_switch_to_s3_only_when_a_bucket_is_named(s3_endpoint):
    storage = s3_settings(s3_endpoint, custom_domain="cdn.example.com")
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == BUCKET
    assert storage["OPTIONS"]["querystring_auth"] is False
    assert storage["OPTIONS"]["custom_domain"] == "cdn.example.com"


def test_admin_upload_lands_in_the_bucket_and_the_enclosure_points_there(
    s3, s3_endpoint, editor_client, show
):
    data = media_files.admin_form_data(editor_client, reverse("admin:episodes_episode_add"))
    audio = media_files.mp3(3)
    data.update(show=show.pk, title="On S3", slug="on-s3", status="draft")
    data["audio_file"] = media_files_upload("On S3.mp3", audio)
    data["cover_art"] = media_files_upload("art.png", media_files.art(1400))
    data["transcript"] = media_files_upload("talk.srt", media_files.SRT.encode())
    response = editor_client.post(reverse("admin:episodes_episode_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    episode = Episode.objects.get(slug="on-s3")
    key = episode.audio_file.name
    assert key.startswith("shows/the-show/audio/on-s3-") and key.endswith(".mp3")
    assert episode.enclosure_url == f"{s3_endpoint}/{BUCKET}/{key}"
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == audio
    assert (episode.audio_size, episode.duration) == (len(audio), 3)
    assert s3.head_object(Bucket=BUCKET, Key=key)["ContentType"] == "audio/mpeg"
    art = s3.head_object(Bucket=BUCKET, Key=episode.cover_art.name)
    assert art["ContentType"] == "image/png"
    transcript = s3.head_object(Bucket=BUCKET, Key=episode.transcript.name)
    assert transcript["ContentType"] == "application/x-subrip"
    rendition = episode.cover_art_renditions["files"]["300"]
    assert s3.head_object(Bucket=BUCKET, Key=rendition)["ContentType"] == "image/webp"


def test_custom_domain_makes_absolute_cdn_enclosure_urls(s3, s3_endpoint, settings, episode):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": with_timeouts(s3_settings(s3_endpoint, custom_domain="cdn.example.com")),
    }
    episode.audio_url = ""
    episode.audio_file.save("x.mp3", media_files_upload("x.mp3", media_files.mp3(2)))
    episode.refresh_from_db()
    assert episode.enclosure_url == f"https://cdn.example.com/{episode.audio_file.name}"


def test_files_saved_in_code_get_their_type_from_the_name(s3, episode):
    from django.core.files.base import ContentFile

    episode.transcript.save("t.srt", ContentFile(media_files.SRT.encode()))
    head = s3.head_object(Bucket=BUCKET, Key=episode.transcript.name)
    assert head["ContentType"] == "application/x-subrip"


def media_files_upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_the_duration_check_never_downloads_audio_from_the_bucket(s3, episode, monkeypatch):
    from episodes.feed_checks import check_episode

    episode.audio_url = ""
    episode.duration = 45 * 60
    episode.audio_file.save("x.mp3", media_files_upload("x.mp3", media_files.mp3(2)))
    downloads = []
    monkeypatch.setattr(S3Storage, "_open", lambda *args: downloads.append(args))
    assert [p for p in check_episode(episode) if "plays for" in p.message] == []
    assert downloads == []
