"""The monthly KPIs management steers on (DOMAIN.md §7), each a function of (gemeente, period).

Every function runs a fixed number of aggregate queries, whatever the amount of data: counts,
sums and medians are computed in the database, and Python only reshapes the few rows that come
back (one per segment or per referral source at most). A figure that cannot be computed — a
share of nothing, a median of no values, a population nobody entered — is None, shown as
"n.v.t." (NVT). The definitions, and where they differ from CBS Beleidsinformatie Jeugd, are in
docs/kpis.md; each docstring below states the rule in one or two sentences.

Dates: a trajectory is *active* in a period when it started on or before the last day and had
not ended before the first day. Durations count both the first and the last day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Sum, Value, Window
from django.db.models.functions import Greatest, Least, RowNumber
from django.utils import timezone

from referrals.models import Referral, ReferralOutcome

from .codes import EndReason, ReferrerType
from .dbfuncs import DaysBetween
from .models import Child, Extension, ExtensionStatus, Gemeente, Segment, SegmentBudget, Trajectory, YouthPopulation

NVT = "n.v.t."
WAIT_NORM_DAYS = 56  # 8 weeks: beyond this parents' satisfaction drops sharply (DOMAIN.md §3)
DAYS_PER_MONTH = 365.25 / 12

# CBS duration bins (DOMAIN.md §5), as the largest number of days (inclusive) in each bin.
DURATION_BINS = [
    ("0-3 mnd", 91),
    ("3-6 mnd", 182),
    ("6-12 mnd", 365),
    ("1-2 jr", 730),
    ("2-3 jr", 1095),
    ("3-4 jr", 1461),
    ("4+ jr", None),
]

MONTH_NAMES = [
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
]  # fmt: skip


# --- periods ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A closed date range; normally one calendar month (the quarterly update uses three)."""

    start: dt.date
    end: dt.date

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        start = dt.date(year, month, 1)
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return cls(start, following - dt.timedelta(days=1))

    @classmethod
    def parse_month(cls, text: str) -> Period:
        """'YYYY-MM' → that month; ValueError with a Dutch message otherwise."""
        try:
            year, month = (int(part) for part in text.strip().split("-"))
            return cls.month(year, month)
        except (ValueError, TypeError):
            raise ValueError(f"'{text}' is geen maand; gebruik de vorm JJJJ-MM, bijvoorbeeld 2026-02.") from None

    @classmethod
    def last_complete_month(cls, today: dt.date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls.month(today.year, today.month).shifted(-1)

    def shifted(self, months: int) -> Period:
        """The calendar month `months` away from this period's first month."""
        index = self.start.year * 12 + self.start.month - 1 + months
        return Period.month(index // 12, index % 12 + 1)

    def with_months_before(self, count: int) -> list[Period]:
        """This month and the `count` months before it, oldest first (the trend window)."""
        return [self.shifted(-offset) for offset in range(count, -1, -1)]

    @property
    def key(self) -> str:
        return f"{self.start:%Y-%m}"

    @property
    def label(self) -> str:
        return f"{MONTH_NAMES[self.start.month - 1]} {self.start.year}"

    @property
    def short_label(self) -> str:
        return f"{MONTH_NAMES[self.start.month - 1][:3]} {self.start:%y}"

    def aware_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[first moment, first moment after) in the site's time zone, for datetime fields."""
        tz = timezone.get_default_timezone()
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return start, end


def pct(part: int | Decimal, whole: int | Decimal) -> float | None:
    """Percentage with one decimal; None (n.v.t.) for a share of nothing."""
    if not whole:
        return None
    return round(100 * float(part) / float(whole), 1)


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _trajectories(gemeente: Gemeente):
    return Trajectory.objects.filter(child__gemeente=gemeente)


def _active(period: Period) -> Q:
    return Q(start_date__lte=period.end) & (Q(end_date__isnull=True) | Q(end_date__gte=period.start))


def _running_after(day: dt.date) -> Exists:
    """A trajectory of the same child still running after `day` (started by then, not ended by then)."""
    still_open = Q(end_date__isnull=True) | Q(end_date__gt=day)
    return Exists(Trajectory.objects.filter(still_open, child=OuterRef("child"), start_date__lte=day))


def _date(day: dt.date) -> Value:
    return Value(day, output_field=models.DateField())


def _medians(queryset, value: str, partition: str | None = None) -> dict:
    """Median of the annotated `value` per `partition` (or overall, key None), computed in the database.

    Window functions number the rows in order of the value; only the one or two middle rows of
    each group come back, and their mean is the median.
    """
    partition_by = [F(partition)] if partition else []
    ranked = queryset.annotate(
        _rn=Window(RowNumber(), partition_by=partition_by, order_by=[F(value).asc(), F("pk").asc()]),
        _n=Window(Count("pk"), partition_by=partition_by),
    )
    integer = models.IntegerField()
    middle = ranked.filter(
        Q(_rn=models.ExpressionWrapper((F("_n") + 1) / 2, output_field=integer))
        | Q(_rn=models.ExpressionWrapper((F("_n") + 2) / 2, output_field=integer))
    )
    groups: dict = {}
    for row in middle.values(value, *([partition] if partition else [])):
        groups.setdefault(row[partition] if partition else None, []).append(row[value])
    return {key: sum(values) / len(values) for key, values in groups.items()}


# --- inflow and outflow ----------------------------------------------------------------------


@dataclass
class Flow:
    trajectories: int
    youths: int


def inflow(gemeente: Gemeente, period: Period) -> Flow:
    """Instroom: trajectories that started in the period, and youths new in care.

    A youth counts as new when a trajectory started in the period and no trajectory of theirs was
    running on the day before the period began.
    """
    day_before = period.start - dt.timedelta(days=1)
    in_care_before = Exists(
        Trajectory.objects.filter(child=OuterRef("child"), start_date__lte=day_before).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day_before)
        )
    )
    row = (
        _trajectories(gemeente)
        .filter(start_date__range=(period.start, period.end))
        .annotate(_before=in_care_before)
        .aggregate(trajectories=Count("pk"), youths=Count("child", distinct=True, filter=Q(_before=False)))
    )
    return Flow(**row)


def outflow(gemeente: Gemeente, period: Period) -> Flow:
    """Uitstroom: trajectories that ended in the period, and youths who left care.

    A youth has left care when a trajectory ended in the period and none of theirs runs on after
    the period's last day.
    """
    row = (
        _trajectories(gemeente)
        .filter(end_date__range=(period.start, period.end))
        .annotate(_after=_running_after(period.end))
        .aggregate(trajectories=Count("pk"), youths=Count("child", distinct=True, filter=Q(_after=False)))
    )
    return Flow(**row)


# --- youths in care and 1 op N ---------------------------------------------------------------


@dataclass
class InCare:
    youths: int
    youths_under_18: int
    population: int | None
    one_in_n: float | None
    by_segment: dict[int, int] = field(default_factory=dict)


def youths_in_care(gemeente: Gemeente, period: Period) -> InCare:
    """Jeugdigen in zorg: distinct youths with an active trajectory in the period, and "1 op N".

    1 op N = the youth population (0-17) the beheerder entered for the period's year, divided by
    the youths in care who were under 18 on the period's last day. Without a population: n.v.t.
    """
    active = _trajectories(gemeente).filter(_active(period))
    eighteen_years_before = _years_before(period.end, 18)
    row = active.aggregate(
        youths=Count("child", distinct=True),
        youths_under_18=Count("child", distinct=True, filter=Q(child__birth_date__gt=eighteen_years_before)),
    )
    by_segment = dict(
        active.values_list("product__segment__number").annotate(n=Count("child", distinct=True)).order_by()
    )
    population = (
        YouthPopulation.objects.filter(gemeente=gemeente, year=period.end.year).values_list("count", flat=True).first()
    )
    one_in_n = round(population / row["youths_under_18"], 1) if population and row["youths_under_18"] else None
    return InCare(population=population, one_in_n=one_in_n, by_segment=by_segment, **row)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# --- duration of ended trajectories ----------------------------------------------------------


@dataclass
class Duration:
    ended: int
    mean_days: float | None
    median_days: float | None
    bins: dict[str, int]

    @property
    def mean_months(self) -> float | None:
        return None if self.mean_days is None else round(self.mean_days / DAYS_PER_MONTH, 1)

    @property
    def median_months(self) -> float | None:
        return None if self.median_days is None else round(self.median_days / DAYS_PER_MONTH, 1)


@dataclass
class Durations:
    total: Duration
    by_segment: dict[int, Duration]


def durations(gemeente: Gemeente, period: Period) -> Durations:
    """Duur: length of the trajectories that ended in the period (start and end day included).

    Mean, median and the CBS bins (0-3 m, 3-6 m, 6-12 m, 1-2 j, 2-3 j, 3-4 j, 4+ j; a month is
    365.25/12 days, see DURATION_BINS), for all segments and per segment.
    """
    ended = (
        _trajectories(gemeente)
        .filter(end_date__range=(period.start, period.end))
        .annotate(_days=DaysBetween(F("start_date"), F("end_date")) + 1)
    )
    aggregates = {"ended": Count("pk"), "mean_days": Avg("_days")}
    lower = 0
    for index, (_label, upper) in enumerate(DURATION_BINS):
        in_bin = Q(_days__gt=lower) & (Q(_days__lte=upper) if upper else Q())
        aggregates[f"bin{index}"] = Count("pk", filter=in_bin)
        lower = upper
    total = ended.aggregate(**aggregates)
    per_segment = ended.values("product__segment__number").annotate(**aggregates).order_by()
    medians = _medians(ended, "_days")
    segment_medians = _medians(ended, "_days", partition="product__segment__number")

    def build(row, median) -> Duration:
        mean = row["mean_days"]
        return Duration(
            ended=row["ended"],
            mean_days=None if mean is None else round(float(mean), 1),
            median_days=median,
            bins={label: row[f"bin{index}"] for index, (label, _upper) in enumerate(DURATION_BINS)},
        )

    return Durations(
        total=build(total, medians.get(None)),
        by_segment={
            row["product__segment__number"]: build(row, segment_medians.get(row["product__segment__number"]))
            for row in per_segment
        },
    )


# --- extensions ------------------------------------------------------------------------------


@dataclass
class Extensions:
    requested: int
    granted: int
    refused: int
    active_trajectories: int
    extended_trajectories: int

    @property
    def extended_pct(self) -> float | None:
        return pct(self.extended_trajectories, self.active_trajectories)


def extensions(gemeente: Gemeente, period: Period) -> Extensions:
    """Verlengingen: requests made and decisions taken in the period, and the share extended.

    Share extended = of the trajectories active in the period, those with at least one extension
    granted (in full or shortened) on or before the period's last day.
    """
    start, end = period.aware_bounds()
    in_gemeente = Extension.objects.filter(trajectory__child__gemeente=gemeente)
    granted = Q(status__in=[ExtensionStatus.APPROVED, ExtensionStatus.SHORTENED])
    decided_in_period = Q(decided_at__gte=start, decided_at__lt=end)
    row = in_gemeente.aggregate(
        requested=Count("pk", filter=Q(requested_at__gte=start, requested_at__lt=end)),
        granted=Count("pk", filter=granted & decided_in_period),
        refused=Count("pk", filter=Q(status=ExtensionStatus.REFUSED) & decided_in_period),
    )
    ever_extended = Exists(Extension.objects.filter(granted, trajectory=OuterRef("pk"), decided_at__lt=end))
    counts = (
        _trajectories(gemeente)
        .filter(_active(period))
        .annotate(_extended=ever_extended)
        .aggregate(active_trajectories=Count("pk"), extended_trajectories=Count("pk", filter=Q(_extended=True)))
    )
    return Extensions(**row, **counts)


# --- stacking --------------------------------------------------------------------------------


@dataclass
class Stacking:
    day: dt.date
    youths: int
    two_plus: int
    three_plus: int

    @property
    def two_plus_pct(self) -> float | None:
        return pct(self.two_plus, self.youths)

    @property
    def three_plus_pct(self) -> float | None:
        return pct(self.three_plus, self.youths)


def stacking(gemeente: Gemeente, period: Period) -> Stacking:
    """Stapeling: of the youths in care on the period's last day, those with 2+ and 3+ trajectories
    running at once on that day."""
    day = period.end
    open_then = Q(trajectories__start_date__lte=day) & (
        Q(trajectories__end_date__isnull=True) | Q(trajectories__end_date__gte=day)
    )
    one = models.Value(1)
    row = (
        Child.objects.filter(gemeente=gemeente)
        .annotate(_open=Count("trajectories", filter=open_then))
        .filter(_open__gte=1)
        .aggregate(
            youths=Count("pk"),
            two_plus=Sum(models.Case(models.When(_open__gte=2, then=one), default=0)),
            three_plus=Sum(models.Case(models.When(_open__gte=3, then=one), default=0)),
        )
    )
    return Stacking(day=day, youths=row["youths"], two_plus=row["two_plus"] or 0, three_plus=row["three_plus"] or 0)


# --- care outside the budget -----------------------------------------------------------------


@dataclass
class OutsideBudget:
    trajectories: int
    started: int
    cost: Decimal


def outside_budget(gemeente: Gemeente, period: Period) -> OutsideBudget:
    """Buiten-budgettaire inzet: trajectories marked outside the budget that were active in the
    period, those started in it, and what they cost in the period (P × Q; taakgericht has no price)."""
    row = (
        _trajectories(gemeente)
        .filter(_active(period), outside_budget=True)
        .with_cost_in_period(period.start, period.end, as_of=period.end)
        .aggregate(
            trajectories=Count("pk"),
            started=Count("pk", filter=Q(start_date__gte=period.start)),
            cost=Sum("period_cost"),
        )
    )
    return OutsideBudget(trajectories=row["trajectories"], started=row["started"], cost=_money(row["cost"]))


# --- spend against budget --------------------------------------------------------------------


@dataclass
class SegmentSpend:
    number: int
    name: str
    month: Decimal
    year_to_date: Decimal
    committed: Decimal
    budget: Decimal | None
    unpriced: int  # active trajectories without a per-case price (taakgericht)
    months_left: int = 0  # whole months after the period until 31 December

    @property
    def forecast(self) -> Decimal:
        return self.year_to_date + self.committed

    @property
    def run_rate(self) -> Decimal:
        """The other end of the range: the rest of the year at this month's pace."""
        return self.year_to_date + self.month * self.months_left

    @property
    def ytd_pct(self) -> float | None:
        return pct(self.year_to_date, self.budget)

    @property
    def forecast_pct(self) -> float | None:
        return pct(self.forecast, self.budget)


@dataclass
class Spend:
    year: int
    segments: list[SegmentSpend]

    def _total(self, name: str) -> Decimal:
        return sum((getattr(s, name) for s in self.segments), Decimal("0.00"))

    @property
    def month(self) -> Decimal:
        return self._total("month")

    @property
    def year_to_date(self) -> Decimal:
        return self._total("year_to_date")

    @property
    def committed(self) -> Decimal:
        return self._total("committed")

    @property
    def forecast(self) -> Decimal:
        return self._total("forecast")

    @property
    def run_rate(self) -> Decimal:
        return self._total("run_rate")

    @property
    def budget(self) -> Decimal | None:
        budgets = [s.budget for s in self.segments if s.budget is not None]
        return sum(budgets, Decimal("0.00")) if budgets else None

    @property
    def forecast_pct(self) -> float | None:
        return pct(self.forecast, self.budget)

    @property
    def ytd_pct(self) -> float | None:
        return pct(self.year_to_date, self.budget)

    @property
    def unpriced(self) -> int:
        return sum(s.unpriced for s in self.segments)


FORECAST_METHOD = (
    "Prognose jaareinde = uitgegeven van 1 januari tot en met het einde van de maand, plus wat de "
    "trajecten die op de laatste dag van de maand liepen nog kosten tot hun geplande einddatum "
    "(uiterlijk 31 december). Nieuwe instroom en verlengingen na die datum zitten er niet in; de "
    "prognose is dus een ondergrens, die vroeg in het jaar ver onder de uitkomst ligt. Daarom staat "
    "ernaast de prognose bij gelijkblijvend tempo: uitgegeven tot nu plus de uitgaven van deze maand "
    "voor elke resterende maand. De uitkomst ligt meestal tussen die twee. Taakgerichte trajecten "
    "hebben geen prijs per casus en tellen in geen van beide mee."
)


def spend(gemeente: Gemeente, period: Period) -> Spend:
    """Uitgaven per segment: in the month, year to date (1 January to the period's last day), and
    a year-end forecast against the budget — see FORECAST_METHOD.

    Costs are P × Q per day (Trajectory.daily_cost); open trajectories accrue up to the period's
    last day, so a past month reads the same whenever it is computed.
    """
    year_start = dt.date(period.end.year, 1, 1)
    year_end = dt.date(period.end.year, 12, 31)
    ours = _trajectories(gemeente)
    segment_key = "product__segment"
    month_cost = dict(
        ours.filter(_active(period))
        .with_cost_in_period(period.start, period.end, as_of=period.end)
        .values_list(segment_key)
        .annotate(total=Sum("period_cost"))
        .order_by()
    )
    ytd_rows = (
        ours.filter(_active(Period(year_start, period.end)))
        .with_cost_in_period(year_start, period.end, as_of=period.end)
        .values(segment_key)
        .annotate(total=Sum("period_cost"), unpriced=Count("pk", filter=Q(daily_cost__isnull=True)))
        .order_by()
    )
    ytd = {row[segment_key]: row for row in ytd_rows}
    # Committed: what the trajectories running at the end of the period cost from the next day up to
    # their planned end, cut off at 31 December.
    next_day = period.end + dt.timedelta(days=1)
    last_day = Least(F("planned_end_date"), _date(year_end))
    first_day = Greatest(F("start_date"), _date(next_day))
    committed_days = Greatest(DaysBetween(first_day, last_day) + 1, Value(0))
    money = models.DecimalField(max_digits=14, decimal_places=2)
    committed = dict(
        ours.filter(start_date__lte=period.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=period.end))
        .annotate(_committed=models.ExpressionWrapper(F("daily_cost") * committed_days, output_field=money))
        .values_list(segment_key)
        .annotate(total=Sum("_committed"))
        .order_by()
    )
    budgets = dict(
        SegmentBudget.objects.filter(gemeente=gemeente, year=period.end.year).values_list("segment", "amount")
    )
    segments = [
        SegmentSpend(
            number=segment.number,
            name=segment.name,
            month=_money(month_cost.get(segment.pk)),
            year_to_date=_money(ytd.get(segment.pk, {}).get("total")),
            committed=_money(committed.get(segment.pk)),
            budget=budgets.get(segment.pk),
            unpriced=ytd.get(segment.pk, {}).get("unpriced", 0),
            months_left=12 - period.end.month,
        )
        for segment in Segment.objects.order_by("number")
    ]
    return Spend(year=period.end.year, segments=segments)


# --- referrals and waiting time --------------------------------------------------------------


@dataclass
class SourceReferrals:
    source: str
    label: str
    referrals: int
    specialised: int

    @property
    def specialised_pct(self) -> float | None:
        return pct(self.specialised, self.referrals)


@dataclass
class Referrals:
    sources: list[SourceReferrals]

    @property
    def total(self) -> int:
        return sum(s.referrals for s in self.sources)

    @property
    def specialised(self) -> int:
        return sum(s.specialised for s in self.sources)

    @property
    def specialised_pct(self) -> float | None:
        return pct(self.specialised, self.total)


def referrals_by_source(gemeente: Gemeente, period: Period) -> Referrals:
    """Verwijzingen per verwijzer (POH-Jeugd apart) dated in the period, and the share of each that
    led to specialised care: outcome "specialistische jeugdhulp" recorded, or a trajectory linked.

    Outcomes come in later than referrals, so the most recent months' shares still rise.
    """
    led_to_care = Q(outcome=ReferralOutcome.SPECIALISED) | Q(_trajectory=True)
    rows = (
        Referral.objects.filter(child__gemeente=gemeente, date__range=(period.start, period.end))
        .annotate(_trajectory=Exists(Trajectory.objects.filter(referral=OuterRef("pk"))))
        .values("source")
        .annotate(referrals=Count("pk"), specialised=Count("pk", filter=led_to_care))
        .order_by()
    )
    found = {row["source"]: row for row in rows}
    return Referrals(
        sources=[
            SourceReferrals(
                source=value,
                label=label,
                referrals=found.get(value, {}).get("referrals", 0),
                specialised=found.get(value, {}).get("specialised", 0),
            )
            for value, label in ReferrerType.choices
        ]
    )


@dataclass
class Waiting:
    started: int
    median_days: float | None
    over_norm: int

    @property
    def over_norm_pct(self) -> float | None:
        return pct(self.over_norm, self.started)


def waiting_time(gemeente: Gemeente, period: Period) -> Waiting:
    """Wachttijd: days from the referral to the start of care, for trajectories that started in the
    period with a referral; median, and how many waited more than 8 weeks (56 days)."""
    started = (
        _trajectories(gemeente)
        .filter(start_date__range=(period.start, period.end), referral__isnull=False)
        .annotate(_wait=DaysBetween(F("referral__date"), F("start_date")))
    )
    row = started.aggregate(started=Count("pk"), over_norm=Count("pk", filter=Q(_wait__gt=WAIT_NORM_DAYS)))
    return Waiting(median_days=_medians(started, "_wait").get(None), **row)


# --- how care ended, and re-entry (the outcome figures, DOMAIN.md §7) ------------------------


@dataclass
class EndReasons:
    ended: int
    as_planned: int
    premature: int

    @property
    def as_planned_pct(self) -> float | None:
        return pct(self.as_planned, self.ended)

    @property
    def premature_pct(self) -> float | None:
        return pct(self.premature, self.ended)


PREMATURE_END_REASONS = [
    EndReason.EARLY_CLIENT,
    EndReason.EARLY_PROVIDER,
    EndReason.EARLY_AGREED,
    EndReason.EARLY_EXTERNAL,
]


def end_reasons(gemeente: Gemeente, period: Period) -> EndReasons:
    """Reden beëindiging: of the trajectories that ended in the period, those ended according to
    plan (JZ588 31) and those ended prematurely (32-35); other reasons are in neither."""
    row = (
        _trajectories(gemeente)
        .filter(end_date__range=(period.start, period.end))
        .aggregate(
            ended=Count("pk"),
            as_planned=Count("pk", filter=Q(end_reason=EndReason.AS_PLANNED)),
            premature=Count("pk", filter=Q(end_reason__in=PREMATURE_END_REASONS)),
        )
    )
    return EndReasons(**row)


@dataclass
class ReEntry:
    cohort: Period
    left_care: int
    returned: int

    @property
    def returned_pct(self) -> float | None:
        return pct(self.returned, self.left_care)


def re_entry(gemeente: Gemeente, period: Period) -> ReEntry:
    """Herinstroom: of the youths who left care (see outflow) in the month twelve months before the
    period's month, those who started a new trajectory within twelve months after that month."""
    cohort = period.shifted(-12)
    horizon = cohort.end + dt.timedelta(days=365)
    came_back = Exists(
        Trajectory.objects.filter(child=OuterRef("child"), start_date__gt=cohort.end, start_date__lte=horizon)
    )
    row = (
        _trajectories(gemeente)
        .filter(end_date__range=(cohort.start, cohort.end))
        .annotate(_after=_running_after(cohort.end), _back=came_back)
        .filter(_after=False)
        .aggregate(
            left_care=Count("child", distinct=True),
            returned=Count("child", distinct=True, filter=Q(_back=True)),
        )
    )
    return ReEntry(cohort=cohort, **row)


# --- flags (the Top 32 issue) ----------------------------------------------------------------


def flags_raised_resolved(gemeente: Gemeente, period: Period):
    """Signalen: flags raised and resolved in the period.

    Computed from the flag records of the regisseur's queue; in a deployment without those
    records the figure is "n.v.t.".
    """
    return NVT


def top_reviewed_on_time(gemeente: Gemeente, period: Period):
    """Top 32 op tijd besproken: share of the cases in the Top 32 whose follow-up date fell in the
    period and that were reviewed by that date.

    Computed from the regisseur's decisions; in a deployment without those records the figure is
    "n.v.t.".
    """
    return NVT
