"""Retention: files closed longer than the term are anonymised with their history; aggregates stay; dry run."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command

from cases.models import Child, Household, Trajectory
from retention.models import RetentionRun
from retention.services import ANONYMISED, apply_retention

from ..factories import ChildFactory, ExtensionFactory, ReferralFactory, TrajectoryFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2046, 6, 1)


def _file(gemeente, *, made: dt.date, ended: dt.date | None, last_name: str):
    with time_machine.travel(dt.datetime.combine(made, dt.time(9), tzinfo=dt.UTC), tick=False):
        child = ChildFactory(gemeente=gemeente, last_name=last_name, bsn=None, birth_date=dt.date(2010, 5, 17))
        referral = ReferralFactory(child=child, date=made, referrer_name="Dr. Huisarts")
        trajectory = TrajectoryFactory(
            child=child,
            referral=referral,
            start_date=made,
            planned_end_date=made + dt.timedelta(days=365),
            volume=Decimal("2"),
            outside_budget_reason="Zus van " + last_name,
        )
        ExtensionFactory(trajectory=trajectory, reason=f"{last_name} heeft meer tijd nodig")
    if ended:
        Trajectory.objects.filter(pk=trajectory.pk).update(end_date=ended, end_reason="31")
    return child


@pytest.fixture
def files(gemeente_a):
    return {
        "expired": _file(gemeente_a, made=dt.date(2024, 1, 10), ended=dt.date(2025, 6, 30), last_name="Oud"),
        "recent": _file(gemeente_a, made=dt.date(2024, 1, 10), ended=dt.date(2027, 1, 31), last_name="Recent"),
        "open": _file(gemeente_a, made=dt.date(2024, 1, 10), ended=None, last_name="Lopend"),
    }


def _spend():
    return sorted(Trajectory.objects.values_list("child_id", "start_date", "end_date", "volume", "product_id"))


def test_dry_run_counts_and_changes_nothing(files):
    before = list(Child.objects.values_list("last_name", flat=True).order_by("pk"))
    run = apply_retention(today=TODAY, dry_run=True)
    assert (run.processed, run.dry_run, run.cutoff) == (1, True, dt.date(2026, 6, 1))
    assert list(Child.objects.values_list("last_name", flat=True).order_by("pk")) == before


def test_a_file_closed_longer_than_the_term_is_anonymised_with_its_history(files):
    spend_before = _spend()
    run = apply_retention(today=TODAY)
    assert run.processed == 1
    expired = Child.objects.get(pk=files["expired"].pk)
    assert (expired.first_name, expired.last_name, expired.bsn, expired.birth_date) == (
        ANONYMISED,
        "",
        None,
        dt.date(2010, 1, 1),
    )
    assert not Child.history.filter(id=expired.pk).exclude(first_name=ANONYMISED).exists()
    assert not Child.history.filter(id=expired.pk, last_name="Oud").exists()
    trajectory = expired.trajectories.get()
    assert trajectory.outside_budget_reason == "" and trajectory.extensions.get().reason == ANONYMISED
    assert not Trajectory.history.filter(id=trajectory.pk, outside_budget_reason__contains="Oud").exists()
    assert expired.referrals.get().referrer_name == ""
    assert Household.objects.get(pk=expired.household_id).name == ANONYMISED
    assert Child.objects.get(pk=files["recent"].pk).last_name == "Recent"
    assert Child.objects.get(pk=files["open"].pk).last_name == "Lopend"
    assert _spend() == spend_before  # every aggregate figure is computed from these; they stay


def test_running_twice_changes_nothing_and_records_only_counts(files):
    apply_retention(today=TODAY)
    assert apply_retention(today=TODAY).processed == 0
    assert [r.processed for r in RetentionRun.objects.order_by("pk")] == [1, 0]
    assert not any(hasattr(RetentionRun, name) for name in ("child", "child_ids", "case_number"))


def test_the_command_with_a_frozen_clock(files, capsys):
    with time_machine.travel(dt.datetime(2046, 6, 1, 9, tzinfo=dt.UTC), tick=False):
        call_command("apply_retention", "--dry-run")
        assert "1 dossiers" in capsys.readouterr().out and Child.objects.filter(last_name="Oud").exists()
        call_command("apply_retention")
    assert "geanonimiseerd" in capsys.readouterr().out
    assert not Child.objects.filter(last_name="Oud").exists()


def test_nothing_is_due_within_the_term(files):
    assert apply_retention(today=dt.date(2045, 6, 1)).processed == 0


def test_the_task_runs_the_same_rule(files):
    from retention.tasks import apply_retention as task

    with time_machine.travel(dt.datetime(2046, 6, 1, 9, tzinfo=dt.UTC), tick=False):
        assert task.delay().get() == 1
