from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics import reports, store
from episodes.models import Show


class Command(BaseCommand):
    help = (
        "Daily downloads per episode (UTC days, one row per episode per day with downloads), "
        "after storing anything still buffered. --csv prints day,show,episode_guid,downloads."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", action="store_true", dest="as_csv", help="CSV on stdout.")
        parser.add_argument("--show", metavar="SLUG", help="Only this show.")
        parser.add_argument("--days", type=int, metavar="N", help="Only the last N UTC days.")

    def handle(self, *args, as_csv: bool, show: str | None, days: int | None, **options) -> None:
        if show and not Show.objects.filter(slug=show).exists():
            raise CommandError(f"No show with the slug {show!r}.")
        if days is not None and days < 1:
            raise CommandError("--days must be 1 or more.")
        store.catch_up()
        if as_csv:
            for chunk in reports.daily_csv(show, days):
                self.stdout.write(chunk, ending="")
            return
        rows = reports.daily_rows(show, days)
        total = 0
        for day, slug, guid, downloads in rows:
            self.stdout.write(f"{day}  {slug}  {guid}  {downloads}")
            total += downloads
        self.stdout.write(f"{total} downloads in all")
