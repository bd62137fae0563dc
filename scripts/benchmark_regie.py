"""The regisseur's pages at national scale, with decisions, tasks, Wlz routes, escalations, a peildatum and
knelpunten added (issue 11: "the queue page stays within 100 ms server time and a constant query count on
the national data set with decisions, tasks and routes added").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jr_national python scripts/national_dataset.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jr_national python manage.py evaluate_flags
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jr_national python scripts/benchmark_regie.py [--repeat 15]

The data set's Mijn werk step already gives about 1% of the children a decision of a random kind and
tasks. This script adds, for the largest gemeente and a small one (once; a second run reuses them): a Wlz
route for every Wlz decision (steps spread over voorbereiding .. overgang), an escalation for every
escalation decision, five knelpunten linked to up to 100 decisions, and a peildatum (the Top N of today,
taken through `cohort_take`). Benchmark rows have no history rows, like the rest of the data set.
Then it times each regisseur page through Django's test client (in process, no network): median and
p95 of --repeat runs after one warm-up, and the query count, for both gemeenten, so the ratio shows the
pages do not grow with the gemeente.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeugdregie.settings_test")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from cases.models import Gemeente, Role, User  # noqa: E402
from regie.codes import WlzStep  # noqa: E402
from regie.cohort import cohort_take  # noqa: E402
from regie.models import Cohort, Decision, Escalation, Knelpunt, WlzRoute  # noqa: E402

STEPS = [WlzStep.PREPARING, WlzStep.APPLIED, WlzStep.GRANTED, WlzStep.REFUSED, WlzStep.TRANSFERRED]


def regisseur_of(gemeente: Gemeente) -> User:
    user, _ = User.objects.get_or_create(username=f"bench_regisseur_{gemeente.code}", defaults={"role": Role.REGISSEUR})
    user.gemeenten.set([gemeente])
    return user


@transaction.atomic
def add_regie_records(gemeente: Gemeente, user: User, today: dt.date) -> dict:
    decisions = Decision.objects.filter(gemeente=gemeente)
    routes = []
    for i, decision in enumerate(decisions.filter(kind="wlz", wlz_route__isnull=True).order_by("pk")):
        step = STEPS[i % len(STEPS)]
        start = today - dt.timedelta(days=30 + 7 * (i % 20))
        applied = start + dt.timedelta(days=14) if step != WlzStep.PREPARING else None
        granted = applied + dt.timedelta(days=56) if step in (WlzStep.GRANTED, WlzStep.TRANSFERRED) else None
        routes.append(
            WlzRoute(
                child_id=decision.child_id,
                gemeente=gemeente,
                decision=decision,
                step=step,
                prepared_on=start,
                applied_on=applied,
                granted_on=granted,
                refused_on=applied + dt.timedelta(days=70) if step == WlzStep.REFUSED else None,
                transferred_on=granted + dt.timedelta(days=14) if step == WlzStep.TRANSFERRED else None,
                expected_end=granted + dt.timedelta(days=14) if granted else None,
                last_step_on=granted or applied or start,
                created_by=user,
            )
        )
    # One open route per child: keep the first of a child that had two Wlz decisions (or a route already).
    seen, unique = set(WlzRoute.objects.filter(gemeente=gemeente).open().values_list("child_id", flat=True)), []
    open_steps = set(WlzRoute.OPEN_STEPS)
    for route in routes:
        key = route.child_id
        if route.step in open_steps and key in seen:
            continue
        seen.add(key) if route.step in open_steps else None
        unique.append(route)
    WlzRoute.objects.bulk_create(unique)
    escalations = [
        Escalation(
            decision=d,
            child_id=d.child_id,
            gemeente=gemeente,
            question="Passend aanbod ontbreekt; bekostiging buiten het contract?",
            created_at=d.decided_at,
        )
        for d in decisions.filter(kind="escalate", escalation__isnull=True)
    ]
    Escalation.objects.bulk_create(escalations)
    now = timezone.now()
    for n in range(5):
        knelpunt, _ = Knelpunt.objects.get_or_create(
            gemeente=gemeente,
            title=f"Geen passend aanbod {n + 1}",
            defaults={"created_by": user, "created_at": now},
        )
        knelpunt.decisions.add(*decisions.order_by("pk")[n * 20 : n * 20 + 20])
    if not Cohort.objects.filter(gemeente=gemeente).exists():
        cohort_take(user=user, gemeente=gemeente, note="benchmark")
    return {
        "routes": WlzRoute.objects.filter(gemeente=gemeente).count(),
        "escalations": Escalation.objects.filter(gemeente=gemeente).count(),
        "decisions": decisions.count(),
    }


def measure(client, url, repeat):
    response = client.get(url)  # warm-up: templates, session, cached filter lists
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    return statistics.median(timings), timings[max(int(len(timings) * 0.95) - 1, 0)], len(queries.captured_queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    today = timezone.localdate()
    sizes = Gemeente.objects.annotate(n=Count("children")).order_by("-n")
    largest, small = sizes.first(), sizes.filter(n__gte=200).last()
    print(f"database: {connection.vendor}; load average {os.getloadavg()[0]:.1f}")
    results = {}
    for gemeente in (largest, small):
        user = regisseur_of(gemeente)
        counts = add_regie_records(gemeente, user, today)
        cohort = Cohort.objects.filter(gemeente=gemeente).latest("peildatum")
        route = WlzRoute.objects.filter(gemeente=gemeente).order_by("pk").first()
        print(f"{gemeente.name} ({gemeente.code}): {gemeente.n:,} children, {counts}")
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        pages = [
            ("Top 32", "/regie/"),
            ("Top 32 op kosten", "/regie/?sorteer=kosten"),
            ("verblijf", "/regie/verblijf/"),
            ("Wlz-routes", "/regie/wlz/"),
            ("een Wlz-route", f"/regie/wlz/{route.pk}/" if route else None),
            ("effect (peildata)", "/regie/effect/"),
            ("effect van een peildatum", f"/regie/effect/{cohort.pk}/"),
            ("knelpunten", "/regie/knelpunten/"),
            ("opschalingen", "/regie/opschalingen/"),
            ("casusoverleggen", "/regie/overleggen/"),
            ("patronen", "/regie/patronen/"),
            ("Mijn werk", "/werk/"),
        ]
        for label, url in pages:
            if url:
                results[(gemeente.code, label)] = measure(client, url, args.repeat)
    print(f"\n{'page':26} {'largest: ms (p95) queries':>27} {'small: ms (p95) queries':>25}")
    for label in dict.fromkeys(label for _, label in results):
        cells = []
        for code in (largest.code, small.code):
            median, p95, queries = results.get((code, label), (0, 0, 0))
            cells.append(f"{median:7.1f} ({p95:6.1f}) {queries:5d}")
        print(f"{label:26} {cells[0]:>27} {cells[1]:>25}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
