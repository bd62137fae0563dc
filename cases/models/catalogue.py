"""The catalogue a case file is written against: gemeenten and their youth population, users and
roles, purchasing segments, products, providers and segment budgets. Data a beheerder maintains."""

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from ..codes import Financing, ProductCategory, Unit
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
    norm_months = models.PositiveSmallIntegerField(
        "normduur (maanden)", null=True, blank=True, help_text="Leeg: de normduur van het segment geldt."
    )
    active = models.BooleanField("actief", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "product"
        verbose_name_plural = "producten"
        ordering = ["code"]

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
