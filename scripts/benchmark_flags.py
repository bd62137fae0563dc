"""Benchmark of the signalering at national scale (issue 3), on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jr_bench python scripts/benchmark_flags.py [--build]

--build first fills the database with scripts/national_dataset.py (340 gemeenten, 500,000 children,
1,000,000 trajectories). Then it times:
1. the full evaluation (`cases.flags.evaluate()`, what `manage.py evaluate_flags` runs) from empty
   flags ("cold": every flag inserted) and again right after ("warm": nothing changed, nothing written);
2. the same evaluation fanned out per gemeente, as the nightly Celery run does (340 tasks, run here
   one after the other in one process);
3. the SQL floor: one hand-written statement computing the same flag rows (same rules, default
   thresholds) into a temporary table — and checks it finds exactly the rows the evaluation found;
4. the queue page (GET /regie/) for a regisseur of the largest gemeente: server time and queries.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeugdregie.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")  # the in-process test client

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

FLOOR_SQL = """
CREATE TEMPORARY TABLE flag_floor AS
WITH open_t AS (
    SELECT t.*, c.gemeente_id, c.household_id
    FROM cases_trajectory t JOIN cases_child c ON c.id = t.child_id
    WHERE t.end_date IS NULL AND t.start_date <= %(today)s
)
SELECT gemeente_id, child_id, 'duur' AS code, id AS subject_key FROM open_t
 WHERE (EXTRACT(YEAR FROM %(today)s::date) - EXTRACT(YEAR FROM start_date)) * 12
       + EXTRACT(MONTH FROM %(today)s::date) - EXTRACT(MONTH FROM start_date)
       - CASE WHEN EXTRACT(DAY FROM %(today)s::date) < EXTRACT(DAY FROM start_date) THEN 1 ELSE 0 END > norm_months
UNION ALL
SELECT gemeente_id, child_id, 'kosten', 0 FROM open_t GROUP BY gemeente_id, child_id
HAVING ROUND(SUM(daily_cost * GREATEST(%(today)s::date - start_date + 1, 0)
                 + daily_cost * GREATEST(planned_end_date - %(today)s::date, 0)), 2) > 50000
UNION ALL
SELECT o.gemeente_id, o.child_id, 'verlengingen', o.id FROM open_t o
 JOIN (SELECT trajectory_id FROM cases_extension WHERE status IN ('approved', 'shortened')
       GROUP BY trajectory_id HAVING COUNT(*) >= 2) e ON e.trajectory_id = o.id
UNION ALL
SELECT gemeente_id, child_id, 'stapeling', 0 FROM open_t GROUP BY gemeente_id, child_id HAVING COUNT(*) >= 3
UNION ALL
SELECT c.gemeente_id, c.id, 'stapeling_gezin', c.household_id FROM cases_child c
 WHERE c.household_id IN (SELECT household_id FROM open_t GROUP BY household_id HAVING COUNT(*) >= 4)
   AND c.id IN (SELECT child_id FROM open_t)
UNION ALL
SELECT c.gemeente_id, r.child_id, 'wachttijd', r.id FROM referrals_referral r JOIN cases_child c ON c.id = r.child_id
 WHERE r.outcome IN ('', 'specialised') AND r.date < %(today)s::date - 56
   AND NOT EXISTS (SELECT 1 FROM cases_trajectory t WHERE t.referral_id = r.id AND t.start_date <= %(today)s)
UNION ALL
SELECT gemeente_id, child_id, 'einddatum', id FROM open_t WHERE planned_end_date < %(today)s
UNION ALL
SELECT o.gemeente_id, o.child_id, 'review', s.id FROM cases_stopreview s JOIN open_t o ON o.id = s.trajectory_id
 WHERE s.done_date IS NULL AND s.due_date < %(today)s
UNION ALL
SELECT c.gemeente_id, c.id, '18plus', 0 FROM cases_child c
 WHERE c.birth_date <= (%(today)s::date + INTERVAL '6 months' - INTERVAL '18 years')::date
   AND c.id IN (SELECT child_id FROM open_t)
UNION ALL
SELECT gemeente_id, child_id, 'buiten_budget', id FROM open_t WHERE outside_budget
UNION ALL
SELECT o.gemeente_id, o.child_id, 'verblijf', o.id FROM open_t o
 JOIN cases_product p ON p.id = o.product_id JOIN cases_segment sg ON sg.id = p.segment_id
 WHERE sg.is_residential OR p.with_stay
"""


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def sql_floor(today):
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS flag_floor")
        _, seconds = timed(lambda: cursor.execute(FLOOR_SQL, {"today": today}))
        cursor.execute(
            "SELECT COUNT(*), (SELECT COUNT(*) FROM (SELECT child_id, code, subject_key FROM flag_floor EXCEPT "
            "SELECT child_id, code, subject_key FROM cases_flag WHERE firing) x), "
            "(SELECT COUNT(*) FROM (SELECT child_id, code, subject_key FROM cases_flag WHERE firing AND code <> "
            "'handmatig' EXCEPT SELECT child_id, code, subject_key FROM flag_floor) y) FROM flag_floor"
        )
        rows, only_floor, only_app = cursor.fetchone()
        cursor.execute("DROP TABLE flag_floor")
    return seconds, rows, only_floor, only_app


def queue_page(gemeente):
    from cases.models import Role, User

    user, _ = User.objects.get_or_create(username="bench_regisseur", defaults={"role": Role.REGISSEUR})
    user.gemeenten.set([gemeente])
    client = Client()
    client.force_login(user)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_flag")  # as autovacuum would after the bulk load
    url = f"/regie/?gemeente={gemeente.code}"
    client.get(url)  # warm up
    times, queries = [], 0
    for _ in range(7):
        with CaptureQueriesContext(connection) as ctx:
            response, seconds = timed(lambda: client.get(url))
        assert response.status_code == 200, response.status_code
        times.append(seconds)
        queries = len(ctx.captured_queries)
    return statistics.median(times), queries, response.content.count(b"#signalen\"")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", action="store_true", help="first fill the database with the national data set")
    parser.add_argument("--page-only", action="store_true", help="only time the queue page (flags already there)")
    parser.add_argument("--fanout-sample", type=int, default=20, help="gemeenten to time one by one (0: skip)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Dit script is voor PostgreSQL (zet DATABASE_URL).")
    if args.build:
        from national_dataset import build

        build(gemeenten=340, children=500_000, trajectories=1_000_000, seed=0.42)

    from cases import flags
    from cases.models import Child, Gemeente, Trajectory

    today = timezone.localdate()
    print(
        f"Data: {Gemeente.objects.count()} gemeenten, {Child.objects.count():,} jeugdigen, "
        f"{Trajectory.objects.count():,} trajecten, "
        f"{Trajectory.objects.filter(end_date__isnull=True).count():,} lopend; peildatum {today}"
    )
    if args.page_only:
        return page_figures()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE cases_flag")
    cold, cold_s = timed(flags.evaluate)
    print(f"Volledige evaluatie, koud (alles nieuw):   {cold_s:6.1f} s  {cold.candidates:,} signalen")
    warm, warm_s = timed(flags.evaluate)
    print(f"Volledige evaluatie, warm (niets veranderd): {warm_s:6.1f} s  {warm.upserted} geschreven")
    floor_s, floor_rows, only_floor, only_app = sql_floor(today)
    print(
        f"SQL-ondergrens (zelfde rijen, één statement): {floor_s:6.1f} s  {floor_rows:,} rijen; "
        f"verschil met de app: {only_floor} alleen in SQL, {only_app} alleen in de app"
    )
    print(f"Verhouding koud/ondergrens {cold_s / floor_s:.2f}×, warm/ondergrens {warm_s / floor_s:.2f}×")
    if args.fanout_sample:
        codes = list(Gemeente.objects.order_by("code").values_list("code", flat=True))
        sample = codes[:: max(len(codes) // args.fanout_sample, 1)][: args.fanout_sample]
        _, fan_s = timed(lambda: [flags.evaluate_gemeente(code) for code in sample])
        print(f"Per gemeente (zoals de nachtelijke taken): {len(sample)} gemeenten in {fan_s:.1f} s, "
              f"{fan_s / len(sample):.2f} s per gemeente; alle {len(codes)} op één worker ≈ "
              f"{fan_s / len(sample) * len(codes):.0f} s")
    page_figures()


def page_figures():
    from cases.models import Gemeente

    largest = Gemeente.objects.annotate(n=Count("children")).order_by("-n").first()
    seconds, queries, rows = queue_page(largest)
    print(
        f"Wachtrij /regie/ voor {largest.name} ({largest.n:,} jeugdigen): {seconds * 1000:.0f} ms mediaan, "
        f"{queries} queries, {rows} casussen"
    )


if __name__ == "__main__":
    main()
