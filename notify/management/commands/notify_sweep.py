from django.core.management.base import BaseCommand

from notify.announce import schedule_sweep, sweep


class Command(BaseCommand):
    help = (
        "Catch scheduled episodes and announcements that lost their task, and make sure the "
        "periodic sweep is queued (run it whenever a worker starts)."
    )

    def handle(self, *args, **options) -> None:
        result = sweep()
        schedule_sweep()
        if options["verbosity"]:
            self.stdout.write(f"Sweep: {result}.")
