"""Verwijspatronen: the flagged cases of a gemeente side by side by referral source, provider and segment.

One query fetches the open trajectories of the flagged children with their numbers from the database;
the grouping (counts, cost, median duration, extensions) is done on those rows, so the page runs the
same number of queries for ten cases or ten thousand. The page keeps the groups for a quarter of an hour:
the query reads some 14,000 trajectories with their referral and extensions in the largest gemeente of
the national set (0.4 s, most of it reading pages), too much for every view of a page of trends.
"""

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, DateField, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from cases.codes import ReferrerType
from cases.dbfuncs import DaysBetween
from cases.models import CostBasisLabel, Extension, ExtensionStatus, Gemeente, Trajectory

from .models import Flag

PATTERNS_CACHE_SECONDS = 15 * 60


@dataclass
class PatternRow:
    label: str = ""
    child_count: int = 0
    trajectories: int = 0
    cost: Decimal = Decimal("0")
    indicative_cost: Decimal = Decimal("0")  # the part that is indicative (taakgericht care)
    durations: list = field(default_factory=list)
    extensions: int = 0
    extended_trajectories: int = 0

    @property
    def median_months(self) -> float | None:
        return round(statistics.median(self.durations) / 30.44, 1) if self.durations else None

    @property
    def extended_share(self) -> int:
        return round(100 * self.extended_trajectories / self.trajectories) if self.trajectories else 0


def flagged_patterns(gemeente: Gemeente, today: dt.date, *, cached: bool = False) -> dict[str, list[PatternRow]]:
    """The groups by source, provider and segment. With `cached` (the page) kept 15 minutes, like the
    queue's provider list: a new flag may take that long to show here. Only figures are kept, no child."""
    if cached:
        key = f"regie:patterns:{gemeente.pk}:{today.isoformat()}"
        return cache.get_or_set(key, lambda: flagged_patterns(gemeente, today), PATTERNS_CACHE_SECONDS)
    granted = (
        Extension.objects.filter(
            trajectory=OuterRef("pk"), status__in=[ExtensionStatus.APPROVED, ExtensionStatus.SHORTENED]
        )
        .order_by()
        .values("trajectory")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = (
        # The flagged children from the flag's own gemeente column: one hash join, not a probe per trajectory.
        Trajectory.objects.filter(gemeente=gemeente, end_date__isnull=True, start_date__lte=today)
        .filter(child_id__in=Flag.objects.filter(gemeente=gemeente, active=True).values("child_id"))
        .order_by()
        .with_costs(today)
        .annotate(
            # Running time from the actual start of care, as the duur flag reads it; still waiting: 0 days.
            days=DaysBetween(
                Coalesce(F("actual_start_date"), Value(today, output_field=DateField())),
                Value(today, output_field=DateField()),
            ),
            extensions_granted=Coalesce(Subquery(granted, output_field=IntegerField()), 0),
            total=Coalesce(F("cost_to_date") + F("committed"), Value(Decimal("0"))),
        )
        .values_list(
            "child_id",
            "referral__source",
            "provider__name",
            "product__segment__number",
            "product__segment__name",
            "days",
            "total",
            "cost_basis",
            "extensions_granted",
        )
    )
    groups = {
        "source": defaultdict(PatternRow),
        "provider": defaultdict(PatternRow),
        "segment": defaultdict(PatternRow),
    }
    source_labels = dict(ReferrerType.choices)
    indicative = {CostBasisLabel.CONTRACT, CostBasisLabel.REFERENCE}
    by_source, by_provider, by_segment = groups["source"], groups["provider"], groups["segment"]
    children = defaultdict(set)  # per (dimension, key), counted at the end
    # Some 15,000 rows in the largest gemeente of the national set: the loop is kept lean on purpose.
    for child_id, source, provider, segment_number, segment_name, days, total, basis, granted in rows:
        source_key = source_labels.get(source, "Onbekend (geen verwijzing vastgelegd)")
        segment_key = f"{segment_number}. {segment_name}"
        for dimension, group, key in (
            ("source", by_source[source_key], source_key),
            ("provider", by_provider[provider], provider),
            ("segment", by_segment[segment_key], segment_key),
        ):
            group.label = key
            children[dimension, key].add(child_id)
            group.trajectories += 1
            group.cost += total
            if basis in indicative:
                group.indicative_cost += total
            group.durations.append(days)
            if granted:
                group.extensions += granted
                group.extended_trajectories += 1
    for dimension, group in groups.items():
        for key, row in group.items():
            row.child_count = len(children[dimension, key])
    return {
        dimension: sorted(group.values(), key=lambda g: (-g.cost, -g.child_count, g.label))
        for dimension, group in groups.items()
    }
