"""Who receives the monthly KPI email (ReportSubscription) and what was sent (ReportDelivery)."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from cases.models import Gemeente


class ReportSubscription(models.Model):
    """Who receives a gemeente's monthly KPI email. The beheerder keeps the list; users can opt out."""

    gemeente = models.ForeignKey(Gemeente, on_delete=models.CASCADE, related_name="report_subscriptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_subscriptions")
    active = models.BooleanField(
        "actief", default=True, help_text="Uit: de gebruiker ontvangt de maandrapportage niet."
    )
    history = HistoricalRecords(table_name="cases_historicalreportsubscription")

    class Meta:
        db_table = "cases_reportsubscription"
        verbose_name = "abonnement maandrapportage"
        verbose_name_plural = "abonnementen maandrapportage"
        constraints = [models.UniqueConstraint(fields=["gemeente", "user"], name="report_subscription_once_per_user")]

    def __str__(self):
        return f"{self.user} · {self.gemeente.name}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Klaar om te versturen"
    SENDING = "sending", "Wordt verstuurd"
    SENT = "sent", "Verstuurd"
    FAILED = "failed", "Mislukt"


class ReportDelivery(models.Model):
    """Verzendlog: one monthly report for one recipient. The unique key makes a second send a no-op.

    A log, not case data: deliberately without history.
    """

    gemeente = models.ForeignKey(Gemeente, on_delete=models.CASCADE, related_name="report_deliveries")
    month = models.DateField("maand", help_text="De eerste dag van de maand waarover gerapporteerd wordt.")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField("e-mailadres")
    status = models.CharField("status", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField("pogingen", default=0)
    last_error = models.CharField("laatste fout", max_length=500, blank=True)
    created_at = models.DateTimeField("aangemaakt", auto_now_add=True)
    sent_at = models.DateTimeField("verstuurd op", null=True, blank=True)
    # When the row was claimed for sending: a row still "sending" long after this was lost with its worker.
    claimed_at = models.DateTimeField("geclaimd op", null=True, blank=True)

    class Meta:
        db_table = "cases_reportdelivery"
        verbose_name = "verzending maandrapportage"
        verbose_name_plural = "verzendingen maandrapportage"
        ordering = ["-month", "gemeente", "email"]
        constraints = [
            models.UniqueConstraint(fields=["gemeente", "month", "recipient"], name="report_delivery_once"),
        ]

    def __str__(self):
        return f"{self.gemeente.name} {self.month:%m-%Y} → {self.email} ({self.get_status_display()})"
