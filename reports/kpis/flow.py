"""Instroom, uitstroom and the youths in care (with "1 op N")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, OuterRef, Q

from cases.models import Gemeente, Trajectory, YouthPopulation

from .period import Period
from .query import (
    GEMEENTE,
    date_value,
    empty_row,
    grouped,
    in_care_in,
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

# JZ020 46: crisis care. "Gestart met crisis": CBS counts jeugdhulp trajectories that began as crisis care.
CRISIS_CATEGORY = "46"


@dataclass
class Flow:
    trajectories: int
    youths: int
    crisis: int = 0  # of the started trajectories: crisis care (JZ020 46); outflow leaves it 0


def inflow(gemeente: Gemeente, period: Period) -> Flow:
    """Instroom: trajectories that started in the period, and youths new in care.

    A youth counts as new when a trajectory started in the period and no trajectory of theirs was
    running on the day before the period began.
    """
    return inflow_series(gemeente, [period])[0]


def inflow_series(gemeente: Gemeente, periods: list[Period]) -> list[Flow]:
    return one(inflow_by_gemeente, gemeente, periods)


def inflow_by_gemeente(gemeente_ids: list[int], periods: list[Period]) -> dict[int, list[Flow]]:
    span = span_of(periods)
    day_before = per_period("start_date", periods, lambda p, i: date_value(p.start - dt.timedelta(days=1)))
    in_care_before = Exists(
        Trajectory.objects.filter(child=OuterRef("child"), start_date__lte=OuterRef("_day_before")).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("_day_before"))
        )
    )
    aggregates = {}
    for i, p in enumerate(periods):
        aggregates[f"t{i}"] = Count("pk", filter=in_period("start_date", p))
        aggregates[f"y{i}"] = Count("child", distinct=True, filter=in_period("start_date", p) & Q(_before=False))
        aggregates[f"c{i}"] = Count("pk", filter=in_period("start_date", p) & Q(product__category=CRISIS_CATEGORY))
    started = (
        trajectories_in(gemeente_ids)
        .filter(start_date__range=(span.start, span.end))
        .annotate(_day_before=day_before)
        .annotate(_before=in_care_before)
    )
    rows = grouped(once(started), (GEMEENTE,), aggregates)
    return per_gemeente(
        rows,
        gemeente_ids,
        aggregates,
        periods,
        lambda g, row, i: Flow(trajectories=row[f"t{i}"], youths=row[f"y{i}"], crisis=row[f"c{i}"]),
    )


def outflow(gemeente: Gemeente, period: Period) -> Flow:
    """Uitstroom: trajectories that ended in the period, and youths who left care.

    A youth has left care when a trajectory ended in the period and none of theirs runs on after
    the period's last day.
    """
    return outflow_series(gemeente, [period])[0]


def outflow_series(gemeente: Gemeente, periods: list[Period]) -> list[Flow]:
    return one(outflow_by_gemeente, gemeente, periods)


def outflow_by_gemeente(gemeente_ids: list[int], periods: list[Period]) -> dict[int, list[Flow]]:
    span = span_of(periods)
    aggregates = {}
    for i, p in enumerate(periods):
        aggregates[f"t{i}"] = Count("pk", filter=in_period("end_date", p))
        aggregates[f"y{i}"] = Count("child", distinct=True, filter=in_period("end_date", p) & Q(_after=False))
    ended = (
        trajectories_in(gemeente_ids)
        .filter(end_date__range=(span.start, span.end))
        .annotate(_period_end=per_period("end_date", periods, lambda p, i: date_value(p.end)))
        .annotate(_after=running_after("_period_end"))
    )
    rows = grouped(once(ended), (GEMEENTE,), aggregates)
    return per_gemeente(
        rows, gemeente_ids, aggregates, periods, lambda g, row, i: Flow(trajectories=row[f"t{i}"], youths=row[f"y{i}"])
    )


# --- youths in care and 1 op N ---------------------------------------------------------------


# Jeugdhulp met verblijf (CBS hulpvorm with stay): the product says so, or its segment is residential.
WITH_STAY = Q(product__with_stay=True) | Q(product__segment__is_residential=True)

# Teylingen/Holland Rijnland report youths in care by age (DOMAIN.md §5): label -> (youngest, oldest) age.
AGE_GROUPS = {"0-3": (0, 3), "4-11": (4, 11), "12-17": (12, 17), "18+": (18, None)}


@dataclass
class InCare:
    youths: int
    youths_under_18: int
    population: int | None
    one_in_n: float | None
    by_segment: dict[int, int] = field(default_factory=dict)
    by_age: dict[str, int] = field(default_factory=dict)  # AGE_GROUPS on the period's last day
    with_stay: int = 0  # youths with care met verblijf (a residential segment or a product with stay)
    without_stay: int = 0  # youths with care zonder verblijf; a youth with both counts in both, as CBS
    one_in_n_target: int | None = None  # the council's goal for the year (Beheer › Gemeenten)

    @property
    def with_stay_pct(self) -> float | None:
        return pct(self.with_stay, self.youths)

    @property
    def without_stay_pct(self) -> float | None:
        return pct(self.without_stay, self.youths)

    @property
    def verlengd(self) -> int:
        """18+: youths in verlengde jeugdhulp."""
        return self.by_age.get("18+", 0)


def youths_in_care(gemeente: Gemeente, period: Period) -> InCare:
    """Jeugdigen in zorg: distinct youths whose care had actually started and ran in the period, and "1 op N".

    1 op N = the youth population (0-17) the beheerder entered for the period's year, divided by
    the youths in care who were under 18 on the period's last day. Without a population: n.v.t.
    """
    return youths_in_care_series(gemeente, [period])[0]


def youths_in_care_series(gemeente: Gemeente, periods: list[Period]) -> list[InCare]:
    return one(youths_in_care_by_gemeente, gemeente, periods)


def youths_in_care_by_gemeente(gemeente_ids: list[int], periods: list[Period]) -> dict[int, list[InCare]]:
    active = trajectories_in(gemeente_ids).filter(in_care_in(span_of(periods)))
    aggregates, per_segment = {}, {}
    for i, p in enumerate(periods):
        aggregates[f"y{i}"] = Count("child", distinct=True, filter=in_care_in(p))
        aggregates[f"u{i}"] = Count(
            "child", distinct=True, filter=in_care_in(p) & Q(child__birth_date__gt=_years_before(p.end, 18))
        )
        per_segment[f"s{i}"] = Count("child", distinct=True, filter=in_care_in(p))
        aggregates[f"w{i}"] = Count("child", distinct=True, filter=in_care_in(p) & WITH_STAY)
        aggregates[f"z{i}"] = Count("child", distinct=True, filter=in_care_in(p) & ~WITH_STAY)
        for label, (youngest, oldest) in AGE_GROUPS.items():
            # Born after the day the child would be `oldest + 1` and on or before the day it turned `youngest`.
            born = Q(child__birth_date__lte=_years_before(p.end, youngest))
            if oldest is not None:
                born &= Q(child__birth_date__gt=_years_before(p.end, oldest + 1))
            aggregates[f"a{i}_{label}"] = Count("child", distinct=True, filter=in_care_in(p) & born)
    rows = grouped(active, (GEMEENTE,), aggregates)
    segment_key = "product__segment__number"
    segment_rows: dict[int, list] = {}
    for row in active.values(GEMEENTE, segment_key).annotate(**per_segment).order_by():
        segment_rows.setdefault(row[GEMEENTE], []).append(row)
    population_rows = YouthPopulation.objects.filter(
        gemeente__in=gemeente_ids, year__in={p.end.year for p in periods}
    ).values_list("gemeente", "year", "count", "one_in_n_target")
    populations, targets = {}, {}
    for g, year, count, target in population_rows:
        populations[g, year], targets[g, year] = count, target
    result = {}
    for g in gemeente_ids:
        row = rows.get(g) or empty_row(aggregates)
        result[g] = []
        for i, p in enumerate(periods):
            population, under_18 = populations.get((g, p.end.year)), row[f"u{i}"]
            result[g].append(
                InCare(
                    youths=row[f"y{i}"],
                    youths_under_18=under_18,
                    population=population,
                    one_in_n=round(population / under_18, 1) if population and under_18 else None,
                    by_segment={r[segment_key]: r[f"s{i}"] for r in segment_rows.get(g, []) if r[f"s{i}"]},
                    by_age={label: row[f"a{i}_{label}"] for label in AGE_GROUPS},
                    with_stay=row[f"w{i}"],
                    without_stay=row[f"z{i}"],
                    one_in_n_target=targets.get((g, p.end.year)),
                )
            )
    return result


def _years_before(day: dt.date, years: int) -> dt.date:
    return day - relativedelta(years=years)  # 29 February: 28 February
