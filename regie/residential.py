"""Residential care is always seen (DOMAIN.md §6): every child in verblijf, beside the capped Top N.

The queue shows at most its top N, and in a gemeente with many children in residential care the verblijf
flags alone fill it. This list shows every child with a running residential trajectory (a product of the
verblijf segment or with a stay, as the verblijf rule reads), new starts first, with the regisseur's latest
decision; Mijn werk shows the new starts. The children are ordered and paged in the database (a large
gemeente has thousands in residential care), so a page costs the same few queries whatever their number.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, F, Max, Min, Q, Value, When

from cases.models import Task, TaskOrigin, Trajectory
from cases.terms import monthly_cost

from .models import Decision, DecisionKind

# A residential trajectory that started this many days ago or less is a new start.
NEW_START_DAYS = 42


def residential_trajectories(gemeente_ids, today: dt.date):
    """The running residential trajectories of the gemeenten's children (the verblijf rule's set)."""
    return Trajectory.objects.filter(
        Q(product__segment__is_residential=True) | Q(product__with_stay=True),
        gemeente_id__in=gemeente_ids,
        end_date__isnull=True,
        start_date__lte=today,
    )


def new_residential_starts(gemeente_ids, today: dt.date):
    return residential_trajectories(gemeente_ids, today).filter(
        start_date__gte=today - dt.timedelta(days=NEW_START_DAYS)
    )


def residential_count_columns(today: dt.date) -> dict:
    """The queue link's counts over residential_trajectories: children in residential care, and those of them
    who started lately. For one gemeente (residential_counts) and per gemeente (regie/figures.py)."""
    new_from = today - dt.timedelta(days=NEW_START_DAYS)
    return {
        "residential_count": Count("child_id", distinct=True),
        "residential_new": Count("child_id", distinct=True, filter=Q(start_date__gte=new_from)),
    }


def residential_counts(gemeente, today: dt.date) -> dict[str, int]:
    """How many children are in residential care, and how many of them started lately (the queue's link).

    Computed live: on a national installation it is a pass over the gemeente's trajectories, so the queue
    reads the count the evaluation stored (regie/figures.py); the list itself is always live.
    """
    return residential_trajectories([gemeente.pk], today).aggregate(**residential_count_columns(today))


def residential_children(gemeente_ids, today: dt.date):
    """One row (child_id, old) per child in residential care, in the list's order: new starts (old 0) first,
    the newest first, then the longest stay first. Only these two columns are read: the list's page, count
    and new starts come from them, and a large gemeente has some 6,000 such children."""
    new_from = today - dt.timedelta(days=NEW_START_DAYS)
    return (
        residential_trajectories(gemeente_ids, today)
        .values("child_id")
        .annotate(since=Min("start_date"), latest_start=Max("start_date"))
        .annotate(
            old=Case(When(latest_start__gte=new_from, then=Value(0)), default=Value(1)),
            newest=Case(When(latest_start__gte=new_from, then=F("latest_start")), default=None),
        )
        .order_by("old", F("newest").desc(nulls_last=True), "since", "child_id")
        .values_list("child_id", "old")
    )


@dataclass
class ResidentialRow:
    child: object
    trajectories: list = field(default_factory=list)
    since: dt.date | None = None  # the start of the earliest running residential trajectory
    latest_start: dt.date | None = None
    monthly_cost: Decimal | None = None  # None when none of it has a price per case (taakgericht)
    decision: Decision | None = None  # the latest decision on the child
    open_tasks: int = 0  # open tasks of the regisseur's decisions
    new: bool = False

    @property
    def decided_since_start(self) -> bool:
        return self.decision is not None and self.decision.decided_at.date() >= self.latest_start

    @property
    def decision_label(self) -> str:
        return DecisionKind(self.decision.kind).label if self.decision else ""


def residential_rows(gemeente_ids, today: dt.date, children=None) -> list[ResidentialRow]:
    """The rows of `children` (rows of residential_children, e.g. one page of it; all when None), in order."""
    if children is None:
        children = residential_children(gemeente_ids, today)
    new_from = today - dt.timedelta(days=NEW_START_DAYS)
    order = [child_id for child_id, _ in children]
    if not order:
        return []
    trajectories = (
        residential_trajectories(gemeente_ids, today)
        .filter(child_id__in=order)
        .select_related("child", "product", "provider")
        .order_by("child_id", "start_date", "pk")
    )
    rows: dict[int, ResidentialRow] = {}
    for t in trajectories:
        row = rows.setdefault(t.child_id, ResidentialRow(t.child))
        row.trajectories.append(t)
        row.since = row.since or t.start_date
        row.latest_start = t.start_date
        cost = monthly_cost(t.daily_cost)
        if cost is not None:
            row.monthly_cost = (row.monthly_cost or Decimal("0")) + cost
    for decision in Decision.objects.filter(child_id__in=order).order_by("child_id", "-decided_at"):
        if rows[decision.child_id].decision is None:
            rows[decision.child_id].decision = decision
    for task in Task.objects.open().filter(child_id__in=order, origin=TaskOrigin.DECISION).only("child_id"):
        rows[task.child_id].open_tasks += 1
    for row in rows.values():
        row.new = row.latest_start >= new_from
    return [rows[child_id] for child_id in order if child_id in rows]
