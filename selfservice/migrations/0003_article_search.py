"""The knowledge base's full-text index, on PostgreSQL only (SQLite searches with LIKE).

A GIN index on the very expression ``selfservice.selectors.kb.SEARCH_VECTOR`` builds; a test
checks that PostgreSQL's plan for a search uses it.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX = "selfservice_article_search"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    index = GinIndex(SearchVector("title", "body", config="simple"), name=INDEX)
    schema_editor.add_index(apps.get_model("selfservice", "Article"), index)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [("selfservice", "0002_self_service_roles")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
