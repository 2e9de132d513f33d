"""Helpers every app's background work shares (django.tasks; the backend is settings.TASKS).

Tasks are plain `@task` functions. These helpers add what the framework leaves to its users:
queueing after the surrounding transaction commits, running at a time where the backend can defer
(the database backend can; the immediate one runs at once), and a bounded exponential backoff.
"""

from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.tasks import Task, TaskResult

RETRY_BASE_SECONDS = 15
RETRY_FACTOR = 4


def can_defer(task: Task) -> bool:
    """Whether `task`'s backend can hold it until a later time (rather than run it now)."""
    return task.get_backend().supports_defer


def enqueue(task: Task, *args: Any, at: datetime | None = None, **kwargs: Any) -> TaskResult:
    """Queue `task`, to run no earlier than `at` where the backend can defer."""
    if at is not None and can_defer(task):
        task = task.using(run_after=at)
    return task.enqueue(*args, **kwargs)


def enqueue_on_commit(task: Task, *args: Any, at: datetime | None = None, **kwargs: Any) -> None:
    """Queue `task` once the current transaction commits (at once outside a transaction).

    Robust: a queue that is away must not turn an editor's committed save into an error; the
    sweep of the app that queued it catches up.
    """
    transaction.on_commit(partial(enqueue, task, *args, at=at, **kwargs), robust=True)


def retry_delay(attempt: int) -> timedelta:
    """The wait after failed attempt number `attempt` (1-based): 15 s, 1 min, 4 min, 16 min, ..."""
    return timedelta(seconds=RETRY_BASE_SECONDS * RETRY_FACTOR ** (attempt - 1))
