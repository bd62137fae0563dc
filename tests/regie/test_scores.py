"""The queue score kept per child (ChildScore): it follows the flags, the open cost and the weights,
and the queue reads its order from it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import F
from django.urls import reverse

from cases.models import Trajectory
from regie import flags
from regie import services as regie_services
from regie.models import ChildScore, Flag, FlagRule
from regie.ranking import top_cases

from ..factories import ChildFactory, TrajectoryFactory

pytestmark = pytest.mark.django_db


def past_end(child, **kwargs):
    return TrajectoryFactory(child=child, planned_end_date=dt.date(2026, 2, 2), **kwargs)


def expected_score(child, today):
    """The formula by hand: open cost / 1000 + the default weight of each active flag."""
    weights = {"einddatum": 8, "duur": 10, "kosten": 25, "buiten_budget": 10, "handmatig": 20}
    points = sum(weights[code] for code in Flag.objects.filter(child=child, active=True).values_list("code", flat=True))
    cost = Trajectory.objects.filter(child=child).open_cost_by_child(today).get(child.pk, Decimal("0"))
    return cost.quantize(Decimal("0.01")), points


def test_evaluation_keeps_one_score_per_flagged_child(frozen_today, gemeente_a):
    flagged = ChildFactory(gemeente=gemeente_a)
    past_end(flagged)  # einddatum verstreken, 28 days past
    calm = ChildFactory(gemeente=gemeente_a)
    TrajectoryFactory(child=calm, planned_end_date=dt.date(2026, 12, 1))
    result = flags.evaluate()
    assert result.scores == 1
    score = ChildScore.objects.get()
    cost, points = expected_score(flagged, frozen_today)
    assert (score.child_id, score.gemeente_id) == (flagged.pk, gemeente_a.pk)
    assert (score.points, score.open_cost) == (points, cost)
    assert points == 8 and cost > 0
    assert score.score == cost / 1000 + points


def test_a_second_run_writes_no_score_and_a_changed_one_is_rewritten(frozen_today, gemeente_a):
    child = ChildFactory(gemeente=gemeente_a)
    trajectory = past_end(child)
    flags.evaluate()
    before = ChildScore.objects.get()
    assert flags.evaluate().scores == 0
    assert ChildScore.objects.get().updated_at == before.updated_at
    Trajectory.objects.filter(pk=trajectory.pk).update(daily_cost=F("daily_cost") * 2)  # twice the care
    assert flags.evaluate().scores == 1
    assert ChildScore.objects.get().open_cost == 2 * before.open_cost


def test_score_goes_when_the_last_flag_lapses(frozen_today, gemeente_a):
    child = ChildFactory(gemeente=gemeente_a)
    trajectory = past_end(child)
    flags.evaluate()
    assert ChildScore.objects.filter(child=child).exists()
    Trajectory.objects.filter(pk=trajectory.pk).update(planned_end_date=dt.date(2026, 9, 1))
    result = flags.evaluate(child_ids=[child.pk])
    assert result.lapsed == 1 and result.scores == 1
    assert not ChildScore.objects.filter(child=child).exists()


def test_gemeente_run_leaves_other_gemeenten_scores_alone(frozen_today, gemeente_a, gemeente_b):
    past_end(ChildFactory(gemeente=gemeente_a))
    other = ChildFactory(gemeente=gemeente_b)
    past_end(other)
    flags.evaluate()
    Flag.objects.filter(child=other).update(active=False)  # as if resolved, without touching the scores
    flags.evaluate(gemeente_ids=[gemeente_a.pk])
    assert ChildScore.objects.filter(child=other).exists()
    flags.evaluate(gemeente_ids=[gemeente_b.pk])
    assert not ChildScore.objects.filter(child=other).exists()


def test_manual_flag_and_resolving_move_the_child_in_and_out_of_the_queue(frozen_today, gemeente_a, regisseur_a):
    child = ChildFactory(gemeente=gemeente_a)
    TrajectoryFactory(child=child, planned_end_date=dt.date(2026, 12, 1))
    flags.evaluate()
    assert top_cases(gemeente_a, today=frozen_today) == []
    flag = regie_services.flag_raise_manual(user=regisseur_a, child=child, reason="Zorgen van de huisarts")
    [row] = top_cases(gemeente_a, today=frozen_today)
    cost, _ = expected_score(child, frozen_today)
    assert row.child == child and row.score == (cost / 1000 + 20).quantize(Decimal("0.1"))
    regie_services.flag_resolve(user=regisseur_a, flag=flag, note="Besproken met de huisarts")
    assert top_cases(gemeente_a, today=frozen_today) == []


def test_changed_weight_reorders_the_queue(
    client, frozen_today, beheer_a, gemeente_a, django_capture_on_commit_callbacks
):
    late = ChildFactory(gemeente=gemeente_a)
    past_end(late)  # einddatum: 8 points
    outside = ChildFactory(gemeente=gemeente_a)
    # Ends today as planned (not past its end), so it costs exactly what the late one has cost so far.
    TrajectoryFactory(
        child=outside, planned_end_date=frozen_today, outside_budget=True, outside_budget_reason="Maatwerk"
    )  # buiten budget: 10 points
    flags.evaluate()
    late_cost, _ = expected_score(late, frozen_today)
    outside_cost, _ = expected_score(outside, frozen_today)
    assert late_cost == outside_cost  # the points decide
    assert [row.child for row in top_cases(gemeente_a, today=frozen_today)] == [outside, late]
    rule = FlagRule.objects.get(gemeente=gemeente_a, code="einddatum")
    client.force_login(beheer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:regie_flagrule_change", args=[rule.pk]), {"enabled": "on", "threshold": "0", "weight": "40"}
        )
    assert response.status_code == 302
    assert ChildScore.objects.get(child=late).points == 40
    assert [row.child for row in top_cases(gemeente_a, today=frozen_today)] == [late, outside]
