"""The child's gemeente on the trajectory (issue 14), kept equal to it by the database.

The pages of one gemeente (toets queue, Mijn werk, the regisseur's Top N, patronen, verblijf) found its
trajectories through the child table: over 1,000,000 trajectories a join the planner could not serve from an
index. The column is filled once from the children (one UPDATE ... FROM, before the indexes and triggers, so
neither slows it) and from then on by triggers, on PostgreSQL and SQLite alike, so no writer (a form service,
the CSV COPY, the iJw batch, a script, a test factory) can forget it: on insert and on a change of child the
trajectory takes its child's gemeente, and a child moving to another gemeente takes its trajectories along.
"""

import django.db.models.deletion
from django.db import migrations, models

BACKFILL_SQL = """
UPDATE cases_trajectory SET gemeente_id = cases_child.gemeente_id
FROM cases_child WHERE cases_child.id = cases_trajectory.child_id
"""

POSTGRESQL_TRIGGERS = """
CREATE OR REPLACE FUNCTION cases_trajectory_gemeente() RETURNS trigger AS $$
BEGIN
    SELECT gemeente_id INTO NEW.gemeente_id FROM cases_child WHERE id = NEW.child_id;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cases_trajectory_gemeente
    BEFORE INSERT OR UPDATE OF child_id, gemeente_id ON cases_trajectory
    FOR EACH ROW EXECUTE FUNCTION cases_trajectory_gemeente();

CREATE OR REPLACE FUNCTION cases_child_gemeente_moves_trajectories() RETURNS trigger AS $$
BEGIN
    UPDATE cases_trajectory SET gemeente_id = NEW.gemeente_id WHERE child_id = NEW.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cases_child_gemeente_moves_trajectories
    AFTER UPDATE OF gemeente_id ON cases_child
    FOR EACH ROW WHEN (OLD.gemeente_id IS DISTINCT FROM NEW.gemeente_id)
    EXECUTE FUNCTION cases_child_gemeente_moves_trajectories();
"""
POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS cases_trajectory_gemeente ON cases_trajectory;
DROP FUNCTION IF EXISTS cases_trajectory_gemeente();
DROP TRIGGER IF EXISTS cases_child_gemeente_moves_trajectories ON cases_child;
DROP FUNCTION IF EXISTS cases_child_gemeente_moves_trajectories();
"""

# SQLite cannot change NEW in a BEFORE trigger: an AFTER trigger writes the row again. (Its triggers are not
# recursive by default, so the update trigger's own UPDATE does not fire it again.) A later migration that makes
# SQLite rebuild one of the two tables drops these triggers; tests/cases/test_trajectory_gemeente.py then fails.
SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER cases_trajectory_gemeente_insert AFTER INSERT ON cases_trajectory
    BEGIN
        UPDATE cases_trajectory SET gemeente_id = (SELECT gemeente_id FROM cases_child WHERE id = NEW.child_id)
        WHERE id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER cases_trajectory_gemeente_update AFTER UPDATE OF child_id, gemeente_id ON cases_trajectory
    BEGIN
        UPDATE cases_trajectory SET gemeente_id = (SELECT gemeente_id FROM cases_child WHERE id = NEW.child_id)
        WHERE id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER cases_child_gemeente_moves_trajectories AFTER UPDATE OF gemeente_id ON cases_child
    WHEN OLD.gemeente_id IS NOT NEW.gemeente_id
    BEGIN
        UPDATE cases_trajectory SET gemeente_id = NEW.gemeente_id WHERE child_id = NEW.id;
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS cases_trajectory_gemeente_insert",
    "DROP TRIGGER IF EXISTS cases_trajectory_gemeente_update",
    "DROP TRIGGER IF EXISTS cases_child_gemeente_moves_trajectories",
]


def backfill(apps, schema_editor):
    schema_editor.execute(BACKFILL_SQL)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE cases_trajectory")


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
        ("cases", "0024_trajectory_follows"),
    ]

    operations = [
        migrations.AddField(
            model_name="trajectory",
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
            model_name="trajectory",
            index=models.Index(
                fields=["gemeente", "start_date", "child", "product", "provider"],
                condition=models.Q(end_date__isnull=True),
                name="trajectory_gemeente_open",
            ),
        ),
        migrations.AddIndex(
            model_name="trajectory",
            index=models.Index(fields=["gemeente", "id"], name="trajectory_gemeente_pk"),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
