"""Each signal rule of DOMAIN.md §6 at its edge: just under and just over the threshold (frozen clock)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from dateutil.relativedelta import relativedelta

from cases.models import Product, Trajectory
from regie import flags
from regie.models import Flag, FlagRule

from ..factories import (
    ChildFactory,
    ExtensionFactory,
    HouseholdFactory,
    ReferralFactory,
    StopReviewFactory,
    TrajectoryFactory,
)

pytestmark = pytest.mark.django_db


def flagged(child, code):
    flags.evaluate()
    return list(Flag.objects.filter(child=child, code=code, active=True))


@pytest.fixture
def child(gemeente_a):
    return ChildFactory(gemeente=gemeente_a)


def open_trajectory(child, **kwargs):
    kwargs.setdefault("planned_end_date", dt.date(2027, 1, 1))
    return TrajectoryFactory(child=child, **kwargs)


@pytest.mark.parametrize("months, fires", [(12, False), (13, True)])
def test_duration_over_product_norm(frozen_today, child, months, fires):
    open_trajectory(child, start_date=frozen_today - relativedelta(months=months), norm_months=12)
    found = flagged(child, "duur")
    assert bool(found) is fires
    if fires:
        assert found[0].sentence.endswith("loopt 13 maanden; norm voor dit product 12")


def test_duration_counts_whole_months_from_the_start_day(frozen_today, child):
    # 2025-02-03 to 2026-03-02 is 12 whole months and 27 days: not over a 12-month norm yet.
    open_trajectory(child, start_date=dt.date(2025, 2, 3), norm_months=12)
    assert not flagged(child, "duur")


def test_crisis_norm_is_the_norm_copied_on_the_trajectory(frozen_today, child):
    open_trajectory(child, start_date=frozen_today - relativedelta(months=7), norm_months=6)
    assert flagged(child, "duur")[0].norm == 6


def test_duration_ignores_ended_trajectories(frozen_today, child):
    TrajectoryFactory(
        child=child,
        start_date=dt.date(2023, 1, 2),
        planned_end_date=dt.date(2024, 1, 1),
        end_date=dt.date(2025, 6, 1),
        end_reason="31",
    )
    assert not flagged(child, "duur")


def _open_cost(trajectory, today):
    t = Trajectory.objects.with_costs(today).get(pk=trajectory.pk)
    return (Decimal(t.cost_to_date) + Decimal(t.committed)).quantize(Decimal("0.01"))


@pytest.mark.parametrize("delta, fires", [(Decimal("0"), False), (Decimal("-0.01"), True)])
def test_cost_of_open_care_above_threshold(frozen_today, child, gemeente_a, delta, fires):
    trajectory = open_trajectory(child, start_date=dt.date(2025, 9, 1), volume=Decimal("20"))
    cost = _open_cost(trajectory, frozen_today)
    flags.evaluate()  # creates the default rules
    FlagRule.objects.filter(gemeente=gemeente_a, code="kosten").update(threshold=cost + delta)
    found = flagged(child, "kosten")
    assert bool(found) is fires
    if fires:
        assert found[0].value == cost
        assert "lopende zorg kost €" in found[0].sentence


def test_cost_default_threshold_is_50000(frozen_today, child):
    # 20 hours a week at €95: about €271 a day, from 1 Sept 2025 to 1 Jan 2027 is well over €50,000.
    open_trajectory(child, start_date=dt.date(2025, 9, 1), volume=Decimal("20"))
    found = flagged(child, "kosten")
    assert found and found[0].norm == Decimal("50000")


@pytest.mark.parametrize("granted, fires", [(1, False), (2, True)])
def test_extensions_two_or_more(frozen_today, child, granted, fires):
    trajectory = open_trajectory(child)
    for _ in range(granted):
        ExtensionFactory(trajectory=trajectory, status="approved", decision_reason="ok")
    ExtensionFactory(trajectory=trajectory, status="refused", decision_reason="nee")  # refusals do not count
    found = flagged(child, "verlengingen")
    assert bool(found) is fires
    if fires:
        assert "is 2× verlengd; drempel 2" in found[0].sentence


@pytest.mark.parametrize("count, fires", [(2, False), (3, True)])
def test_stacking_per_child(frozen_today, child, count, fires):
    for _ in range(count):
        open_trajectory(child)
    TrajectoryFactory(child=child, ended=True)  # ended care does not stack
    assert bool(flagged(child, "stapeling")) is fires


@pytest.mark.parametrize("count, fires", [(3, False), (4, True)])
def test_stacking_per_household(frozen_today, gemeente_a, count, fires):
    household = HouseholdFactory(gemeente=gemeente_a)
    older, younger = (
        ChildFactory(gemeente=gemeente_a, household=household),
        ChildFactory(gemeente=gemeente_a, household=household),
    )
    for i in range(count):
        open_trajectory(older if i % 2 else younger)
    assert bool(flagged(older, "stapeling_gezin")) is fires
    assert bool(flagged(younger, "stapeling_gezin")) is fires


@pytest.mark.parametrize("days, fires", [(56, False), (57, True)])
def test_waiting_more_than_eight_weeks(frozen_today, child, days, fires):
    ReferralFactory(child=child, date=frozen_today - dt.timedelta(days=days))
    found = flagged(child, "wachttijd")
    assert bool(found) is fires
    if fires:
        assert "wacht 8 weken zonder start van zorg; norm 8 weken" in found[0].sentence


def test_waiting_ends_when_care_starts_or_referral_is_resolved(frozen_today, child):
    waited = ReferralFactory(child=child, date=frozen_today - dt.timedelta(days=90))
    light = ReferralFactory(
        child=child,
        date=frozen_today - dt.timedelta(days=90),
        outcome="light",
        outcome_date=frozen_today - dt.timedelta(days=80),
    )
    open_trajectory(child, referral=waited, start_date=frozen_today - dt.timedelta(days=10))
    assert not flagged(child, "wachttijd")
    assert light.pk


@pytest.mark.parametrize("planned_end_offset, fires", [(0, False), (-1, True)])
def test_planned_end_passed(frozen_today, child, planned_end_offset, fires):
    open_trajectory(child, planned_end_date=frozen_today + dt.timedelta(days=planned_end_offset))
    found = flagged(child, "einddatum")
    assert bool(found) is fires
    if fires:
        assert "geplande einddatum 01-03-2026 is 1 dagen verstreken" in found[0].sentence


@pytest.mark.parametrize("due_offset, done, fires", [(0, False, False), (-1, False, True), (-30, True, False)])
def test_review_overdue(frozen_today, child, due_offset, done, fires):
    trajectory = open_trajectory(child)
    StopReviewFactory(
        trajectory=trajectory,
        due_date=frozen_today + dt.timedelta(days=due_offset),
        **({"done_date": frozen_today, "outcome": "continue"} if done else {}),
    )
    assert bool(flagged(child, "review")) is fires


@pytest.mark.parametrize("extra_days, fires", [(0, True), (1, False)])
def test_turning_18_within_six_months(frozen_today, gemeente_a, extra_days, fires):
    # 18th birthday exactly 6 months from today fires; a day later does not.
    birthday = frozen_today + relativedelta(months=6) + dt.timedelta(days=extra_days)
    child = ChildFactory(gemeente=gemeente_a, birth_date=birthday.replace(year=birthday.year - 18))
    open_trajectory(child)
    found = flagged(child, "18plus")
    assert bool(found) is fires
    if fires:
        assert "wordt 18 op 02-09-2026 (binnen 6 maanden)" in found[0].sentence


def test_turning_18_needs_running_care_and_covers_18_plus(frozen_today, gemeente_a):
    adult = ChildFactory(gemeente=gemeente_a, birth_date=dt.date(2007, 1, 15))
    open_trajectory(adult)
    no_care = ChildFactory(gemeente=gemeente_a, birth_date=dt.date(2008, 4, 1))
    assert "is 18 sinds 15-01-2025" in flagged(adult, "18plus")[0].sentence
    assert not flagged(no_care, "18plus")


def test_outside_budget(frozen_today, child):
    open_trajectory(child, outside_budget=True, outside_budget_reason="Maatwerk")
    open_trajectory(child)
    found = flagged(child, "buiten_budget")
    assert len(found) == 1 and "Maatwerk" in found[0].sentence


def test_residential_care_is_always_flagged(frozen_today, child):
    stay = Product.objects.filter(segment__number=1).exclude(financing="taak").first()
    open_trajectory(
        child, product=stay, tariff=Decimal("250"), frequency="1", volume=Decimal("1"), start_date=dt.date(2026, 1, 5)
    )
    open_trajectory(child)  # ambulant: no residential flag
    found = flagged(child, "verblijf")
    assert len(found) == 1 and "verblijf sinds 05-01-2026 (1 maanden)" in found[0].sentence


def test_disabled_rule_raises_nothing(frozen_today, child, gemeente_a):
    open_trajectory(child, outside_budget=True, outside_budget_reason="Maatwerk")
    assert flagged(child, "buiten_budget")
    FlagRule.objects.filter(gemeente=gemeente_a, code="buiten_budget").update(enabled=False)
    assert not flagged(child, "buiten_budget")


def test_thresholds_are_per_gemeente(frozen_today, gemeente_a, gemeente_b):
    a, b = ChildFactory(gemeente=gemeente_a), ChildFactory(gemeente=gemeente_b)
    for c in (a, b):
        for _ in range(2):
            open_trajectory(c)
    flags.evaluate()
    FlagRule.objects.filter(gemeente=gemeente_b, code="stapeling").update(threshold=2)
    assert not flagged(a, "stapeling")
    assert flagged(b, "stapeling")


def test_turning_18_born_on_29_february_turns_18_on_28_february(frozen_today, gemeente_a):
    child = ChildFactory(gemeente=gemeente_a, birth_date=dt.date(2008, 2, 29))
    open_trajectory(child)
    assert "is 18 sinds 28-02-2026" in flagged(child, "18plus")[0].sentence


@pytest.mark.parametrize("birth_date, fires", [(dt.date(2009, 2, 28), True), (dt.date(2009, 3, 1), False)])
def test_turning_18_window_ends_at_the_end_of_a_short_month(gemeente_a, birth_date, fires):
    # 31 August + 6 months is 28 February (no 31st): the window closes there, not on 3 March.
    with time_machine.travel(dt.datetime(2026, 8, 31, 9, 0, tzinfo=dt.UTC), tick=False):
        child = ChildFactory(gemeente=gemeente_a, birth_date=birth_date)
        open_trajectory(child, start_date=dt.date(2026, 8, 3))
        assert bool(flagged(child, "18plus")) is fires
