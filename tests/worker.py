"""Running queued tasks in tests as `manage.py db_worker` does, with a clock that is moved."""

import signal
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone


class Clock:
    def __init__(self) -> None:
        self.now = timezone.now()

    def __call__(self):
        return self.now

    def move(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    @classmethod
    def install(cls, monkeypatch) -> "Clock":
        """`timezone.now()` stands still until moved: what is due is decided by this clock."""
        clock = cls()
        monkeypatch.setattr(timezone, "now", clock)
        return clock


def work() -> None:
    """Run every queued task that is due by the clock, as `manage.py db_worker` would."""
    # The worker installs its own signal handlers; the test run keeps pytest's.
    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    handlers = {sig: signal.getsignal(sig) for sig in signals}
    try:
        call_command(
            "db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval=0",
            verbosity=0,
        )  # fmt: skip
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
