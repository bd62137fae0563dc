"""Verlengingen and stapeling: trajectories extended, and youths with several trajectories at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Sum, Value

from cases.models import Child, Extension, ExtensionStatus, Gemeente, Trajectory

from .period import Period
from .query import active_in, once, pct, span_of, trajectories_of


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
    span_start, span_end = span_of(periods).aware_bounds()
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
        counts_aggregates[f"a{i}"] = Count("pk", filter=active_in(p))
        counts_aggregates[f"e{i}"] = Count("pk", filter=active_in(p) & Q(_first_granted__lt=end))
    counts = once(
        trajectories_of(gemeente)
        .filter(active_in(span_of(periods)))
        .annotate(_first_granted=models.Subquery(first_granted))
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

    span = span_of(periods)
    in_span = Exists(Trajectory.objects.filter(active_in(span), child=OuterRef("pk")))
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
