"""Decision -> budget: what a regisseur's afschalen or beëindigen does to this year's spend.

The rule (docs/kpis.md, "Effect van regiebesluiten"):

- expected effect on year Y = the expected saving per month (Decision.expected_monthly_saving: cost per
  month at the decision minus the proposed; for beëindigen all of it) × the months from the day after
  the act-by date (the decision day when there is none) through the earlier of the trajectory's
  planned end and 31 December of Y, counted from 1 January of Y at the earliest;
- realised effect on year Y = the realised saving per month (regie/decisions.py: the cost per month at
  the decision minus what the trajectory, or the care that replaced it, costs now) × the months from
  the day after the trajectory actually changed (beëindigen: its end date; afschalen: the day its task
  was done) through the same end.

Months are whole calendar months plus the days left over as days / (365 / 12), the way
cases.terms.monthly_cost turns a cost per day into one per month. So ending a €9,000-a-month trajectory
on 30 September that was planned to run to 31 December saves 3 × €9,000 = €27,000 this year.

Every decision of a gemeente is read in a fixed number of queries (decision_outcomes reads their tasks
and trajectories in bulk).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from cases.models import Gemeente, TaskStatus

from .decisions import DecisionOutcome, decision_outcomes
from .models import Decision, DecisionKind

CENT = Decimal("0.01")
EFFECT_KINDS = (DecisionKind.SCALE_DOWN, DecisionKind.END)


def months_through(first: dt.date, last: dt.date) -> Decimal:
    """Months from `first` through `last`, both included: whole calendar months plus the rest in days
    over 365/12. 1 October through 31 December is exactly 3; nothing when `last` is before `first`."""
    if last < first:
        return Decimal("0")
    span = relativedelta(last + dt.timedelta(days=1), first)
    return Decimal(span.years * 12 + span.months) + Decimal(span.days) * 12 / 365


def effect_on_year(monthly_saving: Decimal | None, *, changed_on: dt.date, planned_end: dt.date, year: int) -> Decimal:
    """The saving on year `year`'s spend of a change on `changed_on` (the cost stops the day after)
    for a trajectory planned to `planned_end`. Negative when the care became dearer."""
    if monthly_saving is None:
        return Decimal("0")
    first = max(changed_on + dt.timedelta(days=1), dt.date(year, 1, 1))
    last = min(planned_end, dt.date(year, 12, 31))
    return (monthly_saving * months_through(first, last)).quantize(CENT)


def expected_effect(decision: Decision, year: int) -> Decimal:
    """What the decision is expected to take off year `year`'s spend (0 for kinds that change no cost)."""
    if decision.kind not in EFFECT_KINDS or decision.trajectory is None:
        return Decimal("0")
    acts_on = decision.act_by or timezone.localtime(decision.decided_at).date()
    return effect_on_year(
        decision.expected_monthly_saving,
        changed_on=acts_on,
        planned_end=decision.trajectory.planned_end_date,
        year=year,
    )


def changed_on(outcome: DecisionOutcome) -> dt.date | None:
    """The day the decision's work was done: the trajectory's end, or the day its last task was done."""
    decision = outcome.decision
    if not outcome.done or decision.trajectory is None:
        return None
    if decision.kind == DecisionKind.END:
        return decision.trajectory.end_date
    closed = [t.closed_at for t in outcome.tasks if t.status == TaskStatus.DONE and t.closed_at]
    return timezone.localtime(max(closed)).date() if closed else None


def realised_effect(outcome: DecisionOutcome, year: int) -> Decimal | None:
    """What the carried-out decision took off year `year`'s spend; None while it is not carried out."""
    day = changed_on(outcome)
    if day is None or outcome.realised_monthly_saving is None:
        return None
    return effect_on_year(
        outcome.realised_monthly_saving,
        changed_on=day,
        planned_end=outcome.decision.trajectory.planned_end_date,
        year=year,
    )


@dataclass
class KindEffect:
    kind: str
    label: str
    decisions: int = 0
    expected: Decimal = Decimal("0")
    carried_out: int = 0
    realised: Decimal = Decimal("0")
    pending: Decimal = Decimal("0")  # the expected effect of decisions not yet carried out


@dataclass
class DecisionEffects:
    year: int
    as_of: dt.date
    kinds: list[KindEffect] = field(default_factory=list)

    @property
    def decisions(self) -> int:
        return sum(k.decisions for k in self.kinds)

    @property
    def expected(self) -> Decimal:
        return sum((k.expected for k in self.kinds), Decimal("0"))

    @property
    def realised(self) -> Decimal:
        return sum((k.realised for k in self.kinds), Decimal("0"))

    @property
    def pending(self) -> Decimal:
        return sum((k.pending for k in self.kinds), Decimal("0"))


def decision_effects(gemeente: Gemeente, *, year: int, as_of: dt.date) -> DecisionEffects:
    """Expected and realised effect on year `year` of the gemeente's afschalen and beëindigen decisions
    taken up to `as_of`; carried out counts only work done by `as_of`."""
    decisions = (
        Decision.objects.filter(
            gemeente=gemeente,
            kind__in=EFFECT_KINDS,
            decided_at__date__lte=as_of,
            trajectory__planned_end_date__gte=dt.date(year, 1, 1),
        )
        .select_related("trajectory")
        .order_by("decided_at", "pk")
    )
    effects = DecisionEffects(year=year, as_of=as_of, kinds=[KindEffect(k, k.label) for k in EFFECT_KINDS])
    by_kind = {k.kind: k for k in effects.kinds}
    for outcome in decision_outcomes(decisions):
        row = by_kind[outcome.decision.kind]
        expected = expected_effect(outcome.decision, year)
        row.decisions += 1
        row.expected += expected
        day = changed_on(outcome)
        if day is not None and day <= as_of:
            row.carried_out += 1
            row.realised += realised_effect(outcome, year) or Decimal("0")
        else:
            row.pending += expected
    return effects
