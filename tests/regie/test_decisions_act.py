"""Decisions that act (issue 11): afschalen and beëindigen give the casusregisseur a task on the
trajectory through the task service, the work closes it, and the decision shows its saving.

Hand-computed figures: 45A48 at € 95 an hour, per week. 4 hours a week = € 380 a week = € 54,2857 a
day; a month is 365/12 days, so € 1.651,19 a month. 1 hour a week: € 13,5714 a day = € 412,80 a month.
2 hours: € 27,1429 a day = € 825,60 a month.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import services
from cases.models import Role, StopReview, Task, TaskKind, TaskOrigin, TaskStatus
from regie import services as regie_services
from regie.decisions import decision_outcomes
from regie.models import Decision, DecisionKind

from ..factories import ChildFactory, StopReviewFactory, TrajectoryFactory

pytestmark = pytest.mark.django_db

ACT_BY = dt.date(2026, 3, 20)


@pytest.fixture
def child(gemeente_a, toegang_a):
    return ChildFactory(gemeente=gemeente_a, owner=toegang_a)


@pytest.fixture
def trajectory(child):
    return TrajectoryFactory(child=child, volume=Decimal("4"), planned_end_date=dt.date(2026, 12, 31))


def _decide(user, child, kind, **extra):
    return regie_services.decision_record(
        user=user,
        child=child,
        kind=kind,
        reason="Doelen grotendeels behaald",
        follow_up_date=dt.date(2026, 4, 1),
        actor="casusregisseur",
        **extra,
    )


def _change(user, trajectory, volume):
    trajectory.refresh_from_db()
    return services.trajectory_change(
        user=user,
        trajectory=trajectory,
        version=trajectory.version,
        provider=trajectory.provider,
        start_date=trajectory.start_date,
        planned_end_date=trajectory.planned_end_date,
        volume=Decimal(volume),
        frequency=trajectory.frequency,
        outside_budget=False,
        outside_budget_reason="",
    )


def test_scale_down_gives_the_owner_a_task_with_the_expected_saving(
    frozen_today, regisseur_a, toegang_a, child, trajectory
):
    decision = _decide(
        regisseur_a, child, DecisionKind.SCALE_DOWN, trajectory=trajectory, act_by=ACT_BY, proposed_volume=Decimal("1")
    )
    assert decision.monthly_cost_before == Decimal("1651.19")
    assert decision.proposed_monthly_cost == Decimal("412.80")
    assert decision.expected_monthly_saving == Decimal("1238.39")
    task = Task.objects.get()
    assert (task.kind, task.origin, task.owner, task.due_date) == (
        TaskKind.DECISION,
        TaskOrigin.DECISION,
        toegang_a,
        ACT_BY,
    )
    assert task.trajectory == trajectory and task.key == f"besluit:{decision.pk}:afschalen"
    assert "€ 1.238 per maand minder" in task.title
    assert list(Task.objects.open().for_user(toegang_a)) == [task]
    assert task.history.count() == 1 and decision.history.count() == 1


def test_without_a_casusregisseur_the_task_is_for_the_toegang(frozen_today, regisseur_a, gemeente_a):
    child = ChildFactory(gemeente=gemeente_a)
    trajectory = TrajectoryFactory(child=child, volume=Decimal("4"), planned_end_date=dt.date(2026, 12, 31))
    _decide(regisseur_a, child, DecisionKind.SCALE_DOWN, trajectory=trajectory, act_by=ACT_BY, proposed_volume=1)
    task = Task.objects.get()
    assert task.owner is None and task.owner_role == Role.TOEGANG


def test_a_lighter_trajectory_closes_the_task_and_shows_the_realised_saving(
    frozen_today, regisseur_a, toegang_a, child, trajectory
):
    decision = _decide(
        regisseur_a, child, DecisionKind.SCALE_DOWN, trajectory=trajectory, act_by=ACT_BY, proposed_volume=1
    )
    _change(toegang_a, trajectory, "5")  # heavier: not the work asked for
    assert Task.objects.get().status == TaskStatus.OPEN
    (outcome,) = decision_outcomes([decision])
    assert not outcome.done and outcome.realised_monthly_saving is None
    _change(toegang_a, trajectory, "2")
    task = Task.objects.get()
    assert task.status == TaskStatus.DONE and task.closed_by == toegang_a
    (outcome,) = decision_outcomes([decision])
    assert outcome.done and outcome.tasks == [task]
    assert outcome.realised_monthly_saving == Decimal("1651.19") - Decimal("825.60")


def test_end_gives_a_task_with_the_jz588_reason_and_plans_a_review(
    frozen_today, regisseur_a, toegang_a, child, trajectory
):
    decision = _decide(regisseur_a, child, DecisionKind.END, trajectory=trajectory, act_by=ACT_BY, end_reason="34")
    task = Task.objects.get()
    assert task.key == f"besluit:{decision.pk}:einde" and task.owner == toegang_a
    assert "reden 34 Voortijdig afgesloten, in overleg" in task.title
    review = StopReview.objects.get(trajectory=trajectory)
    assert review.due_date == ACT_BY and review.planned_by == regisseur_a
    assert decision.expected_monthly_saving == Decimal("1651.19")

    # Ending the trajectory is the work: the task closes, the whole monthly cost is saved.
    trajectory.refresh_from_db()
    services.trajectory_end(
        user=toegang_a, trajectory=trajectory, version=trajectory.version, end_date=dt.date(2026, 3, 2), end_reason="34"
    )
    assert Task.objects.get().status == TaskStatus.DONE
    (outcome,) = decision_outcomes([decision])
    assert outcome.realised_monthly_saving == Decimal("1651.19")


def test_end_with_a_review_already_open_plans_none(frozen_today, regisseur_a, child, trajectory):
    StopReviewFactory(trajectory=trajectory, due_date=dt.date(2026, 5, 1))
    _decide(regisseur_a, child, DecisionKind.END, trajectory=trajectory, act_by=ACT_BY, end_reason="36")
    assert StopReview.objects.filter(trajectory=trajectory).count() == 1


def test_replaced_trajectory_counts_the_replacement_in_the_realised_saving(
    frozen_today, regisseur_a, toegang_a, child, trajectory
):
    decision = _decide(
        regisseur_a, child, DecisionKind.SCALE_DOWN, trajectory=trajectory, act_by=ACT_BY, proposed_volume=1
    )
    trajectory.refresh_from_db()
    services.trajectory_end(
        user=toegang_a, trajectory=trajectory, version=trajectory.version, end_date=dt.date(2026, 3, 2), end_reason="37"
    )
    TrajectoryFactory(
        child=child,
        volume=Decimal("1"),
        start_date=dt.date(2026, 3, 2),
        planned_end_date=dt.date(2026, 9, 1),
        referral=trajectory.referral,
    )
    (outcome,) = decision_outcomes([decision])
    assert outcome.done
    assert outcome.realised_monthly_saving == Decimal("1651.19") - Decimal("412.80")


def test_continue_gives_no_task(frozen_today, regisseur_a, child, trajectory):
    _decide(regisseur_a, child, DecisionKind.CONTINUE, trajectory=trajectory, act_by=ACT_BY)
    decision = Decision.objects.get()
    assert not Task.objects.exists() and decision.trajectory is None


@pytest.mark.parametrize(
    "kind, extra, field, message",
    [
        (DecisionKind.SCALE_DOWN, {"act_by": ACT_BY, "proposed_volume": 1}, "trajectory", "Kies het traject"),
        (DecisionKind.SCALE_DOWN, {"proposed_volume": 1}, "act_by", "uiterlijk gedaan"),
        (DecisionKind.SCALE_DOWN, {"act_by": dt.date(2026, 3, 1), "proposed_volume": 1}, "act_by", "verleden"),
        (DecisionKind.SCALE_DOWN, {"act_by": ACT_BY}, "proposed_volume", "lichtere volume"),
        (DecisionKind.SCALE_DOWN, {"act_by": ACT_BY, "proposed_volume": 4}, "proposed_volume", "huidige volume (4)"),
        (DecisionKind.END, {"act_by": ACT_BY}, "end_reason", "JZ588"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    frozen_today, regisseur_a, child, trajectory, kind, extra, field, message
):
    if field != "trajectory":
        extra = {"trajectory": trajectory} | extra
    with pytest.raises(ValidationError) as refused:
        _decide(regisseur_a, child, kind, **extra)
    assert message in refused.value.message_dict[field][0]
    assert not Decision.objects.exists() and not Task.objects.exists()


def test_act_by_before_the_trajectory_starts_or_another_childs_trajectory_is_refused(
    frozen_today, regisseur_a, child, gemeente_a
):
    later = TrajectoryFactory(child=child, start_date=dt.date(2026, 4, 1), planned_end_date=dt.date(2026, 12, 31))
    with pytest.raises(ValidationError) as refused:
        _decide(regisseur_a, child, DecisionKind.END, trajectory=later, act_by=ACT_BY, end_reason="36")
    assert "vóór de start van het traject (01-04-2026)" in refused.value.message_dict["act_by"][0]
    other = TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a), planned_end_date=dt.date(2026, 12, 31))
    with pytest.raises(ValidationError) as refused:
        _decide(regisseur_a, child, DecisionKind.END, trajectory=other, act_by=ACT_BY, end_reason="36")
    assert refused.value.message_dict["trajectory"] == ["Kies een lopend traject van deze jeugdige."]
    assert not Decision.objects.exists()


def test_case_file_and_decision_page_show_the_tasks_and_savings(
    client, frozen_today, regisseur_a, toegang_a, child, trajectory
):
    _decide(regisseur_a, child, DecisionKind.SCALE_DOWN, trajectory=trajectory, act_by=ACT_BY, proposed_volume=1)
    client.force_login(regisseur_a)
    for url in (reverse("cases:child_detail", args=[child.pk]), reverse("regie:decision_create", args=[child.pk])):
        content = client.get(url).content.decode()
        assert "Verwachte besparing: <strong>€ 1.238 per maand</strong>" in content
        assert "uiterlijk 20-03-2026" in content and ">open</span>" in content
    _change(toegang_a, trajectory, "1")
    content = client.get(reverse("cases:child_detail", args=[child.pk])).content.decode()
    assert "Gerealiseerde besparing: <strong>€ 1.238 per maand</strong>" in content
    assert "gedaan 02-03-2026" in content
