"""Doorlooptijd verzoek om toewijzing: from a provider's request (iJw JW315) to the allocation (JW301)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from cases.models import Gemeente
from referrals.models import ANSWER_WORKING_DAYS, AllocationRequest

from .period import Period
from .query import GEMEENTE, grouped, in_period, median_by, one, pct, per_gemeente, period_index, span_of


@dataclass
class LeadTime:
    requests: int  # JW315 requests received in the period
    answered: int  # of those, answered with an allocation (so far)
    within_norm: int  # of those, answered within 5 working days
    median_working_days: float | None  # of the answered ones

    @property
    def within_norm_pct(self) -> float | None:
        """Share of the period's requests answered within 5 working days; an open request counts as late."""
        return pct(self.within_norm, self.requests)


def allocation_lead_time(gemeente: Gemeente, period: Period) -> LeadTime:
    """JW315 requests received (Dagtekening) in the period: how many, the median number of working days to
    the first JW301 that answered them, and how many were answered within 5 working days (the iJw term)."""
    return allocation_lead_time_series(gemeente, [period])[0]


def allocation_lead_time_series(gemeente: Gemeente, periods: list[Period]) -> list[LeadTime]:
    return one(allocation_lead_time_by_gemeente, gemeente, periods)


def allocation_lead_time_by_gemeente(gemeente_ids: list[int], periods: list[Period]) -> dict[int, list[LeadTime]]:
    span = span_of(periods)
    requests = AllocationRequest.objects.filter(
        child__gemeente__in=gemeente_ids, requested_on__range=(span.start, span.end)
    )
    aggregates = {}
    for i, p in enumerate(periods):
        received = in_period("requested_on", p)
        aggregates[f"n{i}"] = Count("pk", filter=received)
        aggregates[f"a{i}"] = Count("pk", filter=received & Q(working_days__isnull=False))
        aggregates[f"w{i}"] = Count("pk", filter=received & Q(working_days__lte=ANSWER_WORKING_DAYS))
    rows = grouped(requests, (GEMEENTE,), aggregates)
    answered = requests.filter(working_days__isnull=False).annotate(_pi=period_index(periods, "requested_on"))
    medians = median_by(answered, "working_days", (GEMEENTE, "_pi"))
    return per_gemeente(
        rows,
        gemeente_ids,
        aggregates,
        periods,
        lambda g, row, i: LeadTime(
            requests=row[f"n{i}"],
            answered=row[f"a{i}"],
            within_norm=row[f"w{i}"],
            median_working_days=medians.get((g, i)),
        ),
    )
