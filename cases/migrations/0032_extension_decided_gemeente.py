"""Mijn werk's returned extension decisions found through the request's gemeente (issue 14, fifth round).

The index on the decision date alone made each toegangsmedewerker's page read every decision of the country in
the window (~640 on the national set) and its trajectory, to keep the few of the worker's gemeente. With the
gemeente first (the column of 0027) the page reads only those. Adding an index does not rebuild the table
on SQLite, so the triggers of 0027/0030 stay as they are.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0031_child_search_names"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="extension",
            name="extension_decided",
        ),
        migrations.AddIndex(
            model_name="extension",
            index=models.Index(
                condition=models.Q(("status", "pending"), _negated=True),
                fields=["gemeente", "decided_at"],
                name="extension_decided_gemeente",
            ),
        ),
    ]
