import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from cases.models import Trajectory, daily_cost, whole_months
from cases.validators import bsn_is_valid

from ..factories import TrajectoryFactory


@pytest.mark.parametrize(
    "bsn,valid",
    [
        ("999900006", True),
        ("111222333", True),
        ("123456789", False),
        ("000000000", False),
        ("12345678", False),
        ("abcdefghi", False),
    ],
)
def test_bsn_elfproef(bsn, valid):
    assert bsn_is_valid(bsn) is valid


def test_daily_cost_spreads_each_frequency_over_days():
    kwargs = {"tariff": Decimal("100"), "start": dt.date(2026, 1, 1), "planned_end": dt.date(2026, 1, 10)}
    assert daily_cost(volume=Decimal("2"), frequency="1", **kwargs) == Decimal("200.0000")
    assert daily_cost(volume=Decimal("7"), frequency="2", **kwargs) == Decimal("100.0000")
    assert daily_cost(volume=Decimal("365"), frequency="4", **kwargs) == Decimal("1200.0000")
    # A total volume is spread over the 10 allocated days.
    assert daily_cost(volume=Decimal("10"), frequency="6", **kwargs) == Decimal("100.0000")
    assert (
        daily_cost(
            volume=Decimal("10"), frequency="6", tariff=None, start=kwargs["start"], planned_end=kwargs["planned_end"]
        )
        is None
    )


@pytest.mark.django_db
def test_costs_in_the_database_match_the_python_rule():
    on = dt.date(2025, 6, 30)
    open_one = TrajectoryFactory(volume=Decimal("3"), frequency="2")  # 3 hours a week at €95
    ended = TrajectoryFactory(ended=True, start_date=dt.date(2025, 2, 3), end_date=dt.date(2025, 3, 2))
    rows = {t.pk: t for t in Trajectory.objects.with_costs(on)}
    for trajectory in (open_one, ended):
        trajectory.refresh_from_db()
        # The database keeps full precision; the Python rule rounds to cents.
        assert rows[trajectory.pk].cost_to_date == pytest.approx(trajectory.cost_to_date(on), abs=Decimal("0.005"))
        assert rows[trajectory.pk].committed == pytest.approx(trajectory.committed_cost(on), abs=Decimal("0.005"))
    # 148 days from 3 Feb to 30 Jun at 3 × €95 / 7 a day; 217 days still to go to 2 Feb 2026.
    assert rows[open_one.pk].cost_to_date == pytest.approx(Decimal("40.7143") * 148, abs=Decimal("0.01"))
    assert rows[open_one.pk].committed == pytest.approx(Decimal("40.7143") * 217, abs=Decimal("0.01"))
    assert rows[ended.pk].committed == 0


@pytest.mark.django_db
def test_cost_in_period_counts_only_days_inside_the_period():
    trajectory = TrajectoryFactory(volume=Decimal("7"), frequency="2")  # €95 a day from 3 Feb 2025
    row = Trajectory.objects.with_cost_in_period(
        dt.date(2025, 3, 1), dt.date(2025, 3, 31), as_of=dt.date(2025, 12, 31)
    ).get(pk=trajectory.pk)
    assert row.period_cost == Decimal("95.00") * 31
    before = Trajectory.objects.with_cost_in_period(
        dt.date(2024, 1, 1), dt.date(2024, 12, 31), as_of=dt.date(2025, 12, 31)
    ).get(pk=trajectory.pk)
    assert before.period_cost == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field,value",
    [("end_date", dt.date(2025, 1, 1)), ("planned_end_date", dt.date(2025, 1, 1)), ("volume", Decimal("0"))],
)
def test_database_refuses_impossible_trajectories(field, value):
    trajectory = TrajectoryFactory()
    setattr(trajectory, field, value)
    if field == "end_date":
        trajectory.end_reason = "31"
    with pytest.raises(IntegrityError), transaction.atomic():
        trajectory.save()


@pytest.mark.django_db
def test_history_records_every_change_with_the_user(toegang_a):
    trajectory = TrajectoryFactory()
    trajectory.volume = Decimal("4")
    trajectory._history_user = toegang_a
    trajectory.save()
    latest = trajectory.history.first()
    assert latest.history_user == toegang_a
    assert latest.volume == Decimal("4")
    assert trajectory.history.count() == 2


@pytest.mark.parametrize(
    "start,last,months",
    [
        (dt.date(2025, 2, 3), dt.date(2026, 3, 2), 12),  # 12 months and 27 days
        (dt.date(2025, 2, 3), dt.date(2026, 3, 3), 13),
        (dt.date(2026, 1, 31), dt.date(2026, 2, 28), 0),  # no 31 February: the month is not complete
        (dt.date(2026, 1, 30), dt.date(2026, 2, 28), 0),
        (dt.date(2026, 1, 31), dt.date(2026, 3, 31), 2),
        (dt.date(2024, 2, 29), dt.date(2025, 2, 28), 11),
        (dt.date(2026, 3, 15), dt.date(2026, 1, 20), -2),
        (dt.date(2026, 3, 15), dt.date(2026, 1, 10), -3),
        (dt.date(2026, 3, 2), dt.date(2026, 3, 2), 0),
    ],
)
def test_whole_months_counts_a_month_only_on_the_same_day_number(start, last, months):
    assert whole_months(start, last) == months
