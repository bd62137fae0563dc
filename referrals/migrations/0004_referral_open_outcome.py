"""Mijn werk's referrals without outcome found in an index of the open referrals only (issue 14, fifth round).

The section probes each of a worker's files; on the child's index alone every referral of the child was read
to see whether it has an outcome. Adding an index does not rebuild the table on SQLite.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0032_extension_decided_gemeente'),
        ('referrals', '0003_history_user_unconstrained'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(condition=models.Q(('outcome', '')), fields=['child', 'date'], name='referral_open_outcome'),
        ),
    ]
