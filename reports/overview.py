"""The beleid start page: per gemeente, care running today and spend this year against budget.

Grouped queries over all rows of the user's gemeenten; the monthly KPI dashboard goes further.
"""

import datetime as dt

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.utils import timezone

from cases.models import Segment, SegmentBudget, Trajectory

from .figures import published
from .kpis.money import contract_payments, covered_by_contract

OVERVIEW_CACHE_SECONDS = 300  # care running today and spend this year: a few minutes old is fine


def gemeente_overview(user) -> list[dict]:
    """Per gemeente of the user: care running today and spend this year, cached a few minutes per set of
    gemeenten (beleid of the same gemeente share it)."""
    gemeenten = list(user.gemeenten.order_by("name"))
    today = timezone.localdate()
    key = f"reports:overview:{today.isoformat()}:{','.join(str(g.pk) for g in gemeenten)}"
    return cache.get_or_set(key, lambda: _overview(gemeenten, today), OVERVIEW_CACHE_SECONDS)


def _overview(gemeenten, today: dt.date) -> list[dict]:
    year_start = dt.date(today.year, 1, 1)
    running = (
        Trajectory.objects.open_on(today)
        .filter(child__gemeente__in=gemeenten)
        .values("child__gemeente")
        .annotate(youths=Count("child", distinct=True), trajectories=Count("id"))
    )
    spend = (
        Trajectory.objects.filter(child__gemeente__in=gemeenten, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=year_start))
        # Taakgericht care is spend by its contract's payments, not also by its own price.
        .filter(~covered_by_contract(today.year))
        .with_cost_in_period(year_start, today, as_of=today)
        .values("child__gemeente", "product__segment")
        .annotate(total=Sum("period_cost"))
    )
    budgets = SegmentBudget.objects.filter(gemeente__in=gemeenten, year=today.year).values_list(
        "gemeente", "segment", "amount"
    )
    running_by = {row["child__gemeente"]: row for row in running}
    spend_by = {(row["child__gemeente"], row["product__segment"]): row["total"] or 0 for row in spend}
    for key, (paid, _) in contract_payments([g.pk for g in gemeenten], year_start, today).items():
        spend_by[key] = spend_by.get(key, 0) + paid
    budget_by = {(g, s): amount for g, s, amount in budgets}
    segments = list(Segment.objects.all())
    overviews = []
    for gemeente in gemeenten:
        rows = []
        for segment in segments:
            spent = spend_by.get((gemeente.pk, segment.pk), 0)
            budget = budget_by.get((gemeente.pk, segment.pk))
            rows.append(
                {
                    "segment": segment,
                    "spent": spent,
                    "budget": budget,
                    "share": round(100 * spent / budget) if budget else None,
                }
            )
        counts = running_by.get(gemeente.pk, {})
        overviews.append(
            {
                "gemeente": gemeente,
                # Published like every count: 1-4 as "< 5" (docs/kpis.md).
                "youths": published(counts.get("youths", 0), "aantal"),
                "trajectories": published(counts.get("trajectories", 0), "aantal"),
                "segments": rows,
                "spent_total": sum(r["spent"] for r in rows),
                "year": today.year,
                "today": today,
            }
        )
    return overviews
