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
from django.db.models import Case, Q, Sum, Value, When

from referrals.models import Referral

from .flag_text import euro
from .models import Child, Gemeente, Trajectory
from .regie_models import DEFAULT_RULES, MANUAL_WEIGHT, Decision, Flag, FlagCode, FlagRule, RegieSettings


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


def _candidates(gemeente: Gemeente, *, today: dt.date, filters: QueueFilters) -> dict[int, dict]:
    """Score and decision state of every child of the gemeente with an active flag.

    Three grouped queries (flags, open cost, latest decisions) plus one per active filter, combined
    here: the database does the heavy lifting once per table instead of once per child.
    """
    active = Flag.objects.filter(gemeente=gemeente, active=True).order_by()
    weight_by_code = weights(gemeente)
    points = Sum(
        Case(*[When(code=code, then=Value(w)) for code, w in weight_by_code.items()], default=Value(0)),
        output_field=models.IntegerField(),
    )
    rows = {
        row["child_id"]: {"points": row["points"], "last_raised": row["last_raised"], "cost": Decimal("0")}
        for row in active.values("child_id").annotate(points=points, last_raised=models.Max("raised_at"))
    }
    for child_ids in _filter_sets(gemeente, filters, today):
        rows = {pk: row for pk, row in rows.items() if pk in child_ids}
    for child_id, cost in Trajectory.objects.filter(child__gemeente=gemeente).open_cost_by_child(today).items():
        if child_id in rows:
            rows[child_id]["cost"] = cost
    decisions = Decision.objects.filter(gemeente=gemeente).order_by("child_id", "-decided_at")
    seen = set()
    for decision in decisions.values("child_id", "decided_at", "follow_up_date", "cost_at_decision"):
        if decision["child_id"] in rows and decision["child_id"] not in seen:
            seen.add(decision["child_id"])
            rows[decision["child_id"]]["decision"] = decision
    return rows


def _filter_sets(gemeente: Gemeente, filters: QueueFilters, today: dt.date):
    running = Trajectory.objects.filter(child__gemeente=gemeente, end_date__isnull=True, start_date__lte=today)
    if filters.flag:
        flagged = Flag.objects.filter(gemeente=gemeente, active=True, code=filters.flag)
        yield set(flagged.values_list("child_id", flat=True))
    if filters.segment:
        yield set(running.filter(product__segment__number=filters.segment).values_list("child_id", flat=True))
    if filters.provider:
        yield set(running.filter(provider_id=filters.provider).values_list("child_id", flat=True))
    if filters.source:
        referrals = Referral.objects.filter(child__gemeente=gemeente, source=filters.source)
        yield set(referrals.values_list("child_id", flat=True))


def _queue_state(row: dict, today: dt.date, cost_jump_percent: int) -> tuple[bool, str]:
    """(in the queue?, why it is back). Out until the follow-up date, unless it got worse."""
    decision = row.get("decision")
    if decision is None:
        return True, ""
    if decision["follow_up_date"] <= today:
        return True, f"vervolgdatum {decision['follow_up_date']:%d-%m-%Y} bereikt"
    reasons = []
    if row["last_raised"] and row["last_raised"] > decision["decided_at"]:
        reasons.append("nieuw signaal na het besluit")
    before = Decimal(decision["cost_at_decision"])
    if row["cost"] > before * (1 + Decimal(cost_jump_percent) / 100):
        reasons.append(f"kosten gestegen van {euro(before)} naar {euro(row['cost'])}")
    return bool(reasons), "; ".join(reasons)


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
    ranked = []
    for pk, row in _candidates(gemeente, today=today, filters=filters).items():
        queued, back_because = _queue_state(row, today, settings.cost_jump_percent)
        if queued:
            score = row["cost"] / Decimal("1000") + row["points"]
            ranked.append((-score, pk, row, back_because))
    ranked.sort(key=lambda item: (item[0], item[1]))
    top = ranked[:limit]
    children = Child.objects.select_related("household").in_bulk([pk for _, pk, _, _ in top])
    for negative_score, pk, row, back_because in top:
        child = children[pk]
        child.score, child.open_cost, child.back_because = -negative_score, row["cost"], back_because
    return _rows([children[pk] for _, pk, _, _ in top], today=today)


def _rows(ranked, *, today: dt.date) -> list[QueueRow]:
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
        row.back_because = c.back_because
    return list(rows.values())
