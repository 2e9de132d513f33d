"""Import episodes from a static site's markdown files (YAML frontmatter)."""

from pathlib import Path

from django.core.management.base import CommandError, CommandParser

from episodes.importers.command import ImportCommand, import_help
from episodes.importers.common import Report
from episodes.importers.markdown import import_markdown
from episodes.models import Show


class Command(ImportCommand):
    help = import_help("Import markdown episodes (files or folders of them)", "files", "file")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument(
            "--show",
            metavar="SLUG",
            help="Show to import into (created if missing). Needed when the site has several.",
        )
        parser.add_argument(
            "--media-root",
            type=Path,
            metavar="DIR",
            help="Folder that audioFile and coverImage paths are relative to (the site's public/).",
        )
        super().add_arguments(parser)

    def run(self, report: Report, options: dict) -> None:
        """Import the files. The show is the one named or the site's only one: not named again."""
        media_root = options["media_root"]
        if media_root is not None and not media_root.is_dir():
            raise CommandError(f"--media-root {media_root} is not a folder.")
        import_markdown(
            options["paths"],
            self._show(options["show"], report),
            report,
            media_root=media_root,
            dry_run=options["dry_run"],
            overwrite=options["overwrite"],
        )

    def _show(self, slug: str | None, report: Report) -> Show:
        if slug:
            show = Show.objects.filter(slug=slug).first()
            if show is None:
                return self._new_show(slug, slug.replace("-", " ").title(), report)
            return show
        shows = list(Show.objects.all()[:2])
        if len(shows) > 1:
            raise CommandError("The site has several shows: choose one with --show SLUG.")
        return shows[0] if shows else self._new_show("podcast", "Podcast", report)

    def _new_show(self, slug: str, title: str, report: Report) -> Show:
        show = Show(
            slug=slug,
            title=title,
            description=f"{title}: imported episodes.",
            author=title,
            owner_name=title,
        )
        try:
            show.full_clean(exclude=["owner_email"])
        except Exception as exc:
            raise CommandError(f"Cannot create the show {slug!r}: {exc}") from exc
        show.save()
        report.warn(
            f"show {slug}",
            "created; fill in its description, author, owner e-mail and artwork in the admin",
        )
        return show
