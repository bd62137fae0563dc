"""Decision -> budget: the expected and the realised effect of a decision on this year's spend.

The rule (docs/kpis.md): saving per month × the months from the day after the act-by date (or the
real change) through the earlier of the planned end and 31 December; whole calendar months plus the
remaining days × 12 / 365.

Service figures as in test_decisions_act.py: 45A48 at € 95 an hour, per week; 4 hours a week is
€ 1.651,19 a month, 1 hour € 412,80, so afschalen from 4 to 1 saves € 1.238,39 a month.
"""

import datetime as dt
from decimal import Decimal

import pytest

from cases import services
from cases.codes import EndReason
from cases.models import Task, TaskStatus, Trajectory
from regie import services as regie_services
from regie.decisions import DecisionOutcome
from regie.effects import decision_effects, expected_effect, months_through, realised_effect
from regie.models import Decision, DecisionKind

from ..factories import ChildFactory, TrajectoryFactory


def _decision(kind, *, before, act_by, planned_end, proposed=None):
    return Decision(
        kind=kind,
        monthly_cost_before=Decimal(before),
        proposed_monthly_cost=Decimal(proposed) if proposed else None,
        act_by=act_by,
        trajectory=Trajectory(planned_end_date=planned_end),
    )


def test_ending_a_9000_a_month_trajectory_three_months_early_saves_27000_this_year():
    decision = _decision(
        DecisionKind.END, before="9000", act_by=dt.date(2026, 9, 30), planned_end=dt.date(2026, 12, 31)
    )
    assert expected_effect(decision, 2026) == Decimal("27000.00")


def test_the_effect_stops_at_31_december_and_at_the_planned_end():
    later = _decision(DecisionKind.END, before="9000", act_by=dt.date(2026, 9, 30), planned_end=dt.date(2027, 6, 30))
    assert expected_effect(later, 2026) == Decimal("27000.00")  # October to December
    assert expected_effect(later, 2027) == Decimal("54000.00")  # January to June
    sooner = _decision(DecisionKind.END, before="9000", act_by=dt.date(2026, 9, 30), planned_end=dt.date(2026, 11, 30))
    assert expected_effect(sooner, 2026) == Decimal("18000.00")  # October and November
    done = _decision(DecisionKind.END, before="9000", act_by=dt.date(2026, 9, 30), planned_end=dt.date(2026, 9, 1))
    assert expected_effect(done, 2026) == Decimal("0.00")  # it was to end before the act-by date anyway


def test_a_decision_of_last_year_counts_its_part_in_each_year():
    decision = _decision(
        DecisionKind.END, before="9000", act_by=dt.date(2025, 11, 30), planned_end=dt.date(2026, 3, 31)
    )
    assert expected_effect(decision, 2025) == Decimal("9000.00")  # December 2025
    assert expected_effect(decision, 2026) == Decimal("27000.00")  # January to March 2026


def test_scale_down_counts_the_difference_and_days_of_a_broken_month():
    decision = _decision(
        DecisionKind.SCALE_DOWN, before="9000", proposed="3000", act_by=dt.date(2026, 10, 15),
        planned_end=dt.date(2026, 12, 31),
    )  # fmt: skip
    # 16 October to 31 December: 2 months and 16 days = 2 + 16 × 12 / 365 months; × € 6,000
    assert months_through(dt.date(2026, 10, 16), dt.date(2026, 12, 31)) == Decimal(2) + Decimal(16) * 12 / 365
    assert expected_effect(decision, 2026) == Decimal("15156.16")


def test_kinds_that_change_no_cost_have_no_effect():
    decision = _decision(DecisionKind.CONTINUE, before="9000", act_by=None, planned_end=dt.date(2026, 12, 31))
    assert expected_effect(decision, 2026) == Decimal("0")


def test_realised_scale_down_counts_from_the_day_its_task_was_done():
    decision = _decision(
        DecisionKind.SCALE_DOWN, before="9000", proposed="3000", act_by=dt.date(2026, 10, 15),
        planned_end=dt.date(2026, 12, 31),
    )  # fmt: skip
    done = Task(status=TaskStatus.DONE, closed_at=dt.datetime(2026, 9, 30, 10, tzinfo=dt.UTC))
    outcome = DecisionOutcome(decision, tasks=[done], done=True, realised_monthly_saving=Decimal("5000"))
    assert realised_effect(outcome, 2026) == Decimal("15000.00")  # October to December at € 5,000
    assert realised_effect(DecisionOutcome(decision, tasks=[], done=False), 2026) is None


@pytest.mark.django_db
def test_decision_effects_of_a_gemeente_expected_and_realised(frozen_today, regisseur_a, toegang_a, gemeente_a):
    """Frozen on 2 March 2026; both act by 20 March, planned end 31 December. Expected: 21 March to
    31 December is 9 months and 11 days (9 + 132/365). Realised: done on 2 March, so 3 March to 31
    December, 9 months and 29 days (9 + 348/365)."""
    kids = [ChildFactory(gemeente=gemeente_a, owner=toegang_a) for _ in range(3)]
    lighter, ended, open_one = (
        TrajectoryFactory(child=kid, volume=Decimal("4"), planned_end_date=dt.date(2026, 12, 31)) for kid in kids
    )
    common = {"reason": "r", "follow_up_date": dt.date(2026, 4, 1), "actor": "x", "act_by": dt.date(2026, 3, 20)}
    regie_services.decision_record(
        user=regisseur_a, child=kids[0], kind=DecisionKind.SCALE_DOWN, trajectory=lighter, proposed_volume=1, **common
    )
    regie_services.decision_record(
        user=regisseur_a, child=kids[1], kind=DecisionKind.END, trajectory=ended, end_reason="34", **common
    )
    regie_services.decision_record(
        user=regisseur_a, child=kids[2], kind=DecisionKind.END, trajectory=open_one, end_reason="34", **common
    )
    lighter.refresh_from_db()
    services.trajectory_change(
        user=toegang_a, trajectory=lighter, version=lighter.version, provider=lighter.provider,
        start_date=lighter.start_date, planned_end_date=lighter.planned_end_date, volume=Decimal("1"),
        frequency=lighter.frequency, outside_budget=False, outside_budget_reason="",
    )  # fmt: skip
    ended.refresh_from_db()
    services.trajectory_end(
        user=toegang_a, trajectory=ended, version=ended.version, end_date=frozen_today,
        end_reason=EndReason.EARLY_AGREED,
    )  # fmt: skip

    effects = decision_effects(gemeente_a, year=2026, as_of=frozen_today)

    scale_down, end = effects.kinds
    # € 1.238,39 × (9 + 132/365) = 11.593,37
    assert (scale_down.decisions, scale_down.expected) == (1, Decimal("11593.37"))
    # € 1.238,39 × (9 + 348/365) = 12.326,22
    assert (scale_down.carried_out, scale_down.realised, scale_down.pending) == (1, Decimal("12326.22"), 0)
    # two of € 1.651,19 × (9 + 132/365) = 15.457,85 each
    assert (end.decisions, end.expected) == (2, Decimal("30915.70"))
    # one ended on 2 March: € 1.651,19 × (9 + 348/365) = 16.435,00; the other still to do
    assert (end.carried_out, end.realised, end.pending) == (1, Decimal("16435.00"), Decimal("15457.85"))
    assert effects.expected == Decimal("42509.07")
    assert effects.realised == Decimal("28761.22")
    assert decision_effects(gemeente_a, year=2026, as_of=dt.date(2026, 3, 1)).decisions == 0  # not yet decided
