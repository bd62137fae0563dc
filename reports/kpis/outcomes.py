"""The outcome figures (DOMAIN.md §7): how trajectories ended, and re-entry within twelve months."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from cases.codes import EndReason
from cases.models import Gemeente, Trajectory

from .period import Period
from .query import (
    GEMEENTE,
    date_value,
    grouped,
    in_period,
    once,
    one,
    pct,
    per_gemeente,
    per_period,
    running_after,
    span_of,
    trajectories_in,
)


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
    return one(end_reasons_by_gemeente, gemeente, periods)


def end_reasons_by_gemeente(gemeente_ids: list[int], periods: list[Period]) -> dict[int, list[EndReasons]]:
    span = span_of(periods)
    aggregates = {}
    for i, p in enumerate(periods):
        aggregates[f"n{i}"] = Count("pk", filter=in_period("end_date", p))
        aggregates[f"a{i}"] = Count("pk", filter=in_period("end_date", p) & Q(end_reason=EndReason.AS_PLANNED))
        aggregates[f"p{i}"] = Count("pk", filter=in_period("end_date", p) & Q(end_reason__in=PREMATURE_END_REASONS))
    rows = grouped(
        trajectories_in(gemeente_ids).filter(end_date__range=(span.start, span.end)), (GEMEENTE,), aggregates
    )
    return per_gemeente(
        rows,
        gemeente_ids,
        aggregates,
        periods,
        lambda g, row, i: EndReasons(ended=row[f"n{i}"], as_planned=row[f"a{i}"], premature=row[f"p{i}"]),
    )


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
    return one(re_entry_by_gemeente, gemeente, periods)


def re_entry_by_gemeente(gemeente_ids: list[int], periods: list[Period]) -> dict[int, list[ReEntry]]:
    cohorts = [p.shifted(-12) for p in periods]
    span = span_of(cohorts)
    horizon = per_period("end_date", cohorts, lambda c, i: date_value(c.end + dt.timedelta(days=365)))
    came_back = Exists(
        Trajectory.objects.filter(
            child=OuterRef("child"), start_date__gt=OuterRef("_cohort_end"), start_date__lte=OuterRef("_horizon")
        )
    )
    aggregates = {}
    for i, c in enumerate(cohorts):
        aggregates[f"l{i}"] = Count("child", distinct=True, filter=in_period("end_date", c))
        aggregates[f"r{i}"] = Count("child", distinct=True, filter=in_period("end_date", c) & Q(_back=True))
    left = (
        trajectories_in(gemeente_ids)
        .filter(end_date__range=(span.start, span.end))
        .annotate(_cohort_end=per_period("end_date", cohorts, lambda c, i: date_value(c.end)), _horizon=horizon)
        .annotate(_after=running_after("_cohort_end"), _back=came_back)
        .filter(_after=False)
    )
    rows = grouped(once(left), (GEMEENTE,), aggregates)
    return per_gemeente(
        rows,
        gemeente_ids,
        aggregates,
        cohorts,
        lambda g, row, i: ReEntry(cohort=cohorts[i], left_care=row[f"l{i}"], returned=row[f"r{i}"]),
    )
