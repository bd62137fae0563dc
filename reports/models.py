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


class SnapshotTrigger(models.TextChoices):
    MONTHLY = "monthly", "Maandafsluiting"
    BEHEERDER = "beheerder", "Functioneel beheerder"
    COMMAND = "command", "Beheeropdracht"
    EMAIL = "email", "Maandrapportage (ontbrak nog)"


class KpiSnapshot(models.Model):
    """Every figure of one gemeente's month as it was computed at `computed_at`.

    Computed figures, not case data: no history. Rows are never updated; recomputing a month (after a
    correction) adds a new snapshot and keeps the old one, so "what did we report in March" has an answer.
    The newest snapshot of a month is the one the dashboard, the export and the email read.
    """

    gemeente = models.ForeignKey(Gemeente, on_delete=models.CASCADE, related_name="kpi_snapshots")
    month = models.DateField("maand", help_text="De eerste dag van de maand.")
    computed_at = models.DateTimeField("berekend op")
    trigger = models.CharField("aanleiding", max_length=10, choices=SnapshotTrigger.choices)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="door",
    )  # fmt: skip
    reason = models.CharField("reden", max_length=500, blank=True, help_text="Waarom de maand opnieuw is berekend.")

    class Meta:
        verbose_name = "KPI-momentopname"
        verbose_name_plural = "KPI-momentopnamen"
        ordering = ["-month", "gemeente", "-computed_at"]
        # The latest snapshot of a gemeente's month (reports/snapshots.py, latest_snapshots).
        indexes = [models.Index(fields=["gemeente", "month", "-computed_at"], name="kpi_snapshot_latest")]

    def __str__(self):
        return f"{self.gemeente.name} {self.month:%m-%Y} (berekend {self.computed_at:%d-%m-%Y %H:%M})"


class KpiSnapshotValue(models.Model):
    """One figure of a snapshot: its key, where the dashboard shows it, and its value (null: n.v.t.)."""

    snapshot = models.ForeignKey(KpiSnapshot, on_delete=models.CASCADE, related_name="values")
    position = models.PositiveIntegerField("volgorde")  # the order of reports.figures.report_figures
    key = models.CharField("figuur", max_length=200)
    section = models.CharField("sectie", max_length=100)
    label = models.CharField("omschrijving", max_length=200)
    unit = models.CharField("eenheid", max_length=20)
    breakdown = models.CharField("uitsplitsing", max_length=300, blank=True)
    key_figure = models.BooleanField("kerncijfer", default=False)
    # Exactly as computed: counts and money (cents) exact; shares and medians to 12 decimals.
    value = models.DecimalField("waarde", max_digits=30, decimal_places=12, null=True, blank=True)

    class Meta:
        verbose_name = "KPI-waarde"
        verbose_name_plural = "KPI-waarden"
        ordering = ["snapshot", "position"]
        constraints = [models.UniqueConstraint(fields=["snapshot", "key"], name="kpi_snapshot_value_once")]

    def __str__(self):
        return f"{self.key}: {self.value}"
