"""The case file: gemeenten, users, children, households, care trajectories and their reviews.

Referrals live in the `referrals` app. Business writes go through `cases/services.py`; reads
of case data start from `Child.objects.visible_to(user)` (or the matching queryset method on
the related model) so that one rule decides who sees which case.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Greatest, Least
from simple_history.models import HistoricalRecords

from .codes import EndReason, Financing, Frequency, ProductCategory, Unit
from .dbfuncs import DaysBetween
from .validators import validate_agb, validate_bsn


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


class ChildQuerySet(models.QuerySet):
    """Also the queryset of Household: both belong to a gemeente directly."""

    def visible_to(self, user) -> "ChildQuerySet":
        """The one visibility rule: a user sees only the children (households) of their own gemeenten."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(gemeente__in=user.gemeenten.all())


class Household(models.Model):
    """Gezin / huishouden: siblings are seen together (1 gezin, 1 plan, 1 regisseur)."""

    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="households")
    name = models.CharField("naam huishouden", max_length=120, help_text="Bijvoorbeeld 'Gezin De Vries'.")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = "huishouden"
        verbose_name_plural = "huishoudens"

    def __str__(self):
        return self.name


class Child(models.Model):
    """Jeugdige: the child whose case file (dossier) this is."""

    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="children")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="children")
    first_name = models.CharField("voornaam", max_length=80)
    name_prefix = models.CharField("tussenvoegsel", max_length=20, blank=True)
    last_name = models.CharField("achternaam", max_length=120)
    birth_date = models.DateField("geboortedatum")
    # Stored only when known; validated with the elfproef; never shown in lists, URLs or logs.
    # NULL rather than "" when unknown, so the unique constraint applies only to known BSNs.
    bsn = models.CharField("BSN", max_length=9, null=True, blank=True, validators=[validate_bsn])  # noqa: DJ001
    external_reference = models.CharField(
        "referentie bronsysteem",
        max_length=40,
        blank=True,
        help_text="Het kenmerk in het systeem waaruit is geïmporteerd.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = "jeugdige"
        verbose_name_plural = "jeugdigen"
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["bsn"], condition=Q(bsn__isnull=False), name="child_bsn_unique_when_known"),
        ]
        indexes = [
            # The toegang search: by name within the user's gemeenten, and by birth date.
            models.Index(fields=["gemeente", "last_name"], name="child_gemeente_lastname"),
            models.Index(fields=["gemeente", "birth_date"], name="child_gemeente_birthdate"),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.case_number})"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.name_prefix, self.last_name) if part)

    @property
    def case_number(self) -> str:
        """Dossiernummer: derived from the primary key, so it never needs to be kept in step."""
        return f"JR-{self.pk:06d}" if self.pk else ""

    @property
    def masked_bsn(self) -> str:
        return f"•••••{self.bsn[-4:]}" if self.bsn else ""

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


def whole_months(start: dt.date, last: dt.date) -> int:
    """Whole calendar months from `start` to `last` (negative if `last` is earlier)."""
    return (last.year - start.year) * 12 + last.month - start.month - (1 if last.day < start.day else 0)


def daily_cost(
    *, tariff: Decimal | None, volume: Decimal, frequency: str, start: dt.date, planned_end: dt.date
) -> Decimal | None:
    """Cost per calendar day of an allocation (P × Q spread over days); None without a per-case price.

    Per week and per month volumes are spread evenly (12 months = 365 days); a total volume is spread
    over the allocated period. Taakgerichte bekostiging has no tariff and therefore no per-case cost.
    """
    if tariff is None:
        return None
    if frequency == Frequency.PER_DAY:
        units_per_day = volume
    elif frequency == Frequency.PER_WEEK:
        units_per_day = volume / 7
    elif frequency == Frequency.PER_MONTH:
        units_per_day = volume * 12 / 365
    else:
        units_per_day = volume / max((planned_end - start).days + 1, 1)
    return (tariff * units_per_day).quantize(Decimal("0.0001"))


class TrajectoryQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TrajectoryQuerySet":
        return self.filter(child__in=Child.objects.visible_to(user))

    def open_on(self, day: dt.date) -> "TrajectoryQuerySet":
        return self.filter(start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gte=day))

    def with_costs(self, on: dt.date) -> "TrajectoryQuerySet":
        """Annotate cost to date and committed cost (to the planned end), computed in the database.

        cost_to_date: daily cost × days from start up to `on` (or the actual end, if earlier).
        committed: for open trajectories, daily cost × days after `on` up to the planned end.
        Both are NULL for taakgerichte trajectories (no per-case price).
        """
        on_value = Value(on, output_field=models.DateField())
        accrual_end = Least(Coalesce(F("end_date"), on_value), on_value)
        days_to_date = Greatest(DaysBetween(F("start_date"), accrual_end) + 1, Value(0))
        days_committed = models.Case(
            models.When(end_date__isnull=True, then=Greatest(DaysBetween(on_value, F("planned_end_date")), Value(0))),
            default=Value(0),
        )
        money = models.DecimalField(max_digits=14, decimal_places=2)
        return self.annotate(
            cost_to_date=models.ExpressionWrapper(F("daily_cost") * days_to_date, output_field=money),
            committed=models.ExpressionWrapper(F("daily_cost") * days_committed, output_field=money),
        )

    def open_cost_per_child(self, on: dt.date) -> "TrajectoryQuerySet":
        """Grouped by child_id: `total`, what its open care costs (to date plus committed to the planned end)."""
        return (
            self.filter(end_date__isnull=True, start_date__lte=on)
            .order_by()
            .with_costs(on)
            .values("child_id")
            .annotate(total=models.Sum(F("cost_to_date") + F("committed")))
        )

    def open_cost_by_child(self, on: dt.date) -> dict[int, Decimal]:
        """Per child: what its open care costs, one query."""
        return {row["child_id"]: Decimal(row["total"] or 0) for row in self.open_cost_per_child(on)}

    def with_cost_in_period(self, start: dt.date, end: dt.date, *, as_of: dt.date) -> "TrajectoryQuerySet":
        """Annotate `period_cost`: what the trajectory cost between `start` and `end` (inclusive).

        Open trajectories accrue up to `as_of` (normally today), ended ones up to their end date.
        """
        as_of_value = Value(as_of, output_field=models.DateField())
        last_day = Least(Coalesce(F("end_date"), as_of_value), Value(end, output_field=models.DateField()))
        first_day = Greatest(F("start_date"), Value(start, output_field=models.DateField()))
        days = Greatest(DaysBetween(first_day, last_day) + 1, Value(0))
        money = models.DecimalField(max_digits=14, decimal_places=2)
        return self.annotate(period_cost=models.ExpressionWrapper(F("daily_cost") * days, output_field=money))


class Trajectory(models.Model):
    """Jeugdhulptraject: one product with one provider for one child.

    The tariff, financing form and norm in force at allocation are copied onto the trajectory, so a
    later change of a product's tariff or norm never rewrites what a past trajectory cost.
    """

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="trajectories")
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="trajectories", null=True, blank=True
    )
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="trajectories")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="trajectories")
    start_date = models.DateField("startdatum")
    planned_end_date = models.DateField("geplande einddatum")
    end_date = models.DateField("werkelijke einddatum", null=True, blank=True)
    end_reason = models.CharField("reden beëindiging (JZ588)", max_length=2, choices=EndReason.choices, blank=True)
    volume = models.DecimalField("volume", max_digits=10, decimal_places=2)
    unit = models.CharField("eenheid (WJ756)", max_length=2, choices=Unit.choices)
    frequency = models.CharField("frequentie (WMO757)", max_length=1, choices=Frequency.choices)
    tariff = models.DecimalField(
        "tarief per eenheid bij toewijzing (€)", max_digits=10, decimal_places=2, null=True, blank=True
    )
    financing = models.CharField("bekostiging bij toewijzing", max_length=12, choices=Financing.choices)
    norm_months = models.PositiveSmallIntegerField("normduur bij toewijzing (maanden)")
    daily_cost = models.DecimalField(
        "kosten per dag (€)", max_digits=12, decimal_places=4, null=True, blank=True, editable=False
    )
    outside_budget = models.BooleanField("buiten-budgettaire inzet", default=False)
    outside_budget_reason = models.CharField("reden buiten budget", max_length=200, blank=True)
    allocation_number = models.CharField(
        "toewijzingnummer", max_length=20, blank=True, help_text="ToewijzingNummer uit het iJw-bericht (JW301)."
    )
    # Optimistic locking: a save carries the version it read; a stale version is a conflict.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = TrajectoryQuerySet.as_manager()

    class Meta:
        verbose_name = "jeugdhulptraject"
        verbose_name_plural = "jeugdhulptrajecten"
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end_date__gte=F("start_date")), name="trajectory_planned_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="trajectory_end_after_start",
            ),
            models.CheckConstraint(condition=Q(volume__gt=0), name="trajectory_volume_positive"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | ~Q(end_reason=""), name="trajectory_end_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(outside_budget=False) | ~Q(outside_budget_reason=""),
                name="trajectory_outside_budget_has_reason",
            ),
            models.UniqueConstraint(
                fields=["allocation_number"], condition=~Q(allocation_number=""), name="trajectory_allocation_unique"
            ),
        ]
        indexes = [
            # Flag evaluation and KPIs scan the open trajectories of a gemeente.
            models.Index(fields=["end_date", "start_date"], name="trajectory_end_start"),
        ]

    def __str__(self):
        return f"{self.product.code} bij {self.provider.name} vanaf {self.start_date:%d-%m-%Y}"

    def save(self, *args, **kwargs):
        self.refresh_daily_cost()
        super().save(*args, **kwargs)

    def refresh_daily_cost(self) -> None:
        """What save() computes; bulk writes (imports) call it themselves."""
        self.daily_cost = daily_cost(
            tariff=self.tariff,
            volume=self.volume,
            frequency=self.frequency,
            start=self.start_date,
            planned_end=self.planned_end_date,
        )

    @property
    def is_open(self) -> bool:
        return self.end_date is None

    @property
    def has_case_price(self) -> bool:
        return self.financing != Financing.TASK and self.tariff is not None

    def running_months(self, on: dt.date) -> int:
        """Whole calendar months the trajectory has run on `on` (or ran, if ended)."""
        return max(whole_months(self.start_date, self.end_date or on), 0)

    def cost_to_date(self, on: dt.date) -> Decimal | None:
        if self.daily_cost is None:
            return None
        last = min(self.end_date or on, on)
        days = max((last - self.start_date).days + 1, 0)
        return (self.daily_cost * days).quantize(Decimal("0.01"))

    def committed_cost(self, on: dt.date) -> Decimal | None:
        if self.daily_cost is None:
            return None
        if self.end_date is not None:
            return Decimal("0.00")
        days = max((self.planned_end_date - on).days, 0)
        return (self.daily_cost * days).quantize(Decimal("0.01"))


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "Wacht op toets"
    APPROVED = "approved", "Toegekend"
    SHORTENED = "shortened", "Korter toegekend"
    REFUSED = "refused", "Afgewezen"


class Extension(models.Model):
    """Verlenging: a request to extend a trajectory's end date and/or volume, decided by a toets.

    The trajectory changes only on approval (JZ002 04 herbeoordeling verlenging). The states and
    their allowed transitions are in TRANSITIONS; `cases.services.extension_decide` enforces them.
    """

    TRANSITIONS = {
        ExtensionStatus.PENDING: {ExtensionStatus.APPROVED, ExtensionStatus.SHORTENED, ExtensionStatus.REFUSED},
        ExtensionStatus.APPROVED: set(),
        ExtensionStatus.SHORTENED: set(),
        ExtensionStatus.REFUSED: set(),
    }

    trajectory = models.ForeignKey(Trajectory, on_delete=models.PROTECT, related_name="extensions")
    requested_end_date = models.DateField("gevraagde einddatum")
    requested_volume = models.DecimalField(
        "gevraagd volume",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Leeg: volume blijft gelijk.",
    )
    reason = models.CharField("reden van de aanvraag", max_length=500)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="extensions_requested", null=True
    )
    requested_at = models.DateTimeField("aangevraagd op", auto_now_add=True)
    status = models.CharField("status", max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    granted_end_date = models.DateField("toegekende einddatum", null=True, blank=True)
    granted_volume = models.DecimalField("toegekend volume", max_digits=10, decimal_places=2, null=True, blank=True)
    decision_reason = models.CharField("motivering besluit", max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="extensions_decided", null=True, blank=True
    )
    decided_at = models.DateTimeField("besloten op", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "verlenging"
        verbose_name_plural = "verlengingen"
        ordering = ["requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(requested_volume__isnull=True) | Q(requested_volume__gt=0),
                name="extension_volume_positive",
            ),
            models.CheckConstraint(
                condition=Q(status=ExtensionStatus.PENDING) | ~Q(decision_reason=""),
                name="extension_decision_has_reason",
            ),
        ]
        indexes = [
            # The toets queue: pending requests, oldest first.
            models.Index(fields=["requested_at"], condition=Q(status="pending"), name="extension_pending_queue"),
        ]

    def __str__(self):
        return f"Verlenging tot {self.requested_end_date:%d-%m-%Y} ({self.get_status_display()})"

    @property
    def is_granted(self) -> bool:
        return self.status in (ExtensionStatus.APPROVED, ExtensionStatus.SHORTENED)


class ReviewOutcome(models.TextChoices):
    CONTINUE = "continue", "Voortzetten"
    SCALE_DOWN = "scale_down", "Afschalen"
    END = "end", "Beëindigen"
    WLZ = "wlz", "Route naar Wlz"


class StopReview(models.Model):
    """Stopstrategie-review: a planned check whether a trajectory can scale down or end."""

    trajectory = models.ForeignKey(Trajectory, on_delete=models.PROTECT, related_name="reviews")
    due_date = models.DateField("uiterlijke reviewdatum")
    done_date = models.DateField("uitgevoerd op", null=True, blank=True)
    outcome = models.CharField("uitkomst", max_length=12, choices=ReviewOutcome.choices, blank=True)
    note = models.CharField("toelichting", max_length=500, blank=True)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "stopstrategie-review"
        verbose_name_plural = "stopstrategie-reviews"
        ordering = ["due_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_date__isnull=True, outcome="") | (Q(done_date__isnull=False) & ~Q(outcome="")),
                name="review_done_has_outcome",
            ),
        ]

    def __str__(self):
        return f"Review uiterlijk {self.due_date:%d-%m-%Y}"

    @property
    def is_done(self) -> bool:
        return self.done_date is not None


class CaseAccessLog(models.Model):
    """Inzagelog (NEN 7513): who read which case file, when, for which gemeente.

    Written by the case views only; read-only in the admin and never editable from the app.
    """

    at = models.DateTimeField("tijdstip", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.SET_NULL, null=True, related_name="+")
    # Kept as text too, so the log still says which file was read if the file is ever destroyed.
    case_number = models.CharField("dossiernummer", max_length=20)
    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="+")
    action = models.CharField("handeling", max_length=40, default="inzage dossier")

    class Meta:
        verbose_name = "inzage"
        verbose_name_plural = "inzagelog"
        ordering = ["-at"]

    def __str__(self):
        return f"{self.at:%d-%m-%Y %H:%M} {self.user} {self.case_number}"


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


class FlagOutbox(models.Model):
    """Children whose re-evaluation could not be queued (broker down); the catch-up task drains it."""

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "uitgestelde signalering"
        verbose_name_plural = "uitgestelde signaleringen"

    def __str__(self):
        return f"Signalering uitgesteld voor jeugdige {self.child_id}"
