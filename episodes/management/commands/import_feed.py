"""Import a podcast from its RSS feed (a URL or a file)."""

from django.core.management.base import CommandParser

from episodes.importers.command import ImportCommand, import_help
from episodes.importers.common import Report
from episodes.importers.feed import FeedOptions, import_feed
from episodes.importers.fetch import Fetcher
from episodes.models import Show


class Command(ImportCommand):
    help = import_help(
        "Import a show and its episodes from an RSS feed URL or file", "feed", "item"
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
        super().add_arguments(parser)

    def run(self, report: Report, options: dict) -> Show | None:
        fetcher = Fetcher(allow_private=options["allow_private"])
        feed_options = FeedOptions(
            show_slug=options["show"],
            download=options["download"],
            dry_run=options["dry_run"],
            overwrite=options["overwrite"],
        )
        return import_feed(options["source"], fetcher, report, feed_options)
