"""A flag's 'sinds' is the day its condition became true, computed by the rule's SQL, not the evaluation day."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from cases.models import StopReview
from regie import flags
from regie.models import Decision, Flag, RegieSettings, TopMembership
from reports import kpis
from reports.kpis import Period

from ..factories import ChildFactory, ReferralFactory, TrajectoryFactory

pytestmark = pytest.mark.django_db


def _since(child, code):
    flags.evaluate()
    return Flag.objects.get(child=child, code=code, active=True).since


def test_duration_since_the_day_it_passed_its_norm(frozen_today, gemeente_a):
    # Care from 2 January 2024, norm 12 months: 13 whole months on 2 February 2025 — 22 months over today.
    child = ChildFactory(gemeente=gemeente_a)
    TrajectoryFactory(child=child, start_date=dt.date(2024, 1, 2), planned_end_date=dt.date(2026, 12, 31))
    assert _since(child, "duur") == dt.date(2025, 2, 2)


def test_past_end_and_review_since_the_day_after(frozen_today, gemeente_a):
    child = ChildFactory(gemeente=gemeente_a)
    trajectory = TrajectoryFactory(child=child, start_date=dt.date(2025, 6, 2), planned_end_date=dt.date(2026, 1, 31))
    StopReview.objects.create(trajectory=trajectory, due_date=dt.date(2026, 2, 10))
    assert _since(child, "einddatum") == dt.date(2026, 2, 1)
    assert Flag.objects.get(child=child, code="review").since == dt.date(2026, 2, 11)


def test_waiting_since_eight_weeks_after_the_referral(frozen_today, gemeente_a):
    child = ChildFactory(gemeente=gemeente_a)
    ReferralFactory(child=child, date=dt.date(2025, 12, 1))
    assert _since(child, "wachttijd") == dt.date(2026, 1, 27)  # 1 December + 57 days


def test_cost_since_the_latest_open_care_began(frozen_today, gemeente_a):
    child = ChildFactory(gemeente=gemeente_a)
    for start in (dt.date(2025, 3, 3), dt.date(2025, 11, 17)):
        TrajectoryFactory(child=child, start_date=start, planned_end_date=dt.date(2026, 12, 31), volume=Decimal("20"))
    assert _since(child, "kosten") == dt.date(2025, 11, 17)


def test_since_is_stable_across_evaluations(frozen_today, gemeente_a):
    child = ChildFactory(gemeente=gemeente_a)
    TrajectoryFactory(child=child, start_date=dt.date(2024, 1, 2), planned_end_date=dt.date(2026, 12, 31))
    first = _since(child, "duur")
    assert flags.evaluate().upserted == 0 and _since(child, "duur") == first


def test_top_n_reviewed_counts_every_case_in_the_top_during_the_month(frozen_today, gemeente_a, regisseur_a):
    """Three flagged children, a Top of 2 on 2 March, a third child enters on 20 March after a cost rise. One
    decision in March and one older decision still running: 2 of the 3 cases in the Top were reviewed."""
    RegieSettings.objects.create(gemeente=gemeente_a, top_n=2)
    children = [ChildFactory(gemeente=gemeente_a) for _ in range(3)]
    for child, volume in zip(children, ("30", "25", "1"), strict=True):
        TrajectoryFactory(
            child=child, start_date=dt.date(2025, 3, 3), planned_end_date=dt.date(2026, 12, 31), volume=Decimal(volume)
        )
    flags.evaluate()
    assert TopMembership.objects.count() == 2
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        TrajectoryFactory(
            child=children[2], start_date=dt.date(2026, 3, 16), planned_end_date=dt.date(2026, 12, 31),
            volume=Decimal("60"),
        )  # fmt: skip
        flags.evaluate(today=dt.date(2026, 3, 20))
    assert TopMembership.objects.filter(month=dt.date(2026, 3, 1)).count() == 3
    common = {
        "gemeente": gemeente_a,
        "kind": "continue",
        "reason": "r",
        "actor": "regisseur",
        "decided_by": regisseur_a,
    }
    Decision.objects.create(child=children[0], follow_up_date=dt.date(2026, 6, 1), decided_at=timezone.now(), **common)
    Decision.objects.create(
        child=children[1], follow_up_date=dt.date(2026, 4, 15),
        decided_at=dt.datetime(2026, 2, 2, 10, 0, tzinfo=dt.UTC), **common,
    )  # fmt: skip
    assert kpis.top_reviewed_on_time(gemeente_a, Period.month(2026, 3)) == 66.7
