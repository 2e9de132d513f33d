from datetime import timedelta

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from analytics import store, tasks


class Command(BaseCommand):
    help = (
        "Periodic analytics work: store buffered events, roll up the days they touched, delete "
        "raw rows past ANALYTICS_RETENTION_DAYS. Run it every minute (cron, systemd timer), or "
        "with --enqueue to hand the same work to the task worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Enqueue the tasks instead of running them here."
        )
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Recompute the daily tables of every day still kept raw (after a data fix).",
        )

    def handle(self, *args, enqueue: bool = False, rebuild: bool = False, **options) -> None:
        if enqueue:
            tasks.flush_events.enqueue()
            tasks.apply_retention.enqueue()
            self.stdout.write("Enqueued: flush_events, apply_retention.")
            return
        days = store.catch_up()
        if rebuild:
            today = timezone.now().date()
            first = store.oldest_kept_day(today)
            days = {first + timedelta(days=n) for n in range((today - first).days + 1)}
            store.rollup(days)
        deleted = store.apply_retention()
        self.stdout.write(
            f"Rolled up {len(days)} day(s); deleted {deleted['downloads']} raw download(s) and "
            f"{deleted['polls']} poll(s) past retention."
        )
