"""Mijn werk's own data: the warning windows per gemeente and the daily digest."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class WorkWindows(models.Model):
    """How far ahead each kind of due item shows on Mijn werk, per gemeente (the beheerder sets them).

    An item shows from `due date - window` on; a moved due date moves its warning with it. The same
    window measures lateness: more than 3× the window past due is "ernstig te laat".
    """

    gemeente = models.OneToOneField("cases.Gemeente", on_delete=models.CASCADE, related_name="work_windows")
    review_days = models.PositiveSmallIntegerField("stopstrategie-reviews: dagen vooruit", default=14)
    trajectory_end_days = models.PositiveSmallIntegerField("einde traject: dagen vooruit", default=30)
    task_days = models.PositiveSmallIntegerField("taken: dagen vooruit", default=7)
    referral_outcome_days = models.PositiveSmallIntegerField("verwijzing zonder uitkomst: na dagen", default=14)
    returned_extension_days = models.PositiveSmallIntegerField(
        "teruggekomen verlengingsbesluiten: dagen terug", default=7
    )
    follow_up_days = models.PositiveSmallIntegerField("vervolgdatum regisseur: dagen vooruit", default=7)
    escalation_days = models.PositiveSmallIntegerField("open opschaling: signaleren na dagen", default=28)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "waarschuwingstermijnen Mijn werk"
        verbose_name_plural = "waarschuwingstermijnen Mijn werk"

    def __str__(self):
        return f"Termijnen {self.gemeente}"


class DigestStatus(models.TextChoices):
    SENDING = "sending", "Wordt verzonden"
    SENT = "sent", "Verzonden"
    FAILED = "failed", "Mislukt"


class DigestDelivery(models.Model):
    """One daily digest for one user on one day. The unique key makes it one email per user per day,
    also when two beat processes or a retried task run at once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField("dag")
    status = models.CharField("status", max_length=10, choices=DigestStatus.choices, default=DigestStatus.SENDING)
    attempts = models.PositiveSmallIntegerField("pogingen", default=0)
    error = models.CharField("laatste fout", max_length=300, blank=True)
    created_at = models.DateTimeField("aangemaakt op", auto_now_add=True)
    sent_at = models.DateTimeField("verzonden op", null=True, blank=True)

    class Meta:
        verbose_name = "dagelijkse samenvatting"
        verbose_name_plural = "dagelijkse samenvattingen"
        ordering = ["-day", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_user_per_day")]

    def __str__(self):
        return f"Samenvatting {self.day:%d-%m-%Y} voor {self.user}"
