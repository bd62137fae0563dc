"""Every KPI of every gemeente for 13 months (issue 14): the per-gemeente path, the grouped pass, and a
hand-written SQL floor, checked figure for figure.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jr_national .venv/bin/python scripts/benchmark_snapshot.py \
        [--month 2026-11] [--sample 20]

(a) the app's per-gemeente path: figures_by_month(gemeente, 13 months) for each gemeente, one after the other.
    With --sample N only N gemeenten (spread over small and large) are timed and the time for all is
    extrapolated (said so in the output); --sample 0 runs all of them.
(b) figures_for_gemeenten(all gemeente ids, 13 months): every KPI family grouped by gemeente.
(c) the SQL floor: plain statements grouped by gemeente and month for the families listed in FLOOR_FAMILIES
    (not every figure: see the output). (b) is also timed on that same subset of families, so the ratio to
    the floor compares like with like.
Checks: (b) equals (c) on every figure the floor computes, and (b) equals (a) on every report row
(reports.figures.report_figures) of the sampled gemeenten. Mismatches are printed.
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

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cases.codes import EndReason  # noqa: E402
from cases.models import Gemeente  # noqa: E402
from reports import kpis  # noqa: E402
from reports.figures import report_figures  # noqa: E402
from reports.kpis import Period  # noqa: E402
from reports.kpis.flow import CRISIS_CATEGORY  # noqa: E402
from reports.kpis.outcomes import PREMATURE_END_REASONS  # noqa: E402
from reports.kpis.query import money  # noqa: E402
from reports.report import TREND_MONTHS, KpiReport, figures_by_month, figures_for_gemeenten  # noqa: E402

# Months of the window: (first, last) per month, as a CTE every floor statement joins.
MONTHS = """WITH m AS (SELECT d::date AS first, (d + interval '1 month' - interval '1 day')::date AS last
                      FROM generate_series(%(first)s::date, %(last)s::date, interval '1 month') d)"""

# name -> (SQL returning gemeente_id, month first day, value columns; the app's values for one MonthFigures)
FLOOR = {
    "inflow": (
        MONTHS
        + """
        SELECT c.gemeente_id, m.first, count(*),
               count(DISTINCT t.child_id) FILTER (WHERE NOT EXISTS (
                   SELECT 1 FROM cases_trajectory o WHERE o.child_id = t.child_id AND o.start_date <= m.first - 1
                   AND (o.end_date IS NULL OR o.end_date >= m.first - 1))),
               count(*) FILTER (WHERE p.category = %(crisis)s)
        FROM m JOIN cases_trajectory t ON t.start_date BETWEEN m.first AND m.last
        JOIN cases_child c ON c.id = t.child_id JOIN cases_product p ON p.id = t.product_id
        GROUP BY 1, 2""",
        lambda f: (f.inflow.trajectories, f.inflow.youths, f.inflow.crisis),
    ),
    "outflow": (
        MONTHS
        + """
        SELECT c.gemeente_id, m.first, count(*),
               count(DISTINCT t.child_id) FILTER (WHERE NOT EXISTS (
                   SELECT 1 FROM cases_trajectory o WHERE o.child_id = t.child_id AND o.start_date <= m.last
                   AND (o.end_date IS NULL OR o.end_date > m.last)))
        FROM m JOIN cases_trajectory t ON t.end_date BETWEEN m.first AND m.last
        JOIN cases_child c ON c.id = t.child_id
        GROUP BY 1, 2""",
        lambda f: (f.outflow.trajectories, f.outflow.youths),
    ),
    "in_care": (
        MONTHS
        + """
        SELECT c.gemeente_id, m.first, count(DISTINCT t.child_id),
               count(DISTINCT t.child_id) FILTER (WHERE c.birth_date > (m.last - interval '18 years')::date)
        FROM m JOIN cases_trajectory t ON t.actual_start_date <= m.last
                                       AND (t.end_date IS NULL OR t.end_date >= m.first)
        JOIN cases_child c ON c.id = t.child_id
        GROUP BY 1, 2""",
        lambda f: (f.in_care.youths, f.in_care.youths_under_18),
    ),
    "end_reasons": (
        MONTHS
        + """
        SELECT c.gemeente_id, m.first, count(*), count(*) FILTER (WHERE t.end_reason = %(as_planned)s),
               count(*) FILTER (WHERE t.end_reason = ANY(%(premature)s))
        FROM m JOIN cases_trajectory t ON t.end_date BETWEEN m.first AND m.last
        JOIN cases_child c ON c.id = t.child_id
        GROUP BY 1, 2""",
        lambda f: (f.end_reasons.ended, f.end_reasons.as_planned, f.end_reasons.premature),
    ),
    "outside_budget": (
        MONTHS
        + """
        SELECT c.gemeente_id, m.first, count(*), count(*) FILTER (WHERE t.start_date BETWEEN m.first AND m.last),
               sum(t.daily_cost * greatest(0, least(coalesce(t.end_date, m.last), m.last)
                                              - greatest(t.start_date, m.first) + 1))
        FROM m JOIN cases_trajectory t ON t.outside_budget AND t.start_date <= m.last
                                       AND (t.end_date IS NULL OR t.end_date >= m.first)
        JOIN cases_child c ON c.id = t.child_id
        GROUP BY 1, 2""",
        lambda f: (f.outside_budget.trajectories, f.outside_budget.started, f.outside_budget.cost),
    ),
    "declared": (
        MONTHS
        + """
        SELECT c.gemeente_id, m.first, sum(d.amount),
               coalesce(sum(d.approved_amount) FILTER (WHERE d.status = 'approved'), 0),
               coalesce(sum(d.amount) FILTER (WHERE d.status = 'rejected'), 0),
               coalesce(sum(d.amount) FILTER (WHERE d.status = 'submitted'), 0)
        FROM m JOIN cases_declaration d ON d.month BETWEEN m.first AND m.last
        JOIN cases_trajectory t ON t.id = d.trajectory_id JOIN cases_child c ON c.id = t.child_id
        GROUP BY 1, 2""",
        lambda f: (f.declared.declared, f.declared.approved, f.declared.rejected, f.declared.open),
    ),
    "flags": (
        MONTHS
        + """
        SELECT f.gemeente_id, m.first, count(*) FILTER (WHERE (f.raised_at AT TIME ZONE %(tz)s)::date
                                                               BETWEEN m.first AND m.last),
               count(*) FILTER (WHERE (f.resolved_at AT TIME ZONE %(tz)s)::date BETWEEN m.first AND m.last)
        FROM m JOIN cases_flag f ON (f.raised_at AT TIME ZONE %(tz)s)::date BETWEEN m.first AND m.last
                                 OR (f.resolved_at AT TIME ZONE %(tz)s)::date BETWEEN m.first AND m.last
        GROUP BY 1, 2""",
        lambda f: (f.flags.raised, f.flags.resolved),
    ),
    "lead_time": (
        MONTHS
        + """
        SELECT c.gemeente_id, m.first, count(*), count(r.working_days),
               count(*) FILTER (WHERE r.working_days <= %(norm)s)
        FROM m JOIN referrals_allocationrequest r ON r.requested_on BETWEEN m.first AND m.last
        JOIN cases_child c ON c.id = r.child_id
        GROUP BY 1, 2""",
        lambda f: (f.lead_time.requests, f.lead_time.answered, f.lead_time.within_norm),
    ),
}

# The grouped forms of the same families, to time (b) on the floor's subset.
FLOOR_FAMILIES = {
    "inflow": kpis.inflow_by_gemeente,
    "outflow": kpis.outflow_by_gemeente,
    "in_care": kpis.youths_in_care_by_gemeente,
    "end_reasons": kpis.end_reasons_by_gemeente,
    "outside_budget": kpis.outside_budget_by_gemeente,
    "declared": kpis.declared_vs_allocated_by_gemeente,
    "flags": kpis.flags_by_gemeente,
    "lead_time": kpis.allocation_lead_time_by_gemeente,
}


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def floor(periods: list[Period]) -> tuple[dict, float, int]:
    """(family, gemeente id, month first day) -> values; seconds; statements."""
    from referrals.models import ANSWER_WORKING_DAYS

    params = {
        "first": periods[0].start,
        "last": periods[-1].start,
        "crisis": CRISIS_CATEGORY,
        "as_planned": str(EndReason.AS_PLANNED),
        "premature": [str(code) for code in PREMATURE_END_REASONS],
        "tz": settings.TIME_ZONE,
        "norm": ANSWER_WORKING_DAYS,
    }
    values = {}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for family, (sql, _app) in FLOOR.items():
            cursor.execute(sql, params)
            for gemeente_id, month, *row in cursor.fetchall():
                if family == "outside_budget":  # to the cent as the app rounds (Decimal, half to even)
                    row[-1] = money(row[-1])
                values[family, gemeente_id, month] = tuple(row)
    return values, time.perf_counter() - started, len(FLOOR)


def compare_floor(grouped: dict, values: dict, periods: list[Period]) -> int:
    mismatches = 0
    for gemeente_id, months in grouped.items():
        for figures in months:
            for family, (_sql, app) in FLOOR.items():
                mine = app(figures)
                theirs = values.get((family, gemeente_id, figures.period.start))
                if theirs is None:
                    theirs = tuple(0 for _ in mine)
                if tuple(mine) != tuple(theirs):
                    mismatches += 1
                    if mismatches <= 10:
                        where = f"{family} gemeente {gemeente_id} {figures.period.key}"
                        print(f"  VERSCHIL {where}: app {mine} vloer {theirs}")
    return mismatches


def report_rows(gemeente: Gemeente, months) -> list:
    report = KpiReport(gemeente=gemeente, period=months[-1].period, months=months)
    return [(f.key, f.breakdown, f.values) for f in report_figures(report)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--month", default=Period.last_complete_month().key)
    parser.add_argument("--sample", type=int, default=20, help="gemeenten for (a); 0 = all")
    args = parser.parse_args()
    periods = Period.parse_month(args.month).with_months_before(TREND_MONTHS)
    gemeenten = list(Gemeente.objects.order_by("pk"))
    ids = [g.pk for g in gemeenten]
    print(
        f"{len(gemeenten)} gemeenten × {len(periods)} maanden ({periods[0].key} t/m {periods[-1].key}); load {load()}"
    )

    # (c) the floor, twice: the first run warms the cache for all three paths.
    floor(periods)
    values, c_seconds, c_queries = floor(periods)
    print(f"(c) SQL-vloer ({', '.join(FLOOR)}): {c_seconds:.1f} s, {c_queries} statements; load {load()}")

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        for grouped_form in FLOOR_FAMILIES.values():
            grouped_form(ids, periods)
        b_subset = time.perf_counter() - started
    print(f"(b) dezelfde families gegroepeerd: {b_subset:.1f} s, {len(queries)} queries; load {load()}")

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        grouped = figures_for_gemeenten(ids, periods)
        b_seconds = time.perf_counter() - started
    print(f"(b) figures_for_gemeenten, alle KPI's: {b_seconds:.1f} s, {len(queries)} queries; load {load()}")

    if args.sample and args.sample < len(gemeenten):
        step = len(gemeenten) / args.sample
        sample = [gemeenten[int(i * step)] for i in range(args.sample)]
    else:
        sample = gemeenten
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        alone = {g.pk: figures_by_month(g, periods) for g in sample}
        a_sample = time.perf_counter() - started
    a_seconds = a_sample * len(gemeenten) / len(sample)
    note = "" if len(sample) == len(gemeenten) else f" (GESCHAT: {len(sample)} gemeenten gemeten in {a_sample:.1f} s)"
    print(
        f"(a) figures_by_month per gemeente: {a_seconds:.1f} s voor alle{note}, {len(queries)} queries; load {load()}"
    )

    floor_mismatches = compare_floor(grouped, values, periods)
    sample_mismatches = 0
    for g in sample:
        if report_rows(g, grouped[g.pk]) != report_rows(g, alone[g.pk]) or grouped[g.pk] != alone[g.pk]:
            sample_mismatches += 1
            print(f"  VERSCHIL (a)/(b) bij gemeente {g.pk} {g.name}")
    print(f"Controle (b) = (c): {floor_mismatches} verschillen in {len(grouped) * len(periods) * len(FLOOR)} waarden")
    print(f"Controle (b) = (a): {sample_mismatches} gemeenten met een verschil van {len(sample)}")
    print(f"Verhouding (b)/(c) op dezelfde families: {b_subset / c_seconds:.2f}×")
    print(f"Verhouding (a)/(b): {a_seconds / b_seconds:.1f}× (alle KPI's)")
    print(f"load {load()}")


if __name__ == "__main__":
    main()
