import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Child, Household, Trajectory

from ..factories import ChildFactory, ProviderFactory, ReferralFactory, TrajectoryFactory, ambulant_product

pytestmark = pytest.mark.django_db


def _register(user, gemeente, **overrides):
    kwargs = {
        "user": user,
        "gemeente": gemeente,
        "first_name": "Sem",
        "last_name": "Bakker",
        "birth_date": dt.date(2015, 4, 1),
        "household_name": "Gezin Bakker",
    }
    kwargs.update(overrides)
    return services.child_register(**kwargs)


def test_register_child_creates_household_and_history(toegang_a, gemeente_a, frozen_today):
    child = _register(toegang_a, gemeente_a, bsn="999900006")
    assert child.household.name == "Gezin Bakker"
    assert child.history.first().history_user == toegang_a


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"birth_date": dt.date(2026, 3, 3)}, "birth_date", "toekomst"),
        ({"bsn": "123456789"}, "bsn", "elfproef"),
        ({"household_name": ""}, "household_name", "huishouden"),
    ],
)
def test_register_refuses_bad_input_and_saves_nothing(toegang_a, gemeente_a, frozen_today, overrides, field, message):
    with pytest.raises(ValidationError) as exc:
        _register(toegang_a, gemeente_a, **overrides)
    assert message in " ".join(exc.value.message_dict[field])
    assert Child.objects.count() == 0 and Household.objects.count() == 0


def test_register_refuses_a_second_file_for_the_same_bsn(toegang_a, gemeente_a, frozen_today):
    _register(toegang_a, gemeente_a, bsn="999900006")
    with pytest.raises(ValidationError) as exc:
        _register(toegang_a, gemeente_a, bsn="999900006", first_name="Ander")
    assert "al een dossier" in exc.value.message_dict["bsn"][0]


def test_register_refuses_a_gemeente_the_user_does_not_serve(toegang_a, gemeente_b, frozen_today):
    with pytest.raises(ValidationError):
        _register(toegang_a, gemeente_b)


def test_duplicates_are_found_by_name_and_birth_date_or_bsn(toegang_a, gemeente_a, gemeente_b, frozen_today):
    same = ChildFactory(gemeente=gemeente_a, first_name="Sem", last_name="Bakker", birth_date=dt.date(2015, 4, 1))
    ChildFactory(
        gemeente=gemeente_b, first_name="Sem", last_name="Bakker", birth_date=dt.date(2015, 4, 1), bsn="111222333"
    )
    found = services.child_possible_duplicates(
        user=toegang_a, first_name="sem", last_name="bakker", birth_date=dt.date(2015, 4, 1), bsn="111222333"
    )
    assert list(found) == [same]  # the other gemeente's child is never shown, nor hinted at


def _start(user, child, referral, **overrides):
    kwargs = {
        "user": user,
        "child": child,
        "referral": referral,
        "provider": ProviderFactory(),
        "product": ambulant_product(),
        "start_date": dt.date(2025, 2, 1),
        "planned_end_date": dt.date(2025, 12, 31),
        "volume": Decimal("2"),
        "frequency": "2",
    }
    kwargs.update(overrides)
    return services.trajectory_start(**kwargs)


def test_trajectory_keeps_the_tariff_and_norm_of_its_allocation(toegang_a, frozen_today):
    referral = ReferralFactory(date=dt.date(2025, 1, 10))
    trajectory = _start(toegang_a, referral.child, referral)
    product = trajectory.product
    product.tariff = Decimal("150.00")
    product.norm_months = 3
    product.save()
    trajectory.refresh_from_db()
    assert trajectory.tariff == Decimal("95.00") and trajectory.norm_months == 12


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"start_date": dt.date(2025, 1, 5)}, "start_date"),  # before the referral of 10 Jan
        ({"planned_end_date": dt.date(2025, 1, 31)}, "planned_end_date"),
        ({"volume": Decimal("0")}, "volume"),
        ({"volume": Decimal("-3")}, "volume"),
    ],
)
def test_trajectory_start_refuses_bad_input(toegang_a, frozen_today, overrides, field):
    referral = ReferralFactory(date=dt.date(2025, 1, 10))
    with pytest.raises(ValidationError) as exc:
        _start(toegang_a, referral.child, referral, **overrides)
    assert field in exc.value.message_dict
    assert Trajectory.objects.count() == 0


def test_uncontracted_provider_is_outside_budget(toegang_a, frozen_today):
    referral = ReferralFactory(date=dt.date(2025, 1, 10))
    trajectory = _start(toegang_a, referral.child, referral, provider=ProviderFactory(contracted=False))
    assert trajectory.outside_budget and trajectory.outside_budget_reason


def test_a_stale_version_is_a_conflict_and_changes_nothing(toegang_a, frozen_today):
    trajectory = TrajectoryFactory()
    common = {
        "provider": trajectory.provider,
        "start_date": trajectory.start_date,
        "planned_end_date": dt.date(2026, 6, 1),
        "frequency": "2",
        "outside_budget": False,
        "outside_budget_reason": "",
    }
    services.trajectory_change(user=toegang_a, trajectory=trajectory, version=1, volume=Decimal("3"), **common)
    with pytest.raises(services.ConflictError):
        services.trajectory_change(user=toegang_a, trajectory=trajectory, version=1, volume=Decimal("5"), **common)
    trajectory.refresh_from_db()
    assert trajectory.volume == Decimal("3") and trajectory.version == 2


def test_end_trajectory_needs_reason_and_a_date_after_start(toegang_a, frozen_today):
    trajectory = TrajectoryFactory()
    with pytest.raises(ValidationError) as exc:
        services.trajectory_end(
            user=toegang_a, trajectory=trajectory, version=1, end_date=dt.date(2025, 1, 1), end_reason=""
        )
    assert {"end_date", "end_reason"} <= set(exc.value.message_dict)
    services.trajectory_end(
        user=toegang_a, trajectory=trajectory, version=1, end_date=dt.date(2026, 3, 1), end_reason="31"
    )
    trajectory.refresh_from_db()
    assert trajectory.end_date == dt.date(2026, 3, 1)


def test_extension_request_must_lie_beyond_the_planned_end(toegang_a, frozen_today):
    trajectory = TrajectoryFactory()
    with pytest.raises(ValidationError) as exc:
        services.extension_request(
            user=toegang_a, trajectory=trajectory, requested_end_date=trajectory.planned_end_date, reason="nodig"
        )
    assert "requested_end_date" in exc.value.message_dict
    services.extension_request(
        user=toegang_a, trajectory=trajectory, requested_end_date=dt.date(2026, 8, 1), reason="nodig"
    )
    with pytest.raises(ValidationError):  # one pending request at a time
        services.extension_request(
            user=toegang_a, trajectory=trajectory, requested_end_date=dt.date(2026, 9, 1), reason="x"
        )
    trajectory.refresh_from_db()
    assert trajectory.planned_end_date == dt.date(2026, 2, 2)  # unchanged until a toets approves


def test_review_is_planned_and_recorded(toegang_a, frozen_today):
    trajectory = TrajectoryFactory()
    review = services.review_plan(user=toegang_a, trajectory=trajectory, due_date=dt.date(2026, 4, 1))
    with pytest.raises(ValidationError):
        services.review_record(user=toegang_a, review=review, done_date=dt.date(2026, 3, 1), outcome="")
    services.review_record(
        user=toegang_a, review=review, done_date=dt.date(2026, 3, 1), outcome="scale_down", note="minder uren"
    )
    review.refresh_from_db()
    assert review.outcome == "scale_down" and review.done_by == toegang_a
