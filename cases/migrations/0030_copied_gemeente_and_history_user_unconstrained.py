"""No foreign-key constraints where they only cost an import its time (issue 14, fourth round).

A CSV import of 100,000 rows made ~1,050,000 deferred foreign-key checks at its commit, ~40% of PostgreSQL's
work. Two kinds are dropped (the columns, their indexes and Django's on_delete stay as they were):
- the gemeente of a trajectory and of an extension request: copies of the child's (the trajectory's) gemeente
  kept equal to it by the triggers of 0025, 0027 and 0029; the child's own gemeente stays checked;
- history_user of the household, child, referral (referrals/0003) and trajectory history: Django's collector
  still sets it NULL when a user is deleted (on_delete=SET_NULL); only a raw SQL delete could leave an id.

On SQLite changing a constraint rebuilds the table, and SQLite refuses to rename the rebuilt table into place
while a trigger names it (0025's and 0027's triggers on and about the trajectory and extension tables): they are
dropped first and created again after, from those migrations' own statements.
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TRAJECTORY = importlib.import_module("cases.migrations.0025_trajectory_gemeente")
EXTENSION = importlib.import_module("cases.migrations.0027_extension_gemeente")
SQLITE_DROP = TRAJECTORY.SQLITE_DROP + EXTENSION.SQLITE_DROP
SQLITE_TRIGGERS = TRAJECTORY.SQLITE_TRIGGERS + EXTENSION.SQLITE_TRIGGERS


def drop_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_DROP:
            schema_editor.execute(sql)


def create_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_TRIGGERS:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0029_trajectory_gemeente_statement_trigger"),
    ]

    operations = [
        migrations.RunPython(drop_sqlite_triggers, create_sqlite_triggers),
        migrations.AlterField(
            model_name="extension",
            name="gemeente",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.gemeente",
                verbose_name="gemeente",
            ),
        ),
        migrations.AlterField(
            model_name="historicalchild",
            name="history_user",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="historicalhousehold",
            name="history_user",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="historicaltrajectory",
            name="history_user",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="trajectory",
            name="gemeente",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.gemeente",
                verbose_name="gemeente",
            ),
        ),
        migrations.RunPython(create_sqlite_triggers, drop_sqlite_triggers),
    ]
