"""Server time and query count of the main toegang/toets pages on the demo data.

Usage (against a database that holds the demo data, e.g. after `make run` or `manage.py demo_data`):
    .venv/bin/python scripts/benchmark_pages.py [--repeat 30]

Prints, per page, the median and 95th percentile server time (Django test client, in process, no
network) and the number of queries, for the largest and the smallest case file, so the ratio shows
that the work does not grow with the file.
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

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from cases.models import Child, Extension, User  # noqa: E402


def measure(client, url, repeat):
    client.get(url)  # warm up caches and the connection
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], len(queries.captured_queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    toegang = User.objects.get(username="toegang")
    toets = User.objects.get(username="toets")
    children = Child.objects.visible_to(toegang).annotate(n=Count("trajectories")).filter(n__gt=0)
    largest = children.order_by("-n", "pk").first()
    smallest = children.order_by("n", "pk").first()
    print(
        f"database: {connection.vendor}; children visible to 'toegang': {children.count()}; "
        f"pending extensions: {Extension.objects.filter(status='pending').count()}"
    )
    rows = []
    client = Client(SERVER_NAME="localhost")
    client.force_login(toegang)
    for label, child in (("dossier, grootste", largest), ("dossier, kleinste", smallest)):
        rows.append(
            (
                f"{label} ({child.n} trajecten)",
                *measure(client, reverse("cases:child_detail", args=[child.pk]), args.repeat),
            )
        )
    rows.append(
        (
            "huishouden van de grootste",
            *measure(client, reverse("cases:household_detail", args=[largest.household_id]), args.repeat),
        )
    )
    # The search is sent by POST and kept in the session; the results page is the GET after it.
    client.post(reverse("cases:search"), {"q": "de"})
    rows.append(("zoeken 'de' (50 resultaten)", *measure(client, reverse("cases:search"), args.repeat)))
    client.force_login(toets)
    rows.append(("toetswachtrij (25 per pagina)", *measure(client, reverse("cases:extension_queue"), args.repeat)))
    print(f"{'pagina':45} {'mediaan ms':>10} {'p95 ms':>8} {'queries':>8}")
    for label, median, p95, queries in rows:
        print(f"{label:45} {median:10.1f} {p95:8.1f} {queries:8d}")
    big, small = rows[0], rows[1]
    print(
        f"queries grootste/kleinste dossier: {big[3]}/{small[3]} = {big[3] / small[3]:.2f}; "
        f"tijd: {big[1] / small[1]:.2f}x"
    )


if __name__ == "__main__":
    main()
