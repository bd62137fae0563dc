"""Verlengingen and stapeling: trajectories extended, and youths with several trajectories at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q

from cases.models import Child, Extension, ExtensionStatus, Gemeente, Trajectory

from .period import Period
from .query import GEMEENTE, active_in, empty_row, grouped, one, pct, span_of, trajectories_in

GRANTED = [ExtensionStatus.APPROVED, ExtensionStatus.SHORTENED]


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
    return one(extensions_by_gemeente, gemeente, periods)


def extensions_by_gemeente(gemeente_ids: list[int], periods: list[Period]) -> dict[int, list[Extensions]]:
    span_start, span_end = span_of(periods).aware_bounds()
    granted = Q(status__in=GRANTED)
    aggregates = {}
    for i, p in enumerate(periods):
        start, end = p.aware_bounds()
        decided = Q(decided_at__gte=start, decided_at__lt=end)
        aggregates[f"r{i}"] = Count("pk", filter=Q(requested_at__gte=start, requested_at__lt=end))
        aggregates[f"g{i}"] = Count("pk", filter=granted & decided)
        aggregates[f"x{i}"] = Count("pk", filter=Q(status=ExtensionStatus.REFUSED) & decided)
    requests = Extension.objects.filter(trajectory__child__gemeente__in=gemeente_ids).filter(
        Q(requested_at__gte=span_start, requested_at__lt=span_end)
        | Q(decided_at__gte=span_start, decided_at__lt=span_end)
    )
    rows = grouped(requests, (f"trajectory__{GEMEENTE}",), aggregates)
    # Extended by the period's end: a granted extension decided before it. A join to the granted extensions
    # (distinct counts undo the fan-out of several) rather than a subquery per row repeated in every
    # period's FILTER, which grouped over all gemeenten took 50× longer.
    counts_aggregates = {}
    for i, p in enumerate(periods):
        _start, end = p.aware_bounds()
        counts_aggregates[f"a{i}"] = Count("pk", distinct=True, filter=active_in(p))
        counts_aggregates[f"e{i}"] = Count("pk", distinct=True, filter=active_in(p) & Q(_granted__decided_at__lt=end))
    active = (
        trajectories_in(gemeente_ids)
        .filter(active_in(span_of(periods)))
        .annotate(_granted=FilteredRelation("extensions", condition=Q(extensions__status__in=GRANTED)))
    )
    counts = grouped(active, (GEMEENTE,), counts_aggregates)
    result = {}
    for g in gemeente_ids:
        row, count = rows.get(g) or empty_row(aggregates), counts.get(g) or empty_row(counts_aggregates)
        result[g] = [
            Extensions(
                requested=row[f"r{i}"],
                granted=row[f"g{i}"],
                refused=row[f"x{i}"],
                active_trajectories=count[f"a{i}"],
                extended_trajectories=count[f"e{i}"],
            )
            for i in range(len(periods))
        ]
    return result


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
    return one(stacking_by_gemeente, gemeente, periods)


def stacking_by_gemeente(gemeente_ids: list[int], periods: list[Period]) -> dict[int, list[Stacking]]:
    def open_on(day):
        return Q(trajectories__start_date__lte=day) & (
            Q(trajectories__end_date__isnull=True) | Q(trajectories__end_date__gte=day)
        )

    span = span_of(periods)
    in_span = Exists(Trajectory.objects.filter(active_in(span), child=OuterRef("pk")))
    children = (
        Child.objects.filter(gemeente__in=gemeente_ids)
        .filter(in_span)
        .annotate(_g=F("gemeente"))
        .values("pk", "_g")
        .annotate(**{f"_o{i}": Count("trajectories", filter=open_on(p.end)) for i, p in enumerate(periods)})
    )
    # A count of the per-child counts: the ORM cannot group an aggregate by gemeente, so plain SQL over
    # the queryset above (which holds the rule) does the outer step.
    columns = ", ".join(
        f'SUM(CASE WHEN "_o{i}" >= {minimum} THEN 1 ELSE 0 END)' for i in range(len(periods)) for minimum in (1, 2, 3)
    )
    inner, params = children.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "_g", {columns} FROM ({inner}) children GROUP BY "_g"', params)
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
    result = {}
    for g in gemeente_ids:
        row = rows.get(g) or (0,) * (3 * len(periods))
        result[g] = [
            Stacking(day=p.end, youths=int(row[3 * i]), two_plus=int(row[3 * i + 1]), three_plus=int(row[3 * i + 2]))
            for i, p in enumerate(periods)
        ]
    return result
