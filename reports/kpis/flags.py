"""The regisseur's signalering: flags raised and resolved, and the Top 32 reviewed on time."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, DateField, DateTimeField, Exists, IntegerField, OuterRef, Q, Value, When

from cases.models import Gemeente
from regie.models import Decision, Flag, TopMembership

from .period import Period
from .query import grouped, pct, per_gemeente, period_index, span_of


@dataclass
class FlagCounts:
    raised: int
    resolved: int


def flags_raised_resolved(gemeente: Gemeente, period: Period) -> FlagCounts:
    """Signalen: flags raised in the period, and flags resolved in it.

    Computed and manual flags alike. Resolved means a regisseur closed the flag with a note, or the
    nightly evaluation found its rule no longer holds; both set the flag's resolved_at.
    """
    return flags_by_gemeente([gemeente.pk], [period])[gemeente.pk][0]


def flags_by_gemeente(gemeente_ids: list[int], periods: list[Period]) -> dict[int, list[FlagCounts]]:
    """flags_raised_resolved for many gemeenten and periods: one query."""
    aggregates = {}
    for i, p in enumerate(periods):
        start, end = p.aware_bounds()
        aggregates[f"raised{i}"] = Count("pk", filter=Q(raised_at__gte=start, raised_at__lt=end))
        aggregates[f"resolved{i}"] = Count("pk", filter=Q(resolved_at__gte=start, resolved_at__lt=end))
    first, last = span_of(periods).aware_bounds()
    in_span = Q(raised_at__gte=first, raised_at__lt=last) | Q(resolved_at__gte=first, resolved_at__lt=last)
    rows = grouped(Flag.objects.filter(in_span, gemeente__in=gemeente_ids), ("gemeente",), aggregates)
    return per_gemeente(
        rows, gemeente_ids, aggregates, periods, lambda g, row, i: FlagCounts(row[f"raised{i}"], row[f"resolved{i}"])
    )


def top_reviewed_on_time(gemeente: Gemeente, period: Period) -> float | None:
    """Top 32 op tijd besproken: of every case that stood in the Top N at some evaluation during the period,
    the share (%) the regisseur reviewed in time — a decision taken in the period, or an earlier decision
    whose follow-up date lies after the period (its review is not yet due). A case never decided counts
    as not reviewed.

    Months before the Top was recorded (TopMembership) fall back to the decisions whose follow-up date fell
    in the period: the share followed by a new decision on or before that date. None (n.v.t.) when there
    is nothing to count.
    """
    return top_reviewed_by_gemeente([gemeente.pk], [period])[gemeente.pk][0]


def _per_period(periods: list[Period], field_name: str, value, output_field) -> Case:
    """For each row, `value(period)` of the period whose months its `field_name` (a month's first day) falls in."""
    whens = [
        When(Q(**{f"{field_name}__gte": p.start.replace(day=1), f"{field_name}__lte": p.end}), then=value(p, i))
        for i, p in enumerate(periods)
    ]
    return Case(*whens, default=None, output_field=output_field)


def top_reviewed_by_gemeente(gemeente_ids: list[int], periods: list[Period]) -> dict[int, list[float | None]]:
    """top_reviewed_on_time for many gemeenten and periods: two queries."""
    first, last = periods[0].start.replace(day=1), max(p.end for p in periods)
    members = (
        TopMembership.objects.filter(gemeente__in=gemeente_ids, month__gte=first, month__lte=last)
        .annotate(
            _pi=_per_period(periods, "month", lambda p, i: Value(i), IntegerField()),
            _start=_per_period(periods, "month", lambda p, i: Value(p.aware_bounds()[0]), DateTimeField()),
            _end=_per_period(periods, "month", lambda p, i: Value(p.aware_bounds()[1]), DateTimeField()),
            _last=_per_period(periods, "month", lambda p, i: Value(p.end), DateField()),
        )
        .filter(_pi__isnull=False)
    )
    decided_in = Decision.objects.filter(
        child=OuterRef("child"), decided_at__gte=OuterRef("_start"), decided_at__lt=OuterRef("_end")
    )
    covering = Decision.objects.filter(
        child=OuterRef("child"), decided_at__lt=OuterRef("_start"), follow_up_date__gt=OuterRef("_last")
    )
    member_rows = grouped(
        members.annotate(in_period=Exists(decided_in), still_covered=Exists(covering)),
        ("gemeente", "_pi"),
        {
            "due": Count("child", distinct=True),
            "on_time": Count("child", distinct=True, filter=Q(in_period=True) | Q(still_covered=True)),
        },
    )
    # A later decision counts if it was taken before the end of the follow-up day (site time zone).
    reviewed = Decision.objects.filter(
        child=OuterRef("child"), decided_at__gt=OuterRef("decided_at"), decided_at__date__lte=OuterRef("follow_up_date")
    )
    span = span_of(periods)
    fallback_rows = grouped(
        Decision.objects.filter(gemeente__in=gemeente_ids, follow_up_date__range=(span.start, span.end))
        .annotate(_pi=period_index(periods, "follow_up_date"))
        .annotate(reviewed=Exists(reviewed)),
        ("gemeente", "_pi"),
        {"due": Count("pk"), "on_time": Count("pk", filter=Q(reviewed=True))},
    )
    result = {}
    for g in gemeente_ids:
        result[g] = []
        for i in range(len(periods)):
            # The Top was recorded in the period: its members count; else the fallback on follow-up dates.
            row = member_rows.get((g, i)) or fallback_rows.get((g, i)) or {"due": 0, "on_time": 0}
            result[g].append(pct(row["on_time"], row["due"]))
    return result
