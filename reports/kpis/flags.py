"""The regisseur's signalering: flags raised and resolved, and the Top 32 reviewed on time."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from cases.models import Gemeente
from regie.models import Decision, Flag, TopMembership

from .period import Period
from .query import pct


@dataclass
class FlagCounts:
    raised: int
    resolved: int


def flags_raised_resolved(gemeente: Gemeente, period: Period) -> FlagCounts:
    """Signalen: flags raised in the period, and flags resolved in it.

    Computed and manual flags alike. Resolved means a regisseur closed the flag with a note, or the
    nightly evaluation found its rule no longer holds; both set the flag's resolved_at.
    """
    start, end = period.aware_bounds()
    row = Flag.objects.filter(gemeente=gemeente).aggregate(
        raised=Count("pk", filter=Q(raised_at__gte=start, raised_at__lt=end)),
        resolved=Count("pk", filter=Q(resolved_at__gte=start, resolved_at__lt=end)),
    )
    return FlagCounts(row["raised"], row["resolved"])


def top_reviewed_on_time(gemeente: Gemeente, period: Period) -> float | None:
    """Top 32 op tijd besproken: of every case that stood in the Top N at some evaluation during the period,
    the share (%) the regisseur reviewed in time — a decision taken in the period, or an earlier decision
    whose follow-up date lies after the period (its review is not yet due). A case never decided counts
    as not reviewed.

    Months before the Top was recorded (TopMembership) fall back to the decisions whose follow-up date fell
    in the period: the share followed by a new decision on or before that date. None (n.v.t.) when there
    is nothing to count.
    """
    start, end = period.aware_bounds()
    members = TopMembership.objects.filter(
        gemeente=gemeente, month__gte=period.start.replace(day=1), month__lte=period.end
    )
    if members.exists():
        decided_in = Decision.objects.filter(child=OuterRef("child"), decided_at__gte=start, decided_at__lt=end)
        covering = Decision.objects.filter(child=OuterRef("child"), decided_at__lt=start, follow_up_date__gt=period.end)
        row = members.annotate(in_period=Exists(decided_in), still_covered=Exists(covering)).aggregate(
            due=Count("child", distinct=True),
            on_time=Count("child", distinct=True, filter=Q(in_period=True) | Q(still_covered=True)),
        )
        return pct(row["on_time"], row["due"])
    # A later decision counts if it was taken before the end of the follow-up day (site time zone).
    reviewed = Decision.objects.filter(
        child=OuterRef("child"), decided_at__gt=OuterRef("decided_at"), decided_at__date__lte=OuterRef("follow_up_date")
    )
    row = (
        Decision.objects.filter(gemeente=gemeente, follow_up_date__gte=period.start, follow_up_date__lte=period.end)
        .annotate(reviewed=Exists(reviewed))
        .aggregate(due=Count("pk"), on_time=Count("pk", filter=Q(reviewed=True)))
    )
    return pct(row["on_time"], row["due"])
