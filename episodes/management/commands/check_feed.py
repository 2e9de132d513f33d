"""Publish preflight: every feed rule a show or its episodes break, one line each."""

from django.core.management.base import BaseCommand, CommandError

from episodes.feed_checks import check_show
from episodes.models import Show


class Command(BaseCommand):
    help = "Check shows against the rules of Apple, Spotify and Podcast Index before publishing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("show", nargs="?", help="Slug of one show (default: every show).")

    def handle(self, *args, show: str | None = None, **options) -> None:
        shows = Show.objects.all()
        if show is not None:
            shows = shows.filter(slug=show)
            if not shows.exists():
                raise CommandError(f"No show with the slug “{show}”.")
        problems = [problem for each in shows for problem in check_show(each)]
        for problem in problems:
            self.stdout.write(str(problem))
        errors = sum(problem.is_error for problem in problems)
        if errors:
            raise CommandError(f"{errors} error(s): directories would reject this feed.")
