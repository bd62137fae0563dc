"""Verwijspatronen: the flagged cases of a gemeente side by side by referral source, provider and segment.

One query fetches the open trajectories of the flagged children with their numbers from the database;
the grouping (counts, cost, median duration, extensions) is done on those rows, so the page runs the
same number of queries for ten cases or ten thousand.
"""

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DateField, Exists, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from cases.codes import ReferrerType
from cases.dbfuncs import DaysBetween
from cases.models import CostBasisLabel, Extension, ExtensionStatus, Gemeente, Trajectory

from .models import Flag


@dataclass
class PatternRow:
    label: str = ""
    children: set = field(default_factory=set)
    trajectories: int = 0
    cost: Decimal = Decimal("0")
    indicative_cost: Decimal = Decimal("0")  # the part that is indicative (taakgericht care)
    durations: list = field(default_factory=list)
    extensions: int = 0
    extended_trajectories: int = 0

    @property
    def child_count(self) -> int:
        return len(self.children)

    @property
    def median_months(self) -> float | None:
        return round(statistics.median(self.durations) / 30.44, 1) if self.durations else None

    @property
    def extended_share(self) -> int:
        return round(100 * self.extended_trajectories / self.trajectories) if self.trajectories else 0


def flagged_patterns(gemeente: Gemeente, today: dt.date) -> dict[str, list[PatternRow]]:
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
        Trajectory.objects.filter(gemeente=gemeente, end_date__isnull=True, start_date__lte=today)
        .filter(Exists(Flag.objects.filter(child=OuterRef("child_id"), active=True)))
        .order_by()
        .with_costs(today)
        .annotate(
            # Running time from the actual start of care, as the duur flag reads it; still waiting: 0 days.
            days=DaysBetween(
                Coalesce(F("actual_start_date"), Value(today, output_field=DateField())),
                Value(today, output_field=DateField()),
            ),
            extensions_granted=Coalesce(Subquery(granted, output_field=IntegerField()), 0),
        )
        .values(
            "child_id",
            "referral__source",
            "provider__name",
            "product__segment__number",
            "product__segment__name",
            "days",
            "cost_to_date",
            "committed",
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
    for row in rows:
        keys = {
            "source": source_labels.get(row["referral__source"], "Onbekend (geen verwijzing vastgelegd)"),
            "provider": row["provider__name"],
            "segment": f"{row['product__segment__number']}. {row['product__segment__name']}",
        }
        for dimension, key in keys.items():
            group = groups[dimension][key]
            group.label = key
            group.children.add(row["child_id"])
            group.trajectories += 1
            cost = Decimal(row["cost_to_date"] or 0) + Decimal(row["committed"] or 0)
            group.cost += cost
            if row["cost_basis"] in (CostBasisLabel.CONTRACT, CostBasisLabel.REFERENCE):
                group.indicative_cost += cost
            group.durations.append(row["days"])
            group.extensions += row["extensions_granted"]
            group.extended_trajectories += 1 if row["extensions_granted"] else 0
    return {
        dimension: sorted(group.values(), key=lambda g: (-g.cost, -g.child_count, g.label))
        for dimension, group in groups.items()
    }
