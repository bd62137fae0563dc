"""Every page of issue 14 on the national data set: server time, query count and where the time goes.

    createdb -h 127.0.0.1 -U postgres -T jr_national jr_nat_pages
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jr_nat_pages DEBUG=1 TWO_FACTOR_REQUIRED=0
    python manage.py migrate
    python scripts/benchmark_pages_national.py [--repeat 10] [--search Achternaam16] [--only werk,regie]

The script writes to the database it is given (never run it on jr_national itself): once, for the largest
gemeente, a user of each role (toegang, toets, regisseur; `bench_<role>_<code>`, a step of this script, not
a migration) and the regisseur's records of scripts/benchmark_regie.py (Wlz routes, escalations,
knelpunten, a peildatum). A second run reuses them.

Per page (Django test client, in process, no network): one request to warm the process and PostgreSQL's
buffers, one cold request after the cache is cleared (the queue's filter and verblijf counts, patronen's groups,
...), one warm-up, then --repeat requests: median and p95 ms,
the query count, and where the time of the median request goes: SQL (summed over the queries, measured
around each execute) against the rest (Python, templates, middleware).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeugdregie.settings_test")

import django  # noqa: E402

django.setup()

from benchmark_regie import add_regie_records  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from cases.models import Child, Gemeente, Role, User  # noqa: E402


class SqlTimer:
    """Counts the queries of a request and sums the time spent inside the database driver."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0
        self.queries = []  # (ms, sql)

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - start
            self.seconds += elapsed
            self.count += 1
            self.queries.append((elapsed * 1000, sql))


def timed_get(client, url):
    timer = SqlTimer()
    with connection.execute_wrapper(timer):
        start = time.perf_counter()
        response = client.get(url)
        total = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return total, timer.seconds * 1000, timer.count, timer.queries


def measure(client, url, repeat):
    # The process's first render of the page (templates compiled, URLs resolved, PostgreSQL's buffers read) is
    # not what "cold" means here: the page's own caches are. Earlier rounds' cold figures of a process's first
    # page (e.g. the Top 32 with --only regie) included it.
    timed_get(client, url)
    cache.clear()
    cold = timed_get(client, url)
    timed_get(client, url)  # warm-up
    runs = sorted((timed_get(client, url) for _ in range(repeat)), key=lambda run: run[0])
    totals = [run[0] for run in runs]
    median_run = runs[len(runs) // 2]
    return {
        "cold": cold[0],
        "median": statistics.median(totals),
        "p95": totals[max(int(len(totals) * 0.95 + 0.5) - 1, 0)],
        "queries": median_run[2],
        "cold_queries": cold[2],
        "cold_sql": cold[1],
        "sql": median_run[1],
        "python": median_run[0] - median_run[1],
        "slowest": sorted(median_run[3], key=lambda q: -q[0]),
        "cold_slowest": sorted(cold[3], key=lambda q: -q[0]),
    }


def bench_user(role: str, gemeente: Gemeente) -> User:
    user, _ = User.objects.get_or_create(username=f"bench_{role}_{gemeente.code}", defaults={"role": role})
    user.gemeenten.set([gemeente])
    return user


def largest_household_child(gemeente: Gemeente) -> tuple[Child, int]:
    household = (
        Child.objects.filter(gemeente=gemeente)
        .values("household_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "household_id")
        .first()
    )
    child = (
        Child.objects.filter(household_id=household["household_id"])
        .annotate(n=Count("trajectories"))
        .order_by("-n", "pk")
        .first()
    )
    return child, household["n"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--search", default="Achternaam16", help="a common name fragment of the data set")
    parser.add_argument("--slowest", type=int, default=0, help="print the N slowest queries of each page")
    parser.add_argument("--only", default="", help="comma-separated words; pages whose label contains one")
    args = parser.parse_args()
    only = [w for w in args.only.split(",") if w]
    gemeente = Gemeente.objects.annotate(n=Count("children")).order_by("-n").first()
    users = {role: bench_user(role, gemeente) for role in (Role.TOEGANG, Role.TOETS, Role.REGISSEUR)}
    # Mijn werk of a toegangsmedewerker lists their own files: the data set's busiest worker, not the
    # benchmark user who owns none. (A toetsmedewerker has no Mijn werk: their work list is the toets queue.)
    worker = (
        User.objects.filter(role=Role.TOEGANG, gemeenten=gemeente, is_active=True)
        .annotate(n=Count("owned_children", filter=Q(owned_children__closed_on__isnull=True)))
        .order_by("-n", "pk")
        .first()
    )
    users["worker"] = worker or users[Role.TOEGANG]
    add_regie_records(gemeente, users[Role.REGISSEUR], timezone.localdate())
    child, household_size = largest_household_child(gemeente)
    print(
        f"database: {connection.vendor}; {gemeente.name}: {gemeente.n:,} children; case file: child {child.pk} "
        f"({child.n} trajectories) of the largest household ({household_size} children); search {args.search!r}"
    )
    pages = [
        ("dossier grootste huishouden", Role.TOEGANG, reverse("cases:child_detail", args=[child.pk])),
        ("huishouden", Role.TOEGANG, reverse("cases:household_detail", args=[child.household_id])),
        ("zoeken", Role.TOEGANG, reverse("cases:search")),
        ("toetswachtrij", Role.TOETS, reverse("cases:extension_queue")),
        (f"werk toegang ({users['worker'].n} dossiers)", "worker", reverse("werk:mine")),
        ("werk regisseur", Role.REGISSEUR, reverse("werk:mine")),
        ("regie Top 32", Role.REGISSEUR, reverse("regie:queue")),
        ("regie patronen", Role.REGISSEUR, reverse("regie:patterns")),
        ("regie opschalingen", Role.REGISSEUR, reverse("regie:escalations")),
        ("regie verblijf", Role.REGISSEUR, reverse("regie:residential")),
    ]
    load_before = os.getloadavg()
    print(f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}")
    print(
        f"{'page':30} {'cold ms':>8} {'median':>8} {'p95':>8} {'queries':>7} {'cold q':>6} {'SQL ms':>7} {'rest ms':>7}"
    )
    for label, role, url in pages:
        if only and not any(word in label for word in only):
            continue
        client = Client(SERVER_NAME="localhost")
        client.force_login(users[role])
        if label == "zoeken":
            # The search is sent by POST and kept in the session; the results page is the GET after it.
            client.post(url, {"q": args.search})
        r = measure(client, url, args.repeat)
        print(
            f"{label:30} {r['cold']:8.1f} {r['median']:8.1f} {r['p95']:8.1f} {r['queries']:7d} "
            f"{r['cold_queries']:6d} {r['sql']:7.1f} {r['python']:7.1f}",
            flush=True,
        )
        for ms, sql in r["slowest"][: args.slowest]:
            print(f"    {ms:7.1f} ms  {sql[:400]}")
        if args.slowest and r["cold_queries"] != r["queries"]:
            print(f"    cold ({r['cold_queries']} queries), SQL {r['cold_sql']:.1f} ms; slowest:")
            for ms, sql in r["cold_slowest"][: args.slowest]:
                print(f"    {ms:7.1f} ms  {sql[:400]}")
    load_after = os.getloadavg()
    print(f"load average after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")


if __name__ == "__main__":
    main()
