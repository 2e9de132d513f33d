"""The project's task helpers (podcast.tasks): retries with backoff, then a recorded failure."""

import pytest
from django.db import transaction
from django.tasks import task
from django_tasks_db.models import DBTaskResult

from podcast.tasks import enqueue, enqueue_on_commit, retrying
from tests.worker import work

pytestmark = pytest.mark.django_db(transaction=True)

runs: list[str] = []


@task
@retrying(attempts=4)
def flaky(name: str, failures: int) -> str:
    runs.append(name)
    if runs.count(name) <= failures:
        raise ConnectionError(f"{name}: run {runs.count(name)} failed")
    return f"{name} done"


@pytest.fixture(autouse=True)
def _no_runs():
    runs.clear()


def _results(name: str) -> list[tuple[str, str]]:
    found = DBTaskResult.objects.filter(task_path="tests.test_tasks.flaky").order_by("enqueued_at")
    return [(r.status, r.exception_class_path) for r in found if r.args_kwargs["args"][0] == name]


def test_a_failing_task_is_retried_with_backoff_until_it_succeeds(clock):
    enqueue(flaky, "twice", 2)
    work()
    assert runs == ["twice"]
    clock.move(seconds=14)
    work()
    assert runs == ["twice"], "the first retry waits 15 s"
    clock.move(seconds=1)
    work()
    clock.move(seconds=59)
    work()
    assert len(runs) == 2, "the second waits a minute"
    clock.move(seconds=1)
    work()
    assert runs == ["twice"] * 3
    assert _results("twice") == [
        ("FAILED", "builtins.ConnectionError"),
        ("FAILED", "builtins.ConnectionError"),
        ("SUCCESSFUL", ""),
    ]


def test_a_task_that_keeps_failing_is_recorded_as_failed_after_its_attempts(clock):
    enqueue(flaky, "always", 99)
    for _ in range(10):
        clock.move(hours=1)
        work()
    assert runs == ["always"] * 4
    assert _results("always") == [("FAILED", "builtins.ConnectionError")] * 4
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_tasks_queued_in_a_transaction_wait_for_its_commit(clock):
    with transaction.atomic():
        enqueue_on_commit(flaky, "committed", 0)
        assert not DBTaskResult.objects.exists()
    with transaction.atomic():
        enqueue_on_commit(flaky, "rolled back", 0)
        transaction.set_rollback(True)
    work()
    assert runs == ["committed"]


def test_with_the_immediate_backend_retries_run_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    result = enqueue(flaky, "immediate", 2)
    assert runs == ["immediate"] * 3
    assert result.status == "FAILED", "the first run itself failed; its retries succeeded"
