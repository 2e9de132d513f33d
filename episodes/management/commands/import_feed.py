"""Import a podcast from its RSS feed (a URL or a file)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from episodes.importers.common import Report, dry_run_guard
from episodes.importers.feed import FeedOptions, import_feed
from episodes.importers.fetch import Fetcher


class Command(BaseCommand):
    help = (
        "Import a show and its episodes from an RSS feed URL or file. Safe to run again: what "
        "changed in the feed is updated, nothing is duplicated, and what an editor changed since "
        "is kept (unless --overwrite). Exits non-zero if any item failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", metavar="SOURCE", help="Feed URL (http/https) or file path.")
        parser.add_argument(
            "--show",
            metavar="SLUG",
            help="Show to import into (created if missing). Default: the show with the feed's "
            "podcast:guid, else a new one named after the feed.",
        )
        parser.add_argument(
            "--download",
            action="store_true",
            help="Copy audio and episode art into our media instead of linking to them.",
        )
        parser.add_argument(
            "--allow-private",
            action="store_true",
            help="Allow URLs on loopback, private and link-local addresses (your own network).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check everything, save nothing."
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Also replace what an editor has changed since the last import (kept otherwise).",
        )

    def handle(self, *args, **options) -> None:
        report = Report(write=self.stderr.write)
        fetcher = Fetcher(allow_private=options["allow_private"])
        feed_options = FeedOptions(
            show_slug=options["show"],
            download=options["download"],
            dry_run=options["dry_run"],
            overwrite=options["overwrite"],
        )
        with dry_run_guard(options["dry_run"]):
            show = import_feed(options["source"], fetcher, report, feed_options)
        prefix = "Dry run, nothing saved: " if options["dry_run"] else ""
        where = f" into “{show.slug}”" if show is not None and not options["dry_run"] else ""
        self.stdout.write(f"{prefix}{report.summary}{where}")
        if report.failed:
            raise CommandError(f"{report.failed} failed; see the messages above.")
