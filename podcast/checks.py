"""System checks that need the database: run by `migrate` and `check --database default`."""

from django.core import checks
from django.db import connections
from django.db.migrations.loader import MigrationLoader

# The last commit whose migrations a database part way through the squashed ones can finish on.
BEFORE_SQUASH = "the commit before the one that added episodes/migrations/0001_squashed_*"


@checks.register(checks.Tags.database)
def squashed_history(app_configs, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """A database that applied only some of the migrations a squash replaces cannot go on here."""
    errors = []
    for alias in databases or ():
        loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
        for key, migration in loader.replacements.items():
            applied = [name for name in migration.replaces if name in loader.applied_migrations]
            if applied and len(applied) < len(migration.replaces):
                last = max(applied)
                errors.append(
                    checks.Error(
                        f"Database {alias!r} stopped at migration {last[0]}.{last[1]}, part way "
                        f"through those that {key[0]}.{key[1]} replaces.",
                        hint=f"Migrate with {BEFORE_SQUASH} first, then with this version.",
                        id="podcast.E001",
                    )
                )
    return errors
