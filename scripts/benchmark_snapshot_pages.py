"""The KPI dashboard for a closed month: computed live (before issue 14) and read from its snapshots.

Usage (against a COPY of the national data set, migrated; the script adds a beleid user and the
snapshots of the largest gemeente to it):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jr_nat_copy .venv/bin/python \
        scripts/benchmark_snapshot_pages.py [--repeat 30] [--live-repeat 5]

Prints, for the largest gemeente (most children) and the last complete month: the server time
(Django test client, in process, no network; median and p95) and the query count of /kpi/ computed
live (the cache emptied before each request, as every view was before) and read from the snapshots,
their ratio (the stored month's first view, and later views that read its rendered tables from the
cache), the time to take the 13 snapshots of that gemeente, the beleid overview (home page)
cold and cached, and the load average.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeugdregie.settings_test")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from cases.models import Gemeente, Role, User  # noqa: E402
from reports.kpis import Period  # noqa: E402
from reports.models import KpiSnapshot, SnapshotTrigger  # noqa: E402
from reports.snapshots import snapshots_take  # noqa: E402

BENCH_USER = "bench_snapshot_beleid"


def measure(client, url, repeat, *, cold=False):
    client.get(url)  # warm up the connection and the session
    timings = []
    for _ in range(repeat):
        if cold:
            cache.clear()
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)], len(queries.captured_queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--live-repeat", type=int, default=5)
    args = parser.parse_args()
    gemeente = Gemeente.objects.annotate(n=Count("children")).order_by("-n", "pk").first()
    period = Period.last_complete_month()
    user, _ = User.objects.get_or_create(username=BENCH_USER, defaults={"role": Role.BELEID})
    user.gemeenten.set([gemeente])
    print(f"database: {connection.vendor}; gemeente {gemeente.name} ({gemeente.n} jeugdigen); maand {period.label}")
    print(f"load average at start: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")

    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    url = f"{reverse('reports:dashboard')}?gemeente={gemeente.code}&maand={period.key}"

    # Before: no snapshots, so the dashboard computes the 13 months (as every view did before issue 14).
    KpiSnapshot.objects.filter(gemeente=gemeente).delete()
    live = measure(client, url, args.live_repeat, cold=True)

    start = time.perf_counter()
    snapshots_take(period.with_months_before(12), [gemeente.pk], trigger=SnapshotTrigger.COMMAND)
    take_ms = (time.perf_counter() - start) * 1000
    stored_cold = measure(client, url, args.live_repeat, cold=True)  # the first view after a snapshot
    stored = measure(client, url, args.repeat)

    home = reverse("home")
    overview_cold = measure(client, home, args.live_repeat, cold=True)
    overview_cached = measure(client, home, args.repeat)

    print(f"{'pagina':52} {'mediaan ms':>10} {'p95 ms':>8} {'queries':>8}")
    for label, (median, p95, queries) in (
        ("/kpi/ live (zonder momentopnamen, cache leeg)", live),
        ("/kpi/ uit momentopnamen, eerste keer (cache leeg)", stored_cold),
        ("/kpi/ uit momentopnamen (pagina uit de cache)", stored),
        ("beleid-overzicht (startpagina), cache leeg", overview_cold),
        ("beleid-overzicht (startpagina), uit de cache", overview_cached),
    ):
        print(f"{label:52} {median:10.1f} {p95:8.1f} {queries:8d}")
    warm, first = live[0] / stored[0], live[0] / stored_cold[0]
    print(f"/kpi/ live / uit momentopnamen: {warm:.1f}x (mediaan); de eerste keer {first:.1f}x")
    print(f"13 momentopnamen van {gemeente.name} nemen: {take_ms:.0f} ms")
    print(f"load average at end: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
