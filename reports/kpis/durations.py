"""Duur: how long the trajectories that ended in the period ran, in CBS bins."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, F, Q

from cases.dbfuncs import DaysBetween
from cases.models import Gemeente

from .period import Period
from .query import GEMEENTE, empty_row, grouped, in_period, median_by, one, period_index, span_of, trajectories_in

# CBS duration bins (DOMAIN.md §5), as the largest number of days (inclusive) in each bin.
DURATION_BINS = [
    ("0-3 mnd", 91),
    ("3-6 mnd", 182),
    ("6-12 mnd", 365),
    ("1-2 jr", 730),
    ("2-3 jr", 1095),
    ("3-4 jr", 1461),
    ("4+ jr", None),
]
DAYS_PER_MONTH = 365.25 / 12


@dataclass
class Duration:
    ended: int
    mean_days: float | None
    median_days: float | None
    bins: dict[str, int]

    @property
    def mean_months(self) -> float | None:
        return None if self.mean_days is None else round(self.mean_days / DAYS_PER_MONTH, 1)

    @property
    def median_months(self) -> float | None:
        return None if self.median_days is None else round(self.median_days / DAYS_PER_MONTH, 1)


@dataclass
class Durations:
    total: Duration
    by_segment: dict[int, Duration]


def durations(gemeente: Gemeente, period: Period) -> Durations:
    """Duur: length of the trajectories that ended in the period, from the actual start of care to the end (both
    days included); trajectories that ended without care ever starting do not count.

    Mean, median and the CBS bins (0-3 m, 3-6 m, 6-12 m, 1-2 j, 2-3 j, 3-4 j, 4+ j; a month is
    365.25/12 days, see DURATION_BINS), for all segments and per segment.
    """
    return durations_series(gemeente, [period])[0]


def durations_series(gemeente: Gemeente, periods: list[Period]) -> list[Durations]:
    return one(durations_by_gemeente, gemeente, periods)


def durations_by_gemeente(gemeente_ids: list[int], periods: list[Period]) -> dict[int, list[Durations]]:
    span = span_of(periods)
    ended = (
        trajectories_in(gemeente_ids)
        # From the actual start of care (JW305 or the toegang's first contact), as the duur flag counts: an
        # allocation that ended without care ever starting has no duration to count (issue 12).
        .filter(end_date__range=(span.start, span.end), actual_start_date__isnull=False)
        .annotate(_days=DaysBetween(F("actual_start_date"), F("end_date")) + 1, _pi=period_index(periods, "end_date"))
    )
    aggregates = {}
    for i, p in enumerate(periods):
        ended_in = in_period("end_date", p)
        aggregates[f"n{i}"] = Count("pk", filter=ended_in)
        aggregates[f"mean{i}"] = Avg("_days", filter=ended_in)
        lower = 0
        for b, (_label, upper) in enumerate(DURATION_BINS):
            in_bin = Q(_days__gt=lower) & (Q(_days__lte=upper) if upper else Q())
            aggregates[f"b{i}_{b}"] = Count("pk", filter=ended_in & in_bin)
            lower = upper
    segment_key = "product__segment__number"
    totals = grouped(ended, (GEMEENTE,), aggregates)
    per_segment: dict[int, list] = {}
    for row in ended.values(GEMEENTE, segment_key).annotate(**aggregates).order_by():
        per_segment.setdefault(row[GEMEENTE], []).append(row)
    medians = median_by(ended, "_days", (GEMEENTE, "_pi"))
    segment_medians = median_by(ended, "_days", (GEMEENTE, "_pi", segment_key))

    def build(row, i, median) -> Duration:
        mean = row[f"mean{i}"]
        return Duration(
            ended=row[f"n{i}"],
            mean_days=None if mean is None else round(float(mean), 1),
            median_days=median,
            bins={label: row[f"b{i}_{b}"] for b, (label, _upper) in enumerate(DURATION_BINS)},
        )

    return {
        g: [
            Durations(
                total=build(totals.get(g) or empty_row(aggregates), i, medians.get((g, i))),
                by_segment={
                    r[segment_key]: build(r, i, segment_medians.get((g, i, r[segment_key])))
                    for r in per_segment.get(g, [])
                    if r[f"n{i}"]
                },
            )
            for i in range(len(periods))
        ]
        for g in gemeente_ids
    }
