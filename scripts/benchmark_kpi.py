"""Time to compute one gemeente's monthly KPI report, on a database that holds the demo data.

Usage (e.g. after `manage.py demo_data` into a throwaway database):
    DATABASE_URL=... .venv/bin/python scripts/benchmark_kpi.py [--gemeente 9901] [--month 2026-10] [--repeat 5]

With --all-gemeenten: build the report of every gemeente once (what the monthly email run computes,
without rendering the email) and print the total, median and slowest.

Prints the median of `repeat` runs for: the KPIs of one month, the whole report (the month and the
12 before it), the dashboard page (Django test client, in process), and the email with its four
PNG charts and CSV; plus the number of queries of the report and the page.
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
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from cases.models import Gemeente, Role, Trajectory, User  # noqa: E402
from reports.kpis import Period  # noqa: E402
from reports.mail import report_email  # noqa: E402
from reports.report import month_figures, report_build  # noqa: E402


def timed(function, repeat):
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gemeente", default="9901")
    parser.add_argument("--month", default=Period.last_complete_month().key)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--all-gemeenten", action="store_true")
    parser.add_argument("--sample", type=int, default=0, help="with --all-gemeenten: about this many")
    args = parser.parse_args()
    if args.all_gemeenten:
        return all_gemeenten(Period.parse_month(args.month), args.sample)
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    gemeente = Gemeente.objects.get(code=args.gemeente)
    period = Period.parse_month(args.month)
    trajectories = Trajectory.objects.filter(child__gemeente=gemeente).count()
    print(f"{gemeente} {period.label}: {trajectories} trajecten, database {connection.vendor}")

    with CaptureQueriesContext(connection) as report_queries:
        report_build(gemeente, period)
    report_query_count = len(report_queries)  # read now: each request of the test client empties the log
    one_month = timed(lambda: month_figures(gemeente, period), args.repeat)
    report = timed(lambda: report_build(gemeente, period), args.repeat)
    built = report_build(gemeente, period)

    def build_email():
        built.email_images = None  # render the charts each time, as the first recipient does
        report_email(built, to="x@example.nl", subscription_pk=None).message()

    mail = timed(build_email, args.repeat)

    user = User.objects.filter(role=Role.BELEID, gemeenten=gemeente).first()
    client = Client()
    client.force_login(user)
    url = f"{reverse('reports:dashboard')}?gemeente={gemeente.code}&maand={period.key}"
    client.get(url)
    with CaptureQueriesContext(connection) as page_queries:
        assert client.get(url).status_code == 200
    page_query_count = len(page_queries)
    page = timed(lambda: client.get(url), args.repeat)

    print(f"  KPI's van één maand           {one_month * 1000:7.0f} ms")
    print(f"  rapport (maand + 12 ervoor)   {report * 1000:7.0f} ms  ({report_query_count} queries)")
    print(f"  dashboardpagina               {page * 1000:7.0f} ms  ({page_query_count} queries)")
    print(f"  e-mail opbouwen (4 PNG + CSV) {mail * 1000:7.0f} ms  (rapport al berekend)")


def all_gemeenten(period, sample=0):
    everyone = list(Gemeente.objects.order_by("code"))
    gemeenten = everyone[:: max(len(everyone) // sample, 1)] if sample else everyone
    trajectories = Trajectory.objects.count()
    print(f"{len(gemeenten)} gemeenten, {trajectories} trajecten, {period.label}, database {connection.vendor}")
    timings = []
    started = time.perf_counter()
    for gemeente in gemeenten:
        start = time.perf_counter()
        report_build(gemeente, period)
        timings.append((time.perf_counter() - start, gemeente.code))
    total = time.perf_counter() - started
    slowest = max(timings)
    if sample:
        print(
            f"  steekproef van {len(gemeenten)}; geschat voor alle {len(everyone)}: "
            f"{total / len(gemeenten) * len(everyone) / 60:.0f} min"
        )
    print(
        f"  totaal {total:.0f} s; per gemeente mediaan {statistics.median(t for t, _ in timings) * 1000:.0f} ms, "
        f"traagste {slowest[0] * 1000:.0f} ms ({slowest[1]})"
    )


if __name__ == "__main__":
    main()
