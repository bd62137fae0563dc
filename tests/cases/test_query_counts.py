"""The query count of the toegang and toets pages of issue 14, pinned: the same number with 1 and with 20
files, trajectories or requests, and the exact number docs/benchmarks.md states ("Pagina's op landelijke
schaal (issue 14)"). A change that adds a query changes this number and the document together."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ..factories import ChildFactory, ExtensionFactory, ReferralFactory, TrajectoryFactory

pytestmark = pytest.mark.django_db

CASE_FILE_QUERIES = 22
SEARCH_QUERIES = 5
TOETS_QUEUE_QUERIES = 10


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_case_file_makes_the_same_queries_for_1_and_20_trajectories(client, toegang_a, gemeente_a, frozen_today):
    def case_file(n):
        child = ChildFactory(gemeente=gemeente_a)
        ChildFactory(gemeente=gemeente_a, household=child.household)  # a sibling: the household panel
        for _ in range(n):
            trajectory = TrajectoryFactory(child=child, referral=ReferralFactory(child=child))
            ExtensionFactory(trajectory=trajectory)
        return _queries(client, reverse("cases:child_detail", args=[child.pk]))

    client.force_login(toegang_a)
    case_file(1)  # the first file opened starts the session's "recent geopend" list: 3 queries once
    assert (case_file(1), case_file(20)) == (CASE_FILE_QUERIES, CASE_FILE_QUERIES)


def test_search_makes_the_same_queries_for_1_and_20_results(client, toegang_a, gemeente_a):
    client.force_login(toegang_a)
    ChildFactory(gemeente=gemeente_a, last_name="Jansen")
    client.post(reverse("cases:search"), {"q": "Jansen"})
    one = client.get(reverse("cases:search"))
    assert len(one.context["results"]) == 1
    for _ in range(19):
        ChildFactory(gemeente=gemeente_a, last_name="Jansen")
    with CaptureQueriesContext(connection) as twenty:
        assert len(client.get(reverse("cases:search")).context["results"]) == 20
    assert (_queries(client, reverse("cases:search")), len(twenty)) == (SEARCH_QUERIES, SEARCH_QUERIES)


def _pending(gemeente, n):
    for day in range(n):
        with time_machine.travel(dt.datetime(2026, 1, 1 + day, 10), tick=False):
            ExtensionFactory(trajectory=TrajectoryFactory(child=ChildFactory(gemeente=gemeente)))


def test_toets_queue_makes_the_same_queries_for_1_and_20_requests(client, toets_a, gemeente_a):
    client.force_login(toets_a)
    _pending(gemeente_a, 1)
    one = _queries(client, reverse("cases:extension_queue"))
    _pending(gemeente_a, 19)
    assert (one, _queries(client, reverse("cases:extension_queue"))) == (TOETS_QUEUE_QUERIES, TOETS_QUEUE_QUERIES)
