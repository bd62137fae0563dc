"""Where the all-gemeenten KPI pass spends its time: each grouped KPI family timed on its own.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jr_national \
        python scripts/benchmark_kpi_families.py [--month 2026-11]

Runs every form in reports.report.GROUPED for all gemeenten and the month with the 12 before it, one after
the other, and prints seconds per family (wall clock, and this process's CPU: the Python side, which a
busy machine inflates less than the wall clock), the total and the load average.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeugdregie.settings_test")

import django  # noqa: E402

django.setup()

from cases.models import Gemeente  # noqa: E402
from reports.kpis import Period  # noqa: E402
from reports.report import GROUPED  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--month", default=Period.last_complete_month().key)
    args = parser.parse_args()
    ids = list(Gemeente.objects.values_list("pk", flat=True))
    periods = Period.parse_month(args.month).with_months_before(12)
    print(f"{len(ids)} gemeenten × {len(periods)} maanden; load {os.getloadavg()[0]:.1f}")
    total = total_cpu = 0.0
    for name, grouped_form in GROUPED.items():
        start, start_cpu = time.perf_counter(), time.process_time()
        grouped_form(ids, periods)
        seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        total += seconds
        total_cpu += cpu
        print(f"  {name:18s} {seconds:7.1f} s  (Python-CPU {cpu:5.1f} s)", flush=True)
    print(f"  {'totaal':18s} {total:7.1f} s  (Python-CPU {total_cpu:5.1f} s); load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
