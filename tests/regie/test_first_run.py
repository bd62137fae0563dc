"""The first evaluation of a whole installation raises every candidate by one plain INSERT (no anti-join
against an empty flag table); it must raise exactly what the general path raises, and a later run, or a
run per gemeente, must still take the general path."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from regie import evaluation, flags, scores
from regie import services as regie_services
from regie.models import ChildScore, Flag, FlagCode

from ..factories import ChildFactory, TrajectoryFactory

FIELDS = ("child_id", "gemeente_id", "code", "subject_key", "trajectory_id", "value", "norm", "reference_date")
FIELDS += ("detail", "since", "firing", "active")


def flag_rows():
    return sorted(Flag.objects.exclude(code=FlagCode.MANUAL).values_list(*FIELDS))


def some_cases(gemeente_a, gemeente_b):
    for gemeente in (gemeente_a, gemeente_b):
        for n in range(3):
            child = ChildFactory(gemeente=gemeente)
            TrajectoryFactory(child=child, planned_end_date=dt.date(2026, 1, 5 + n))
            TrajectoryFactory(child=child, start_date=dt.date(2023, 1, 1), planned_end_date=dt.date(2027, 12, 31))


def score_rows():
    return sorted(ChildScore.objects.values_list("child_id", "gemeente_id", "points", "open_cost", "score"))


def used_the_anti_join(queries) -> bool:
    return any(f"CREATE TEMPORARY TABLE {evaluation.CHANGED}" in q["sql"] for q in queries.captured_queries)


def scores_used_the_anti_join(queries) -> bool:
    return any(f"CREATE TEMPORARY TABLE {scores.CHANGED}" in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db
def test_a_first_run_raises_the_same_flags_as_the_general_path(frozen_today, gemeente_a, gemeente_b):
    some_cases(gemeente_a, gemeente_b)
    with CaptureQueriesContext(connection) as first:
        flags.evaluate()
    assert not used_the_anti_join(first) and not scores_used_the_anti_join(first)
    fast, fast_scores = flag_rows(), score_rows()
    assert {row[2] for row in fast} >= {FlagCode.PAST_END} and len(fast_scores) == 6

    Flag.objects.all().delete()
    ChildScore.objects.all().delete()
    stray = ChildFactory(gemeente=gemeente_b)  # a score left behind: the general path must remove it
    now = timezone.now()
    ChildScore.objects.create(
        child=stray, gemeente=gemeente_b, points=1, open_cost=0, score=1, last_raised=now, updated_at=now
    )
    with CaptureQueriesContext(connection) as per_gemeente:
        flags.evaluate(gemeente_ids=[gemeente_a.pk, gemeente_b.pk])  # never the fast path
    assert used_the_anti_join(per_gemeente) and scores_used_the_anti_join(per_gemeente)
    assert flag_rows() == fast
    assert score_rows() == fast_scores  # the stray score of a child without flags is gone too


@pytest.mark.django_db
def test_a_second_run_takes_the_general_path_and_changes_nothing(frozen_today, gemeente_a, gemeente_b):
    some_cases(gemeente_a, gemeente_b)
    flags.evaluate()
    before = flag_rows()
    with CaptureQueriesContext(connection) as second:
        result = flags.evaluate()
    assert used_the_anti_join(second)
    assert result.upserted == 0 and flag_rows() == before


@pytest.mark.django_db
def test_a_manual_flag_alone_still_allows_the_first_run(frozen_today, gemeente_a, gemeente_b, regisseur_a):
    some_cases(gemeente_a, gemeente_b)
    child = ChildFactory(gemeente=gemeente_a)
    regie_services.flag_raise_manual(user=regisseur_a, child=child, reason="Zorgen over de thuissituatie")
    with CaptureQueriesContext(connection) as first:
        flags.evaluate()
    assert not used_the_anti_join(first)
    assert Flag.objects.filter(code=FlagCode.MANUAL).count() == 1
    assert Flag.objects.filter(code=FlagCode.PAST_END).count() == 6


@pytest.mark.django_db
def test_a_child_that_moved_keeps_one_flag_when_its_new_gemeente_runs_first(frozen_today, gemeente_a, gemeente_b):
    child = ChildFactory(gemeente=gemeente_a)
    TrajectoryFactory(child=child, planned_end_date=dt.date(2026, 1, 5))
    flags.evaluate()
    child.gemeente = gemeente_b
    child.save()
    flags.evaluate(gemeente_ids=[gemeente_b.pk])  # gemeente_b has no flags yet: the general path updates
    flag = Flag.objects.get(code=FlagCode.PAST_END)
    assert flag.gemeente_id == gemeente_b.pk and flag.firing
