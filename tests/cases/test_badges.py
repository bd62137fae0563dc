"""Badges on the case pages mark what the flag rules fire on, at the gemeente's own thresholds."""

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse

from regie.models import FlagRule

from ..factories import ChildFactory, HouseholdFactory, TrajectoryFactory

pytestmark = pytest.mark.django_db


def _three_open(child):
    for _ in range(3):
        TrajectoryFactory(child=child, start_date=dt.date(2025, 9, 1), planned_end_date=dt.date(2026, 12, 31))


def test_household_badges_follow_the_rule_thresholds(frozen_today, client, toegang_a, gemeente_a):
    household = HouseholdFactory(gemeente=gemeente_a)
    child = ChildFactory(gemeente=gemeente_a, household=household)
    _three_open(child)
    client.force_login(toegang_a)
    page = client.get(reverse("cases:household_detail", args=[household.pk])).content.decode()
    assert "3 trajecten tegelijk" in page and "stapeling in het gezin" not in page  # defaults 3 and 4
    FlagRule.objects.create(gemeente=gemeente_a, code="stapeling", threshold=4, weight=10)
    FlagRule.objects.create(gemeente=gemeente_a, code="stapeling_gezin", threshold=3, weight=5)
    page = client.get(reverse("cases:household_detail", args=[household.pk])).content.decode()
    assert "3 trajecten tegelijk" not in page and "stapeling in het gezin" in page


@pytest.mark.parametrize("months, threshold, badge", [(12, 0, False), (13, 0, True), (13, 2, False), (15, 2, True)])
def test_boven_norm_badge_is_more_than_norm_plus_threshold(frozen_today, client, toegang_a, gemeente_a, months,
                                                            threshold, badge):  # fmt: skip
    child = ChildFactory(gemeente=gemeente_a)
    TrajectoryFactory(child=child, start_date=frozen_today - relativedelta(months=months), norm_months=12,
                      planned_end_date=dt.date(2027, 1, 1))  # fmt: skip
    if threshold:
        FlagRule.objects.create(gemeente=gemeente_a, code="duur", threshold=threshold, weight=10)
    client.force_login(toegang_a)
    page = client.get(reverse("cases:child_detail", args=[child.pk])).content.decode()
    assert ("boven norm</span>" in page) is badge
