"""A new trajectory's gemeente checked once per statement instead of once per row (issue 14), on PostgreSQL.

Migration 0025's BEFORE INSERT row trigger looked the child up for every row, and any BEFORE ROW trigger makes
COPY insert one row at a time: a fifth of a CSV import's trajectory COPY. The writers now give the child's
gemeente themselves (the CSV import, HistoryWriter, Trajectory.save); after each INSERT or COPY, one UPDATE
corrects the new rows whose gemeente is missing or not their child's, so a writer that leaves it out is still
right (at the price of that UPDATE). Changes of child and moves of a child keep their triggers of 0025.
SQLite keeps 0025's triggers: it has no statement-level triggers.
"""

from django.db import migrations

STATEMENT_TRIGGER = """
DROP TRIGGER cases_trajectory_gemeente ON cases_trajectory;
CREATE TRIGGER cases_trajectory_gemeente
    BEFORE UPDATE OF child_id, gemeente_id ON cases_trajectory
    FOR EACH ROW EXECUTE FUNCTION cases_trajectory_gemeente();

CREATE FUNCTION cases_trajectory_gemeente_of_new() RETURNS trigger AS $$
BEGIN
    UPDATE cases_trajectory SET gemeente_id = cases_child.gemeente_id
    FROM new_trajectories JOIN cases_child ON cases_child.id = new_trajectories.child_id
    WHERE cases_trajectory.id = new_trajectories.id
      AND new_trajectories.gemeente_id IS DISTINCT FROM cases_child.gemeente_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cases_trajectory_gemeente_of_new
    AFTER INSERT ON cases_trajectory REFERENCING NEW TABLE AS new_trajectories
    FOR EACH STATEMENT EXECUTE FUNCTION cases_trajectory_gemeente_of_new();
"""

ROW_TRIGGER = """
DROP TRIGGER cases_trajectory_gemeente_of_new ON cases_trajectory;
DROP FUNCTION cases_trajectory_gemeente_of_new();
DROP TRIGGER cases_trajectory_gemeente ON cases_trajectory;
CREATE TRIGGER cases_trajectory_gemeente
    BEFORE INSERT OR UPDATE OF child_id, gemeente_id ON cases_trajectory
    FOR EACH ROW EXECUTE FUNCTION cases_trajectory_gemeente();
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0028_history_foreign_keys_unindexed"),
    ]

    operations = [
        migrations.RunPython(on_postgresql(STATEMENT_TRIGGER), on_postgresql(ROW_TRIGGER)),
    ]
