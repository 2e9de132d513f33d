"""Full-text search index: a GIN index over the same expression the search queries use.

PostgreSQL only; other databases (SQLite in development) search with a plain fallback.
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

INDEX_NAME = "episode_search_idx"


def _index() -> GinIndex:
    from episodes.search import search_vector

    return GinIndex(search_vector(), name=INDEX_NAME)


def create_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("episodes", "Episode"), _index())


def drop_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


class Migration(migrations.Migration):
    dependencies = [("episodes", "0002_editors_group")]

    operations = [migrations.RunPython(create_index, drop_index)]
