from django.db import migrations

from cases.product_catalogue import load_catalogue


def forwards(apps, schema_editor):
    load_catalogue(apps.get_model("cases", "Segment"), apps.get_model("cases", "Product"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
