"""Production settings, browser protections, the admin's path and failed-login lockouts."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from lxml import html

from tests.conftest import server_environ
from tests.factories import AppearanceFactory, GuestFactory

pytestmark = pytest.mark.django_db

BASE_DIR = Path(django_settings.BASE_DIR)


def production_env(**extra: str) -> dict[str, str]:
    """The environment of a real deployment: DEBUG off, a real secret, a real host name."""
    env = {k: v for k, v in server_environ().items() if k not in {"DEBUG", "SECRET_KEY"}}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="podcast.example.com",
        SITE_URL="https://podcast.example.com",
        CSRF_TRUSTED_ORIGINS="https://podcast.example.com",
    )
    env.update(extra)
    return env


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip


def test_deploy_check_is_clean_in_production():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, env=env, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_process_that_imports_pytest_still_gets_production_settings():
    """Only the suite's own switch relaxes settings, not a library that happens to load pytest."""
    env = production_env()
    del env["SECRET_KEY"]
    probe = "import pytest, django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'podcast.settings'; "
    result = run_python(probe + "django.setup()", env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    settings = run_python(
        probe + "django.setup(); from django.conf import settings as s; "
        "print(s.TESTING, s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)",
        production_env(),
    )
    assert settings.stdout.split() == ["False", "True", "True"], settings.stderr


def test_the_suite_runs_on_test_settings_by_its_own_switch():
    assert os.environ["DJANGO_TEST_SETTINGS"] == "1"
    assert django_settings.TESTING
    assert "DJANGO_TEST_SETTINGS" not in server_environ()


PRODUCTION_PROBE = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "podcast.settings")
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
settings.ALLOWED_HOSTS = ["podcast.example.com"]  # setup_test_environment adds "testserver"
client = Client(HTTP_HOST="podcast.example.com")
plain = client.get("/healthz")
print("redirect", plain.headers.get("Location"))
secure = client.get("/healthz", secure=True)
print("hsts", secure.headers.get("Strict-Transport-Security"))
print("cookies", settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE,
      settings.SESSION_COOKIE_HTTPONLY, settings.CSRF_COOKIE_HTTPONLY)
proxied = client.get("/healthz", HTTP_X_FORWARDED_PROTO="https")
print("proxied", proxied.headers.get("Location"))
"""


def test_production_redirects_to_https_and_sends_hsts_with_secure_cookies():
    out = run_python(PRODUCTION_PROBE, production_env()).stdout
    assert "redirect https://podcast.example.com/healthz" in out
    assert "hsts max-age=31536000; includeSubDomains; preload" in out
    assert "cookies True True True True" in out
    # Without SECURE_PROXY_SSL_HEADER a client's own X-Forwarded-Proto is not believed.
    assert "proxied https://podcast.example.com/healthz" in out


def test_https_settings_are_tunable_from_the_environment():
    env = production_env(
        SECURE_HSTS_SECONDS="600",
        SECURE_HSTS_PRELOAD="0",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto: https",
    )
    out = run_python(PRODUCTION_PROBE, env).stdout
    assert "hsts max-age=600; includeSubDomains\n" in out
    # Behind the proxy its X-Forwarded-Proto says the request came over HTTPS.
    assert "proxied None" in out
    out = run_python(PRODUCTION_PROBE, production_env(SECURE_SSL_REDIRECT="0")).stdout
    assert "redirect None" in out


def test_admin_path_comes_from_the_environment():
    probe = """
import django, os
django.setup()
from django.test import Client, override_settings
from django.test.utils import setup_test_environment
setup_test_environment()
override_settings(STORAGES={
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}).enable()
client = Client()
print("moved", client.get("/backstage/").status_code, client.get("/backstage/").headers["Location"])
from django.urls import Resolver404, resolve
try:
    print("old", resolve("/admin/login/").view_name)
except Resolver404:
    print("old gone")
"""
    env = production_env(
        ALLOWED_HOSTS="testserver", SECURE_SSL_REDIRECT="0", ADMIN_PATH="backstage"
    )
    env["DJANGO_SETTINGS_MODULE"] = "podcast.settings"
    out = run_python(probe, env)
    assert "moved 302 /backstage/login/?next=/backstage/" in out.stdout, out.stderr
    assert "old gone" in out.stdout


def page_urls(episode) -> list[str]:
    guest = episode.appearances.first().guest
    return [
        "/",
        episode.show.get_absolute_url(),
        reverse("episodes:list", kwargs={"show": episode.show.slug}),
        episode.get_absolute_url(),
        guest.get_absolute_url(),
        episode.tags.first().get_absolute_url(),
        "/no-such-page/",
    ]


def admin_page_urls(episode) -> list[str]:
    guest = episode.appearances.first().guest
    return [
        reverse("admin:login"),
        reverse("admin:index"),
        reverse("admin:episodes_episode_changelist"),
        reverse("admin:episodes_episode_add"),
        reverse("admin:episodes_episode_change", args=[episode.pk]),
        reverse("admin:episodes_show_change", args=[episode.show.pk]),
        reverse("admin:guests_guest_change", args=[guest.pk]),
    ]


def test_every_page_sends_a_strict_content_security_policy_and_browser_protections(
    client, editor_client, content
):
    responses = [client.get(url) for url in page_urls(content)]
    responses += [editor_client.get(url) for url in admin_page_urls(content)[1:]]
    responses.append(client.get(reverse("admin:login")))
    for response in responses:
        url = response.wsgi_request.get_full_path()
        policy = response.headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == "'self'", url
        assert directives["style-src"] == "'self'", url
        assert directives["object-src"] == "'none'", url
        assert directives["frame-ancestors"] == "'none'", url
        assert "unsafe" not in policy, url
        assert response.headers["X-Frame-Options"] == "DENY", url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", url


def test_pages_and_admin_have_no_inline_script_style_or_event_handler(
    client, editor_client, content
):
    """What the CSP would block, found in the markup itself (the browser test sees it run)."""
    pages = [client.get(url) for url in page_urls(content)]
    pages += [editor_client.get(url) for url in admin_page_urls(content)[1:]]
    for response in pages:
        url = response.wsgi_request.get_full_path()
        tree = html.fromstring(response.content)
        for script in tree.iter("script"):
            # JSON and JSON-LD blocks are data the browser never runs.
            data_only = script.get("type") in {"application/json", "application/ld+json"}
            assert script.get("src") or data_only, (url, html.tostring(script)[:200])
        assert not tree.xpath("//style"), url
        assert not tree.xpath("//*[@style]"), url
        handlers = tree.xpath("//@*[starts-with(name(), 'on')]")
        assert not handlers, (url, handlers)


class TestFailedLoginLockout:
    limit = 3

    @pytest.fixture(autouse=True)
    def _limit(self, settings):
        settings.AXES_FAILURE_LIMIT = self.limit

    @staticmethod
    def log_in(client, username: str, password: str, address: str):
        return client.post(
            reverse("admin:login"),
            {"username": username, "password": password, "next": reverse("admin:index")},
            REMOTE_ADDR=address,
        )

    def test_wrong_passwords_lock_that_username_from_that_address_with_a_friendly_429(
        self, client, editor
    ):
        for _ in range(self.limit - 1):
            response = self.log_in(client, "editor", "wrong", "203.0.113.5")
            assert response.status_code == 200
            assert "Please enter the correct username and password" in response.content.decode()
        locked = self.log_in(client, "editor", "wrong", "203.0.113.5")
        assert locked.status_code == 429
        assert "Too many failed logins" in locked.content.decode()
        assert "15 minutes" in locked.content.decode()
        assert locked.headers["Retry-After"] == "900"
        # Even the right password is refused now, from there.
        right = self.log_in(client, "editor", "editor-pass-123", "203.0.113.5")
        assert right.status_code == 429
        assert "_auth_user_id" not in client.session

    def test_lockout_never_locks_the_site_or_other_people(self, client, editor, django_user_model):
        django_user_model.objects.create_user(
            "other", "o@example.com", "other-pass-123", is_staff=True
        )
        for _ in range(self.limit):
            self.log_in(client, "editor", "wrong", "203.0.113.5")
        assert self.log_in(client, "editor", "editor-pass-123", "203.0.113.5").status_code == 429
        # The public site still answers that address.
        assert client.get("/healthz", REMOTE_ADDR="203.0.113.5").status_code == 200
        # Another editor at the same address logs in.
        other = self.log_in(client, "other", "other-pass-123", "203.0.113.5")
        assert other.status_code == 302
        client.logout()
        # The same editor from their usual address logs in.
        own = self.log_in(client, "editor", "editor-pass-123", "198.51.100.7")
        assert own.status_code == 302
        assert client.get(reverse("admin:index"), REMOTE_ADDR="198.51.100.7").status_code == 200

    def test_lockout_ends_after_the_cool_off(self, client, editor, settings):
        from datetime import timedelta

        from axes.models import AccessAttempt

        for _ in range(self.limit):
            self.log_in(client, "editor", "wrong", "203.0.113.5")
        AccessAttempt.objects.update(
            attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
        )
        assert self.log_in(client, "editor", "editor-pass-123", "203.0.113.5").status_code == 302


class TestLockoutBehindAProxy:
    """Requests as a proxy chain delivers them: REMOTE_ADDR is the last proxy, and each proxy
    appended the address it was reached from to X-Forwarded-For."""

    limit = 3
    proxy = "10.0.0.2"

    @pytest.fixture(autouse=True)
    def _proxied(self, settings):
        settings.AXES_FAILURE_LIMIT = self.limit
        settings.TRUSTED_PROXY_COUNT = 1

    def log_in(self, client, password: str, forwarded_for: str):
        return client.post(
            reverse("admin:login"),
            {"username": "editor", "password": password, "next": reverse("admin:index")},
            REMOTE_ADDR=self.proxy,
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    def test_an_attackers_failures_never_lock_out_the_same_username_elsewhere(self, client, editor):
        from axes.models import AccessAttempt

        for _ in range(self.limit):
            self.log_in(client, "wrong", "203.0.113.5")
        assert self.log_in(client, "editor-pass-123", "203.0.113.5").status_code == 429
        assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.5"]
        # The editor, through the same proxy from their own address, logs in.
        assert self.log_in(client, "editor-pass-123", "198.51.100.7").status_code == 302

    def test_a_forged_forwarded_for_does_not_escape_the_lockout(self, client, editor):
        """What a client writes into X-Forwarded-For stands left of what the proxy appended."""
        for n in range(self.limit):
            self.log_in(client, "wrong", f"192.0.2.{n}, 203.0.113.5")
        locked = self.log_in(client, "editor-pass-123", "192.0.2.99, 203.0.113.5")
        assert locked.status_code == 429
        assert "_auth_user_id" not in client.session

    def test_two_proxies_read_the_second_address_from_the_right(self, client, editor, settings):
        settings.TRUSTED_PROXY_COUNT = 2
        for _ in range(self.limit):
            self.log_in(client, "wrong", "203.0.113.5, 10.0.0.1")
        assert self.log_in(client, "editor-pass-123", "203.0.113.5, 10.0.0.1").status_code == 429
        assert self.log_in(client, "editor-pass-123", "198.51.100.7, 10.0.0.1").status_code == 302

    def test_without_trusted_proxies_forwarded_for_is_ignored(self, client, editor, settings):
        settings.TRUSTED_PROXY_COUNT = 0
        for n in range(self.limit):
            self.log_in(client, "wrong", f"192.0.2.{n}")
        # Spoofed addresses do not help: every attempt counted against the connecting address.
        assert self.log_in(client, "editor-pass-123", "198.51.100.7").status_code == 429


def test_guest_with_a_long_bio_still_renders_without_inline_styles(client):
    guest = GuestFactory(bio="<span style='color:red'>styled</span> **bold**")
    AppearanceFactory(guest=guest)  # heard in a published episode: the page is public
    tree = html.fromstring(client.get(guest.get_absolute_url()).content)
    assert not tree.xpath("//*[@style]")
    assert tree.xpath("//div[@class='bio']//strong/text()") == ["bold"]
