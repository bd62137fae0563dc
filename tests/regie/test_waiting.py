"""Real start of care (issue 12): a child allocated but not started waits — in the flag, the list and the KPIs."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import services
from cases.models import Trajectory
from regie import flags
from regie.models import Flag, FlagRule
from reports import kpis
from reports.kpis import Period

from ..factories import ChildFactory, ProviderFactory, ReferralFactory, TrajectoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def allocated_not_started(frozen_today, gemeente_a):
    """Referred 4 January, allocated from 12 January, on 2 March (8 weeks and a day later) care has not started."""
    child = ChildFactory(gemeente=gemeente_a)
    referral = ReferralFactory(child=child, date=dt.date(2026, 1, 4))
    return TrajectoryFactory(
        child=child,
        referral=referral,
        provider=ProviderFactory(name="Jeugdhulp De Wachtkamer"),
        start_date=dt.date(2026, 1, 12),
        planned_end_date=dt.date(2026, 12, 31),
        actual_start_date=None,
        family_informed_date=dt.date(2026, 1, 20),
        bridging_care="Gesprekken met de POH-Jeugd",
    )


def test_allocated_but_not_started_is_waiting(allocated_not_started):
    flags.evaluate()
    flag = Flag.objects.get(child=allocated_not_started.child, code="wachttijd", active=True)
    assert flag.value == 57 and flag.reference_date == dt.date(2026, 1, 4)  # 4 Jan - 2 Mar: 57 days > 56
    # Not in care: no duration flag, not counted in the youths in care of February.
    assert kpis.youths_in_care(allocated_not_started.child.gemeente, Period.month(2026, 2)).youths == 0
    assert Trajectory.objects.waiting_on(dt.date(2026, 3, 2)).get() == allocated_not_started


def test_recording_the_start_ends_the_wait(allocated_not_started, toegang_a):
    flags.evaluate()
    services.trajectory_record_start(
        user=toegang_a,
        trajectory=allocated_not_started,
        version=allocated_not_started.version,
        actual_start_date=dt.date(2026, 2, 23),
    )
    flags.evaluate()
    assert not Flag.objects.filter(child=allocated_not_started.child, code="wachttijd", active=True).exists()
    gemeente = allocated_not_started.child.gemeente
    # Wachttijd in February: referral 4 January to first contact 23 February = 50 days.
    waiting = kpis.waiting_time(gemeente, Period.month(2026, 2))
    assert (waiting.started, waiting.median_days, waiting.over_norm) == (1, 50, 0)
    assert kpis.youths_in_care(gemeente, Period.month(2026, 2)).youths == 1


@pytest.mark.parametrize(
    "day, message",
    [
        (dt.date(2026, 1, 2), "De start van de zorg (02-01-2026) ligt vóór de verwijzing van 04-01-2026."),
        (dt.date(2026, 3, 9), "De start van de zorg (09-03-2026) ligt in de toekomst"),
    ],
)
def test_an_impossible_start_is_refused_in_dutch(allocated_not_started, toegang_a, day, message):
    with pytest.raises(ValidationError) as error:
        services.trajectory_record_start(
            user=toegang_a,
            trajectory=allocated_not_started,
            version=allocated_not_started.version,
            actual_start_date=day,
        )
    assert error.value.message_dict["actual_start_date"][0].startswith(message)
    allocated_not_started.refresh_from_db()
    assert allocated_not_started.actual_start_date is None


def test_a_start_after_the_end_is_refused(frozen_today, toegang_a, gemeente_a):
    trajectory = TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a), ended=True, actual_start_date=None)
    with pytest.raises(ValidationError) as error:
        services.trajectory_record_start(
            user=toegang_a, trajectory=trajectory, version=trajectory.version, actual_start_date=dt.date(2026, 1, 5)
        )
    assert "ligt na het einde (19-12-2025)" in error.value.message_dict["actual_start_date"][0]


def test_waiting_per_provider(allocated_not_started, gemeente_a):
    # Another provider: care started 20 February for a referral of 2 December (80 days, over 8 weeks).
    child = ChildFactory(gemeente=gemeente_a)
    TrajectoryFactory(
        child=child,
        referral=ReferralFactory(child=child, date=dt.date(2025, 12, 2)),
        provider=ProviderFactory(name="Ambulant Snel"),
        start_date=dt.date(2026, 2, 2),
        actual_start_date=dt.date(2026, 2, 20),
        planned_end_date=dt.date(2026, 12, 31),
    )
    rows = {r.provider: r for r in kpis.waiting_by_provider(gemeente_a, Period.month(2026, 2))}
    assert (rows["Ambulant Snel"].started, rows["Ambulant Snel"].median_days, rows["Ambulant Snel"].over_norm) == (
        1, 80, 1,
    )  # fmt: skip
    assert (rows["Jeugdhulp De Wachtkamer"].started, rows["Jeugdhulp De Wachtkamer"].waiting) == (0, 1)


def test_waiting_list_page(client, allocated_not_started, toegang_a, toegang_b, django_assert_max_num_queries):
    client.force_login(toegang_a)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("regie:waiting")).content.decode()
    assert allocated_not_started.child.full_name in page
    assert "Jeugdhulp De Wachtkamer" in page and "Gesprekken met de POH-Jeugd" in page and "20-01-2026" in page
    assert "boven 8 weken" in page  # 57 days: over 8 weeks, as the flag counts
    client.force_login(toegang_b)
    assert allocated_not_started.child.full_name not in client.get(reverse("regie:waiting")).content.decode()


def test_the_kpi_reads_the_beheerders_wachttijd_threshold(allocated_not_started, toegang_a, gemeente_a):
    services.trajectory_record_start(
        user=toegang_a,
        trajectory=allocated_not_started,
        version=allocated_not_started.version,
        actual_start_date=dt.date(2026, 2, 23),
    )  # 50 days after the referral
    assert kpis.waiting_time(gemeente_a, Period.month(2026, 2)).over_norm == 0  # default 8 weeks
    FlagRule.objects.update_or_create(gemeente=gemeente_a, code="wachttijd", defaults={"threshold": 6, "weight": 5})
    waiting = kpis.waiting_time(gemeente_a, Period.month(2026, 2))
    assert (waiting.over_norm, waiting.norm_weeks) == (1, 6)  # 50 days > 42
