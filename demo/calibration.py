"""Prices the plan's trajectories and calibrates the tariffs so Voorbeeldstad's spend meets its target."""

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from cases.codes import Financing
from cases.models import daily_cost
from demo.catalogue import PRODUCTS, ProductPlan
from demo.figures import CALIBRATION_YEAR, TASK_FINANCING_FROM, tariff_index, year_bounds
from demo.plan import GemeentePlan, TrajectoryPlan


def _task_financed(product: ProductPlan, day: dt.date) -> bool:
    """Segments 1-4 are bought taakgericht from TASK_FINANCING_FROM (DOMAIN.md §4): no price per case."""
    return product.segment != 5 and day >= TASK_FINANCING_FROM


def _indexed_tariff(product: ProductPlan, factors: dict, year: int) -> Decimal:
    """The product's base tariff times its segment's factor, at `year`'s price level; not yet rounded."""
    base = product.tariff * Decimal(str(factors.get(product.segment, 1.0)))
    return base * Decimal(str(tariff_index(year)))


def _price(trajectory: TrajectoryPlan, factors: dict) -> None:
    """The tariff in force when the trajectory was allocated, and its daily cost (as Trajectory.save)."""
    product = trajectory.product
    if _task_financed(product, trajectory.start):
        trajectory.financing, trajectory.tariff, trajectory.daily_cost = Financing.TASK, None, None
        return
    trajectory.tariff = _indexed_tariff(product, factors, trajectory.start.year).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    trajectory.financing = Financing.EFFORT
    trajectory.daily_cost = daily_cost(
        tariff=trajectory.tariff,
        volume=trajectory.final_volume,
        frequency=trajectory.frequency,
        start=trajectory.start,
        planned_end=trajectory.final_planned_end,
    )


def period_cost(trajectory: TrajectoryPlan, first: dt.date, last: dt.date, as_of: dt.date) -> Decimal:
    """What `Trajectory.objects.with_cost_in_period` computes, in Python (for calibrating before writing)."""
    if trajectory.daily_cost is None:
        return Decimal("0")
    until = min(trajectory.end or as_of, last)
    days = max((until - max(trajectory.start, first)).days + 1, 0)
    return trajectory.daily_cost * days


def spend_by_segment(plan: GemeentePlan, year: int, as_of: dt.date) -> dict:
    first, last = year_bounds(year)
    spend = defaultdict(Decimal)
    for trajectory in plan.trajectories:
        spend[trajectory.product.segment] += period_cost(trajectory, first, last, as_of)
    return spend


def calibrate(gemeenten: list, today: dt.date) -> dict:
    """One factor per segment on the base tariffs so the calibrated gemeente's spend meets its target."""
    factors = {}
    _price_all(gemeenten, factors)
    anchor = next(p for p in gemeenten if p.spend_targets)
    produced = spend_by_segment(anchor, CALIBRATION_YEAR, today)
    for segment, target in anchor.spend_targets.items():
        factors[segment] = float(target / produced[segment]) if produced[segment] else 1.0
    _price_all(gemeenten, factors)
    return factors


def _price_all(gemeenten: list, factors: dict) -> None:
    for plan in gemeenten:
        for trajectory in plan.trajectories:
            _price(trajectory, factors)


def current_tariffs(factors: dict, today: dt.date) -> dict:
    tariffs = {}
    for product in PRODUCTS:
        if _task_financed(product, today):
            tariffs[product.code] = None
        else:
            # Rounded half to even (the decimal context's default), where _price rounds half up.
            tariffs[product.code] = _indexed_tariff(product, factors, today.year).quantize(Decimal("0.01"))
    return tariffs


def reference_tariffs(factors: dict) -> dict:
    """What the beheerder enters as reference tariff of the taakgericht products: the calibrated tariff at the
    price level of the first taakgericht year. It weighs a contract sum over heavy and light care."""
    year = TASK_FINANCING_FROM.year
    return {
        product.code: _indexed_tariff(product, factors, year).quantize(Decimal("0.01"), ROUND_HALF_UP)
        for product in PRODUCTS
        if product.segment != 5
    }


def contract_shares(plan: GemeentePlan, year: int) -> dict:
    """(provider agb, segment) -> share of the segment's P × Q spend in `year`, for contracted providers."""
    first, last = year_bounds(year)
    spend = defaultdict(Decimal)
    totals = defaultdict(Decimal)
    for trajectory in plan.trajectories:
        segment = trajectory.product.segment
        if segment == 5:
            continue
        cost = period_cost(trajectory, first, last, last)
        totals[segment] += cost
        if trajectory.provider.contracted:
            spend[(trajectory.provider.agb, segment)] += cost
    return {key: value / totals[key[1]] for key, value in spend.items() if totals[key[1]]}
