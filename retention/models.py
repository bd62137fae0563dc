from django.db import models


class RetentionRun(models.Model):
    """One run of the retention rule: how many files were anonymised (never which, nor whose)."""

    ran_at = models.DateTimeField("uitgevoerd", auto_now_add=True)
    cutoff = models.DateField("afgesloten vóór")
    years = models.PositiveSmallIntegerField("bewaartermijn (jaren)")
    dry_run = models.BooleanField("proefdraai", default=False)
    processed = models.PositiveIntegerField("aantal dossiers")

    class Meta:
        verbose_name = "bewaartermijn-run"
        verbose_name_plural = "bewaartermijn-runs"
        ordering = ["-ran_at"]

    def __str__(self):
        return f"{self.ran_at:%Y-%m-%d}: {self.processed} dossiers{' (proefdraai)' if self.dry_run else ''}"
