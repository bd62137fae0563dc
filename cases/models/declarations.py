"""Declaraties: what a provider declared per trajectory and month (JW323 or CSV), and what the gemeente
approved (JW325).

One row per prestatie (detail line) of a declaration. A credit (COD043 C) reverses a debit in full and
carries the same ReferentieNummer (iJw TR323/TR390), so (provider, reference, debit/credit) identifies a
line: importing the same message twice finds every line already there and changes nothing.
`amount` is signed (a credit is negative), so a sum over lines is the net declared amount.
"""

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .catalogue import Provider
from .trajectories import Trajectory


class DebitCredit(models.TextChoices):
    """COD043 Indicatie debet/credit."""

    DEBIT = "D", "Debet"
    CREDIT = "C", "Credit"


class DeclarationStatus(models.TextChoices):
    SUBMITTED = "submitted", "Ingediend"
    APPROVED = "approved", "Toegekend"
    REJECTED = "rejected", "Afgewezen"


class DeclarationSource(models.TextChoices):
    IJW = "ijw", "iJw (JW323)"
    CSV = "csv", "CSV-bestand"


class DeclarationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DeclarationQuerySet":
        return self.filter(trajectory__in=Trajectory.objects.visible_to(user))

    def realised(self) -> "DeclarationQuerySet":
        """Lines that count as realised spend: not rejected by the gemeente (docs/kpis.md)."""
        return self.exclude(status=DeclarationStatus.REJECTED)


class Declaration(models.Model):
    """Declaratieregel (prestatie): a provider's claim for one trajectory over (part of) one month."""

    trajectory = models.ForeignKey(
        Trajectory, on_delete=models.PROTECT, related_name="declarations", verbose_name="traject"
    )
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+", verbose_name="aanbieder")
    month = models.DateField("maand", help_text="Eerste dag van de kalendermaand van de prestatie.")
    period_start = models.DateField("begindatum prestatie")
    period_end = models.DateField("einddatum prestatie")
    volume = models.DecimalField("geleverd volume", max_digits=10, decimal_places=2)
    unit = models.CharField("eenheid (WJ756)", max_length=2)
    debit_credit = models.CharField("debet/credit (COD043)", max_length=1, choices=DebitCredit.choices)
    amount = models.DecimalField("gedeclareerd bedrag (€, credit negatief)", max_digits=12, decimal_places=2)
    reference = models.CharField("referentienummer", max_length=20)
    declaration_number = models.CharField("declaratienummer", max_length=12, blank=True)
    message_id = models.CharField("berichtidentificatie", max_length=20, blank=True)
    source = models.CharField("bron", max_length=3, choices=DeclarationSource.choices)
    status = models.CharField(
        "status", max_length=10, choices=DeclarationStatus.choices, default=DeclarationStatus.SUBMITTED
    )
    approved_amount = models.DecimalField(
        "toegekend bedrag (€)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    answer_codes = models.CharField("retourcodes (JW325)", max_length=60, blank=True)
    history = HistoricalRecords()

    objects = DeclarationQuerySet.as_manager()

    class Meta:
        verbose_name = "declaratieregel"
        verbose_name_plural = "declaratieregels"
        ordering = ["month", "reference"]
        constraints = [
            # Idempotency: a line is delivered once (TR314); a debit is credited once (TR390).
            models.UniqueConstraint(
                fields=["provider", "reference", "debit_credit"], name="declaration_once_per_reference"
            ),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="declaration_end_after_start"),
            models.CheckConstraint(
                condition=(Q(debit_credit="D") & Q(amount__gte=0)) | (Q(debit_credit="C") & Q(amount__lte=0)),
                name="declaration_sign_matches_debit_credit",
            ),
            models.CheckConstraint(
                condition=Q(status=DeclarationStatus.SUBMITTED) | Q(approved_amount__isnull=False),
                name="declaration_answered_has_amount",
            ),
        ]
        indexes = [
            # The KPIs sum a gemeente's lines per month (reports.kpis.declarations).
            models.Index(fields=["month", "trajectory"], name="declaration_month"),
            # A JW325 finds the lines of the JW323 it answers.
            models.Index(fields=["provider", "message_id"], name="declaration_message"),
        ]

    def __str__(self):
        return f"Declaratie {self.reference} ({self.get_debit_credit_display()}) {self.month:%m-%Y}"
