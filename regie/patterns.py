"""Verwijspatronen: the flagged cases of a gemeente side by side by referral source, provider and segment.

One query fetches the open trajectories of the flagged children with their numbers from the database
(`flagged_trajectories`); the grouping (counts, cost, median duration, extensions) is done on those rows.
That is the live computation: the page reads the groups the evaluation stored (regie/figures.py, the same
rows grouped in SQL for every gemeente at once) and computes them here only where none are stored for
today. In the largest gemeente of the national set the query reads some 14,000 trajectories with their
referral and extensions (0.4 s, most of it reading pages), too much for a page view.
"""

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from cases.codes import ReferrerType
from cases.dbfuncs import DaysBetween
from cases.models import CostBasisLabel, Extension, ExtensionStatus, Gemeente, Trajectory

from .models import ChildScore

DIMENSIONS = ("source", "provider", "segment")
UNKNOWN_SOURCE = "Onbekend (geen verwijzing vastgelegd)"
SOURCE_LABELS = {code: str(label) for code, label in ReferrerType.choices}
INDICATIVE = (CostBasisLabel.CONTRACT, CostBasisLabel.REFERENCE)
# The columns of a row of flagged_trajectories, as annotations.
ROW_COLUMNS = (
    "p_gemeente",
    "p_child",
    "p_source",
    "p_provider",
    "p_segment",
    "p_days",
    "p_total",
    "p_basis",
    "p_granted",
)


@dataclass
class PatternRow:
    label: str = ""
    child_count: int = 0
    trajectories: int = 0
    cost: Decimal = Decimal("0")
    indicative_cost: Decimal = Decimal("0")  # the part that is indicative (taakgericht care)
    median_days: float | None = None  # running time of the group's trajectories, in days
    extensions: int = 0
    extended_trajectories: int = 0

    @property
    def median_months(self) -> float | None:
        return round(self.median_days / 30.44, 1) if self.median_days is not None else None

    @property
    def extended_share(self) -> int:
        return round(100 * self.extended_trajectories / self.trajectories) if self.trajectories else 0


def flagged_trajectories(today: dt.date, gemeente_ids=None):
    """The open trajectories of the gemeente's flagged children (all gemeenten when None), annotated with
    ROW_COLUMNS: the referral's source, the provider and segment ids, running days, cost, cost basis and
    granted extensions. The live computation and the evaluation's stored figures both read these rows.

    A flagged child is one in the queue (ChildScore: a child with an active flag, under its gemeente of
    today, as its trajectories): one hash join on 200,000 narrow rows for all gemeenten, not the flags'.
    """
    granted = (
        Extension.objects.filter(
            trajectory=OuterRef("pk"), status__in=[ExtensionStatus.APPROVED, ExtensionStatus.SHORTENED]
        )
        .order_by()
        .values("trajectory")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = Trajectory.objects.filter(end_date__isnull=True, start_date__lte=today)
    if gemeente_ids is not None:
        rows = rows.filter(gemeente_id__in=list(gemeente_ids))
    flagged = ChildScore.objects.filter(child_id=OuterRef("child_id"), gemeente_id=OuterRef("gemeente_id"))
    today_value = Value(today, output_field=DateField())
    return (
        rows.filter(Exists(flagged))
        .order_by()
        .with_costs(today)
        .annotate(
            p_gemeente=F("gemeente_id"),
            p_child=F("child_id"),
            p_source=F("referral__source"),
            p_provider=F("provider_id"),
            p_segment=F("product__segment_id"),
            # Running time from the actual start of care, as the duur flag reads it; still waiting: 0 days.
            p_days=DaysBetween(Coalesce(F("actual_start_date"), today_value), today_value),
            p_total=Coalesce(F("cost_to_date") + F("committed"), Value(Decimal("0"))),
            p_basis=F("cost_basis"),
            p_granted=Coalesce(Subquery(granted, output_field=IntegerField()), 0),
        )
    )


def sorted_groups(groups: dict[str, list[PatternRow]]) -> dict[str, list[PatternRow]]:
    """The page's order: the most expensive group first."""
    return {
        dimension: sorted(rows, key=lambda g: (-g.cost, -g.child_count, g.label)) for dimension, rows in groups.items()
    }


def flagged_patterns(gemeente: Gemeente, today: dt.date) -> dict[str, list[PatternRow]]:
    """The groups by source, provider and segment, computed live (regie/figures.py keeps them stored)."""
    rows = (
        flagged_trajectories(today, [gemeente.pk])
        .annotate(provider_name=F("provider__name"), segment_number=F("product__segment__number"))
        .values_list(
            "p_child", "p_source", "provider_name", "segment_number", "product__segment__name", *ROW_COLUMNS[5:]
        )
    )
    groups = {dimension: defaultdict(PatternRow) for dimension in DIMENSIONS}
    by_source, by_provider, by_segment = (groups[dimension] for dimension in DIMENSIONS)
    children = defaultdict(set)  # per (dimension, key), counted at the end
    durations = defaultdict(list)
    # Some 15,000 rows in the largest gemeente of the national set: the loop is kept lean on purpose.
    for child_id, source, provider, segment_number, segment_name, days, total, basis, granted in rows:
        source_key = SOURCE_LABELS.get(source, UNKNOWN_SOURCE)
        segment_key = f"{segment_number}. {segment_name}"
        for dimension, group, key in (
            ("source", by_source[source_key], source_key),
            ("provider", by_provider[provider], provider),
            ("segment", by_segment[segment_key], segment_key),
        ):
            group.label = key
            children[dimension, key].add(child_id)
            durations[dimension, key].append(days)
            group.trajectories += 1
            group.cost += total
            if basis in INDICATIVE:
                group.indicative_cost += total
            if granted:
                group.extensions += granted
                group.extended_trajectories += 1
    for dimension, group in groups.items():
        for key, row in group.items():
            row.child_count = len(children[dimension, key])
            row.median_days = statistics.median(durations[dimension, key])
    return sorted_groups({dimension: list(group.values()) for dimension, group in groups.items()})
