"""Ranking and the regisseur's queue: a score per child from its active flags, the top N per gemeente.

score = open care cost in thousands of euros (to date plus committed) + the sum of the weights of the
child's active flags. Cost weighs most: a case of €100,000 outranks any pile of flags on a cheap one.
A case with a decision leaves the queue until its follow-up date, unless it got worse: a flag raised
after the decision, or open cost more than the gemeente's cost jump above the cost at the decision.
Every function here runs a fixed number of queries, whatever the size of the gemeente.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from referrals.models import Referral

from .models import Child, Gemeente, Trajectory
from .regie_models import DEFAULT_RULES, MANUAL_WEIGHT, Decision, Flag, FlagCode, FlagRule, RegieSettings

MONEY = models.DecimalField(max_digits=16, decimal_places=2)


@dataclass(frozen=True)
class QueueFilters:
    flag: str = ""
    segment: int | None = None
    source: str = ""
    provider: int | None = None

    @property
    def any(self) -> bool:
        return bool(self.flag or self.segment or self.source or self.provider)


def regie_settings(gemeente: Gemeente) -> RegieSettings:
    """The gemeente's settings, or the defaults (not saved: reading never writes)."""
    return RegieSettings.objects.filter(gemeente=gemeente).first() or RegieSettings(gemeente=gemeente)


def weights(gemeente: Gemeente) -> dict[str, int]:
    result = {code: weight for code, (_, weight, _) in DEFAULT_RULES.items()}
    result.update(dict(FlagRule.objects.filter(gemeente=gemeente).values_list("code", "weight")))
    result[FlagCode.MANUAL] = MANUAL_WEIGHT
    return result


def _open_cost(today: dt.date):
    costs = (
        Trajectory.objects.filter(child=OuterRef("pk"), end_date__isnull=True, start_date__lte=today)
        .order_by()
        .with_costs(today)
        .values("child")
        .annotate(total=Sum(F("cost_to_date") + F("committed")))
        .values("total")
    )
    return Coalesce(Subquery(costs, output_field=MONEY), Value(Decimal("0")), output_field=MONEY)


def _flag_points(weight_by_code: dict[str, int]):
    points = (
        Flag.objects.filter(child=OuterRef("pk"), active=True)
        .order_by()
        .values("child")
        .annotate(
            points=Sum(
                Case(*[When(code=code, then=Value(w)) for code, w in weight_by_code.items()], default=Value(0)),
                output_field=models.IntegerField(),
            )
        )
        .values("points")
    )
    return Coalesce(Subquery(points, output_field=models.IntegerField()), Value(0))


def scored_children(gemeente: Gemeente, *, today: dt.date, filters: QueueFilters = QueueFilters()):
    """Children of the gemeente with an active flag, annotated with score and decision state."""
    latest = Decision.objects.filter(child=OuterRef("pk")).order_by("-decided_at")
    children = (
        Child.objects.filter(gemeente=gemeente)
        .filter(Exists(Flag.objects.filter(child=OuterRef("pk"), active=True)))
        .annotate(
            open_cost=_open_cost(today),
            flag_points=_flag_points(weights(gemeente)),
            decided_at=Subquery(latest.values("decided_at")[:1]),
            follow_up_date=Subquery(latest.values("follow_up_date")[:1]),
            decision_kind=Subquery(latest.values("kind")[:1]),
            decision_cost=Subquery(latest.values("cost_at_decision")[:1], output_field=MONEY),
        )
        .annotate(
            score=models.ExpressionWrapper(
                F("open_cost") / Value(Decimal("1000")) + F("flag_points"), output_field=MONEY
            ),
            new_flag_since_decision=Exists(
                Flag.objects.filter(child=OuterRef("pk"), active=True, raised_at__gt=OuterRef("decided_at"))
            ),
        )
    )
    return _apply_filters(children, filters, today)


def _apply_filters(children, filters: QueueFilters, today: dt.date):
    running = Trajectory.objects.filter(child=OuterRef("pk"), end_date__isnull=True, start_date__lte=today)
    if filters.flag:
        children = children.filter(Exists(Flag.objects.filter(child=OuterRef("pk"), active=True, code=filters.flag)))
    if filters.segment:
        children = children.filter(Exists(running.filter(product__segment__number=filters.segment)))
    if filters.provider:
        children = children.filter(Exists(running.filter(provider_id=filters.provider)))
    if filters.source:
        children = children.filter(Exists(Referral.objects.filter(child=OuterRef("pk"), source=filters.source)))
    return children


def in_queue(children, *, today: dt.date, cost_jump_percent: int):
    """Without a pending decision, or back because the case got worse."""
    factor = Value(Decimal(100 + cost_jump_percent) / Decimal(100), output_field=MONEY)
    return children.filter(
        Q(follow_up_date__isnull=True)
        | Q(follow_up_date__lte=today)
        | Q(new_flag_since_decision=True)
        | Q(open_cost__gt=F("decision_cost") * factor)
    )


@dataclass
class QueueRow:
    rank: int
    child: Child
    score: Decimal
    flags: list = field(default_factory=list)
    cost_this_year: Decimal = Decimal("0")
    committed: Decimal = Decimal("0")
    open_cost: Decimal = Decimal("0")
    running_months: int = 0
    sources: list[str] = field(default_factory=list)
    providers: list[str] = field(default_factory=list)
    segments: list[int] = field(default_factory=list)
    household_open: int = 0
    back_because: str = ""


def top_cases(gemeente: Gemeente, *, today: dt.date, filters: QueueFilters = QueueFilters(), limit: int | None = None):
    """The regisseur's queue: ranked rows with everything the page and the exports show."""
    settings = regie_settings(gemeente)
    limit = limit or settings.top_n
    children = in_queue(
        scored_children(gemeente, today=today, filters=filters),
        today=today,
        cost_jump_percent=settings.cost_jump_percent,
    )
    ranked = list(children.select_related("household").order_by("-score", "pk")[:limit])
    return _rows(ranked, today=today, cost_jump_percent=settings.cost_jump_percent)


def _rows(ranked, *, today: dt.date, cost_jump_percent: int) -> list[QueueRow]:
    ids = [c.pk for c in ranked]
    rows = {
        c.pk: QueueRow(rank=i, child=c, score=Decimal(c.score).quantize(Decimal("0.1")), open_cost=c.open_cost)
        for i, c in enumerate(ranked, start=1)
    }
    if not ids:
        return []
    for flag in Flag.objects.filter(child_id__in=ids, active=True).order_by("code", "subject_key"):
        rows[flag.child_id].flags.append(flag)
    year_start = dt.date(today.year, 1, 1)
    trajectories = (
        Trajectory.objects.filter(child_id__in=ids)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=year_start), start_date__lte=today)
        .select_related("provider", "product__segment")
        .with_costs(today)
        .with_cost_in_period(year_start, today, as_of=today)
        .order_by("start_date")
    )
    for t in trajectories:
        row = rows[t.child_id]
        row.cost_this_year += t.period_cost or 0
        if t.is_open:
            row.committed += t.committed or 0
            row.running_months = max(row.running_months, t.running_months(today))
            if t.provider.name not in row.providers:
                row.providers.append(t.provider.name)
            if t.product.segment.number not in row.segments:
                row.segments.append(t.product.segment.number)
    for referral in Referral.objects.filter(child_id__in=ids).order_by("-date"):
        label = referral.get_source_display()
        if label not in rows[referral.child_id].sources:
            rows[referral.child_id].sources.append(label)
    household_ids = {c.household_id for c in ranked}
    household_open = dict(
        Trajectory.objects.filter(child__household_id__in=household_ids, end_date__isnull=True, start_date__lte=today)
        .order_by()
        .values("child__household_id")
        .annotate(n=models.Count("id"))
        .values_list("child__household_id", "n")
    )
    for c in ranked:
        row = rows[c.pk]
        row.household_open = household_open.get(c.household_id, 0)
        row.back_because = _back_because(c, today, cost_jump_percent)
    return list(rows.values())


def _back_because(child, today: dt.date, cost_jump_percent: int) -> str:
    """Why a case with a pending decision is in the queue again (empty when it has no pending one)."""
    if child.follow_up_date is None:
        return ""
    if child.follow_up_date <= today:
        return f"vervolgdatum {child.follow_up_date:%d-%m-%Y} bereikt"
    reasons = []
    if child.new_flag_since_decision:
        reasons.append("nieuw signaal na het besluit")
    if child.decision_cost is not None and child.open_cost > child.decision_cost * (
        1 + Decimal(cost_jump_percent) / 100
    ):
        from .flag_text import euro

        reasons.append(f"kosten gestegen van {euro(child.decision_cost)} naar {euro(child.open_cost)}")
    return "; ".join(reasons)
