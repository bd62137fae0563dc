"""The monthly KPIs management steers on (DOMAIN.md §7), each a function of (gemeente, period).

Every function runs a fixed number of aggregate queries, whatever the amount of data: counts,
sums and medians are computed in the database, and Python only reshapes the few rows that come
back (one per segment or per referral source at most). A figure that cannot be computed — a
share of nothing, a median of no values, a population nobody entered — is None, shown as
"n.v.t." (NVT). The definitions, and where they differ from CBS Beleidsinformatie Jeugd, are in
docs/kpis.md; each docstring below states the rule in one or two sentences.

Dates: a trajectory is *active* in a period when it started on or before the last day and had
not ended before the first day. Durations count both the first and the last day.

Each KPI has a `*_series(gemeente, periods)` form that computes it for several consecutive,
non-overlapping periods in the same queries (one conditional aggregate per period), so the
13-month report scans the gemeente's trajectories once per KPI instead of thirteen times. The
single-period function is that series for one period: one definition, one code path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Sum, Value, Window
from django.db.models.functions import Coalesce, Greatest, Least, RowNumber
from django.utils import timezone

from cases.codes import EndReason, ReferrerType
from cases.dbfuncs import DaysBetween
from cases.models import (
    Child,
    Extension,
    ExtensionStatus,
    Gemeente,
    Segment,
    SegmentBudget,
    Trajectory,
    YouthPopulation,
)
from referrals.models import Referral, ReferralOutcome
from regie.flags import add_months
from regie.models import Decision, Flag

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


def _date(day: dt.date) -> Value:
    return Value(day, output_field=models.DateField())


def _medians(queryset, value: str, partition: tuple[str, ...] = ()) -> dict:
    """Median of the annotated `value` per `partition` (a tuple of fields; () is overall, key ()),
    computed in the database.

    Window functions number the rows in order of the value; only the one or two middle rows of
    each group come back, and their mean is the median.
    """
    partition_by = [F(name) for name in partition]
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
    for row in middle.values(value, *partition):
        groups.setdefault(tuple(row[name] for name in partition), []).append(row[value])
    return {key: sum(values) / len(values) for key, values in groups.items()}


def _once(queryset):
    """Aggregate over a subquery of these rows, so an annotation used in every period's FILTER (an
    EXISTS, a subquery) is computed once per row instead of once per period: 25× faster here."""
    return queryset.distinct()


def _span(periods: list[Period]) -> Period:
    return Period(min(p.start for p in periods), max(p.end for p in periods))


def _in(field_name: str, period: Period) -> Q:
    return Q(**{f"{field_name}__range": (period.start, period.end)})


def _per_period(field_name: str, periods: list[Period], value) -> models.Case:
    """For each row, `value(period, index)` of the period its `field_name` date falls in (NULL: none)."""
    whens = [models.When(_in(field_name, p), then=value(p, i)) for i, p in enumerate(periods)]
    sample = value(periods[0], 0)
    return models.Case(*whens, default=None, output_field=sample.output_field)


def _index(periods: list[Period], field_name: str) -> models.Case:
    return _per_period(field_name, periods, lambda p, i: Value(i, output_field=models.IntegerField()))


def _cost_in(period: Period) -> models.ExpressionWrapper:
    """P × Q cost between the period's first and last day; open trajectories accrue to its last day.

    The same rule as TrajectoryQuerySet.with_cost_in_period(start, end, as_of=end), as an expression
    so that one query can hold a column per period.
    """
    last_day = Least(Coalesce(F("end_date"), _date(period.end)), _date(period.end))
    first_day = Greatest(F("start_date"), _date(period.start))
    days = Greatest(DaysBetween(first_day, last_day) + 1, Value(0))
    return models.ExpressionWrapper(F("daily_cost") * days, output_field=MONEY)


MONEY = models.DecimalField(max_digits=14, decimal_places=2)


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
    return inflow_series(gemeente, [period])[0]


def inflow_series(gemeente: Gemeente, periods: list[Period]) -> list[Flow]:
    span = _span(periods)
    day_before = _per_period("start_date", periods, lambda p, i: _date(p.start - dt.timedelta(days=1)))
    in_care_before = Exists(
        Trajectory.objects.filter(child=OuterRef("child"), start_date__lte=OuterRef("_day_before")).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("_day_before"))
        )
    )
    aggregates = {}
    for i, p in enumerate(periods):
        aggregates[f"t{i}"] = Count("pk", filter=_in("start_date", p))
        aggregates[f"y{i}"] = Count("child", distinct=True, filter=_in("start_date", p) & Q(_before=False))
    started = (
        _trajectories(gemeente)
        .filter(start_date__range=(span.start, span.end))
        .annotate(_day_before=day_before)
        .annotate(_before=in_care_before)
    )
    row = _once(started).aggregate(**aggregates)
    return [Flow(trajectories=row[f"t{i}"], youths=row[f"y{i}"]) for i in range(len(periods))]


def outflow(gemeente: Gemeente, period: Period) -> Flow:
    """Uitstroom: trajectories that ended in the period, and youths who left care.

    A youth has left care when a trajectory ended in the period and none of theirs runs on after
    the period's last day.
    """
    return outflow_series(gemeente, [period])[0]


def _running_after_outer(day_field: str) -> Exists:
    """A trajectory of the same child still running after the outer row's `day_field` date."""
    still_open = Q(end_date__isnull=True) | Q(end_date__gt=OuterRef(day_field))
    return Exists(Trajectory.objects.filter(still_open, child=OuterRef("child"), start_date__lte=OuterRef(day_field)))


def outflow_series(gemeente: Gemeente, periods: list[Period]) -> list[Flow]:
    span = _span(periods)
    aggregates = {}
    for i, p in enumerate(periods):
        aggregates[f"t{i}"] = Count("pk", filter=_in("end_date", p))
        aggregates[f"y{i}"] = Count("child", distinct=True, filter=_in("end_date", p) & Q(_after=False))
    row = (
        _trajectories(gemeente)
        .filter(end_date__range=(span.start, span.end))
        .annotate(_period_end=_per_period("end_date", periods, lambda p, i: _date(p.end)))
        .annotate(_after=_running_after_outer("_period_end"))
    )
    row = _once(row).aggregate(**aggregates)
    return [Flow(trajectories=row[f"t{i}"], youths=row[f"y{i}"]) for i in range(len(periods))]


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
    return youths_in_care_series(gemeente, [period])[0]


def youths_in_care_series(gemeente: Gemeente, periods: list[Period]) -> list[InCare]:
    active = _trajectories(gemeente).filter(_active(_span(periods)))
    aggregates, per_segment = {}, {}
    for i, p in enumerate(periods):
        aggregates[f"y{i}"] = Count("child", distinct=True, filter=_active(p))
        aggregates[f"u{i}"] = Count(
            "child", distinct=True, filter=_active(p) & Q(child__birth_date__gt=_years_before(p.end, 18))
        )
        per_segment[f"s{i}"] = Count("child", distinct=True, filter=_active(p))
    row = active.aggregate(**aggregates)
    segment_rows = list(active.values("product__segment__number").annotate(**per_segment).order_by())
    populations = dict(
        YouthPopulation.objects.filter(gemeente=gemeente, year__in={p.end.year for p in periods}).values_list(
            "year", "count"
        )
    )
    result = []
    for i, p in enumerate(periods):
        population, under_18 = populations.get(p.end.year), row[f"u{i}"]
        result.append(
            InCare(
                youths=row[f"y{i}"],
                youths_under_18=under_18,
                population=population,
                one_in_n=round(population / under_18, 1) if population and under_18 else None,
                by_segment={r["product__segment__number"]: r[f"s{i}"] for r in segment_rows if r[f"s{i}"]},
            )
        )
    return result


def _years_before(day: dt.date, years: int) -> dt.date:
    return add_months(day, -years * 12)  # 29 February: 28 February


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
    return durations_series(gemeente, [period])[0]


def durations_series(gemeente: Gemeente, periods: list[Period]) -> list[Durations]:
    span = _span(periods)
    ended = (
        _trajectories(gemeente)
        .filter(end_date__range=(span.start, span.end))
        .annotate(_days=DaysBetween(F("start_date"), F("end_date")) + 1, _pi=_index(periods, "end_date"))
    )
    aggregates = {}
    for i, p in enumerate(periods):
        in_period = _in("end_date", p)
        aggregates[f"n{i}"] = Count("pk", filter=in_period)
        aggregates[f"mean{i}"] = Avg("_days", filter=in_period)
        lower = 0
        for b, (_label, upper) in enumerate(DURATION_BINS):
            in_bin = Q(_days__gt=lower) & (Q(_days__lte=upper) if upper else Q())
            aggregates[f"b{i}_{b}"] = Count("pk", filter=in_period & in_bin)
            lower = upper
    segment_key = "product__segment__number"
    total = ended.aggregate(**aggregates)
    per_segment = list(ended.values(segment_key).annotate(**aggregates).order_by())
    medians = _medians(ended, "_days", ("_pi",))
    segment_medians = _medians(ended, "_days", ("_pi", segment_key))

    def build(row, i, median) -> Duration:
        mean = row[f"mean{i}"]
        return Duration(
            ended=row[f"n{i}"],
            mean_days=None if mean is None else round(float(mean), 1),
            median_days=median,
            bins={label: row[f"b{i}_{b}"] for b, (label, _upper) in enumerate(DURATION_BINS)},
        )

    return [
        Durations(
            total=build(total, i, medians.get((i,))),
            by_segment={
                r[segment_key]: build(r, i, segment_medians.get((i, r[segment_key]))) for r in per_segment if r[f"n{i}"]
            },
        )
        for i in range(len(periods))
    ]


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
    return extensions_series(gemeente, [period])[0]


def extensions_series(gemeente: Gemeente, periods: list[Period]) -> list[Extensions]:
    span_start, span_end = _span(periods).aware_bounds()
    granted = Q(status__in=[ExtensionStatus.APPROVED, ExtensionStatus.SHORTENED])
    aggregates = {}
    for i, p in enumerate(periods):
        start, end = p.aware_bounds()
        decided = Q(decided_at__gte=start, decided_at__lt=end)
        aggregates[f"r{i}"] = Count("pk", filter=Q(requested_at__gte=start, requested_at__lt=end))
        aggregates[f"g{i}"] = Count("pk", filter=granted & decided)
        aggregates[f"x{i}"] = Count("pk", filter=Q(status=ExtensionStatus.REFUSED) & decided)
    row = (
        Extension.objects.filter(trajectory__child__gemeente=gemeente)
        .filter(
            Q(requested_at__gte=span_start, requested_at__lt=span_end)
            | Q(decided_at__gte=span_start, decided_at__lt=span_end)
        )
        .aggregate(**aggregates)
    )
    first_granted = (
        Extension.objects.filter(granted, trajectory=OuterRef("pk")).order_by("decided_at").values("decided_at")[:1]
    )
    counts_aggregates = {}
    for i, p in enumerate(periods):
        _start, end = p.aware_bounds()
        counts_aggregates[f"a{i}"] = Count("pk", filter=_active(p))
        counts_aggregates[f"e{i}"] = Count("pk", filter=_active(p) & Q(_first_granted__lt=end))
    counts = _once(
        _trajectories(gemeente).filter(_active(_span(periods))).annotate(_first_granted=models.Subquery(first_granted))
    ).aggregate(**counts_aggregates)
    return [
        Extensions(
            requested=row[f"r{i}"],
            granted=row[f"g{i}"],
            refused=row[f"x{i}"],
            active_trajectories=counts[f"a{i}"],
            extended_trajectories=counts[f"e{i}"],
        )
        for i in range(len(periods))
    ]


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
    return stacking_series(gemeente, [period])[0]


def stacking_series(gemeente: Gemeente, periods: list[Period]) -> list[Stacking]:
    def open_on(day):
        return Q(trajectories__start_date__lte=day) & (
            Q(trajectories__end_date__isnull=True) | Q(trajectories__end_date__gte=day)
        )

    span = _span(periods)
    in_span = Exists(Trajectory.objects.filter(_active(span), child=OuterRef("pk")))
    children = (
        Child.objects.filter(gemeente=gemeente)
        .filter(in_span)
        .annotate(**{f"_o{i}": Count("trajectories", filter=open_on(p.end)) for i, p in enumerate(periods)})
    )
    one = Value(1)
    aggregates = {}
    for i in range(len(periods)):
        for name, minimum in (("y", 1), ("two", 2), ("three", 3)):
            aggregates[f"{name}{i}"] = Sum(
                models.Case(models.When(**{f"_o{i}__gte": minimum}, then=one), default=Value(0))
            )
    row = children.aggregate(**aggregates)
    return [
        Stacking(
            day=p.end,
            youths=row[f"y{i}"] or 0,
            two_plus=row[f"two{i}"] or 0,
            three_plus=row[f"three{i}"] or 0,
        )
        for i, p in enumerate(periods)
    ]


# --- care outside the budget -----------------------------------------------------------------


@dataclass
class OutsideBudget:
    trajectories: int
    started: int
    cost: Decimal


def outside_budget(gemeente: Gemeente, period: Period) -> OutsideBudget:
    """Buiten-budgettaire inzet: trajectories marked outside the budget that were active in the
    period, those started in it, and what they cost in the period (P × Q; taakgericht has no price)."""
    return outside_budget_series(gemeente, [period])[0]


def outside_budget_series(gemeente: Gemeente, periods: list[Period]) -> list[OutsideBudget]:
    aggregates = {}
    for i, p in enumerate(periods):
        aggregates[f"n{i}"] = Count("pk", filter=_active(p))
        aggregates[f"s{i}"] = Count("pk", filter=_in("start_date", p))
        aggregates[f"c{i}"] = Sum(_cost_in(p), filter=_active(p))
    row = _trajectories(gemeente).filter(_active(_span(periods)), outside_budget=True).aggregate(**aggregates)
    return [
        OutsideBudget(trajectories=row[f"n{i}"], started=row[f"s{i}"], cost=_money(row[f"c{i}"]))
        for i in range(len(periods))
    ]


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
    return spend_series(gemeente, [period])[0]


def _committed(period: Period) -> models.ExpressionWrapper:
    """What a trajectory running at the end of the period still costs from the next day up to its
    planned end, cut off at 31 December."""
    next_day = period.end + dt.timedelta(days=1)
    last_day = Least(F("planned_end_date"), _date(dt.date(period.end.year, 12, 31)))
    first_day = Greatest(F("start_date"), _date(next_day))
    days = Greatest(DaysBetween(first_day, last_day) + 1, Value(0))
    return models.ExpressionWrapper(F("daily_cost") * days, output_field=MONEY)


def spend_series(gemeente: Gemeente, periods: list[Period]) -> list[Spend]:
    segment_key = "product__segment"
    aggregates = {}
    for i, p in enumerate(periods):
        year_to_date = Period(dt.date(p.end.year, 1, 1), p.end)
        running_at_end = Q(start_date__lte=p.end) & (Q(end_date__isnull=True) | Q(end_date__gt=p.end))
        aggregates[f"m{i}"] = Sum(_cost_in(p), filter=_active(p))
        aggregates[f"y{i}"] = Sum(_cost_in(year_to_date), filter=_active(year_to_date))
        aggregates[f"c{i}"] = Sum(_committed(p), filter=running_at_end)
        aggregates[f"u{i}"] = Count("pk", filter=_active(year_to_date) & Q(daily_cost__isnull=True))
    earliest = Period(dt.date(min(p.end.year for p in periods), 1, 1), max(p.end for p in periods))
    rows = {
        row[segment_key]: row
        for row in _trajectories(gemeente)
        .filter(_active(earliest))
        .values(segment_key)
        .annotate(**aggregates)
        .order_by()
    }
    budgets = {
        (year, segment): amount
        for year, segment, amount in SegmentBudget.objects.filter(
            gemeente=gemeente, year__in={p.end.year for p in periods}
        ).values_list("year", "segment", "amount")
    }
    segments = list(Segment.objects.order_by("number"))
    result = []
    for i, p in enumerate(periods):
        result.append(
            Spend(
                year=p.end.year,
                segments=[
                    SegmentSpend(
                        number=segment.number,
                        name=segment.name,
                        month=_money(rows.get(segment.pk, {}).get(f"m{i}")),
                        year_to_date=_money(rows.get(segment.pk, {}).get(f"y{i}")),
                        committed=_money(rows.get(segment.pk, {}).get(f"c{i}")),
                        budget=budgets.get((p.end.year, segment.pk)),
                        unpriced=rows.get(segment.pk, {}).get(f"u{i}", 0),
                        months_left=12 - p.end.month,
                    )
                    for segment in segments
                ],
            )
        )
    return result


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
    return referrals_by_source_series(gemeente, [period])[0]


def referrals_by_source_series(gemeente: Gemeente, periods: list[Period]) -> list[Referrals]:
    span = _span(periods)
    # A join to the trajectories (distinct counts undo the fan-out of several trajectories per
    # referral) rather than an EXISTS that would be repeated in every period's FILTER.
    led_to_care = Q(outcome=ReferralOutcome.SPECIALISED) | Q(trajectories__isnull=False)
    aggregates = {}
    for i, p in enumerate(periods):
        aggregates[f"n{i}"] = Count("pk", distinct=True, filter=_in("date", p))
        aggregates[f"s{i}"] = Count("pk", distinct=True, filter=_in("date", p) & led_to_care)
    found = {
        row["source"]: row
        for row in Referral.objects.filter(child__gemeente=gemeente, date__range=(span.start, span.end))
        .values("source")
        .annotate(**aggregates)
        .order_by()
    }
    return [
        Referrals(
            sources=[
                SourceReferrals(
                    source=value,
                    label=label,
                    referrals=found.get(value, {}).get(f"n{i}", 0),
                    specialised=found.get(value, {}).get(f"s{i}", 0),
                )
                for value, label in ReferrerType.choices
            ]
        )
        for i in range(len(periods))
    ]


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
    return waiting_time_series(gemeente, [period])[0]


def waiting_time_series(gemeente: Gemeente, periods: list[Period]) -> list[Waiting]:
    span = _span(periods)
    started = (
        _trajectories(gemeente)
        .filter(start_date__range=(span.start, span.end), referral__isnull=False)
        .annotate(_wait=DaysBetween(F("referral__date"), F("start_date")), _pi=_index(periods, "start_date"))
    )
    aggregates = {}
    for i, p in enumerate(periods):
        aggregates[f"n{i}"] = Count("pk", filter=_in("start_date", p))
        aggregates[f"o{i}"] = Count("pk", filter=_in("start_date", p) & Q(_wait__gt=WAIT_NORM_DAYS))
    row = started.aggregate(**aggregates)
    medians = _medians(started, "_wait", ("_pi",))
    return [
        Waiting(started=row[f"n{i}"], median_days=medians.get((i,)), over_norm=row[f"o{i}"])
        for i in range(len(periods))
    ]


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
    return end_reasons_series(gemeente, [period])[0]


def end_reasons_series(gemeente: Gemeente, periods: list[Period]) -> list[EndReasons]:
    span = _span(periods)
    aggregates = {}
    for i, p in enumerate(periods):
        aggregates[f"n{i}"] = Count("pk", filter=_in("end_date", p))
        aggregates[f"a{i}"] = Count("pk", filter=_in("end_date", p) & Q(end_reason=EndReason.AS_PLANNED))
        aggregates[f"p{i}"] = Count("pk", filter=_in("end_date", p) & Q(end_reason__in=PREMATURE_END_REASONS))
    row = _trajectories(gemeente).filter(end_date__range=(span.start, span.end)).aggregate(**aggregates)
    return [
        EndReasons(ended=row[f"n{i}"], as_planned=row[f"a{i}"], premature=row[f"p{i}"]) for i in range(len(periods))
    ]


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
    return re_entry_series(gemeente, [period])[0]


def re_entry_series(gemeente: Gemeente, periods: list[Period]) -> list[ReEntry]:
    cohorts = [p.shifted(-12) for p in periods]
    span = _span(cohorts)
    horizon = _per_period("end_date", cohorts, lambda c, i: _date(c.end + dt.timedelta(days=365)))
    came_back = Exists(
        Trajectory.objects.filter(
            child=OuterRef("child"), start_date__gt=OuterRef("_cohort_end"), start_date__lte=OuterRef("_horizon")
        )
    )
    aggregates = {}
    for i, c in enumerate(cohorts):
        aggregates[f"l{i}"] = Count("child", distinct=True, filter=_in("end_date", c))
        aggregates[f"r{i}"] = Count("child", distinct=True, filter=_in("end_date", c) & Q(_back=True))
    row = (
        _trajectories(gemeente)
        .filter(end_date__range=(span.start, span.end))
        .annotate(_cohort_end=_per_period("end_date", cohorts, lambda c, i: _date(c.end)), _horizon=horizon)
        .annotate(_after=_running_after_outer("_cohort_end"), _back=came_back)
        .filter(_after=False)
    )
    row = _once(row).aggregate(**aggregates)
    return [ReEntry(cohort=c, left_care=row[f"l{i}"], returned=row[f"r{i}"]) for i, c in enumerate(cohorts)]


# --- flags (the Top 32 issue) ----------------------------------------------------------------


@dataclass
class FlagCounts:
    raised: int
    resolved: int


def flags_raised_resolved(gemeente: Gemeente, period: Period) -> FlagCounts:
    """Signalen: flags raised in the period, and flags resolved in it.

    Computed and manual flags alike. Resolved means a regisseur closed the flag with a note, or the
    nightly evaluation found its rule no longer holds; both set the flag's resolved_at.
    """
    start, end = period.aware_bounds()
    row = Flag.objects.filter(gemeente=gemeente).aggregate(
        raised=Count("pk", filter=Q(raised_at__gte=start, raised_at__lt=end)),
        resolved=Count("pk", filter=Q(resolved_at__gte=start, resolved_at__lt=end)),
    )
    return FlagCounts(row["raised"], row["resolved"])


def top_reviewed_on_time(gemeente: Gemeente, period: Period) -> float | None:
    """Top 32 op tijd besproken: of the regisseur's decisions whose follow-up date fell in the
    period, the share (%) followed by a new decision on the same child on or before that date.

    None (n.v.t.) when no follow-up fell due in the period.
    """
    start, end = period.aware_bounds()
    # A later decision counts if it was taken before the end of the follow-up day (site time zone).
    reviewed = Decision.objects.filter(
        child=OuterRef("child"), decided_at__gt=OuterRef("decided_at"), decided_at__date__lte=OuterRef("follow_up_date")
    )
    row = (
        Decision.objects.filter(gemeente=gemeente, follow_up_date__gte=period.start, follow_up_date__lte=period.end)
        .annotate(reviewed=Exists(reviewed))
        .aggregate(due=Count("pk"), on_time=Count("pk", filter=Q(reviewed=True)))
    )
    return pct(row["on_time"], row["due"])
