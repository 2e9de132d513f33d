"""What the import commands share: --dry-run, --overwrite, the dry-run guard and the summary."""

from abc import ABC, abstractmethod

from django.core.management.base import BaseCommand, CommandError, CommandParser

from episodes.models import Show

from .common import Report, dry_run_guard


def import_help(what: str, source: str, item: str) -> str:
    """A command's help: what it imports, then what running it again does, as for every import."""
    return (
        f"{what}. Safe to run again: what changed in the {source} is updated, nothing is "
        f"duplicated, and what an editor changed since is kept (unless --overwrite). Exits "
        f"non-zero if any {item} failed."
    )


class ImportCommand(BaseCommand, ABC):
    """An import command: a subclass adds its own arguments and imports in `run`."""

    def add_arguments(self, parser: CommandParser) -> None:
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
        with dry_run_guard(options["dry_run"]):
            show = self.run(report, options)
        prefix = "Dry run, nothing saved: " if options["dry_run"] else ""
        where = f" into “{show.slug}”" if show is not None and not options["dry_run"] else ""
        self.stdout.write(f"{prefix}{report.summary}{where}")
        if report.failed:
            raise CommandError(f"{report.failed} failed; see the messages above.")

    @abstractmethod
    def run(self, report: Report, options: dict) -> Show | None:
        """Import; the show to name in the summary, when the import chose it."""
