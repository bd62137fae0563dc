"""Afschalen to a lighter product (issue 11): the decision proposes a product, the owner changes the
trajectory to it (the old ends, the new starts and follows it), the task closes, the decision shows the
realised saving.

Hand-computed figures. Now: 45A48 at € 95 an hour, 4 hours a week = € 380 a week = € 54,2857 a day =
€ 1.651,19 a month (365/12 days). Proposed: 45A04 at € 60 an hour, 3 hours a week = € 180 a week =
€ 25,7143 a day = € 782,14 a month. Saving: € 1.651,19 − € 782,14 = € 869,05 a month.
Refused: 45A04 at € 60, 8 hours a week = € 480 a week = € 68,5714 a day = € 2.085,71 a month.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import services
from cases.models import Product, Task, TaskStatus, Trajectory
from regie import services as regie_services
from regie.decisions import decision_outcomes
from regie.models import Decision, DecisionKind

from ..factories import ChildFactory, TrajectoryFactory

pytestmark = pytest.mark.django_db

ACT_BY = dt.date(2026, 3, 20)


@pytest.fixture
def child(gemeente_a, toegang_a):
    return ChildFactory(gemeente=gemeente_a, owner=toegang_a)


@pytest.fixture
def trajectory(child):
    return TrajectoryFactory(child=child, volume=Decimal("4"), planned_end_date=dt.date(2026, 12, 31))


@pytest.fixture
def lighter(trajectory):
    product = Product.objects.get(code="45A04")
    product.tariff, product.financing, product.unit, product.active = Decimal("60.00"), "inspanning", "04", True
    product.save()
    return product


def _decide(user, child, trajectory, product, volume):
    return regie_services.decision_record(
        user=user,
        child=child,
        kind=DecisionKind.SCALE_DOWN,
        reason="Doelen grotendeels behaald; lichtere begeleiding volstaat",
        follow_up_date=dt.date(2026, 4, 1),
        actor="casusregisseur",
        trajectory=trajectory,
        act_by=ACT_BY,
        proposed_volume=Decimal(volume),
        proposed_product=product,
    )


def _replace(user, trajectory, product, **changes):
    trajectory.refresh_from_db()
    arguments = {
        "user": user,
        "trajectory": trajectory,
        "version": trajectory.version,
        "product": product,
        "provider": trajectory.provider,
        "start_date": dt.date(2026, 3, 2),
        "planned_end_date": dt.date(2026, 9, 1),
        "volume": Decimal("3"),
        "frequency": trajectory.frequency,
        "end_reason": "36",
    }
    return services.trajectory_replace(**(arguments | changes))


def test_the_decision_proposes_a_lighter_product_with_its_expected_saving(
    frozen_today, regisseur_a, child, trajectory, lighter
):
    decision = _decide(regisseur_a, child, trajectory, lighter, "3")
    assert decision.proposed_product == lighter
    assert decision.monthly_cost_before == Decimal("1651.19")
    assert decision.proposed_monthly_cost == Decimal("782.14")
    assert decision.expected_monthly_saving == Decimal("869.05")
    task = Task.objects.get()
    assert "naar 45A04 Jeugdhulp ambulant regulier: inspanningsgericht, 3 uur per week" in task.title
    assert "€ 869 per maand minder" in task.title


def test_a_proposed_product_that_costs_no_less_is_refused(frozen_today, regisseur_a, child, trajectory, lighter):
    with pytest.raises(ValidationError) as refused:
        _decide(regisseur_a, child, trajectory, lighter, "8")
    assert refused.value.message_dict["proposed_product"] == [
        "45A04 Jeugdhulp ambulant regulier: inspanningsgericht kost bij dit volume € 2.086 per maand, "
        "niet minder dan nu (€ 1.651)."
    ]
    assert not Decision.objects.exists() and not Task.objects.exists()


def test_the_owner_changes_to_the_lighter_product_the_task_closes_and_the_saving_is_realised(
    frozen_today, regisseur_a, toegang_a, child, trajectory, lighter
):
    decision = _decide(regisseur_a, child, trajectory, lighter, "3")
    new = _replace(toegang_a, trajectory, lighter)
    trajectory.refresh_from_db()
    # The old one ends the day before the new one starts; the new one follows it, with history.
    assert (trajectory.end_date, trajectory.end_reason) == (dt.date(2026, 3, 1), "36")
    assert new.follows == trajectory and list(trajectory.followed_by.all()) == [new]
    assert (new.product, new.volume, new.unit, new.actual_start_date) == (lighter, 3, "04", dt.date(2026, 3, 2))
    assert new.history.get().follows_id == trajectory.pk and new.history.get().history_user == toegang_a
    task = Task.objects.get()
    assert task.status == TaskStatus.DONE and task.closed_by == toegang_a
    (outcome,) = decision_outcomes([decision])
    assert outcome.done and outcome.replacements == [new]
    assert outcome.realised_monthly_saving == Decimal("869.05")


def test_a_refused_change_shows_every_error_and_writes_nothing(
    frozen_today, regisseur_a, toegang_a, child, trajectory, lighter
):
    _decide(regisseur_a, child, trajectory, lighter, "3")
    with pytest.raises(ValidationError) as refused:
        _replace(toegang_a, trajectory, trajectory.product, start_date=dt.date(2025, 1, 1), end_reason="")
    errors = refused.value.message_dict
    assert errors["product"] == ["Kies een ander product; voor minder volume van hetzelfde product kiest u Wijzigen."]
    assert errors["start_date"] == ["Het nieuwe traject start na de start van het huidige (03-02-2025)."]
    assert errors["end_reason"] == ["Kies de reden van beëindiging."]
    trajectory.refresh_from_db()
    assert trajectory.end_date is None and Trajectory.objects.count() == 1
    assert Task.objects.get().status == TaskStatus.OPEN


def test_a_start_in_the_future_is_refused(frozen_today, toegang_a, trajectory, lighter):
    with pytest.raises(ValidationError) as refused:
        _replace(toegang_a, trajectory, lighter, start_date=dt.date(2026, 3, 9))
    assert refused.value.message_dict["start_date"] == [
        "De start (09-03-2026) ligt in de toekomst; zet het traject om als het zover is."
    ]


def test_the_page_changes_the_trajectory_and_keeps_input_when_refused(
    client, frozen_today, toegang_a, child, trajectory, lighter
):
    client.force_login(toegang_a)
    url = reverse("cases:trajectory_replace", args=[trajectory.pk])
    assert client.get(url).status_code == 200
    data = {
        "product": lighter.pk,
        "provider": trajectory.provider_id,
        "start_date": "2026-03-02",
        "planned_end_date": "2026-09-01",
        "volume": "3",
        "frequency": trajectory.frequency,
        "end_reason": "",
        "version": trajectory.version,
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Kies de reden van beëindiging." in refused.text and 'value="2026-09-01"' in refused.text
    response = client.post(url, data | {"end_reason": "36"})
    assert response.status_code == 302
    new = Trajectory.objects.get(follows=trajectory)
    page = client.get(reverse("cases:child_detail", args=[child.pk]))
    assert "vervolg op 45A48" in page.text and f"trajecten/{new.pk}/omzetten/" in page.text


def test_another_gemeentes_trajectory_is_404(client, frozen_today, toegang_b, trajectory):
    client.force_login(toegang_b)
    assert client.get(reverse("cases:trajectory_replace", args=[trajectory.pk])).status_code == 404
