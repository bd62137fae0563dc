"""Volume norms and plausibility (issue 12): the impossible refused in Dutch, above the norm a reason, a flag."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import services
from cases.models import Product, Trajectory
from cases.terms import volume_above_norm, volume_impossible
from regie import flags
from regie.models import Flag

from ..factories import (
    ChildFactory,
    ExtensionFactory,
    ProviderFactory,
    ReferralFactory,
    TrajectoryFactory,
    ambulant_product,
)

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 3, 2), dt.date(2026, 8, 30)


def normed_product(volume="3", frequency="2") -> Product:
    product = ambulant_product()
    product.norm_volume, product.norm_frequency = Decimal(volume), frequency
    product.save()
    return product


@pytest.mark.parametrize(
    "volume, unit, frequency, refused",
    [
        ("24", "04", "1", False),  # 24 hours a day: the most there is
        ("24.01", "04", "1", True),
        ("99999", "04", "1", True),  # the typo of the issue
        ("168", "04", "2", False),
        ("169", "04", "2", True),
        ("7", "14", "2", False),  # an etmaal every day of the week
        ("8", "14", "2", True),
        ("6", "16", "1", False),  # six dagdelen of 4 hours
        ("7", "16", "1", True),
        ("99999", "82", "6", False),  # pieces have no physical limit
    ],
)
def test_hard_limits(volume, unit, frequency, refused):
    message = volume_impossible(volume=Decimal(volume), unit=unit, frequency=frequency, start=START, planned_end=END)
    assert bool(message) is refused


def test_the_refusal_names_the_value_in_dutch():
    message = volume_impossible(volume=Decimal("99999"), unit="04", frequency="1", start=START, planned_end=END)
    assert message.startswith("Volume 99.999 uur per dag kan niet: dat is 99.999 uur per dag")
    assert "hoogstens 24" in message


def test_a_total_is_spread_over_the_allocated_days():
    # 182 days from 2 March to 30 August: 4,368 hours is 24 a day, one more is too many.
    assert volume_impossible(volume=Decimal("4368"), unit="04", frequency="6", start=START, planned_end=END) is None
    assert volume_impossible(volume=Decimal("4369"), unit="04", frequency="6", start=START, planned_end=END)


@pytest.mark.parametrize("volume, above", [("2.99", False), ("3", False), ("3.01", True)])
def test_just_under_at_and_over_the_norm(volume, above):
    product = normed_product("3", "2")  # 3 hours a week
    message = volume_above_norm(product, volume=Decimal(volume), unit="04", frequency="2", start=START, planned_end=END)
    assert bool(message) is above


def test_a_norm_per_month_compares_with_a_volume_per_week():
    product = normed_product("13", "4")  # 13 hours a month = 13 × 12 / 365 a day
    weekly = {"start": START, "planned_end": END, "unit": "04", "frequency": "2"}
    assert volume_above_norm(product, volume=Decimal("2.99"), **weekly) is None  # 0.427 < 0.4274 a day
    assert volume_above_norm(product, volume=Decimal("3"), **weekly)  # 0.4286 a day


def _start(user, child, product, volume, **extra):
    return services.trajectory_start(
        user=user,
        child=child,
        referral=ReferralFactory(child=child, date=dt.date(2026, 2, 1)),
        provider=ProviderFactory(),
        product=product,
        start_date=START,
        planned_end_date=END,
        volume=Decimal(volume),
        frequency="1",
        **extra,
    )


def test_service_refuses_99999_hours_a_day_and_writes_nothing(frozen_today, toegang_a, gemeente_a):
    child = ChildFactory(gemeente=gemeente_a)
    with pytest.raises(ValidationError) as error:
        _start(toegang_a, child, ambulant_product(), "99999")
    assert "kan niet" in error.value.message_dict["volume"][0]
    assert not Trajectory.objects.exists()


def test_above_the_norm_the_worker_confirms_with_a_reason(frozen_today, toegang_a, gemeente_a):
    child = ChildFactory(gemeente=gemeente_a)
    product = normed_product("3", "2")
    with pytest.raises(ValidationError) as error:
        _start(toegang_a, child, product, "1")  # 1 hour a day = 7 a week
    assert "boven de norm voor 45A48 (3 uur per week)" in error.value.message_dict["above_norm_reason"][0]
    trajectory = _start(toegang_a, child, product, "1", above_norm_reason="Intensief na crisisopname")
    assert trajectory.above_norm_reason == "Intensief na crisisopname"


def test_change_to_an_impossible_volume_is_refused(frozen_today, toegang_a, gemeente_a):
    trajectory = TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a))
    with pytest.raises(ValidationError) as error:
        services.trajectory_change(
            user=toegang_a,
            trajectory=trajectory,
            version=trajectory.version,
            provider=trajectory.provider,
            start_date=trajectory.start_date,
            planned_end_date=trajectory.planned_end_date,
            volume=Decimal("200"),
            frequency="2",
            outside_budget=False,
            outside_budget_reason="",
        )
    assert "kan niet" in error.value.message_dict["volume"][0]
    trajectory.refresh_from_db()
    assert trajectory.volume == Decimal("2")


def test_a_volume_norm_of_zero_is_refused(db):
    product = ambulant_product()
    product.norm_volume = Decimal("0")
    with pytest.raises(ValidationError) as error:
        product.full_clean()
    assert "Een normvolume moet groter dan nul zijn." in str(error.value)


@pytest.mark.parametrize("volume, fires", [("3", False), ("3.5", True)])
def test_flag_volume_boven_norm(frozen_today, gemeente_a, volume, fires):
    product = normed_product("3", "2")
    child = ChildFactory(gemeente=gemeente_a)
    TrajectoryFactory(
        child=child, product=product, volume=Decimal(volume), start_date=dt.date(2026, 1, 5),
        planned_end_date=dt.date(2026, 12, 31),
    )  # fmt: skip
    flags.evaluate()
    found = list(Flag.objects.filter(child=child, code="volume", active=True))
    assert bool(found) is fires
    if fires:
        assert found[0].value == 117  # 3.5 / 3 = 116.7%
        assert found[0].sentence.endswith("volume is 117% van het normvolume van dit product (3)")


def test_the_toets_sees_volume_against_the_norm(client, toets_a, gemeente_a):
    product = normed_product("3", "2")
    trajectory = TrajectoryFactory(
        child=ChildFactory(gemeente=gemeente_a), product=product, volume=Decimal("4"), above_norm_reason="Na crisis"
    )
    extension = ExtensionFactory(trajectory=trajectory)
    client.force_login(toets_a)
    page = client.get(reverse("cases:extension_decide", args=[extension.pk])).content.decode()
    assert "Normvolume</dt><dd>3 uur per week" in page and "Na crisis" in page
