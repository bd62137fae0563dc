"""A national-scale data set on PostgreSQL for the flag and KPI benchmarks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jr_national python scripts/national_dataset.py \
        [--gemeenten 340] [--children 500000] [--trajectories 1000000] [--seed 0.42]

Migrates the database named by DATABASE_URL, empties the case tables and fills them in a few
set-based INSERT ... SELECT statements (generate_series), so a million trajectories take about a
minute rather than hours through the ORM. Gemeenten differ in size (a few large cities, many small
towns), children live in households (about 1.25 per household, so siblings stack), every trajectory
has its referral with a source in roughly the national shares, and about 60% of the trajectories
have ended. No history rows: the benchmarks measure the computed flags and KPIs, not history.
The gemeente codes are 5001-5340: fictional, like the demo's 9901/9902.
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

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

CASE_TABLES = [
    "cases_caseaccesslog",
    "cases_stopreview",
    "cases_extension",
    "cases_trajectory",
    "referrals_referral",
    "cases_child",
    "cases_household",
    "cases_provider",
    "cases_segmentbudget",
    "cases_youthpopulation",
    "cases_user_gemeenten",
    "cases_gemeente",
]

# (ReferrerType code, cumulative share): huisarts 25.5, POH-Jeugd 10, gemeente 31.3, zelf 15.1, GI 9.3,
# medisch specialist 4.8, jeugdarts 2.8, rest (rechter) — the national shares of DOMAIN.md §5.
SOURCE_CASE = """CASE
    WHEN r < 0.255 THEN '02' WHEN r < 0.355 THEN '02P' WHEN r < 0.668 THEN '01' WHEN r < 0.819 THEN '06'
    WHEN r < 0.912 THEN '04' WHEN r < 0.960 THEN '05' WHEN r < 0.988 THEN '03' ELSE '08' END"""

STEPS = [
    (
        "gemeenten",
        """
        INSERT INTO cases_gemeente (code, name)
        SELECT (5000 + g)::text, 'Landgemeente ' || g FROM generate_series(1, %(gemeenten)s) g""",
    ),
    (
        "jeugdpopulatie",
        """
        INSERT INTO cases_youthpopulation (gemeente_id, year, count)
        SELECT g.id, y, greatest(800, (%(children)s * 7.0 / %(gemeenten)s) * (1 + (g.id %% 17) / 4.0))::int
        FROM cases_gemeente g, generate_series(2021, extract(year FROM current_date)::int) y""",
    ),
    (
        "aanbieders",
        """
        INSERT INTO cases_provider (agb_code, name, contracted)
        SELECT lpad((73000000 + p)::text, 8, '0'), 'Aanbieder ' || p, p %% 12 <> 0 FROM generate_series(1, 600) p""",
    ),
    (
        "tarieven",
        """
        UPDATE cases_product SET tariff = 40 + (id %% 23) * 9.5
        WHERE financing <> 'taak' AND (tariff IS NULL OR tariff = 0)""",
    ),
    # Gemeente sizes are skewed (power 2): a few big cities, a long tail of small towns.
    (
        "huishoudens",
        """
        INSERT INTO cases_household (gemeente_id, name, created_at)
        SELECT (SELECT min(id) FROM cases_gemeente) + floor(%(gemeenten)s * power(random(), 2))::int,
               'Gezin ' || h, now()
        FROM generate_series(1, (%(children)s / 1.25)::int) h""",
    ),
    (
        "jeugdigen",
        """
        INSERT INTO cases_child (gemeente_id, household_id, first_name, name_prefix, last_name, birth_date,
                                 external_reference, created_at)
        SELECT h.gemeente_id, h.id, 'Kind' || c, '', 'Achternaam' || (c %% 5000),
               current_date - (365 * 2 + floor(random() * 365 * 16))::int, '', now()
        FROM generate_series(1, %(children)s) c
        JOIN cases_household h ON h.id = (SELECT min(id) FROM cases_household) + (c %% (%(children)s / 1.25)::int)""",
    ),
    (
        "verwijzingen",
        """
        INSERT INTO referrals_referral (child_id, date, source, referrer_name, referrer_agb, request_category,
                                        outcome, outcome_date, created_at)
        SELECT child_id, start - (floor(random() * 70))::int, """
        + SOURCE_CASE
        + """, '', '', 'gedrag',
               'specialised', start, now()
        FROM (SELECT (SELECT min(id) FROM cases_child) + floor(random() * %(children)s)::int AS child_id,
                     date '2019-01-01' + floor(random() * (current_date - date '2019-01-01'))::int AS start,
                     random() AS r
              FROM generate_series(1, %(trajectories)s)) s""",
    ),
    (
        "trajecten",
        """
        WITH products AS (SELECT array_agg(id ORDER BY id) AS ids FROM cases_product WHERE tariff IS NOT NULL),
        drawn AS (
            SELECT r.id AS referral_id, r.child_id, r.outcome_date AS start_date,
                   90 + floor(random() * 640)::int AS planned_days, 30 + floor(random() * 900)::int AS actual_days,
                   (1 + floor(random() * 6))::numeric AS volume,
                   (SELECT min(id) FROM cases_provider) + floor(random() * 600)::int AS provider_id,
                   1 + floor(random() * (SELECT cardinality(ids) FROM products))::int AS product_no,
                   random() < 0.85 AS may_end
            FROM referrals_referral r)
        INSERT INTO cases_trajectory (child_id, referral_id, provider_id, product_id, start_date, planned_end_date,
            end_date, end_reason, volume, unit, frequency, tariff, financing, norm_months, daily_cost,
            outside_budget, outside_budget_reason, allocation_number, version, created_at)
        SELECT d.child_id, d.referral_id, pv.id, p.id, d.start_date, d.start_date + d.planned_days,
               CASE WHEN ended THEN d.start_date + d.actual_days END, CASE WHEN ended THEN '02' ELSE '' END,
               d.volume, p.unit, '2', p.tariff, p.financing, coalesce(p.norm_months, sg.norm_months),
               round(p.tariff * d.volume / 7, 4),
               NOT pv.contracted, CASE WHEN pv.contracted THEN '' ELSE 'Niet-gecontracteerde aanbieder' END,
               '', 1, now()
        FROM drawn d
        CROSS JOIN LATERAL (SELECT d.may_end AND d.start_date + d.actual_days < current_date AS ended) e
        JOIN cases_provider pv ON pv.id = d.provider_id
        JOIN cases_product p ON p.id = (SELECT ids[d.product_no] FROM products)
        JOIN cases_segment sg ON sg.id = p.segment_id""",
    ),
    (
        "verlengingen",
        """
        INSERT INTO cases_extension (trajectory_id, requested_end_date, reason, requested_at, status,
                                     granted_end_date, decision_reason, decided_at)
        SELECT t.id, t.planned_end_date + 180, 'Doelen nog niet bereikt', (t.planned_end_date - 30)::timestamptz,
               CASE WHEN pending THEN 'pending' ELSE 'approved' END,
               CASE WHEN pending THEN NULL ELSE t.planned_end_date + 180 END,
               CASE WHEN pending THEN '' ELSE 'Onderbouwd' END,
               CASE WHEN pending THEN NULL ELSE (t.planned_end_date - 20)::timestamptz END
        FROM cases_trajectory t
        -- Open trajectories asked in the last two weeks wait for the toets; the rest was granted.
        CROSS JOIN LATERAL (SELECT t.end_date IS NULL AND t.planned_end_date - 30 > current_date - 14 AS pending) q
        WHERE t.id %% 3 = 0 AND t.planned_end_date - 30 > t.start_date""",
    ),
    (
        "reviews",
        """
        INSERT INTO cases_stopreview (trajectory_id, due_date, done_date, outcome, note)
        SELECT t.id, t.start_date + 180, CASE WHEN t.id %% 2 = 0 THEN t.start_date + 175 END,
               CASE WHEN t.id %% 2 = 0 THEN 'continue' ELSE '' END, ''
        FROM cases_trajectory t WHERE t.id %% 5 = 0""",
    ),
]


def build(*, gemeenten: int, children: int, trajectories: int, seed: float) -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("Dit script is voor PostgreSQL (zet DATABASE_URL).")
    call_command("migrate", verbosity=0)
    params = {"gemeenten": gemeenten, "children": children, "trajectories": trajectories}
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [seed])
        cursor.execute("TRUNCATE " + ", ".join(CASE_TABLES) + " RESTART IDENTITY CASCADE")
        for label, sql in STEPS:
            step = time.perf_counter()
            cursor.execute(sql, params)
            print(f"  {label:15} {cursor.rowcount:>10,} rijen  {time.perf_counter() - step:6.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"Klaar in {time.perf_counter() - started:.1f} s.")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gemeenten", type=int, default=340)
    parser.add_argument("--children", type=int, default=500_000)
    parser.add_argument("--trajectories", type=int, default=1_000_000)
    parser.add_argument("--seed", type=float, default=0.42)
    args = parser.parse_args()
    build(gemeenten=args.gemeenten, children=args.children, trajectories=args.trajectories, seed=args.seed)


if __name__ == "__main__":
    main()
