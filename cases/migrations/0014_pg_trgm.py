"""pg_trgm for the name search (cases/search.py ranks typo candidates by trigram similarity).

Only on PostgreSQL. No trigram index: the search reads one gemeente's children through the
(gemeente, last_name) index and ranks those; a GIN index would serve a `%` filter the search does not use.
"""

from django.db import migrations


def create_extension(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class Migration(migrations.Migration):
    dependencies = [("cases", "0013_team_lead_reassign_permission")]

    # Reversing leaves the extension: dropping it could break other objects that use it.
    operations = [migrations.RunPython(create_extension, migrations.RunPython.noop, elidable=False)]
