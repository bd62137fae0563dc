"""A national-scale data set on PostgreSQL for the flag and KPI benchmarks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jr_national python scripts/national_dataset.py \
        [--gemeenten 340] [--children 500000] [--trajectories 1000000] [--seed 0.42]

Migrates the database named by DATABASE_URL, empties the case tables and fills them in a few
set-based INSERT ... SELECT statements (generate_series), so a million trajectories take about a
minute rather than hours through the ORM. Gemeenten differ in size (a few large cities, many small
towns), children live in households (about 1.25 per household, so siblings stack), every trajectory
has its referral with a source in roughly the national shares, and about 60% of the trajectories
have ended; every fourth gemeente has taakgerichte contracts (segments 3 and 4), and the last six months
have declarations (JW323/JW325). No history rows: the benchmarks measure the computed flags and KPIs, not history.
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
    "cases_declaration",
    "cases_indicativecost",
    "cases_taskcontract",
    "cases_task",
    "cases_decision",
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
        INSERT INTO cases_household (gemeente_id, name, postcode, house_number, city, created_at)
        SELECT (SELECT min(id) FROM cases_gemeente) + floor(%(gemeenten)s * power(random(), 2))::int,
               'Gezin ' || h, '', '', '', now()
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
            outside_budget, outside_budget_reason, allocation_number, version, created_at,
            above_norm_reason, bridging_care, actual_start_date)
        SELECT d.child_id, d.referral_id, pv.id, p.id, d.start_date, d.start_date + d.planned_days,
               CASE WHEN ended THEN d.start_date + d.actual_days END, CASE WHEN ended THEN '02' ELSE '' END,
               d.volume, p.unit, '2', p.tariff, p.financing, coalesce(p.norm_months, sg.norm_months),
               round(p.tariff * d.volume / 7, 4),
               NOT pv.contracted, CASE WHEN pv.contracted THEN '' ELSE 'Niet-gecontracteerde aanbieder' END,
               '', 1, now(), '', '', d.start_date
        FROM drawn d
        CROSS JOIN LATERAL (SELECT d.may_end AND d.start_date + d.actual_days < current_date AS ended) e
        JOIN cases_provider pv ON pv.id = d.provider_id
        JOIN cases_product p ON p.id = (SELECT ids[d.product_no] FROM products)
        JOIN cases_segment sg ON sg.id = p.segment_id""",
    ),
    (
        "verlengingen",
        """
        INSERT INTO cases_extension (trajectory_id, requested_end_date, reason, above_norm_reason, requested_at,
                                     status, granted_end_date, decision_reason, decided_at)
        SELECT t.id, t.planned_end_date + 180, 'Doelen nog niet bereikt', '', (t.planned_end_date - 30)::timestamptz,
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
    (
        # Taakgericht (issue 12): every fourth gemeente buys dagbesteding (3) and onderwijs-jeugdhulp (4) from
        # its contracted providers as a lump sum, last year and this year: about the year's P × Q of the care
        # the provider gives there, ± 10%. Those trajectories then count by the contract's payments, not P × Q.
        "contracten",
        """
        INSERT INTO cases_taskcontract (gemeente_id, provider_id, segment_id, year, amount, payment_schedule,
                                        cost_basis)
        SELECT gemeente_id, provider_id, segment_id, year,
               round(greatest(1000, pq) * (0.9 + 0.2 * random())::numeric, 2),
               CASE WHEN gemeente_id %% 3 = 0 THEN 'quarterly' ELSE 'monthly' END, 'care_days'
        FROM (SELECT c.gemeente_id, t.provider_id, p.segment_id, y.year,
                     sum(t.daily_cost * greatest(0, least(coalesce(t.end_date, y.last), y.last)
                                                    - greatest(t.start_date, y.first) + 1)) AS pq
              FROM cases_trajectory t
              JOIN cases_child c ON c.id = t.child_id
              JOIN cases_product p ON p.id = t.product_id
              JOIN cases_segment sg ON sg.id = p.segment_id AND sg.number IN (3, 4)
              JOIN cases_provider pv ON pv.id = t.provider_id AND pv.contracted
              CROSS JOIN LATERAL (
                  SELECT yr AS year, make_date(yr, 1, 1) AS first, make_date(yr, 12, 31) AS last
                  FROM generate_series(extract(year FROM current_date)::int - 1,
                                       extract(year FROM current_date)::int) yr) y
              WHERE c.gemeente_id %% 4 = 0 AND t.daily_cost IS NOT NULL
                AND t.start_date <= y.last AND (t.end_date IS NULL OR t.end_date >= y.first)
              GROUP BY 1, 2, 3, 4) s""",
    ),
    (
        # Declarations (issue 12), as demo/declarations.py: one debit line per P × Q trajectory (not under a
        # contract) per month it ran in the last six complete months; one in five under-delivers (60-85%),
        # the rest 92-100%. Earlier months answered (3% rejected, retourcode 0611); the last month answered
        # by two providers in three.
        "declaraties",
        """
        INSERT INTO cases_declaration (trajectory_id, provider_id, month, period_start, period_end, volume, unit,
            debit_credit, amount, reference, declaration_number, message_id, source, status, approved_amount,
            answer_codes)
        SELECT l.trajectory_id, l.provider_id, l.month, l.begin_date, l.end_date, l.volume, l.unit, 'D',
               round(l.volume * l.tariff, 2), 'NL' || l.trajectory_id || '-' || to_char(l.month, 'YYYYMM'),
               'D' || to_char(l.month, 'YYYYMM'), '9' || to_char(l.month, 'YYYYMM'), 'ijw',
               CASE WHEN NOT l.answered THEN 'submitted' WHEN l.rejected THEN 'rejected' ELSE 'approved' END,
               CASE WHEN NOT l.answered THEN NULL WHEN l.rejected THEN 0 ELSE round(l.volume * l.tariff, 2) END,
               CASE WHEN l.answered AND l.rejected THEN '0611' ELSE '' END
        FROM (SELECT t.id AS trajectory_id, t.provider_id, m.month, b.begin_date, b.end_date, t.unit, t.tariff,
                     round(t.daily_cost * (b.end_date - b.begin_date + 1)
                           * CASE WHEN t.id %% 5 = 0 THEN 0.60 + 0.25 * random()
                                  ELSE 0.92 + 0.08 * random() END::numeric
                           / t.tariff, 2) AS volume,
                     m.month < last.month OR t.provider_id %% 3 <> 0 AS answered,
                     m.month < last.month AND random() < 0.03 AS rejected
              FROM cases_trajectory t
              JOIN cases_child c ON c.id = t.child_id
              JOIN cases_product p ON p.id = t.product_id
              CROSS JOIN (SELECT (date_trunc('month', current_date) - interval '1 month')::date AS month) last
              CROSS JOIN LATERAL (
                  SELECT (last.month - make_interval(months => k))::date AS month FROM generate_series(0, 5) k) m
              CROSS JOIN LATERAL (
                  SELECT greatest(m.month, t.start_date) AS begin_date,
                         least((m.month + interval '1 month' - interval '1 day')::date,
                               coalesce(t.end_date, current_date), t.planned_end_date) AS end_date) b
              WHERE t.daily_cost IS NOT NULL AND t.tariff > 0 AND b.end_date >= b.begin_date
                AND t.start_date < last.month + interval '1 month' AND (t.end_date IS NULL OR t.end_date >= m.month)
                AND NOT EXISTS (SELECT 1 FROM cases_taskcontract k
                                WHERE k.gemeente_id = c.gemeente_id AND k.provider_id = t.provider_id
                                  AND k.segment_id = p.segment_id AND k.year = extract(year FROM m.month))) l
        WHERE l.volume > 0""",
    ),
]

# Mijn werk (issue 10). Users are named nl-<role>-<gemeente id>-<n>; a rebuild keeps those it made before
# (their access log and digests refer to them) and adds what is missing.
# No % parameters in these statements: they run without params, so a literal % is a plain modulo.
WORK_STEPS = [
    (
        "oude werkdata",
        "DELETE FROM cases_task; DELETE FROM cases_decision;"
        " UPDATE cases_child SET owner_id = NULL WHERE owner_id IS NOT NULL",
    ),
    # One toegangsmedewerker per ~150 children of the gemeente; one regisseur and one toets each.
    (
        "medewerkers",
        """
        INSERT INTO cases_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                                is_active, date_joined, role, daily_digest)
        SELECT '!', false, 'nl-' || role || '-' || gemeente_id || '-' || n, 'Medewerker', role || ' ' || n,
               'nl-' || role || '-' || gemeente_id || '-' || n || '@example.nl', false, true, now(), role, true
        FROM (SELECT gemeente_id, count(*) AS children FROM cases_child GROUP BY gemeente_id) c
        CROSS JOIN LATERAL (SELECT 'toegang' AS role, generate_series(1, greatest(1, ceil(c.children / 150.0)::int)) n
                            UNION ALL SELECT 'regisseur', 1 UNION ALL SELECT 'toets', 1) r
        ON CONFLICT (username) DO NOTHING""",
    ),
    (
        "gemeenten",
        """
        INSERT INTO cases_user_gemeenten (user_id, gemeente_id)
        SELECT id, split_part(username, '-', 3)::bigint FROM cases_user WHERE username LIKE 'nl-%'
        ON CONFLICT DO NOTHING""",
    ),
    # Caseloads skewed (power 1.3: the first workers of a team carry more), 3% unassigned.
    (
        "casusregisseurs",
        """
        WITH workers AS (
            SELECT ug.gemeente_id, u.id AS user_id,
                   row_number() OVER (PARTITION BY ug.gemeente_id ORDER BY u.id) - 1 AS k
            FROM cases_user u JOIN cases_user_gemeenten ug ON ug.user_id = u.id
            WHERE u.role = 'toegang' AND u.username LIKE 'nl-%'),
        teams AS (SELECT gemeente_id, count(*) AS n FROM workers GROUP BY gemeente_id),
        kids AS (SELECT c.id, c.gemeente_id, floor(t.n * power(random(), 1.3))::int AS k, random() < 0.03 AS none
                 FROM cases_child c JOIN teams t USING (gemeente_id))
        UPDATE cases_child c SET owner_id = w.user_id
        FROM kids JOIN workers w ON w.gemeente_id = kids.gemeente_id AND w.k = kids.k
        WHERE c.id = kids.id AND NOT kids.none""",
    ),
    # Tasks for ~5% of the children, due from 60 days ago to 90 days ahead; 80% for the child's
    # worker, 10% for the toegang team, 10% from a decision for the regisseur; 15% already done.
    (
        "taken",
        """
        INSERT INTO cases_task (child_id, gemeente_id, kind, title, due_date, owner_id, owner_role, status,
                                cancel_reason, origin, key, created_at, closed_at)
        SELECT c.id, c.gemeente_id,
               CASE WHEN r < 0.9 THEN 'contact' ELSE 'besluit' END,
               CASE WHEN r < 0.9 THEN 'Contact met het gezin' ELSE 'Besluit uitvoeren' END,
               current_date - 60 + floor(random() * 150)::int,
               CASE WHEN r < 0.8 THEN c.owner_id END,
               CASE WHEN r < 0.8 AND c.owner_id IS NOT NULL THEN '' WHEN r < 0.9 THEN 'toegang' ELSE 'regisseur' END,
               CASE WHEN done THEN 'done' ELSE 'open' END, '',
               CASE WHEN r < 0.9 THEN 'handmatig' ELSE 'besluit' END, '', now(), CASE WHEN done THEN now() END
        FROM (SELECT id, gemeente_id, owner_id, random() AS r, random() < 0.15 AS done, random() < 0.05 AS drawn
              FROM cases_child) c
        WHERE c.drawn""",
    ),
    # Decisions on ~1% of the children (a fifth of them with an earlier one), by the gemeente's regisseur.
    (
        "besluiten",
        """
        INSERT INTO cases_decision (child_id, gemeente_id, kind, reason, follow_up_date, actor, decided_by_id,
                                    decided_at, cost_at_decision, flag_codes, end_reason)
        SELECT c.id, c.gemeente_id,
               (ARRAY['continue', 'scale_down', 'end', 'wlz', 'escalate', 'case_meeting'])
                   [1 + floor(random() * 6)::int],
               'Besproken in het regieoverleg', current_date - 30 + floor(random() * 120)::int, 'Toegang',
               u.id, now() - make_interval(days => floor(random() * 120)::int + 30 * v), 0, '', ''
        FROM (SELECT id, gemeente_id FROM cases_child WHERE random() < 0.01) c
        CROSS JOIN LATERAL generate_series(0, CASE WHEN random() < 0.2 THEN 1 ELSE 0 END) v
        JOIN cases_user u ON u.username = 'nl-regisseur-' || c.gemeente_id || '-1'""",
    ),
    # Waiting children (0.3%): active wachttijd signals, norm 6 weeks, referred 7 to 16 weeks ago. The
    # signalering (manage.py evaluate_flags) would make them too, but takes long on a fresh set.
    (
        "wachtenden",
        """
        DELETE FROM cases_flag WHERE code = 'wachttijd';
        INSERT INTO cases_flag (gemeente_id, child_id, code, subject_key, norm, reference_date, detail, firing,
                                active, raised_at, reason, resolution_note)
        SELECT gemeente_id, id, 'wachttijd', 0, 6, current_date - 50 - floor(random() * 60)::int, '', true,
               true, now(), '', ''
        FROM cases_child WHERE random() < 0.003""",
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


def build_work(*, seed: float) -> None:
    """Mijn werk on top of a built set: workers, owners, tasks and the regisseurs' decisions."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [seed])
        for label, sql in WORK_STEPS:
            step = time.perf_counter()
            cursor.execute(sql)
            print(f"  {label:15} {cursor.rowcount:>10,} rijen  {time.perf_counter() - step:6.1f} s", flush=True)
    with connection.cursor() as cursor:
        # The owner UPDATE leaves a dead version of every child: vacuum, or every scan reads both.
        cursor.execute("VACUUM ANALYZE cases_child")
        cursor.execute("ANALYZE")
    print(f"Mijn werk klaar in {time.perf_counter() - started:.1f} s.")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gemeenten", type=int, default=340)
    parser.add_argument("--children", type=int, default=500_000)
    parser.add_argument("--trajectories", type=int, default=1_000_000)
    parser.add_argument("--seed", type=float, default=0.42)
    parser.add_argument("--work-only", action="store_true", help="alleen de Mijn werk-stap op een gebouwde set")
    args = parser.parse_args()
    if not args.work_only:
        build(gemeenten=args.gemeenten, children=args.children, trajectories=args.trajectories, seed=args.seed)
    build_work(seed=args.seed)


if __name__ == "__main__":
    main()
