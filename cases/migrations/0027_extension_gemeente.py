"""The trajectory's gemeente on the extension request (issue 14), kept equal to it by the database.

The toets queue found a gemeente's pending requests by hash-joining all 36,000 pending requests of the national
data set to the gemeente's 53,000 trajectories (70 ms and more of the page). With the gemeente on the request a
partial index gives the gemeente's pending requests directly. Migration 0025's pattern: filled once from the
trajectories (one UPDATE ... FROM, before the index and triggers), from then on by triggers on PostgreSQL and
SQLite alike, so no writer (the form service, the iJw import, a script, a test factory) can forget it: on insert
and on a change of trajectory the request takes its trajectory's gemeente, and a trajectory whose gemeente
changes (its child moved, or it moved to another child: 0025's triggers) takes its requests along.
"""

import django.db.models.deletion
from django.db import migrations, models

BACKFILL_SQL = """
UPDATE cases_extension SET gemeente_id = cases_trajectory.gemeente_id
FROM cases_trajectory WHERE cases_trajectory.id = cases_extension.trajectory_id
"""

# The trajectory's trigger fires on any update that changes its gemeente: a BEFORE trigger of 0025 sets it on a
# change of child, and PostgreSQL fires no `UPDATE OF gemeente_id` trigger for a change made by a BEFORE trigger.
POSTGRESQL_TRIGGERS = """
CREATE OR REPLACE FUNCTION cases_extension_gemeente() RETURNS trigger AS $$
BEGIN
    SELECT gemeente_id INTO NEW.gemeente_id FROM cases_trajectory WHERE id = NEW.trajectory_id;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cases_extension_gemeente
    BEFORE INSERT OR UPDATE OF trajectory_id, gemeente_id ON cases_extension
    FOR EACH ROW EXECUTE FUNCTION cases_extension_gemeente();

CREATE OR REPLACE FUNCTION cases_trajectory_gemeente_moves_extensions() RETURNS trigger AS $$
BEGIN
    UPDATE cases_extension SET gemeente_id = NEW.gemeente_id WHERE trajectory_id = NEW.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cases_trajectory_gemeente_moves_extensions
    AFTER UPDATE ON cases_trajectory
    FOR EACH ROW WHEN (OLD.gemeente_id IS DISTINCT FROM NEW.gemeente_id)
    EXECUTE FUNCTION cases_trajectory_gemeente_moves_extensions();
"""
POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS cases_extension_gemeente ON cases_extension;
DROP FUNCTION IF EXISTS cases_extension_gemeente();
DROP TRIGGER IF EXISTS cases_trajectory_gemeente_moves_extensions ON cases_trajectory;
DROP FUNCTION IF EXISTS cases_trajectory_gemeente_moves_extensions();
"""

# As in 0025: SQLite cannot change NEW in a BEFORE trigger, so an AFTER trigger writes the row again. A later
# migration that makes SQLite rebuild one of the two tables drops these triggers; tests/cases/test_extension_gemeente.py
# then fails.
SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER cases_extension_gemeente_insert AFTER INSERT ON cases_extension
    BEGIN
        UPDATE cases_extension SET gemeente_id = (SELECT gemeente_id FROM cases_trajectory WHERE id = NEW.trajectory_id)
        WHERE id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER cases_extension_gemeente_update AFTER UPDATE OF trajectory_id, gemeente_id ON cases_extension
    BEGIN
        UPDATE cases_extension SET gemeente_id = (SELECT gemeente_id FROM cases_trajectory WHERE id = NEW.trajectory_id)
        WHERE id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER cases_trajectory_gemeente_moves_extensions AFTER UPDATE ON cases_trajectory
    WHEN OLD.gemeente_id IS NOT NEW.gemeente_id
    BEGIN
        UPDATE cases_extension SET gemeente_id = NEW.gemeente_id WHERE trajectory_id = NEW.id;
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS cases_extension_gemeente_insert",
    "DROP TRIGGER IF EXISTS cases_extension_gemeente_update",
    "DROP TRIGGER IF EXISTS cases_trajectory_gemeente_moves_extensions",
]


def backfill(apps, schema_editor):
    schema_editor.execute(BACKFILL_SQL)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE cases_extension")


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_TRIGGERS)
    elif vendor == "sqlite":
        for sql in SQLITE_TRIGGERS:
            schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DROP)
    elif vendor == "sqlite":
        for sql in SQLITE_DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0026_child_gemeente_upper_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="extension",
            name="gemeente",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.gemeente",
                verbose_name="gemeente",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="extension",
            index=models.Index(
                condition=models.Q(status="pending"),
                fields=["gemeente", "trajectory", "requested_at", "id"],
                name="extension_pending_gemeente",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
