"""A flag's 'sinds' is the day its condition became true, computed by the rule's SQL, not the evaluation day."""

import datetime as dt
from decimal import Decimal

import pytest

from cases.models import StopReview
from regie import flags
from regie.models import Flag

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
