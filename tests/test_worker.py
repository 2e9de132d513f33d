"""A real `manage.py db_worker` process against the database queue sends what the site queued."""

import os
import subprocess
import sys
import time
import urllib.parse
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from notify.models import Notification
from tests import factories
from tests.conftest import requires_postgresql
from tests.notify_servers import serve

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    """The test database, for another process (it must be a server: SQLite's is in memory)."""
    db = connection.settings_dict
    user = urllib.parse.quote(db["USER"] or "")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def _queue_settled(timeout: float) -> bool:
    """True once nothing due is waiting or running (polled, with a deadline)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        due = DBTaskResult.objects.filter(
            status__in=["READY", "RUNNING"], run_after__lte=timezone.now()
        )
        if not due.exists():
            return True
        time.sleep(0.1)
    return False


def test_a_worker_process_sends_one_notification_for_a_burst_of_edits(settings):
    requires_postgresql("A worker process needs the test database on a server")
    show = factories.ShowFactory(slug="the-show")
    episode = factories.EpisodeFactory(show=show, pub_date=timezone.now() - timedelta(days=1))
    with serve() as hub:
        settings.WEBSUB_HUBS, settings.ALLOW_PRIVATE_NOTIFY = [hub.url], True
        settings.NOTIFY_QUIET_SECONDS, settings.NOTIFY_MAX_DELAY_SECONDS = 1, 3
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "DEBUG": "1",
            "CONN_MAX_AGE": "0",
            "REDIS_URL": "",
            "WEBSUB_HUBS": hub.url,
            "ALLOW_PRIVATE_NOTIFY": "1",
        }
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
             "--interval=0.1", "--worker-id=test-worker"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            for number in range(5):
                episode.title = f"Take {number}"
                episode.save()
            last_edit = time.monotonic()
            assert hub.wait_for(1, timeout=30), "the hub heard nothing within 30 s"
            took = time.monotonic() - last_edit
            assert _queue_settled(timeout=15)
        finally:
            worker.terminate()
            output, _ = worker.communicate(timeout=15)
    assert worker.returncode == 0, output
    assert took < 30
    assert [r.form["hub.url"] for r in hub.received] == [[show.feed_url]]
    assert Notification.objects.get().status == Notification.Status.SENT
    ran = DBTaskResult.objects.exclude(task_path="notify.announce.run_sweep").exclude(
        status="READY"
    )
    assert {(r.task_path, r.status) for r in ran} == {
        ("notify.announce.announce", "SUCCESSFUL"),
        ("notify.announce.deliver", "SUCCESSFUL"),
    }
    assert all(r.worker_ids == ["test-worker"] for r in ran)
