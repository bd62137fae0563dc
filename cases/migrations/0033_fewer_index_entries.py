"""Fewer index entries for every row an import writes (issue 14, fifth round; docs/benchmarks.md).

A CSV row wrote ~30 index entries; these went, none used by the pages or the flag evaluation on the national set
(their plans before and after in docs/benchmarks.md):
- the child's own index on gemeente_id: every other index of the child starts with the gemeente and serves
  `gemeente_id = x` as well; and child_gemeente_lastname, which no query has used since the name search reads
  child_gemeente_search_names (0031);
- history_date on every history table (SIMPLE_HISTORY_DATE_INDEX = False; here and in referrals, regie, reports
  and werk): history is read by record id and by change reason, never by date;
- the household's lead_worker and the trajectory's follows are indexed only where set (partial indexes): an
  import writes neither, and no query asks for the rows without one.

On SQLite the AlterFields rebuild the child, household and trajectory tables, and SQLite refuses to rename a
rebuilt table into place while a trigger names it: 0025's and 0027's triggers are dropped first and created again
after, as in 0030.
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# 0030's two steps: drop 0025's and 0027's SQLite triggers before the rebuilds, create them again after.
TRIGGERS = importlib.import_module("cases.migrations.0030_copied_gemeente_and_history_user_unconstrained")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0032_extension_decided_gemeente"),
        ("referrals", "0005_history_date_unindexed"),
    ]

    operations = [
        migrations.RunPython(TRIGGERS.drop_sqlite_triggers, TRIGGERS.create_sqlite_triggers),
        migrations.RemoveIndex(
            model_name="child",
            name="child_gemeente_lastname",
        ),
        migrations.AlterField(
            model_name="child",
            name="gemeente",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="children",
                to="cases.gemeente",
            ),
        ),
        migrations.AlterField(
            model_name="historicalchild",
            name="history_date",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="historicaldeclaration",
            name="history_date",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="historicalextension",
            name="history_date",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="historicalgemeente",
            name="history_date",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="historicalguardian",
            name="history_date",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="historicalhousehold",
            name="history_date",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="historicalproduct",
            name="history_date",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="historicalprovider",
            name="history_date",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="historicalsegment",
            name="history_date",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="historicalsegmentbudget",
            name="history_date",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="historicalstopreview",
            name="history_date",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="historicaltask",
            name="history_date",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="historicaltaskcontract",
            name="history_date",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="historicaltrajectory",
            name="history_date",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="historicaluser",
            name="history_date",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="historicalyouthpopulation",
            name="history_date",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="household",
            name="lead_worker",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                help_text="1 gezin, 1 plan, 1 regisseur: de toegangsmedewerker die het gezin leidt.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="regisseur van het gezin",
            ),
        ),
        migrations.AlterField(
            model_name="trajectory",
            name="follows",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                help_text="Het traject dat dit traject verving (omgezet naar een lichter product).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="followed_by",
                to="cases.trajectory",
                verbose_name="vervolg op",
            ),
        ),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(
                condition=models.Q(("lead_worker__isnull", False)), fields=["lead_worker"], name="household_lead_worker"
            ),
        ),
        migrations.AddIndex(
            model_name="trajectory",
            index=models.Index(
                condition=models.Q(("follows__isnull", False)), fields=["follows"], name="trajectory_follows"
            ),
        ),
        migrations.RunPython(TRIGGERS.create_sqlite_triggers, TRIGGERS.drop_sqlite_triggers),
    ]
