"""Import runs and what the iJw import remembers between messages (issue 5, docs/import.md)."""

from django.conf import settings
from django.db import models

from cases.models import Gemeente, Provider, Trajectory


class ImportKind(models.TextChoices):
    CSV = "csv", "CSV-bestand"
    IJW = "ijw", "iJw-berichten"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "Wacht op verwerking"
    RUNNING = "running", "Bezig"
    CHECKED = "checked", "Proefimport klaar"
    DONE = "done", "Geïmporteerd"
    PARTIAL = "partial", "Deels geïmporteerd"
    REFUSED = "refused", "Geweigerd"
    FAILED = "failed", "Mislukt"


class ImportRun(models.Model):
    """One import of a CSV file or a set of iJw messages: who, when, what, and the report.

    The report never holds a BSN (imports.common.mask_bsn); problems are capped in number
    so a file full of errors cannot blow up the row.
    """

    kind = models.CharField("soort", max_length=4, choices=ImportKind.choices)
    file_name = models.CharField("bestand", max_length=255)
    dry_run = models.BooleanField("proefimport", default=False)
    status = models.CharField("status", max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField("aangemaakt", auto_now_add=True)
    started_at = models.DateTimeField("gestart", null=True, blank=True)
    finished_at = models.DateTimeField("klaar", null=True, blank=True)
    total = models.PositiveIntegerField("totaal", default=0)
    done = models.PositiveIntegerField("verwerkt", default=0)
    created = models.PositiveIntegerField("nieuw", default=0)
    updated = models.PositiveIntegerField("gewijzigd", default=0)
    unchanged = models.PositiveIntegerField("ongewijzigd", default=0)
    waiting = models.PositiveIntegerField("wachtend", default=0)
    problem_count = models.PositiveIntegerField("problemen", default=0)
    report = models.JSONField("verslag", default=dict, blank=True)
    # Where an uploaded file waits between the proefimport and the confirmation; removed afterwards.
    stored_path = models.CharField(max_length=500, blank=True, editable=False)

    class Meta:
        db_table = "cases_importrun"
        verbose_name = "import"
        verbose_name_plural = "imports"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status not in (ImportStatus.PENDING, ImportStatus.RUNNING)


class IjwAllocation(models.Model):
    """What the iJw import knows about an allocation (ToewijzingNummer) beyond the trajectory itself.

    `allocated_at` is the Toewijzingsdatum/-tijd of the newest JW301 applied, so an older JW301 that
    arrives late never rolls a trajectory back; `actual_start` keeps the JW305 start so a re-sent
    JW301 does not overwrite it.
    """

    allocation_number = models.CharField("toewijzingnummer", max_length=20, unique=True)
    trajectory = models.OneToOneField(Trajectory, on_delete=models.CASCADE, related_name="ijw_allocation")
    provider_reference = models.CharField("referentie aanbieder", max_length=36, blank=True)
    allocated_at = models.DateTimeField("toewijzingsmoment")
    allocation_start = models.DateField("ingangsdatum toewijzing")
    actual_start = models.DateField("werkelijke start (JW305)", null=True, blank=True)

    class Meta:
        db_table = "cases_ijwallocation"
        verbose_name = "iJw-toewijzing"
        verbose_name_plural = "iJw-toewijzingen"
        indexes = [
            # JW315 links its referral to the allocation by the provider's reference.
            models.Index(fields=["provider_reference"], name="ijw_allocation_reference"),
        ]

    def __str__(self):
        return f"Toewijzing {self.allocation_number}"


class IjwReferral(models.Model):
    """The referral a JW315 (verzoek om toewijzing) created, keyed by the provider's reference."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    provider_reference = models.CharField("referentie aanbieder", max_length=36)
    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "cases_ijwreferral"
        verbose_name = "iJw-verwijzing"
        verbose_name_plural = "iJw-verwijzingen"
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_reference"], name="ijw_referral_once_per_reference")
        ]

    def __str__(self):
        return f"Verzoek {self.provider_reference}"


class IjwPendingMessage(models.Model):
    """A JW305, JW307 or JW317 whose JW301 has not arrived yet: it waits, it is never guessed.

    The payload holds dates and codes only. The BSN is kept as a keyed hash (imports.common.
    bsn_digest), enough to check it against the allocation's child later without storing it here.
    """

    kind = models.CharField("berichttype", max_length=5)
    gemeente = models.ForeignKey(Gemeente, on_delete=models.CASCADE, related_name="+")
    allocation_number = models.CharField("toewijzingnummer", max_length=20, db_index=True)
    bsn_digest = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    # Hash of kind, allocation, BSN digest and payload: the same message delivered twice waits once.
    content_digest = models.CharField(max_length=64, unique=True)
    file_name = models.CharField("bestand", max_length=255)
    received_in = models.ForeignKey(ImportRun, on_delete=models.SET_NULL, null=True, related_name="+")
    received_at = models.DateTimeField("ontvangen", auto_now_add=True)

    class Meta:
        db_table = "cases_ijwpendingmessage"
        verbose_name = "wachtend iJw-bericht"
        verbose_name_plural = "wachtende iJw-berichten"
        ordering = ["received_at"]

    def __str__(self):
        return f"{self.kind} voor toewijzing {self.allocation_number}"


# --- KPI reports (issue 4) ---------------------------------------------------------------
