"""Verwijzingen per verwijzer with the share that led to specialised care, and the waiting time."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, Case, Count, ExpressionWrapper, F, IntegerField, Q, Value, When

from cases.codes import ReferrerType
from cases.dbfuncs import DaysBetween
from cases.models import Gemeente
from referrals.models import Referral, ReferralOutcome
from regie.waiting import waiting_norms_weeks

from .period import Period
from .query import (
    GEMEENTE,
    grouped,
    in_period,
    median_by,
    one,
    pct,
    per_gemeente,
    period_index,
    span_of,
    trajectories_in,
)

WAIT_NORM_DAYS = 56  # 8 weeks: beyond this parents' satisfaction drops sharply (DOMAIN.md §3)


@dataclass
class SourceReferrals:
    source: str
    label: str
    referrals: int
    specialised: int

    @property
    def specialised_pct(self) -> float | None:
        return pct(self.specialised, self.referrals)


@dataclass
class Referrals:
    sources: list[SourceReferrals]

    @property
    def total(self) -> int:
        return sum(s.referrals for s in self.sources)

    @property
    def specialised(self) -> int:
        return sum(s.specialised for s in self.sources)

    @property
    def specialised_pct(self) -> float | None:
        return pct(self.specialised, self.total)


def referrals_by_source(gemeente: Gemeente, period: Period) -> Referrals:
    """Verwijzingen per verwijzer (POH-Jeugd apart) dated in the period, and the share of each that
    led to specialised care: outcome "specialistische jeugdhulp" recorded, or a trajectory linked.

    Outcomes come in later than referrals, so the most recent months' shares still rise.
    """
    return referrals_by_source_series(gemeente, [period])[0]


def referrals_by_source_series(gemeente: Gemeente, periods: list[Period]) -> list[Referrals]:
    return one(referrals_by_source_by_gemeente, gemeente, periods)


def referrals_by_source_by_gemeente(gemeente_ids: list[int], periods: list[Period]) -> dict[int, list[Referrals]]:
    span = span_of(periods)
    # A join to the trajectories (distinct counts undo the fan-out of several trajectories per
    # referral) rather than an EXISTS that would be repeated in every period's FILTER.
    led_to_care = Q(outcome=ReferralOutcome.SPECIALISED) | Q(trajectories__isnull=False)
    aggregates = {}
    for i, p in enumerate(periods):
        aggregates[f"n{i}"] = Count("pk", distinct=True, filter=in_period("date", p))
        aggregates[f"s{i}"] = Count("pk", distinct=True, filter=in_period("date", p) & led_to_care)
    found = grouped(
        Referral.objects.filter(child__gemeente__in=gemeente_ids, date__range=(span.start, span.end)),
        (GEMEENTE, "source"),
        aggregates,
    )
    return {
        g: [
            Referrals(
                sources=[
                    SourceReferrals(
                        source=value,
                        label=label,
                        referrals=found.get((g, value), {}).get(f"n{i}", 0),
                        specialised=found.get((g, value), {}).get(f"s{i}", 0),
                    )
                    for value, label in ReferrerType.choices
                ]
            )
            for i in range(len(periods))
        ]
        for g in gemeente_ids
    }


@dataclass
class Waiting:
    started: int
    median_days: float | None
    over_norm: int
    norm_weeks: int = WAIT_NORM_DAYS // 7  # the gemeente's wachttijd threshold (Beheer › Signaalregels)

    @property
    def over_norm_pct(self) -> float | None:
        return pct(self.over_norm, self.started)


def waiting_time(gemeente: Gemeente, period: Period) -> Waiting:
    """Wachttijd: days from the referral to the actual start of care (JW305 or the toegang's first contact),
    for trajectories whose care started in the period with a referral; median, and how many waited more
    than 8 weeks (56 days)."""
    return waiting_time_series(gemeente, [period])[0]


def _started_in(gemeente_ids: list[int], span: Period):
    return (
        trajectories_in(gemeente_ids)
        .filter(actual_start_date__range=(span.start, span.end), referral__isnull=False)
        .annotate(_wait=DaysBetween(F("referral__date"), F("actual_start_date")))
    )


def _started_with_norm(gemeente_ids: list[int], periods: list[Period], norm_days: dict[int, int]):
    """Care started in the periods, with the period's index (_pi) and whether the wait passed the
    gemeente's own norm (_over)."""
    # Only the gemeenten whose norm differs from the most common one need a WHEN.
    common = max(set(norm_days.values()), key=list(norm_days.values()).count)
    norm = Case(
        *[When(child__gemeente=g, then=Value(days)) for g, days in norm_days.items() if days != common],
        default=Value(common),
        output_field=IntegerField(),
    )
    return (
        _started_in(gemeente_ids, span_of(periods))
        .annotate(_pi=period_index(periods, "actual_start_date"))
        .annotate(_over=ExpressionWrapper(Q(_wait__gt=norm), output_field=BooleanField()))
    )


def waiting_time_series(gemeente: Gemeente, periods: list[Period]) -> list[Waiting]:
    return one(waiting_time_by_gemeente, gemeente, periods)


def waiting_time_by_gemeente(gemeente_ids: list[int], periods: list[Period]) -> dict[int, list[Waiting]]:
    norm_days = {g: 7 * weeks for g, weeks in waiting_norms_weeks(gemeente_ids).items()}
    started = _started_with_norm(gemeente_ids, periods, norm_days)
    aggregates = {}
    for i, p in enumerate(periods):
        aggregates[f"n{i}"] = Count("pk", filter=in_period("actual_start_date", p))
        aggregates[f"o{i}"] = Count("pk", filter=in_period("actual_start_date", p) & Q(_over=True))
    rows = grouped(started, (GEMEENTE,), aggregates)
    medians = median_by(started, "_wait", (GEMEENTE, "_pi"))
    return per_gemeente(
        rows,
        gemeente_ids,
        aggregates,
        periods,
        lambda g, row, i: Waiting(
            started=row[f"n{i}"], median_days=medians.get((g, i)), over_norm=row[f"o{i}"], norm_weeks=norm_days[g] // 7
        ),
    )


@dataclass
class ProviderWaiting:
    provider: str
    started: int
    median_days: float | None
    over_norm: int
    waiting: int  # allocated, past the allocated start, care not started on the period's last day

    @property
    def over_norm_pct(self) -> float | None:
        return pct(self.over_norm, self.started)


def waiting_by_provider(gemeente: Gemeente, period: Period) -> list[ProviderWaiting]:
    """Wachttijd per aanbieder: the waiting time KPI split by provider, and who still waits at the period's
    end."""
    return one(waiting_by_provider_by_gemeente, gemeente, [period])[0]


def waiting_by_provider_by_gemeente(
    gemeente_ids: list[int], periods: list[Period]
) -> dict[int, list[list[ProviderWaiting]]]:
    """Wachttijd per aanbieder for each gemeente and period, in three grouped queries whatever the number
    of gemeenten, periods or providers; each period's rows sorted by who waits, then the longest median."""
    norm_days = {g: 7 * weeks for g, weeks in waiting_norms_weeks(gemeente_ids).items()}
    started = _started_with_norm(gemeente_ids, periods, norm_days)
    keys = (GEMEENTE, "_pi", "provider__name")
    counts = grouped(started, keys, {"n": Count("pk"), "o": Count("pk", filter=Q(_over=True))})
    medians = median_by(started, "_wait", keys)
    last_day = span_of(periods).end
    open_allocations = trajectories_in(gemeente_ids).filter(start_date__lte=last_day, end_date__isnull=True)
    # Trajectory.objects.waiting_on(day) for each period's last day, as one conditional count per period.
    still_waiting = {
        f"w{i}": Count(
            "pk",
            filter=Q(start_date__lte=p.end) & (Q(actual_start_date__isnull=True) | Q(actual_start_date__gt=p.end)),
        )
        for i, p in enumerate(periods)
    }
    waiting = grouped(open_allocations, (GEMEENTE, "provider__name"), still_waiting)
    names: dict[tuple[int, int], set[str]] = {}  # (gemeente, period index) -> providers with a row
    for g, i, name in counts:
        names.setdefault((g, i), set()).add(name)
    for (g, name), row in waiting.items():
        for i in range(len(periods)):
            if row[f"w{i}"]:
                names.setdefault((g, i), set()).add(name)
    result = {}
    for g in gemeente_ids:
        result[g] = []
        for i in range(len(periods)):
            rows = [
                ProviderWaiting(
                    provider=name,
                    started=counts.get((g, i, name), {}).get("n", 0),
                    median_days=medians.get((g, i, name)),
                    over_norm=counts.get((g, i, name), {}).get("o", 0),
                    waiting=waiting.get((g, name), {}).get(f"w{i}", 0),
                )
                for name in names.get((g, i), ())
            ]
            result[g].append(sorted(rows, key=lambda r: (-r.waiting, -(r.median_days or 0), r.provider)))
    return result
