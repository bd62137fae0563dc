"""The query count of the regisseur's pages of issue 14 (Top 32, patronen, opschalingen, verblijf),
pinned: the same number with 1 and with 20 cases, and the exact number docs/benchmarks.md states. The
Top 32 is counted with its caches cold (the filter choices and the verblijf count) and warm."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from regie import flags
from regie.models import Decision, DecisionKind, Escalation

from .test_regie_views import heavy_case
from .test_residential import _stay

pytestmark = pytest.mark.django_db

PAGES = ("regie:queue", "regie:patterns", "regie:escalations", "regie:residential")
# page: (cold caches, warm caches)
QUERIES = {
    "regie:queue": (18, 15),  # cold: the stored figures of today, their providers and the segments, then cached
    "regie:patterns": (6, 4),  # cold: the stored figures of today (one row) and their groups; warm: cached
    "regie:escalations": (5, 5),
    "regie:residential": (8, 8),
}


def _cases(gemeente, regisseur, n):
    for i in range(n):
        child = heavy_case(gemeente, hours=str(2 + i))
        _stay(child, dt.date(2025, 3, 1 + i))
        decision = Decision.objects.create(
            child=child,
            gemeente=gemeente,
            kind=DecisionKind.ESCALATE,
            reason="r",
            follow_up_date=dt.date(2026, 4, 1),
            actor="x",
            decided_by=regisseur,
            decided_at=timezone.now(),
        )
        Escalation.objects.create(
            decision=decision, child=child, gemeente=gemeente, question="Passend aanbod?", created_at=timezone.now()
        )
    flags.evaluate_everything()


def _counts(client) -> dict:
    counts = {}
    for name in PAGES:
        cache.clear()
        pair = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(name)).status_code == 200
            pair.append(len(queries.captured_queries))
        counts[name] = tuple(pair)
    return counts


def test_regisseur_pages_make_the_same_queries_for_1_and_20_cases(client, frozen_today, regisseur_a, gemeente_a):
    client.force_login(regisseur_a)
    _cases(gemeente_a, regisseur_a, 1)
    client.get(reverse("regie:queue"))  # the first page of a session saves it once (3 queries)
    one = _counts(client)
    _cases(gemeente_a, regisseur_a, 19)
    assert (one, _counts(client)) == (QUERIES, QUERIES)
