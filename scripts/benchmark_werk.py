"""Server time and query count of the Mijn werk pages, and the daily digest for everyone, at national scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jr_werk_national python scripts/national_dataset.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jr_werk_national python manage.py evaluate_flags
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jr_werk_national python scripts/benchmark_werk.py [--repeat 15]

Pages (Django test client in process, no network; median and p95 of --repeat runs after a warm-up;
queries counted on one more run): for the largest and the smallest gemeente, the toegang page of the
gemeente's busiest worker (most open files), the team tab (the unassigned files, and the busiest
worker's), and the regisseur's page. The query counts of the largest and the smallest must be equal.

Digest: the counts for every user of all gemeenten (`werk.worklists.digest_counts`, what the 07:00 run
computes first), then the whole run (rows, claims, the emails rendered) into Django's locmem backend,
timed apart; the delivery rows it makes are removed afterwards. Also checks, for the busiest worker,
that the page and the digest count the same.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeugdregie.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from cases.models import Child, Gemeente, Role, Task, User  # noqa: E402
from cases.working_days import is_working_day  # noqa: E402
from werk import digest  # noqa: E402
from werk.models import DigestDelivery  # noqa: E402
from werk.tasks import send_outbox  # noqa: E402
from werk.windows import windows_for  # noqa: E402
from werk.worklists import Scope, digest_counts, toegang_sections  # noqa: E402


def measure(client, url, repeat):
    response = client.get(url)  # warm up caches and the connection
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    timings.sort()
    p95 = timings[max(int(len(timings) * 0.95) - 1, 0)]
    return statistics.median(timings), p95, len(queries.captured_queries), response


def busiest_worker(gemeente):
    return (
        User.objects.filter(role=Role.TOEGANG, gemeenten=gemeente, is_active=True)
        .annotate(n=Count("owned_children", filter=Q(owned_children__closed_on__isnull=True)))
        .order_by("-n", "pk")
        .first()
    )


def pages(gemeente, repeat):
    worker = busiest_worker(gemeente)
    regisseur = User.objects.filter(role=Role.REGISSEUR, gemeenten=gemeente).order_by("pk").first()
    code = gemeente.code
    client = Client(SERVER_NAME="localhost")
    rows = []
    client.force_login(worker)
    mine = reverse("werk:mine")
    team = reverse("werk:team")
    for label, url in (
        (f"toegang, eigen werk ({worker.n} dossiers)", mine),
        ("team: niet toegewezen", f"{team}?gemeente={code}"),
        ("team: de drukste medewerker", f"{team}?gemeente={code}&medewerker={worker.pk}"),
    ):
        rows.append((label, *measure(client, url, repeat)))
    client.force_login(regisseur)
    rows.append(("regisseur", *measure(client, f"{mine}?gemeente={code}", repeat)))
    return worker, rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--skip-send", action="store_true", help="only the counts of the digest, no locmem run")
    args = parser.parse_args()
    sizes = Gemeente.objects.annotate(n=Count("children")).order_by("-n", "pk")
    largest, smallest = sizes.first(), sizes.last()
    print(
        f"database: {connection.vendor}; gemeenten {Gemeente.objects.count()}; children {Child.objects.count():,}; "
        f"open tasks {Task.objects.open().count():,}; users {User.objects.count():,}; "
        f"load average {os.getloadavg()[0]:.1f} (2 cores, shared)"
    )
    print(f"{'pagina':52} {'mediaan ms':>10} {'p95 ms':>8} {'queries':>8}")
    results = {}
    for which, gemeente in (("grootste", largest), ("kleinste", smallest)):
        worker, rows = pages(gemeente, args.repeat)
        results[which] = (worker, rows)
        print(f"-- {which} gemeente: {gemeente.name} ({gemeente.n:,} jeugdigen)")
        for label, median, p95, queries, _response in rows:
            print(f"{label:52} {median:10.1f} {p95:8.1f} {queries:8d}")
    big = [r[3] for r in results["grootste"][1]]
    small = [r[3] for r in results["kleinste"][1]]
    print(f"queries grootste / kleinste: {big} / {small}: {'gelijk' if big == small else 'VERSCHILLEND'}")

    # The page's counts and the digest's for the busiest worker of the largest gemeente, today.
    worker, rows = results["grootste"]
    today = timezone.localdate()
    gemeente_ids = list(worker.gemeenten.values_list("pk", flat=True))
    scope = Scope(user=worker, gemeente_ids=gemeente_ids, today=today, owner=worker)
    page = toegang_sections(scope, windows_for(gemeente_ids), tasks_for=worker)  # what the view shows
    [counted] = digest_counts([worker], today)[worker.pk]
    same = [(s.key, s.count, s.overdue) for s in page] == [(li.key, li.count, li.overdue) for li in counted.lines]
    print(f"pagina == samenvatting voor {worker.username}: {'ja' if same else 'NEE'}")
    print("  " + ", ".join(f"{s.key} {s.count} ({s.overdue} te laat)" for s in page))

    day = today
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    users = list(digest.recipients())
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        counts = digest_counts(users, day)
    seconds = time.perf_counter() - started
    with_work = sum(1 for pages_ in counts.values() if sum(p.total for p in pages_))
    print(
        f"samenvatting {day}: tellingen voor {len(users):,} gebruikers van {Gemeente.objects.count()} gemeenten "
        f"in {seconds:.1f} s, {len(queries.captured_queries)} queries; {with_work:,} met werk"
    )
    if args.skip_send:
        return
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core import mail

    mail.outbox = []
    DigestDelivery.objects.filter(day=day).delete()
    started = time.perf_counter()
    result = send_outbox(digest.digests_prepare(day=day))
    seconds = time.perf_counter() - started
    print(
        f"hele run naar locmem: {seconds:.1f} s; {result}; {len(mail.outbox):,} e-mails "
        f"(gemiddeld {sum(len(m.body) for m in mail.outbox) // max(len(mail.outbox), 1)} tekens)"
    )
    DigestDelivery.objects.filter(day=day).delete()


if __name__ == "__main__":
    main()
