"""Helpers every app's background work shares (django.tasks; the backend is settings.TASKS).

Tasks are plain `@task` functions. These helpers add what the framework leaves to its users:
queueing after the surrounding transaction commits, running at a time where the backend can defer
(the database backend can; the immediate one runs at once), and retries with a bounded
exponential backoff (`@retrying`, under `@task`). Tasks must be idempotent: a retry, a sweep or a
second worker may run one again.
"""

import functools
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.tasks import Task, TaskResult
from django.utils import timezone
from django.utils.module_loading import import_string

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


def retrying(attempts: int = 5) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Under `@task`: a failed run queues the task again after `retry_delay`; `attempts` in all.

    Each failed run is still recorded as failed (the tasks admin lists it, with its traceback);
    the last one queues nothing more.
    """

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def run(*args: Any, retry_attempt: int = 1, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except Exception:
                if retry_attempt < attempts:
                    # `@task` put the Task where the function was defined.
                    this = import_string(f"{func.__module__}.{func.__qualname__}")
                    at = timezone.now() + retry_delay(retry_attempt)
                    enqueue(this, *args, at=at, retry_attempt=retry_attempt + 1, **kwargs)
                raise

        return run

    return decorate
