"""The query count of Mijn werk (issue 14), pinned for the toegangsmedewerker and the regisseur: the same
number with 1 and with 20 files of each kind of work, and the exact number docs/benchmarks.md states.
(A toetsmedewerker has no Mijn werk: their work list is the toets queue, tests/cases/test_query_counts.py.)"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from regie.models import ChildScore, Decision, DecisionKind
from tests.conftest import TODAY

from ..factories import ChildFactory, ReferralFactory, StopReviewFactory, TrajectoryFactory

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
TOEGANG_QUERIES = 13
REGISSEUR_QUERIES = 15


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("werk:mine")).status_code == 200
    return len(queries.captured_queries)


def _work(gemeente, owner, regisseur, n):
    for _ in range(n):
        child = ChildFactory(gemeente=gemeente, owner=owner)
        trajectory = TrajectoryFactory(child=child, planned_end_date=TODAY + 3 * DAY)
        StopReviewFactory(trajectory=trajectory, due_date=TODAY - DAY)
        ReferralFactory(child=child, date=TODAY - 30 * DAY)
        services.task_create(user=owner, child=child, kind="contact", due_date=TODAY, owner=owner)
        Decision.objects.create(
            child=child,
            gemeente=gemeente,
            kind=DecisionKind.CONTINUE,
            reason="r",
            follow_up_date=TODAY - 10 * DAY,
            actor="x",
            decided_by=regisseur,
            decided_at=timezone.now() - 40 * DAY,
        )
        # In the queue (its follow-up date reached), so "Nieuw in de top" lists it: its children are read
        # with the top, not in a query of their own.
        ChildScore.objects.create(
            child=child,
            gemeente=gemeente,
            points=1,
            open_cost=0,
            score=1,
            last_raised=timezone.now() - 50 * DAY,
            updated_at=timezone.now(),
        )


def test_mijn_werk_makes_the_same_queries_for_1_and_20_files(client, frozen_today, gemeente_a, toegang_a, regisseur_a):
    _work(gemeente_a, toegang_a, regisseur_a, 1)
    client.force_login(toegang_a)
    _queries(client)  # the first view fills the session's "recent geopend" list
    toegang_one = _queries(client)
    client.force_login(regisseur_a)
    regisseur_one = _queries(client)
    _work(gemeente_a, toegang_a, regisseur_a, 19)
    regisseur_twenty = _queries(client)
    client.force_login(toegang_a)
    _queries(client)
    toegang_twenty = _queries(client)
    assert (toegang_one, toegang_twenty) == (TOEGANG_QUERIES, TOEGANG_QUERIES)
    assert (regisseur_one, regisseur_twenty) == (REGISSEUR_QUERIES, REGISSEUR_QUERIES)
