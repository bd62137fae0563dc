"""Indicative costs of taakgericht care (DOMAIN.md §4): the lump sum of a contract spread over its clients.

A taakgericht trajectory has no price per case. So that the flags, the score, the Top N, the patterns and
the case file still see what care costs, each such trajectory gets an indicative daily cost:

- covered by a contract (same gemeente, provider, segment, for the contract year): the contract sum spread
  over the care days its clients have in that year, weighted 1 per care day or — basis 'referentietarief' —
  by the product's reference tariff × volume per day. The indicative costs of a contract's clients in its
  year add up to the contract sum. Clients still on a P × Q allocation (from before the contract) take
  their share of the care days but keep their own price.
- no contract, but the product has a reference tariff: reference tariff × volume per day (P × Q rule).
- neither: no indicative cost — 'prijs ontbreekt', a list for the beheerder, never a silent €0.

A contract's rate divides its sum by the care days all its clients have in its year (open care counted to
its planned end, or to today if that has passed). A trajectory takes the rate of the contract of the year
of the evaluation day, clamped to the years it runs in. One statement computes all trajectories of the
given gemeenten (no loop over rows).
"""

import datetime as dt

from django.db import connection, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce, ExtractYear, Greatest, Least

from ..codes import Financing, Frequency
from ..dbfuncs import DaysBetween
from ..models import CostBasis, CostBasisLabel, IndicativeCost, TaskContract, Trajectory


def _inputs(gemeente_ids, today: dt.date):
    """Per trajectory of the gemeenten: what the spread needs, its last care day and its contract year."""
    today_value = Value(today, output_field=models.DateField())
    return (
        Trajectory.objects.filter(child__gemeente_id__in=list(gemeente_ids))
        .order_by()
        # Open care runs at least until today, also past its planned end.
        .annotate(c_last=Coalesce(F("end_date"), Greatest(F("planned_end_date"), today_value)))
        .annotate(
            c_year=Least(Greatest(Value(today.year), ExtractYear("start_date")), ExtractYear("c_last")),
            c_alloc_days=DaysBetween(F("start_date"), F("planned_end_date")) + 1,
            c_task=models.Case(
                models.When(financing=Financing.TASK, daily_cost__isnull=True, then=Value(1)),
                default=Value(0),
            ),
            c_gemeente=F("child__gemeente_id"),
            c_segment=F("product__segment_id"),
            c_ref_tariff=F("product__reference_tariff"),
        )
        .values(
            "id",
            "provider_id",
            "start_date",
            "volume",
            "frequency",
            "c_last",
            "c_year",
            "c_alloc_days",
            "c_task",
            "c_gemeente",
            "c_segment",
            "c_ref_tariff",
        )
    )


def _dialect():
    """Date arithmetic for the raw statement: (first day of a year, last day of a year, days between)."""
    if connection.vendor == "postgresql":
        return (
            lambda y: f"make_date(({y})::integer, 1, 1)",
            lambda y: f"make_date(({y})::integer, 12, 31)",
            lambda a, b: f"(({b})::date - ({a})::date)",
            "GREATEST",
            "LEAST",
        )
    return (
        lambda y: f"printf('%%04d-01-01', {y})",
        lambda y: f"printf('%%04d-12-31', {y})",
        lambda a, b: f"CAST(julianday({b}) - julianday({a}) AS INTEGER)",
        "MAX",
        "MIN",
    )


def indicative_costs_refresh(*, gemeente_ids, today: dt.date) -> int:
    """Recompute the indicative daily cost of every taakgericht trajectory of these gemeenten. Returns rows."""
    gemeente_ids = sorted({int(pk) for pk in gemeente_ids})
    if not gemeente_ids:
        return 0
    inner, params = _inputs(gemeente_ids, today).query.sql_with_params()
    table = IndicativeCost._meta.db_table
    contracts = TaskContract._meta.db_table
    year_start, year_end, days, greatest, least = _dialect()
    # 1.0 keeps SQLite from integer division (it stores whole decimals as integers).
    src = (
        f"(SELECT q.*, q.c_ref_tariff * q.volume * 1.0 * CASE q.frequency"
        f" WHEN '{Frequency.PER_DAY}' THEN 1.0 WHEN '{Frequency.PER_WEEK}' THEN 1.0 / 7"
        f" WHEN '{Frequency.PER_MONTH}' THEN 12.0 / 365 ELSE 1.0 / q.c_alloc_days END AS ref_daily FROM ({inner}) q)"
    )
    match = "c.gemeente_id = t.c_gemeente AND c.provider_id = t.provider_id AND c.segment_id = t.c_segment"
    weight = f"CASE WHEN c.cost_basis = '{CostBasis.REFERENCE}' THEN t.ref_daily ELSE 1.0 END"
    care_days = (
        days(f"{greatest}(t.start_date, {year_start('c.year')})", f"{least}(t.c_last, {year_end('c.year')})") + " + 1"
    )
    ids = ", ".join(["%s"] * len(gemeente_ids))
    # Per contract: the weighted care days of every client in the contract's year (P × Q clients included).
    totals = (
        f"SELECT c.id AS contract_id, SUM({weight} * ({care_days})) AS total"
        f" FROM {contracts} c JOIN {src} t ON {match}"
        f" WHERE c.gemeente_id IN ({ids}) AND ({care_days}) > 0 GROUP BY c.id"
    )
    statement = f"""
        INSERT INTO {table} (trajectory_id, daily_cost, basis, contract_id, computed_on)
        SELECT t.id,
               CASE WHEN c.id IS NOT NULL THEN ROUND({weight} * c.amount / tot.total, 4)
                    ELSE ROUND(t.ref_daily, 4) END,
               CASE WHEN c.id IS NOT NULL THEN '{CostBasisLabel.CONTRACT}' ELSE '{CostBasisLabel.REFERENCE}' END,
               c.id, %s
        FROM {src} t
        LEFT JOIN {contracts} c ON {match} AND c.year = t.c_year
        LEFT JOIN ({totals}) tot ON tot.contract_id = c.id
        WHERE t.c_task = 1
          AND ((c.id IS NOT NULL AND {weight} IS NOT NULL AND tot.total > 0)
               OR (c.id IS NULL AND t.ref_daily IS NOT NULL))
    """
    with transaction.atomic(), connection.cursor() as cursor:
        IndicativeCost.objects.filter(trajectory__child__gemeente_id__in=gemeente_ids).delete()
        cursor.execute(statement, [today, *params, *params, *gemeente_ids])
        return cursor.rowcount
