"""Care for a child: trajectories, their extension requests (verlengingen) and stop-strategy reviews.

The cost rule (P × Q spread over calendar days) is here twice on purpose: `daily_cost` in Python for
one trajectory, `TrajectoryQuerySet.with_costs` in the database for lists and KPIs; the tests compare them.
"""

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Greatest, Least
from simple_history.models import HistoricalRecords

from .. import formatting
from ..codes import EndReason, Financing, Frequency, Unit
from ..dbfuncs import DaysBetween, InValues
from .catalogue import Gemeente, Product, Provider
from .children import Child


def whole_months(start: dt.date, last: dt.date) -> int:
    """Whole calendar months from `start` to `last` (negative if `last` is earlier).

    A month is complete on the same day number of a later month: 3 Feb 2025 to 2 Mar 2026 is 12 months,
    31 Jan to 28 Feb is none. regie's MonthsBetween counts the same way in SQL. relativedelta on the
    dates themselves would clip 30 Jan + 1 month to 28 Feb and count a whole month there, so it counts
    the months between the first days and the day of the month is compared apart.
    """
    months = relativedelta(last.replace(day=1), start.replace(day=1))
    return months.years * 12 + months.months - (1 if last.day < start.day else 0)


def daily_cost(
    *, tariff: Decimal | None, volume: Decimal, frequency: str, start: dt.date, planned_end: dt.date
) -> Decimal | None:
    """Cost per calendar day of an allocation (P × Q spread over days); None without a per-case price.

    Per week and per month volumes are spread evenly (12 months = 365 days); a total volume is spread
    over the allocated period. Taakgerichte bekostiging has no tariff and therefore no per-case cost.
    """
    if tariff is None:
        return None
    per_day = units_per_day(volume=volume, frequency=frequency, start=start, planned_end=planned_end)
    return (tariff * per_day).quantize(Decimal("0.0001"))


def units_per_day(*, volume: Decimal, frequency: str, start: dt.date, planned_end: dt.date) -> Decimal:
    """Volume per calendar day: per week and per month spread evenly (12 months = 365 days), a total
    over the allocated period. The daily cost and the volume checks (cases/terms.py) both use it."""
    if frequency == Frequency.PER_DAY:
        return volume
    if frequency == Frequency.PER_WEEK:
        return volume / 7
    if frequency == Frequency.PER_MONTH:
        return volume * 12 / 365
    return volume / max((planned_end - start).days + 1, 1)


# The daily cost the case-level figures use: the P × Q price, else the indicative one (taakgericht).
# Spend never uses it: it counts taakgericht care by the contract's payments (reports.kpis.money).
CASE_DAILY_COST = Coalesce(F("daily_cost"), F("indicative__daily_cost"))


class CostBasisLabel(models.TextChoices):
    """Where a trajectory's cost comes from, as the case file and the lists say it."""

    TARIFF = "tarief", "P × Q"
    CONTRACT = "contract", "indicatief (contractsom)"
    REFERENCE = "referentie", "indicatief (referentietarief)"
    MISSING = "ontbreekt", "prijs ontbreekt"


INDICATIVE_BASES = [(b.value, b.label) for b in (CostBasisLabel.CONTRACT, CostBasisLabel.REFERENCE)]


def _cost_basis() -> models.Case:
    return models.Case(
        models.When(daily_cost__isnull=False, then=Value(CostBasisLabel.TARIFF)),
        models.When(indicative__basis__isnull=False, then=F("indicative__basis")),
        default=Value(CostBasisLabel.MISSING),
        output_field=models.CharField(),
    )


class TrajectoryQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TrajectoryQuerySet":
        """Child.visible_to's rule, on the trajectory's own copy of its child's gemeente (kept equal by the
        database, migration 0025): the ids of a gemeente's trajectories come from an index, not a join through
        the children (on the national data set the toets queue took 0.7 s that way, 0.2 s this way)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(InValues("gemeente_id", user.gemeenten.order_by().values("pk")))

    def open_on(self, day: dt.date) -> "TrajectoryQuerySet":
        return self.filter(start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gte=day))

    def in_care_on(self, day: dt.date) -> "TrajectoryQuerySet":
        """Care actually started and not ended on `day` ('in zorg'; the allocation alone is not enough)."""
        return self.filter(actual_start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gte=day))

    def waiting_on(self, day: dt.date) -> "TrajectoryQuerySet":
        """Allocated, past the allocated start, not ended, care not started: the child is waiting."""
        return self.filter(start_date__lte=day, end_date__isnull=True).filter(
            Q(actual_start_date__isnull=True) | Q(actual_start_date__gt=day)
        )

    def without_price(self) -> "TrajectoryQuerySet":
        """'Prijs ontbreekt': no P × Q price and no indicative cost — a data problem for the beheerder."""
        return self.filter(daily_cost__isnull=True, indicative__isnull=True)

    def with_costs(self, on: dt.date, *, indicative: bool = True) -> "TrajectoryQuerySet":
        """Annotate cost to date and committed cost (to the planned end), computed in the database.

        cost_to_date: daily cost × days from start up to `on` (or the actual end, if earlier).
        committed: for open trajectories, daily cost × days after `on` up to the planned end.
        With `indicative` (the default: flags, score, Top N, patterns, case file) a taakgericht
        trajectory counts at its indicative daily cost (IndicativeCost); `cost_basis` says which.
        Both are NULL when the trajectory has no price at all ('prijs ontbreekt').
        """
        on_value = Value(on, output_field=models.DateField())
        accrual_end = Least(Coalesce(F("end_date"), on_value), on_value)
        days_to_date = Greatest(DaysBetween(F("start_date"), accrual_end) + 1, Value(0))
        days_committed = models.Case(
            models.When(end_date__isnull=True, then=Greatest(DaysBetween(on_value, F("planned_end_date")), Value(0))),
            default=Value(0),
        )
        money = models.DecimalField(max_digits=14, decimal_places=2)
        per_day = CASE_DAILY_COST if indicative else F("daily_cost")
        return self.annotate(
            cost_to_date=models.ExpressionWrapper(per_day * days_to_date, output_field=money),
            committed=models.ExpressionWrapper(per_day * days_committed, output_field=money),
            cost_basis=_cost_basis(),
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

    def with_cost_in_period(
        self, start: dt.date, end: dt.date, *, as_of: dt.date, indicative: bool = False
    ) -> "TrajectoryQuerySet":
        """Annotate `period_cost`: what the trajectory cost between `start` and `end` (inclusive).

        Open trajectories accrue up to `as_of` (normally today), ended ones up to their end date.
        P × Q only unless `indicative` (case-level figures): spend counts taakgericht care by payments.
        """
        as_of_value = Value(as_of, output_field=models.DateField())
        last_day = Least(Coalesce(F("end_date"), as_of_value), Value(end, output_field=models.DateField()))
        first_day = Greatest(F("start_date"), Value(start, output_field=models.DateField()))
        days = Greatest(DaysBetween(first_day, last_day) + 1, Value(0))
        money = models.DecimalField(max_digits=14, decimal_places=2)
        per_day = CASE_DAILY_COST if indicative else F("daily_cost")
        return self.annotate(period_cost=models.ExpressionWrapper(per_day * days, output_field=money))


class Trajectory(models.Model):
    """Jeugdhulptraject: one product with one provider for one child.

    The tariff, financing form and norm in force at allocation are copied onto the trajectory, so a
    later change of a product's tariff or norm never rewrites what a past trajectory cost.
    """

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="trajectories", verbose_name="jeugdige")
    # Always the child's gemeente, kept so by the database (triggers of migrations 0025 and 0029 on insert, on a
    # change of child, and on a child's move), so no writer can miss it: the pages of a gemeente (toets queue, Mijn
    # werk, regie) filter on it and its indexes instead of joining 1,000,000 trajectories to their children.
    # No constraint of its own (migration 0030): it is a copy of the child's gemeente, whose foreign key is
    # checked, and a check per new trajectory was a tenth of a CSV import's foreign-key checks.
    gemeente = models.ForeignKey(
        Gemeente,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        editable=False,
        db_index=False,  # the indexes below lead with it
        db_constraint=False,
        verbose_name="gemeente",
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        related_name="trajectories",
        null=True,
        blank=True,
        verbose_name="verwijzing",
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="trajectories", verbose_name="aanbieder"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="trajectories")
    start_date = models.DateField("startdatum (toewijzing)")
    actual_start_date = models.DateField(
        "start zorg",
        null=True,
        blank=True,
        help_text="De werkelijke start van de zorg (JW305 start zorg, of het eerste contact vastgelegd door de "
        "toegang; CBS-definitie). Leeg: de jeugdige wacht nog.",
    )
    family_informed_date = models.DateField(
        "gezin geïnformeerd op", null=True, blank=True, help_text="Wanneer het gezin over de wachttijd is ingelicht."
    )
    bridging_care = models.CharField(
        "overbruggingszorg", max_length=200, blank=True, help_text="Wat er gebeurt tot de zorg start."
    )
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
    above_norm_reason = models.CharField(
        "reden boven de norm",
        max_length=300,
        blank=True,
        help_text="Verplicht als het volume boven het normvolume van het product ligt.",
    )
    outside_budget = models.BooleanField("buiten-budgettaire inzet", default=False)
    outside_budget_reason = models.CharField("reden buiten budget", max_length=200, blank=True)
    allocation_number = models.CharField(
        "toewijzingnummer", max_length=20, blank=True, help_text="ToewijzingNummer uit het iJw-bericht (JW301)."
    )
    # Afschalen to a lighter product (issue 11): the new trajectory follows the one it replaced.
    follows = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followed_by",
        db_index=False,  # a partial index (Meta.indexes)
        verbose_name="vervolg op",
        help_text="Het traject dat dit traject verving (omgezet naar een lichter product).",
    )
    # Optimistic locking: a save carries the version it read; a stale version is a conflict.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The gemeente is derived from the child (whose history has it), not a change of the trajectory.
    # Read by record id only, as the household's history (cases/models/children.py).
    history = HistoricalRecords(
        excluded_fields=["gemeente"],
        no_db_index=["child", "referral", "provider", "product", "follows"],
        user_db_constraint=False,  # see Household.history
    )

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
                condition=Q(actual_start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(actual_start_date__lte=F("end_date")),
                name="trajectory_actual_start_before_end",
            ),
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
            # Only the trajectories that replaced one (few; none an import writes): `follows_id = x` and Django's
            # PROTECT check on deleting a trajectory use it; nothing asks for the trajectories that follow none.
            models.Index(fields=["follows"], condition=Q(follows__isnull=False), name="trajectory_follows"),
            # The open trajectories of a gemeente: patronen, verblijf, Mijn werk's residential starts, the Top N's
            # providers. Covering: the verblijf counts and the provider list read the index alone (key columns,
            # not INCLUDE, which SQLite does not have and warns about).
            models.Index(
                fields=["gemeente", "start_date", "child", "product", "provider"],
                condition=Q(end_date__isnull=True),
                name="trajectory_gemeente_open",
            ),
            # The ids of all trajectories of a gemeente, read from the index alone: the toets queue joins them
            # to the pending requests.
            models.Index(fields=["gemeente", "id"], name="trajectory_gemeente_pk"),
        ]

    def __str__(self):
        return f"{self.product.code} bij {self.provider.name} vanaf {formatting.date(self.start_date)}"

    def save(self, *args, **kwargs):
        self.refresh_daily_cost()
        self.take_childs_gemeente()
        super().save(*args, **kwargs)

    def take_childs_gemeente(self) -> None:
        """What the database's triggers make of it (migrations 0025, 0029); set here too so the saved object says
        it without a reload, and a new row needs no correcting UPDATE. Bulk writes (imports) call it themselves."""
        if "child" in self._state.fields_cache:
            self.gemeente_id = self.child.gemeente_id

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

    def started_on(self, day: dt.date) -> bool:
        """Has care actually started by `day`? Allocated but not started is waiting (issue 12)."""
        return self.actual_start_date is not None and self.actual_start_date <= day

    def running_months(self, on: dt.date) -> int:
        """Whole calendar months care has run on `on` (or ran, if ended), from its actual start; 0 if not started."""
        if self.actual_start_date is None:
            return 0
        return max(whole_months(self.actual_start_date, self.end_date or on), 0)

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


class IndicativeCost(models.Model):
    """The indicative daily cost of a taakgericht trajectory (no per-case price), derived data.

    Recomputed set-based for whole gemeenten by cases.services.costs.indicative_costs_refresh (at every
    flag evaluation and after a contract changes), so it is no history-tracked field of the trajectory.
    """

    trajectory = models.OneToOneField(
        Trajectory, on_delete=models.CASCADE, primary_key=True, related_name="indicative", verbose_name="traject"
    )
    daily_cost = models.DecimalField("indicatieve kosten per dag (€)", max_digits=12, decimal_places=4)
    basis = models.CharField("grondslag", max_length=10, choices=INDICATIVE_BASES)
    contract = models.ForeignKey(
        "cases.TaskContract", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    computed_on = models.DateField("berekend op")

    class Meta:
        verbose_name = "indicatieve kosten"
        verbose_name_plural = "indicatieve kosten"

    def __str__(self):
        return f"{self.daily_cost} per dag ({self.get_basis_display()})"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "Wacht op toets"
    APPROVED = "approved", "Toegekend"
    SHORTENED = "shortened", "Korter toegekend"
    REFUSED = "refused", "Afgewezen"


class ExtensionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ExtensionQuerySet":
        """Trajectory.visible_to's rule on the request's own copy of its trajectory's gemeente (kept equal by
        the database, migration 0027): a gemeente's pending requests come from one partial index, not from a
        hash join of the 36,000 pending requests of the national data set with the gemeente's trajectories."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(InValues("gemeente_id", user.gemeenten.order_by().values("pk")))


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

    trajectory = models.ForeignKey(
        Trajectory, on_delete=models.PROTECT, related_name="extensions", verbose_name="traject"
    )
    # Always the trajectory's gemeente (so its child's), kept so by the database (triggers of migration 0027 on
    # insert, on a change of trajectory, and when a trajectory's gemeente changes), so no writer can miss it:
    # the toets queue reads a gemeente's pending requests from its partial index. No constraint of its own, as
    # the trajectory's (migration 0030): a copy of a gemeente that is checked where it comes from.
    gemeente = models.ForeignKey(
        Gemeente,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        editable=False,
        db_index=False,  # the index below leads with it
        db_constraint=False,
        verbose_name="gemeente",
    )
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
    above_norm_reason = models.CharField(
        "reden boven de norm",
        max_length=300,
        blank=True,
        help_text="Verplicht als het volume na de verlenging boven het normvolume van het product ligt.",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="extensions_requested",
        null=True,
        verbose_name="aangevraagd door",
    )
    requested_at = models.DateTimeField("aangevraagd op", auto_now_add=True)
    status = models.CharField("status", max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    granted_end_date = models.DateField("toegekende einddatum", null=True, blank=True)
    granted_volume = models.DecimalField("toegekend volume", max_digits=10, decimal_places=2, null=True, blank=True)
    decision_reason = models.CharField("motivering besluit", max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="extensions_decided",
        null=True,
        blank=True,
        verbose_name="besloten door",
    )
    decided_at = models.DateTimeField("besloten op", null=True, blank=True)
    # The gemeente is derived from the trajectory, not a change of the request.
    history = HistoricalRecords(excluded_fields=["gemeente"])

    objects = ExtensionQuerySet.as_manager()

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
            # One request waits for the toets per trajectory. extension_request checks it under a lock on
            # the trajectory; this is the backstop for writers that take no lock (the iJw import, two
            # quick clicks from a page that skipped the service).
            models.UniqueConstraint(
                fields=["trajectory"],
                condition=Q(status=ExtensionStatus.PENDING),
                name="extension_one_pending_per_trajectory",
            ),
        ]
        indexes = [
            # The toets queue: pending requests, oldest first.
            models.Index(fields=["requested_at"], condition=Q(status="pending"), name="extension_pending_queue"),
            # The toets queue of a gemeente: its pending requests, read from the index alone.
            models.Index(
                fields=["gemeente", "trajectory", "requested_at", "id"],
                condition=Q(status="pending"),
                name="extension_pending_gemeente",
            ),
            # Mijn werk's "teruggekomen verlengingsbesluiten" (werk/worklists.py, _extensions_returned): the
            # decisions of the worker's gemeenten in the last days. On the decision date alone each toegang
            # page read every decision of the country in the window (~640) and its trajectory to find the
            # few of its gemeente (3,300 buffers); the digest reads it for all gemeenten at once.
            models.Index(
                fields=["gemeente", "decided_at"], condition=~Q(status="pending"), name="extension_decided_gemeente"
            ),
        ]

    def __str__(self):
        return f"Verlenging tot {formatting.date(self.requested_end_date)} ({self.get_status_display()})"

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

    trajectory = models.ForeignKey(Trajectory, on_delete=models.PROTECT, related_name="reviews", verbose_name="traject")
    due_date = models.DateField("uiterlijke reviewdatum")
    done_date = models.DateField("uitgevoerd op", null=True, blank=True)
    outcome = models.CharField("uitkomst", max_length=12, choices=ReviewOutcome.choices, blank=True)
    note = models.CharField("toelichting", max_length=500, blank=True)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="gepland door",
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="gedaan door",
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
        return f"Review uiterlijk {formatting.date(self.due_date)}"

    @property
    def is_done(self) -> bool:
        return self.done_date is not None
