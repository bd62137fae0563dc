"""Money: care outside the budget, and spend per segment against the budget with a year-end forecast."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, Sum, Value
from django.db.models.functions import Greatest, Least

from cases.dbfuncs import DaysBetween
from cases.models import Gemeente, Segment, SegmentBudget, TaskContract

from .declarations import realised_adjustments_by_gemeente
from .period import Period
from .query import (
    GEMEENTE,
    MONEY,
    active_in,
    cost_in,
    date_value,
    grouped,
    in_period,
    money,
    one,
    pct,
    per_gemeente,
    span_of,
    trajectories_in,
)


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
    return one(outside_budget_by_gemeente, gemeente, periods)


def outside_budget_by_gemeente(gemeente_ids: list[int], periods: list[Period]) -> dict[int, list[OutsideBudget]]:
    aggregates = {}
    for i, p in enumerate(periods):
        aggregates[f"n{i}"] = Count("pk", filter=active_in(p))
        aggregates[f"s{i}"] = Count("pk", filter=in_period("start_date", p))
        aggregates[f"c{i}"] = Sum(cost_in(p), filter=active_in(p))
    outside = trajectories_in(gemeente_ids).filter(active_in(span_of(periods)), outside_budget=True)
    rows = grouped(outside, (GEMEENTE,), aggregates)
    return per_gemeente(
        rows,
        gemeente_ids,
        aggregates,
        periods,
        lambda g, row, i: OutsideBudget(trajectories=row[f"n{i}"], started=row[f"s{i}"], cost=money(row[f"c{i}"])),
    )


# --- spend against budget --------------------------------------------------------------------


@dataclass
class SegmentSpend:
    number: int
    name: str
    month: Decimal
    year_to_date: Decimal
    committed: Decimal
    budget: Decimal | None
    unpriced: int  # active trajectories without a per-case price and without a contract ('prijs ontbreekt')
    months_left: int = 0  # whole months after the period until 31 December
    period_months: int = 1  # months in the period (3 for the quarterly update)
    contracts: Decimal = Decimal("0.00")  # the year's taakgerichte contract sums, counted by their payments

    @property
    def forecast(self) -> Decimal:
        return self.year_to_date + self.committed

    @property
    def run_rate(self) -> Decimal:
        """The other end of the range: the rest of the year at this month's pace."""
        return self.year_to_date + self.month * self.months_left / self.period_months

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

    @property
    def contracts(self) -> Decimal:
        return self._total("contracts")


FORECAST_METHOD = (
    "Prognose jaareinde = uitgegeven van 1 januari tot en met het einde van de maand, plus wat de "
    "trajecten die op de laatste dag van de maand liepen nog kosten tot hun geplande einddatum "
    "(uiterlijk 31 december). Nieuwe instroom en verlengingen na die datum zitten er niet in; de "
    "prognose is dus een ondergrens, die vroeg in het jaar ver onder de uitkomst ligt. Daarom staat "
    "ernaast de prognose bij gelijkblijvend tempo: uitgegeven tot nu plus de uitgaven van deze maand "
    "voor elke resterende maand. De uitkomst ligt meestal tussen die twee. Voor een maand waarin de "
    "aanbieder voor een traject heeft gedeclareerd (JW323 of CSV, niet afgewezen) telt het gedeclareerde "
    "bedrag in plaats van P × Q (gerealiseerde maand). Taakgericht ingekochte zorg "
    "telt met de betalingen van het contract (betaalschema), nooit daarnaast nog per traject: de "
    "prognose neemt de hele contractsom van het jaar mee. Trajecten zonder prijs en zonder contract "
    "('prijs ontbreekt') tellen niet mee en staan apart vermeld."
)


def covered_by_contract(year: int) -> Exists:
    """A trajectory whose provider has a taakgericht contract with its gemeente for its segment in `year`:
    the lump sum pays for its care that year, so its own P × Q price is not spend (never counted twice)."""
    return Exists(
        TaskContract.objects.filter(
            gemeente_id=OuterRef("child__gemeente_id"),
            provider_id=OuterRef("provider_id"),
            segment_id=OuterRef("product__segment_id"),
            year=year,
        )
    )


def contract_of(year: int) -> FilteredRelation:
    """covered_by_contract as a join (at most one contract per gemeente, provider, segment and year): grouped
    over all gemeenten, an EXISTS repeated in every period's FILTER took several times longer."""
    return FilteredRelation(
        "provider__task_contracts",
        condition=Q(
            provider__task_contracts__year=year,
            provider__task_contracts__gemeente=F("child__gemeente"),
            provider__task_contracts__segment=F("product__segment"),
        ),
    )


def contract_payments(gemeente_ids, first: dt.date, last: dt.date) -> dict[tuple[int, int], tuple]:
    """(gemeente_id, segment_id) -> (paid from `first` to `last`, the year's contract sum); one query."""
    totals: dict[tuple[int, int], tuple] = {}
    for contract in TaskContract.objects.filter(gemeente_id__in=list(gemeente_ids), year=last.year):
        key = (contract.gemeente_id, contract.segment_id)
        paid, total = totals.get(key, (Decimal("0.00"), Decimal("0.00")))
        totals[key] = (paid + contract.paid_between(first, last), total + contract.amount)
    return totals


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
    last_day = Least(F("planned_end_date"), date_value(dt.date(period.end.year, 12, 31)))
    first_day = Greatest(F("start_date"), date_value(next_day))
    days = Greatest(DaysBetween(first_day, last_day) + 1, Value(0))
    return models.ExpressionWrapper(F("daily_cost") * days, output_field=MONEY)


def spend_series(gemeente: Gemeente, periods: list[Period]) -> list[Spend]:
    return one(spend_by_gemeente, gemeente, periods)


def spend_by_gemeente(gemeente_ids: list[int], periods: list[Period]) -> dict[int, list[Spend]]:
    segment_key = "product__segment"
    aggregates = {}
    years = sorted({p.end.year for p in periods})
    for i, p in enumerate(periods):
        year_to_date = Period(dt.date(p.end.year, 1, 1), p.end)
        running_at_end = Q(start_date__lte=p.end) & (Q(end_date__isnull=True) | Q(end_date__gt=p.end))
        per_case = Q(**{f"_contract_{p.end.year}__isnull": True})
        aggregates[f"m{i}"] = Sum(cost_in(p), filter=active_in(p) & per_case)
        aggregates[f"y{i}"] = Sum(cost_in(year_to_date), filter=active_in(year_to_date) & per_case)
        aggregates[f"c{i}"] = Sum(_committed(p), filter=running_at_end & per_case)
        aggregates[f"u{i}"] = Count("pk", filter=active_in(year_to_date) & Q(daily_cost__isnull=True) & per_case)
    earliest = Period(dt.date(min(p.end.year for p in periods), 1, 1), max(p.end for p in periods))
    rows = grouped(
        trajectories_in(gemeente_ids)
        .filter(active_in(earliest))
        .annotate(**{f"_contract_{year}": contract_of(year) for year in years}),
        (GEMEENTE, segment_key),
        aggregates,
    )
    # Each contract's payment schedule computed once (TaskContract.payments), not once per period and range:
    # over all gemeenten that was most of this family's Python time.
    schedules: dict[tuple[int, int, int], list[tuple[dt.date, Decimal]]] = {}
    sums: dict[tuple[int, int, int], Decimal] = {}
    for contract in TaskContract.objects.filter(gemeente__in=gemeente_ids, year__in=years):
        key = (contract.gemeente_id, contract.segment_id, contract.year)
        schedules.setdefault(key, []).extend(contract.payments())
        sums[key] = sums.get(key, Decimal("0.00")) + contract.amount

    def paid(g: int, segment_id: int, first: dt.date, last: dt.date) -> Decimal:
        """TaskContract.paid_between, over the gemeente's contracts for the segment that year."""
        payments = schedules.get((g, segment_id, last.year), ())
        return sum((amount for due, amount in payments if first <= due <= last), Decimal("0.00"))

    def contract_sum(g: int, segment_id: int, year: int) -> Decimal:
        return sums.get((g, segment_id, year), Decimal("0.00"))

    budgets = {
        (g, year, segment): amount
        for g, year, segment, amount in SegmentBudget.objects.filter(
            gemeente__in=gemeente_ids, year__in={p.end.year for p in periods}
        ).values_list("gemeente", "year", "segment", "amount")
    }
    segments = list(Segment.objects.order_by("number"))
    # Realised months (declarations, issue 12): their declared amount instead of the P × Q accrual.
    realised = realised_adjustments_by_gemeente(gemeente_ids, periods)
    result = {}
    for g in gemeente_ids:
        result[g] = []
        for i, p in enumerate(periods):
            jan_1 = dt.date(p.end.year, 1, 1)
            segment_rows = []
            for segment in segments:
                row = rows.get((g, segment.pk), {})
                segment_rows.append(
                    SegmentSpend(
                        number=segment.number,
                        name=segment.name,
                        month=money(row.get(f"m{i}"))
                        + paid(g, segment.pk, p.start, p.end)
                        + realised.get((g, i, segment.pk, "m"), 0),
                        year_to_date=money(row.get(f"y{i}"))
                        + paid(g, segment.pk, jan_1, p.end)
                        + realised.get((g, i, segment.pk, "y"), 0),
                        committed=money(row.get(f"c{i}"))
                        + contract_sum(g, segment.pk, p.end.year)
                        - paid(g, segment.pk, jan_1, p.end),
                        budget=budgets.get((g, p.end.year, segment.pk)),
                        unpriced=row.get(f"u{i}", 0),
                        months_left=12 - p.end.month,
                        period_months=p.months,
                        contracts=contract_sum(g, segment.pk, p.end.year),
                    )
                )
            result[g].append(Spend(year=p.end.year, segments=segment_rows))
    return result
