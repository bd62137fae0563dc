"""Sturen op Wlz (issue 11): routes open, indications given, weeks to indication, and the Jeugdwet cost
per month the routes take off. Definitions in docs/kpis.md, "Wlz"."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum

from cases.codes import EndReason
from cases.dbfuncs import DaysBetween
from cases.models import CASE_DAILY_COST, Gemeente
from regie.codes import WlzStep
from regie.models import WlzRoute

from .period import Period
from .query import (
    GEMEENTE,
    empty_row,
    grouped,
    in_period,
    median_by,
    money,
    one,
    period_index,
    span_of,
    trajectories_in,
)

DAYS_PER_MONTH = Decimal(365) / Decimal(12)  # as cases.terms.monthly_cost


@dataclass
class WlzFigures:
    routes_open: int  # on the period's last day
    granted: int  # indications given in the period
    median_weeks: float | None  # from aanvraag CIZ to indicatie, of the indications given in the period
    cost_off: Decimal  # Jeugdwet cost per month of the trajectories the routes ended in the period


def wlz_series(gemeente: Gemeente, periods: list[Period]) -> list[WlzFigures]:
    return one(wlz_by_gemeente, gemeente, periods)


def wlz_by_gemeente(gemeente_ids: list[int], periods: list[Period]) -> dict[int, list[WlzFigures]]:
    """Three queries for any number of periods and gemeenten: the counts, the medians, the cost taken off.

    Open on a day: prepared on or before it and neither refused nor transferred by then. Weeks to
    indication: days from aanvraag to indicatie / 7, the median of the indications given in the period.
    Cost taken off: the monthly cost (P × Q, else the indicative cost; 365/12 days) of the trajectories
    that ended in the period with JZ588 reason 39 (uitstroom naar ander domein) while their child's Wlz
    indication was given: the Jeugdwet bill the route moved to the Wlz.
    """
    routes = WlzRoute.objects.filter(gemeente__in=gemeente_ids).order_by()
    aggregates = {}
    for i, p in enumerate(periods):
        closed = Q(refused_on__lte=p.end) | Q(transferred_on__lte=p.end)
        aggregates[f"open{i}"] = Count("pk", filter=Q(prepared_on__lte=p.end) & ~closed)
        aggregates[f"granted{i}"] = Count("pk", filter=in_period("granted_on", p))
    counts = grouped(routes, ("gemeente",), aggregates)
    span = span_of(periods)
    granted = routes.filter(granted_on__range=(span.start, span.end), applied_on__isnull=False).annotate(
        _days=DaysBetween(F("applied_on"), F("granted_on")), _pi=period_index(periods, "granted_on")
    )
    medians = median_by(granted, "_days", ("gemeente", "_pi"))
    indicated = WlzRoute.objects.filter(
        child=OuterRef("child"), granted_on__isnull=False, granted_on__lte=OuterRef("end_date")
    ).exclude(step=WlzStep.REFUSED)
    cost_aggregates = {f"cost{i}": Sum(CASE_DAILY_COST, filter=in_period("end_date", p)) for i, p in enumerate(periods)}
    ended = grouped(
        trajectories_in(gemeente_ids)
        .filter(end_date__range=(span.start, span.end), end_reason=EndReason.OTHER_DOMAIN)
        .filter(Exists(indicated)),
        (GEMEENTE,),
        cost_aggregates,
    )
    result = {}
    for g in gemeente_ids:
        count, cost = counts.get(g) or empty_row(aggregates), ended.get(g) or empty_row(cost_aggregates)
        result[g] = [
            WlzFigures(
                routes_open=count[f"open{i}"],
                granted=count[f"granted{i}"],
                median_weeks=None if (g, i) not in medians else round(float(medians[(g, i)]) / 7, 1),
                cost_off=money((cost[f"cost{i}"] or 0) * DAYS_PER_MONTH),
            )
            for i in range(len(periods))
        ]
    return result
