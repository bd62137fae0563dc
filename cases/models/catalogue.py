"""The catalogue a case file is written against: gemeenten and their youth population, users and
roles, purchasing segments, products, providers and segment budgets. Data a beheerder maintains."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from ..codes import Financing, Frequency, ProductCategory, Unit
from ..validators import validate_agb


class Gemeente(models.Model):
    """A municipality, identified by its CBS code (../shared/ijw/codelijsten/CBS_Gemeentecodes.md)."""

    code = models.CharField("CBS-code", max_length=4, unique=True)
    name = models.CharField("naam", max_length=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "gemeente"
        verbose_name_plural = "gemeenten"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class YouthPopulation(models.Model):
    """Inwoners 0-17 jaar per gemeente per jaar, entered by the beheerder; the base of '1 op N'."""

    gemeente = models.ForeignKey(Gemeente, on_delete=models.CASCADE, related_name="youth_populations")
    year = models.PositiveIntegerField("jaar")
    count = models.PositiveIntegerField("aantal jeugdigen 0-17", validators=[MinValueValidator(1)])
    one_in_n_target = models.PositiveIntegerField(
        "doel 1 op N",
        null=True,
        blank=True,
        validators=[MinValueValidator(2, "Een doel '1 op N' is minstens 1 op 2.")],
        help_text="Het doel van de raad voor dit jaar, bijv. 9 voor '1 op 9' jeugdigen in zorg.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "jeugdpopulatie"
        verbose_name_plural = "jeugdpopulatie"
        constraints = [models.UniqueConstraint(fields=["gemeente", "year"], name="youth_population_once_per_year")]

    def __str__(self):
        return f"{self.gemeente.name} {self.year}: {self.count}"


class Role(models.TextChoices):
    TOEGANG = "toegang", "Toegangsmedewerker"
    TOETS = "toets", "Toetsmedewerker"
    REGISSEUR = "regisseur", "Regisseur"
    BELEID = "beleid", "Beleid / management"
    BEHEER = "beheer", "Functioneel beheerder"
    BESTUURDER = "bestuurder", "Bestuurder (directeur / wethouder)"


# Roles that may open an individual case file. Beleid steers on aggregates only (minimum data).
CASE_READER_ROLES = (Role.TOEGANG, Role.TOETS, Role.REGISSEUR)


class User(AbstractUser):
    """A user works for one or more gemeenten and has one role."""

    role = models.CharField("rol", max_length=20, choices=Role.choices, default=Role.TOEGANG)
    gemeenten = models.ManyToManyField(Gemeente, verbose_name="gemeenten", related_name="users", blank=True)
    daily_digest = models.BooleanField(
        "dagelijkse samenvatting per e-mail",
        default=True,
        help_text="Elke werkdag om 07:00 een e-mail met de aantallen openstaand werk (alleen dossiernummers).",
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = "gebruiker"
        verbose_name_plural = "gebruikers"

    @property
    def can_read_cases(self) -> bool:
        return self.role in CASE_READER_ROLES

    @property
    def can_log_cases(self) -> bool:
        return self.role == Role.TOEGANG

    def serves(self, gemeente_id: int) -> bool:
        """Whether the user works for this gemeente: the one check every service makes before it writes."""
        return self.gemeenten.filter(pk=gemeente_id).exists()


class Segment(models.Model):
    """A purchasing segment (DOMAIN.md §4). Data a beheerder maintains, not code."""

    number = models.PositiveSmallIntegerField("nummer", unique=True)
    name = models.CharField("naam", max_length=120)
    financing = models.CharField(
        "gebruikelijke bekostiging", max_length=12, choices=Financing.choices, default=Financing.EFFORT
    )
    norm_months = models.PositiveSmallIntegerField(
        "normduur (maanden)", default=12, help_text="Geldt voor producten zonder eigen normduur."
    )
    is_residential = models.BooleanField("verblijf", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "segment"
        verbose_name_plural = "segmenten"
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.name}"


class Product(models.Model):
    """A product from the national product code list, with the region's tariff and norm."""

    code = models.CharField("productcode", max_length=5, unique=True)
    description = models.CharField("omschrijving", max_length=200)
    category = models.CharField("productcategorie (JZ020)", max_length=2, choices=ProductCategory.choices)
    execution_variant = models.CharField("uitvoeringsvariant", max_length=40, blank=True)
    with_stay = models.BooleanField("met verblijf", default=False)
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="products")
    unit = models.CharField("eenheid (WJ756)", max_length=2, choices=Unit.choices, default=Unit.HOUR)
    financing = models.CharField("bekostiging", max_length=12, choices=Financing.choices)
    tariff = models.DecimalField(
        "tarief per eenheid (€)",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Leeg bij taakgerichte bekostiging: die kent geen prijs per casus.",
    )
    reference_tariff = models.DecimalField(
        "referentietarief (€ per eenheid)",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Voor taakgerichte bekostiging: geeft de indicatieve kosten per traject "
        "(zonder contract: referentietarief × volume; met contract: het gewicht bij het verdelen van de contractsom).",
    )
    norm_months = models.PositiveSmallIntegerField(
        "normduur (maanden)", null=True, blank=True, help_text="Leeg: de normduur van het segment geldt."
    )
    norm_volume = models.DecimalField(
        "normvolume",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"), "Een normvolume moet groter dan nul zijn.")],
        help_text="Het gebruikelijke maximum per periode, in de eenheid van het product (de Q van het normenkader). "
        "Daarboven moet de toegang een reden geven en komt er een signaal.",
    )
    norm_frequency = models.CharField(
        "normvolume per", max_length=1, choices=Frequency.choices, default=Frequency.PER_WEEK
    )
    active = models.BooleanField("actief", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "product"
        verbose_name_plural = "producten"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(norm_volume__isnull=True) | models.Q(norm_volume__gt=0),
                name="product_norm_volume_positive",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.description}"

    @property
    def effective_norm_months(self) -> int:
        return self.norm_months or self.segment.norm_months


class Provider(models.Model):
    """Aanbieder, identified by its AGB code."""

    agb_code = models.CharField("AGB-code", max_length=8, unique=True, validators=[validate_agb])
    name = models.CharField("naam", max_length=200)
    contracted = models.BooleanField(
        "gecontracteerd", default=True, help_text="Niet gecontracteerde zorg is buiten-budgettaire inzet."
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "aanbieder"
        verbose_name_plural = "aanbieders"
        ordering = ["name"]

    def __str__(self):
        return self.name


class SegmentBudget(models.Model):
    """Budget per segment per year for a gemeente, entered by the beheerder."""

    gemeente = models.ForeignKey(Gemeente, on_delete=models.CASCADE, related_name="budgets")
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="budgets")
    year = models.PositiveIntegerField("jaar")
    amount = models.DecimalField("budget (€)", max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    history = HistoricalRecords()

    class Meta:
        verbose_name = "budget"
        verbose_name_plural = "budgetten"
        constraints = [
            models.UniqueConstraint(fields=["gemeente", "segment", "year"], name="budget_once_per_segment_year")
        ]

    def __str__(self):
        return f"{self.gemeente.name} {self.segment} {self.year}"


class PaymentSchedule(models.TextChoices):
    """How a taakgericht contract's lump sum is paid: in equal parts on the first day of each term."""

    MONTHLY = "monthly", "Maandelijks (1/12 op de eerste van elke maand)"
    QUARTERLY = "quarterly", "Per kwartaal (1/4 op de eerste van elk kwartaal)"
    YEARLY = "yearly", "Jaarlijks vooraf (1 januari)"


class CostBasis(models.TextChoices):
    """How the contract sum is spread over its clients to give each trajectory an indicative cost."""

    CARE_DAYS = "care_days", "Contractsom verdeeld over de zorgdagen van de cliënten"
    REFERENCE = "reference", "Contractsom verdeeld naar referentietarief × volume"


PAYMENT_TERMS = {PaymentSchedule.MONTHLY: 12, PaymentSchedule.QUARTERLY: 4, PaymentSchedule.YEARLY: 1}


class TaskContract(models.Model):
    """Taakgericht contract (DOMAIN.md §4): a lump sum a gemeente pays one provider for one segment in one
    year, whatever the number of clients. Entered by the beheerder.

    Spend counts the contract by its payments; the trajectories it covers get an indicative cost (the sum
    spread over their care days, cases.services.costs) for the flags, the score and the case file only.
    """

    gemeente = models.ForeignKey(Gemeente, on_delete=models.CASCADE, related_name="task_contracts")
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="task_contracts", verbose_name="aanbieder"
    )
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="task_contracts")
    year = models.PositiveIntegerField("jaar")
    amount = models.DecimalField(
        "contractsom (€)",
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"), "De contractsom moet groter dan € 0 zijn.")],
    )
    payment_schedule = models.CharField(
        "betaalschema", max_length=10, choices=PaymentSchedule.choices, default=PaymentSchedule.MONTHLY
    )
    cost_basis = models.CharField(
        "indicatieve kosten per traject",
        max_length=10,
        choices=CostBasis.choices,
        default=CostBasis.CARE_DAYS,
        help_text="Met referentietarief: producten zonder referentietarief tellen als 'prijs ontbreekt'.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "taakgericht contract"
        verbose_name_plural = "taakgerichte contracten"
        ordering = ["-year", "segment__number", "provider__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["gemeente", "provider", "segment", "year"], name="task_contract_once_per_year"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="task_contract_amount_positive"),
        ]

    def __str__(self):
        return f"{self.provider.name} segment {self.segment.number} {self.year}"

    def payments(self) -> list[tuple]:
        """(due date, amount) of each payment; the last one takes the rounding remainder."""
        terms = PAYMENT_TERMS[self.payment_schedule]
        part = (self.amount / terms).quantize(Decimal("0.01"))
        step = 12 // terms
        rows = [(dt.date(self.year, 1 + i * step, 1), part) for i in range(terms)]
        rows[-1] = (rows[-1][0], self.amount - part * (terms - 1))
        return rows

    def paid_between(self, first, last) -> Decimal:
        return sum((amount for due, amount in self.payments() if first <= due <= last), Decimal("0.00"))
