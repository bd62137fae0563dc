"""The effect of the Top N: a peildatum freezes the Top N; later the cohort then is compared with now.

Costs per day are chosen so that a month (365/12 days) is a whole number of euros: €12 a day is €365 a
month, €24 is €730, €60 is €1,825, €120 is €3,650, €300 is €9,125.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.codes import EndReason
from cases.models import Trajectory
from regie.cohort import cohort_compare, cohort_take
from regie.models import (
    ChildScore,
    CohortMember,
    CohortTrajectory,
    Decision,
    DecisionKind,
    Flag,
    FlagCode,
    RegieSettings,
)

from ..factories import ChildFactory, TrajectoryFactory

pytestmark = pytest.mark.django_db

START, PLANNED_END = dt.date(2025, 9, 1), dt.date(2026, 12, 31)
LATER = dt.date(2026, 9, 1)


def _trajectory(child, per_day, **kwargs):
    fields = {"start_date": START, "planned_end_date": PLANNED_END} | kwargs
    trajectory = TrajectoryFactory(child=child, **fields)
    Trajectory.objects.filter(pk=trajectory.pk).update(daily_cost=Decimal(per_day))
    trajectory.refresh_from_db()
    return trajectory


def _scored(child, score, *codes):
    now = timezone.now()
    ChildScore.objects.create(
        child=child, gemeente=child.gemeente, points=0, open_cost=Decimal(score) * 1000, score=score,
        last_raised=now, updated_at=now,
    )  # fmt: skip
    for code in codes:
        Flag.objects.create(gemeente=child.gemeente, child=child, code=code, raised_at=now)


def _decide(child, kind, day, user):
    return Decision.objects.create(
        child=child, gemeente=child.gemeente, kind=kind, reason="r", follow_up_date=day + dt.timedelta(days=30),
        actor="regisseur", decided_by=user, decided_at=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC),
    )  # fmt: skip


def _end(trajectory, day, reason=EndReason.EARLY_AGREED):
    Trajectory.objects.filter(pk=trajectory.pk).update(end_date=day, end_reason=reason)


@pytest.fixture
def cohort_world(gemeente_a, gemeente_b, regisseur_a, frozen_today):
    """Four cases in the Top 4 of gemeente A; a fifth below it and a heavier one of gemeente B."""
    RegieSettings.objects.create(gemeente=gemeente_a, top_n=4)
    a, b, c, d, e = (ChildFactory(gemeente=gemeente_a) for _ in range(5))
    other = ChildFactory(gemeente=gemeente_b)
    t = {
        "a1": _trajectory(a, 120),
        "a2": _trajectory(a, 24),
        "b1": _trajectory(b, 300),
        "c1": _trajectory(c, 60),
        "d1": _trajectory(d, 24),
        "e1": _trajectory(e, 12),
        "x1": _trajectory(other, 300),
    }
    _trajectory(d, 12, start_date=dt.date(2026, 4, 1))  # starts after the peildatum: not frozen
    _scored(a, 300, FlagCode.COST, FlagCode.RESIDENTIAL)
    _scored(b, 200, FlagCode.COST)
    _scored(c, 150, FlagCode.DURATION)
    _scored(d, 100)
    _scored(e, 50)
    _scored(other, 900, FlagCode.COST)
    cohort = cohort_take(user=regisseur_a, gemeente=gemeente_a, note="nulmeting")
    return cohort, {"a": a, "b": b, "c": c, "d": d, "e": e}, t


def test_taking_a_peildatum_freezes_the_top_n_with_cost_per_month_and_flags(cohort_world, frozen_today):
    cohort, kids, _ = cohort_world
    assert cohort.peildatum == frozen_today and cohort.top_n == 4
    members = list(CohortMember.objects.filter(cohort=cohort).order_by("rank"))
    assert [(m.child_id, m.rank) for m in members] == [(kids[k].pk, i) for i, k in enumerate("abcd", start=1)]
    # a: €3,650 + €730; b: €9,125; c: €1,825; d: €730 (its second trajectory starts later)
    assert [m.monthly_cost for m in members] == [Decimal("4380.00"), Decimal("9125.00"), Decimal("1825.00"),
                                                 Decimal("730.00")]  # fmt: skip
    assert [m.open_trajectories for m in members] == [2, 1, 1, 1]
    assert sorted(members[0].flag_codes.split(",")) == ["kosten", "verblijf"]
    assert members[3].flag_codes == ""
    assert CohortTrajectory.objects.filter(cohort=cohort).count() == 5
    assert cohort.history.get().history_user.username == "regisseur_a"


def test_one_peildatum_a_day_and_only_by_a_regisseur_of_the_gemeente(cohort_world, regisseur_a, toegang_a, gemeente_b):
    _, _, _ = cohort_world
    with pytest.raises(ValidationError, match="al een peildatum"):
        cohort_take(user=regisseur_a, gemeente=regisseur_a.gemeenten.get())
    with pytest.raises(ValidationError, match="Alleen een regisseur"):
        cohort_take(user=toegang_a, gemeente=regisseur_a.gemeenten.get())
    with pytest.raises(ValidationError, match="niet voor deze gemeente"):
        cohort_take(user=regisseur_a, gemeente=gemeente_b)


def test_the_cohort_then_and_now_per_decision_kind(cohort_world, regisseur_a):
    """a: beëindigen, its €3,650 trajectory ended; b: afschalen from €300 to €120 a day; c: Wlz, its
    only trajectory ended (left care 30-06) and new care allocated on 01-08 (re-entry); d: no decision."""
    cohort, kids, t = cohort_world
    _decide(kids["a"], DecisionKind.CONTINUE, dt.date(2026, 3, 20), regisseur_a)  # superseded by the later one
    _decide(kids["a"], DecisionKind.END, dt.date(2026, 4, 1), regisseur_a)
    _end(t["a1"], dt.date(2026, 4, 30))
    _decide(kids["b"], DecisionKind.SCALE_DOWN, dt.date(2026, 5, 1), regisseur_a)
    Trajectory.objects.filter(pk=t["b1"].pk).update(daily_cost=Decimal("120"))
    _decide(kids["c"], DecisionKind.WLZ, dt.date(2026, 5, 15), regisseur_a)
    _end(t["c1"], dt.date(2026, 6, 30), EndReason.OTHER_DOMAIN)
    _trajectory(kids["c"], 12, start_date=dt.date(2026, 8, 1))
    _decide(kids["d"], DecisionKind.END, dt.date(2026, 2, 1), regisseur_a)  # before the peildatum: not counted

    comparison = cohort_compare(cohort, on=LATER)

    total = comparison.total
    assert (total.cases, total.then, total.now) == (
        4,
        Decimal("16060.00"),
        Decimal("5840.00"),
    )  # d: €730 + €365 started 01-04
    assert total.difference == Decimal("-10220.00")
    assert (total.trajectories, total.ended, total.scaled_down, total.to_wlz) == (5, 2, 1, 1)
    groups = {g.key: (g.cases, g.then, g.now, g.ended, g.scaled_down, g.to_wlz) for g in comparison.groups}
    assert groups == {
        DecisionKind.END: (1, Decimal("4380.00"), Decimal("730.00"), 1, 0, 0),
        DecisionKind.SCALE_DOWN: (1, Decimal("9125.00"), Decimal("3650.00"), 0, 1, 0),
        DecisionKind.WLZ: (1, Decimal("1825.00"), Decimal("365.00"), 1, 0, 1),
        "geen": (1, Decimal("730.00"), Decimal("1095.00"), 0, 0, 0),
    }
    assert comparison.unreviewed == 1 and comparison.reviewed == 3
    assert (comparison.left_care, comparison.re_entered, comparison.re_entry_pct) == (1, 1, 100.0)
    row_c = next(r for r in comparison.members if r.member.child_id == kids["c"].pk)
    assert (row_c.left_care_on, row_c.re_entered_on) == (dt.date(2026, 6, 30), dt.date(2026, 8, 1))
    assert comparison.months == 5  # 2 March to 1 September: five whole months


def test_re_entry_counts_only_within_twelve_months(cohort_world):
    cohort, kids, t = cohort_world
    _end(t["c1"], dt.date(2026, 3, 31))
    _trajectory(kids["c"], 12, start_date=dt.date(2027, 4, 1), planned_end_date=dt.date(2027, 12, 31))
    comparison = cohort_compare(cohort, on=dt.date(2027, 6, 1))
    assert (comparison.left_care, comparison.re_entered) == (1, 0)  # back after 366 days: not re-entry


def test_the_comparison_shows_only_cases_the_user_may_see(cohort_world, toegang_b):
    from cases.models import Child

    cohort, _, _ = cohort_world
    assert cohort_compare(cohort, on=LATER, children=Child.objects.visible_to(toegang_b)).total.cases == 0


def test_the_comparison_runs_a_fixed_number_of_queries(cohort_world, gemeente_a, regisseur_a):
    from django.db import connection

    cohort, kids, t = cohort_world

    def count():
        with CaptureQueriesContext(connection) as queries:
            cohort_compare(cohort, on=LATER)
        return len(queries)

    small = count()
    for child in kids.values():
        _decide(child, DecisionKind.CONTINUE, dt.date(2026, 5, 1), regisseur_a)
        _trajectory(child, 12, start_date=dt.date(2026, 5, 1))
    CohortMember.objects.filter(cohort=cohort, child=kids["a"]).update(rank=1)
    assert count() == small


def test_care_handed_over_the_next_day_is_not_leaving_care(cohort_world):
    cohort, kids, t = cohort_world
    _end(t["c1"], dt.date(2026, 5, 31))
    _trajectory(kids["c"], 12, start_date=dt.date(2026, 6, 1))
    comparison = cohort_compare(cohort, on=LATER)
    assert (comparison.left_care, comparison.re_entered) == (0, 0)
