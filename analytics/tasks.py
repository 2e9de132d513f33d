"""Background work of analytics, through django.tasks (run by the task worker; see README)."""

from datetime import date

from django.tasks import task

from analytics import store


@task()
def flush_events() -> list[str]:
    """Store what the buffer holds and roll up the days it touched; returns those days."""
    return sorted(day.isoformat() for day in store.catch_up())


@task()
def rollup_days(days: list[str]) -> None:
    store.rollup([date.fromisoformat(day) for day in days])


@task()
def apply_retention() -> dict[str, int]:
    return store.apply_retention()
