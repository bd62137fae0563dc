"""The case file names its two sums: open care (as the cost flag counts it) and all care to date."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from cases.models import Trajectory

from ..factories import ChildFactory, TrajectoryFactory, ambulant_product

pytestmark = pytest.mark.django_db


def test_open_and_total_cost_are_labelled_and_the_open_sum_is_the_flags(frozen_today, client, toegang_a, gemeente_a):
    child = ChildFactory(gemeente=gemeente_a)
    product = ambulant_product("95.00")
    every_day = {"product": product, "volume": Decimal("1"), "frequency": "1", "tariff": Decimal("95.00")}
    # Open, 1 hour a day at € 95: 2 February to 2 March (today) is 29 days = € 2.755 to date, and 3 to 31 March
    # 29 days = € 2.755 committed: € 5.510 open care.
    TrajectoryFactory(child=child, start_date=dt.date(2026, 2, 2), planned_end_date=dt.date(2026, 3, 31), **every_day)
    # Ended: 3 to 30 November 2025, 28 days = € 2.660, in "all care" only.
    TrajectoryFactory(
        child=child,
        start_date=dt.date(2025, 11, 3),
        planned_end_date=dt.date(2026, 1, 31),
        end_date=dt.date(2025, 11, 30),
        end_reason="31",
        **every_day,
    )
    client.force_login(toegang_a)
    response = client.get(reverse("cases:child_detail", args=[child.pk]))
    assert (response.context["open_cost"], response.context["cost_to_date"]) == (Decimal("5510"), Decimal("5415"))
    text = response.text
    assert "<dt>Lopende zorg</dt><dd>€ 5.510 <span" in text and "zoals het kostensignaal" in text
    assert "<dt>Alle zorg tot nu toe</dt><dd>€ 5.415 <span" in text and "ook beëindigde trajecten" in text
    # The cost flag's sum is the same open care.
    assert Trajectory.objects.filter(child=child).open_cost_by_child(frozen_today) == {child.pk: Decimal("5510")}
