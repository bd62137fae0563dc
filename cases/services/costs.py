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

The contract year of a trajectory is the year of the evaluation day, clamped to the years the trajectory
runs in. One statement computes all trajectories of the given gemeenten (no loop over rows).
"""

import datetime as dt

from django.db import connection, models, transaction
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, ExtractYear, Greatest, Least

from ..codes import Financing, Frequency
from ..dbfuncs import DaysBetween, YearBoundary
from ..models import CostBasis, CostBasisLabel, IndicativeCost, TaskContract, Trajectory


def _inputs(gemeente_ids, today: dt.date):
    """Per trajectory of the gemeenten: its contract for the contract year and its care days in that year."""
    today_value = Value(today, output_field=models.DateField())
    last_day = Coalesce(F("end_date"), Greatest(F("planned_end_date"), today_value))
    contract = TaskContract.objects.filter(
        gemeente_id=OuterRef("child__gemeente_id"),
        provider_id=OuterRef("provider_id"),
        segment_id=OuterRef("product__segment_id"),
        year=OuterRef("c_year"),
    ).values("pk")[:1]
    return (
        Trajectory.objects.filter(child__gemeente_id__in=list(gemeente_ids))
        .order_by()
        .annotate(c_last=last_day)
        .annotate(
            c_year=Least(
                Greatest(Value(today.year), ExtractYear("start_date")),
                ExtractYear("c_last"),
            )
        )
        .annotate(c_contract=Subquery(contract))
        .annotate(
            c_days=Greatest(
                DaysBetween(
                    Greatest(F("start_date"), YearBoundary(F("c_year"), last=False)),
                    Least(F("c_last"), YearBoundary(F("c_year"), last=True)),
                )
                + 1,
                Value(0),
            ),
            c_alloc_days=DaysBetween(F("start_date"), F("planned_end_date")) + 1,
            c_volume=F("volume"),
            c_frequency=F("frequency"),
            c_ref_tariff=F("product__reference_tariff"),
            c_task=models.Case(
                models.When(financing=Financing.TASK, daily_cost__isnull=True, then=Value(1)),
                default=Value(0),
            ),
        )
        .values("id", "c_contract", "c_days", "c_alloc_days", "c_task", "c_volume", "c_frequency", "c_ref_tariff")
    )


def indicative_costs_refresh(*, gemeente_ids, today: dt.date) -> int:
    """Recompute the indicative daily cost of every taakgericht trajectory of these gemeenten. Returns rows."""
    gemeente_ids = list(gemeente_ids)
    if not gemeente_ids:
        return 0
    sql, params = _inputs(gemeente_ids, today).query.sql_with_params()
    table = IndicativeCost._meta.db_table
    contracts = TaskContract._meta.db_table
    # 1.0 keeps SQLite from integer division (it stores whole decimals as integers).
    ref_daily = (
        "src.ref_tariff * src.volume * 1.0 * CASE src.frequency"
        f" WHEN '{Frequency.PER_DAY}' THEN 1.0 WHEN '{Frequency.PER_WEEK}' THEN 1.0 / 7"
        f" WHEN '{Frequency.PER_MONTH}' THEN 12.0 / 365 ELSE 1.0 / src.alloc_days END"
    )
    weighted = (
        f"SELECT src.*, c.amount AS amount, {ref_daily} AS ref_daily,"
        f" CASE WHEN c.cost_basis = '{CostBasis.REFERENCE}' THEN {ref_daily} ELSE 1.0 END AS weight"
        f" FROM (SELECT id AS t_id, c_contract AS contract_id, c_days AS days, c_alloc_days AS alloc_days,"
        f" c_task AS task, c_volume AS volume, c_frequency AS frequency, c_ref_tariff AS ref_tariff FROM ({sql}) q"
        f") src LEFT JOIN {contracts} c ON c.id = src.contract_id"
    )
    statement = f"""
        INSERT INTO {table} (trajectory_id, daily_cost, basis, contract_id, computed_on)
        SELECT w.t_id,
               CASE WHEN w.contract_id IS NOT NULL THEN ROUND(w.weight * w.amount / tot.total, 4)
                    ELSE ROUND(w.ref_daily, 4) END,
               CASE WHEN w.contract_id IS NOT NULL THEN '{CostBasisLabel.CONTRACT}'
                    ELSE '{CostBasisLabel.REFERENCE}' END,
               w.contract_id, %s
        FROM ({weighted}) w
        LEFT JOIN (SELECT contract_id, SUM(weight * days) AS total FROM ({weighted}) x
                   WHERE contract_id IS NOT NULL GROUP BY contract_id) tot ON tot.contract_id = w.contract_id
        WHERE w.task = 1
          AND ((w.contract_id IS NOT NULL AND w.weight IS NOT NULL AND tot.total > 0)
               OR (w.contract_id IS NULL AND w.ref_daily IS NOT NULL))
    """
    with transaction.atomic(), connection.cursor() as cursor:
        IndicativeCost.objects.filter(trajectory__child__gemeente_id__in=gemeente_ids).delete()
        cursor.execute(statement, [today, *params, *params])
        return cursor.rowcount
