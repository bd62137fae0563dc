"""Declarations (issue 12): declared against allocated spend per segment and provider, and the realised
months the spend and forecast use instead of P × Q (the rule is in docs/kpis.md, "Declaraties").

Two queries per report whatever the data: one over the declaration lines (a row per period, segment and
provider), one over the trajectories (a column per period: conditional aggregates, as the other families).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter

from django.db import models
from django.db.models import F, FilteredRelation, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least

from cases.dbfuncs import DaysBetween
from cases.models import Declaration, DeclarationStatus, Gemeente

from .period import Period
from .query import (
    GEMEENTE,
    MONEY,
    active_in,
    cost_in,
    date_value,
    fetch_rows,
    grouped,
    money,
    one,
    pct,
    period_index,
    span_of,
    trajectories_in,
)


@dataclass
class DeclaredRow:
    """One segment and provider in a period: P × Q allocated, and what was declared and answered."""

    segment_number: int
    segment: str
    provider: str
    allocated: Decimal = Decimal("0.00")  # P × Q of the provider's trajectories in the segment, in the period
    declared: Decimal = Decimal("0.00")  # net: debit minus credit
    approved: Decimal = Decimal("0.00")
    rejected: Decimal = Decimal("0.00")
    open: Decimal = Decimal("0.00")  # declared, no answer (JW325) yet

    @property
    def difference(self) -> Decimal:
        return self.declared - self.allocated

    @property
    def declared_pct(self) -> float | None:
        return pct(self.declared, self.allocated)


@dataclass
class Declared:
    rows: list[DeclaredRow] = field(default_factory=list)  # only pairs with a declaration in the period

    def _total(self, name: str) -> Decimal:
        return sum((getattr(r, name) for r in self.rows), Decimal("0.00"))

    @property
    def allocated(self) -> Decimal:
        return self._total("allocated")

    @property
    def declared(self) -> Decimal:
        return self._total("declared")

    @property
    def approved(self) -> Decimal:
        return self._total("approved")

    @property
    def rejected(self) -> Decimal:
        return self._total("rejected")

    @property
    def open(self) -> Decimal:
        return self._total("open")

    @property
    def difference(self) -> Decimal:
        return self.declared - self.allocated

    @property
    def declared_pct(self) -> float | None:
        return pct(self.declared, self.allocated)


def _lines_in(gemeente_ids: list[int]):
    return Declaration.objects.filter(trajectory__child__gemeente__in=gemeente_ids)


def _in_months(period: Period) -> Q:
    return Q(month__gte=period.start, month__lte=period.end)


SEGMENT, SEGMENT_NAME, PROVIDER = "product__segment__number", "product__segment__name", "provider__name"


def declared_vs_allocated_series(gemeente: Gemeente, periods: list[Period]) -> list[Declared]:
    """Per period, per segment and provider with a declaration in it: declared (net), approved, rejected and
    still open, against the P × Q allocated spend of that provider's trajectories in the segment."""
    return one(declared_vs_allocated_by_gemeente, gemeente, periods)


ZERO = Decimal("0.00")


def _cents(total: Decimal | None) -> Decimal:
    """money() for a sum of amounts in cents (numeric(12,2)): already whole cents from either database, so
    only an empty sum needs a value; 2.4 million quantize calls were seconds over all gemeenten."""
    return ZERO if total is None else total


def declared_vs_allocated_by_gemeente(gemeente_ids: list[int], periods: list[Period]) -> dict[int, list[Declared]]:
    span = span_of(periods)
    # One row per gemeente, period, segment and provider with a declaration in it: the rows of the table
    # (a column per period would give ~65 mostly empty columns per pair, several times slower over all gemeenten).
    line_keys = (
        f"trajectory__{GEMEENTE}",
        "_period",
        f"trajectory__{SEGMENT}",
        f"trajectory__{SEGMENT_NAME}",
        PROVIDER,
    )
    lines = fetch_rows(
        _lines_in(gemeente_ids)
        .filter(_in_months(span))
        .annotate(_period=period_index(periods, "month"))
        .filter(_period__isnull=False)
        .values(*line_keys)
        .annotate(
            declared=Sum("amount"),
            approved=Sum("approved_amount", filter=Q(status=DeclarationStatus.APPROVED)),
            rejected=Sum("amount", filter=Q(status=DeclarationStatus.REJECTED)),
            open=Sum("amount", filter=Q(status=DeclarationStatus.SUBMITTED)),
        )
        .order_by()
        .values_list(*line_keys, "declared", "approved", "rejected", "open")
    )
    allocated = {}
    if lines:
        providers = {line[4] for line in lines}
        costs = {f"c{i}": Sum(cost_in(p), filter=active_in(p)) for i, p in enumerate(periods)}
        for g, segment, provider, *per_period in fetch_rows(
            trajectories_in(gemeente_ids)
            .filter(active_in(span), provider__name__in=providers, daily_cost__isnull=False)
            .values(GEMEENTE, SEGMENT, PROVIDER)
            .annotate(**costs)
            .order_by()
            .values_list(GEMEENTE, SEGMENT, PROVIDER, *costs)
        ):
            allocated[g, segment, provider] = per_period
    result = {g: [Declared() for _p in periods] for g in gemeente_ids}
    lines.sort(key=itemgetter(1, 2, 4))  # by period, then segment, then provider
    for g, i, segment, name, provider, declared, approved, rejected, still_open in lines:
        costs_of_pair = allocated.get((g, segment, provider))
        result[g][i].rows.append(
            DeclaredRow(
                segment_number=segment,
                segment=f"{segment}. {name}",
                provider=provider,
                allocated=money(costs_of_pair and costs_of_pair[i]),
                declared=_cents(declared),
                approved=_cents(approved),
                rejected=_cents(rejected),
                open=_cents(still_open),
            )
        )
    return result


def declared_vs_allocated(gemeente: Gemeente, period: Period) -> Declared:
    return declared_vs_allocated_series(gemeente, [period])[0]


# --- realised months in spend and forecast ----------------------------------------------------------------


def _contract_of(year: int) -> FilteredRelation:
    """The line's trajectory is paid by a taakgericht contract that year (as money.covered_by_contract), as a
    join: at most one contract per gemeente, provider, segment and year (task_contract_once_per_year). An
    EXISTS repeated in every period's FILTER took twice as long over all gemeenten."""
    contract = "trajectory__provider__task_contracts"
    return FilteredRelation(
        contract,
        condition=Q(
            **{
                f"{contract}__year": year,
                f"{contract}__gemeente": F("trajectory__child__gemeente"),
                f"{contract}__segment": F("trajectory__product__segment"),
            }
        ),
    )


def _replaced(period: Period) -> models.ExpressionWrapper:
    """The P × Q accrual the line replaces: the trajectory's daily cost over the days of the line's period
    on which it accrues (from its start, to its end or the period's end); negative for a credit."""
    first = Greatest(F("period_start"), F("trajectory__start_date"), date_value(period.start))
    last = Least(F("period_end"), Coalesce(F("trajectory__end_date"), date_value(period.end)), date_value(period.end))
    days = Greatest(DaysBetween(first, last) + 1, Value(0))
    sign = models.Case(models.When(debit_credit="C", then=Value(-1)), default=Value(1))
    per_day = Coalesce(F("trajectory__daily_cost"), Value(Decimal("0")), output_field=MONEY)
    return models.ExpressionWrapper(F("amount") - sign * per_day * days, output_field=MONEY)


def realised_adjustments_by_gemeente(
    gemeente_ids: list[int], periods: list[Period]
) -> dict[tuple[int, int, int, str], Decimal]:
    """(gemeente id, period index, segment_id, "m" or "y") -> what the realised months change in the month's
    and the year to date's spend: for every line not rejected, its amount instead of the P × Q it replaces.
    Lines of trajectories paid by a taakgericht contract are left out (the contract's payments count). One
    query."""
    years = sorted({p.end.year for p in periods})
    aggregates = {}
    for i, p in enumerate(periods):
        per_case = Q(**{f"_contract_{p.end.year}__isnull": True})
        year_to_date = Period(p.end.replace(month=1, day=1), p.end)
        aggregates[f"m{i}"] = Sum(_replaced(p), filter=_in_months(p) & per_case)
        aggregates[f"y{i}"] = Sum(_replaced(year_to_date), filter=_in_months(year_to_date) & per_case)
    first = min(p.end.replace(month=1, day=1) for p in periods)
    rows = grouped(
        _lines_in(gemeente_ids)
        .realised()
        .filter(_in_months(Period(first, max(p.end for p in periods))))
        .annotate(**{f"_contract_{year}": _contract_of(year) for year in years}),
        (f"trajectory__{GEMEENTE}", "trajectory__product__segment"),
        aggregates,
    )
    result = {}
    for (g, segment), row in rows.items():
        for i in range(len(periods)):
            for kind in ("m", "y"):
                result[(g, i, segment, kind)] = money(row[f"{kind}{i}"])
    return result
