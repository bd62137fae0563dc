"""Signalering at national scale: the nightly flag evaluation against its hand-written SQL floor, and the queue.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jr_national python scripts/benchmark_flags.py \
        [--runs 3] [--only cold,steady,figures,change,split,floor,queue]

Needs the data set of scripts/national_dataset.py (evaluated once, so the flags exist, unless `cold`
runs first). Parts:

cold    the first evaluation: the flag and score tables emptied and analysed empty (as on a new installation,
        where migrate made them and autovacuum or the data set's ANALYZE saw them empty), then
        `regie.flags.evaluate()` over all. Issue 14: planned as empty, the upserts re-scanned the rows they
        were inserting, 22 minutes; TRUNCATE alone (statistics unknown) had hidden it.
steady  `regie.flags.evaluate()` over all gemeenten when nothing changed since the last run.
change  shift the planned end date of 10,000 open trajectories (1%) a year later, evaluate, shift them
        back, evaluate again: both evaluations count as "after a change" (so the data ends as it began).
        The shift is a plain SQL UPDATE without history rows, as the data set itself has none.
split   the nightly fan-out as `evaluate_all` makes it: `evaluate_gemeenten` for each batch of whole
        gemeenten (FLAG_BATCH_CHILDREN children a batch), one after the other: the sum is the work
        of one worker, the slowest batch the wall time with a worker per batch.
figures the pages' stored figures of every gemeente (regie/figures.py `refresh_gemeenten`), the step that
        follows an evaluation of whole gemeenten in the nightly batches and `evaluate_flags` (not part of
        `evaluate()` and its floor: no flag depends on it).
pergemeente  (not in the default set) `evaluate_gemeente` for each gemeente, one after the other.
floor   the same candidate rows (child, rule, subject, value, norm, date, detail) for every rule with
        the default thresholds, in hand-written SQL (one INSERT ... SELECT per rule) into a temporary
        table; no ORM. Its rows per rule are checked against the flags the evaluation keeps firing,
        row for row (EXCEPT both ways), and the ratio evaluation / floor is printed.
queue   `cases.ranking.top_cases` for the largest and a small gemeente (ms and queries), and the queue
        page through Django's test client as a regisseur of that gemeente (created when missing):
        plain, filtered, and with 300 decisions keeping cases out (removed again afterwards).

Every timing runs --runs times; the median is reported with the load average beside each run. With
--slow SECONDS every statement of the evaluations slower than that is printed with its time (which rule,
upsert or score step the time goes to; EXPLAIN ANALYZE it from there).
"""

import argparse
import contextlib
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

from dateutil.relativedelta import relativedelta  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from cases.models import Gemeente  # noqa: E402
from regie import figures as regie_figures  # noqa: E402
from regie import flags  # noqa: E402
from regie.models import DEFAULT_RULES, Flag, FlagCode, FlagRule  # noqa: E402

CHANGED = 10_000
SHIFT_DAYS = 365
FLOOR = "floor_candidates"

MONTHS = """((EXTRACT(YEAR FROM {e}) - EXTRACT(YEAR FROM {s})) * 12 + EXTRACT(MONTH FROM {e})
    - EXTRACT(MONTH FROM {s}) - CASE WHEN EXTRACT(DAY FROM {e}) < EXTRACT(DAY FROM {s}) THEN 1 ELSE 0 END)::int"""
OPEN = "t.end_date IS NULL AND t.start_date <= %(today)s"
STARTED = f"{OPEN} AND t.actual_start_date <= %(today)s"  # in care: the care actually started (issue 12)
LABEL = "p.code || ' bij ' || pv.name"
# cost to date (accrued up to today) plus committed (today up to the planned end), per open trajectory
# (taakgericht care without a price per case counts at its indicative daily cost, ic)
COST = (
    "COALESCE(t.daily_cost, ic.daily_cost) * GREATEST(%(today)s - t.start_date + 1, 0)"
    " + COALESCE(t.daily_cost, ic.daily_cost) * GREATEST(t.planned_end_date - %(today)s, 0)"
)
INDICATIVE = "LEFT JOIN cases_indicativecost ic ON ic.trajectory_id = t.id"


def per_day(volume: str, frequency: str) -> str:
    """Units per calendar day (cases.models.units_per_day), as regie.rules.rule_volume computes it."""
    return (
        f"(CASE {frequency} WHEN '1' THEN {volume}::float8 WHEN '2' THEN {volume}::float8 / 7"
        f" WHEN '4' THEN {volume}::float8 * 12 / 365"
        f" ELSE {volume}::float8 / (t.planned_end_date - t.start_date + 1) END)"
    )


COLUMNS = "code, gemeente_id, child_id, subject_key, trajectory_id, value, norm, reference_date, detail"

# One statement per rule of regie/rules.py, default thresholds (DOMAIN.md §6), written by hand.
FLOOR_SQL = {
    FlagCode.DURATION: f"""
        SELECT 'duur', c.gemeente_id, t.child_id, t.id, t.id, v.months, t.norm_months, t.actual_start_date, {LABEL}
        FROM cases_trajectory t JOIN cases_child c ON c.id = t.child_id
        JOIN cases_product p ON p.id = t.product_id JOIN cases_provider pv ON pv.id = t.provider_id
        CROSS JOIN LATERAL (SELECT {MONTHS.format(s="t.actual_start_date", e="%(today)s::date")} AS months) v
        WHERE {STARTED} AND v.months > t.norm_months + %(duur)s""",
    FlagCode.COST: f"""
        SELECT 'kosten', c.gemeente_id, t.child_id, 0, NULL::bigint, ROUND(SUM({COST}), 2), %(kosten)s, NULL::date,
               CASE WHEN COUNT(ic.trajectory_id) > 0 THEN 'indicatief' ELSE '' END
        FROM cases_trajectory t JOIN cases_child c ON c.id = t.child_id {INDICATIVE}
        WHERE {OPEN}
        GROUP BY c.gemeente_id, t.child_id HAVING ROUND(SUM({COST}), 2) > %(kosten)s""",
    FlagCode.EXTENSIONS: f"""
        SELECT 'verlengingen', c.gemeente_id, t.child_id, t.id, t.id, e.n, %(verlengingen)s, NULL::date, {LABEL}
        FROM (SELECT trajectory_id, COUNT(*) AS n FROM cases_extension WHERE status IN ('approved', 'shortened')
              GROUP BY trajectory_id HAVING COUNT(*) >= %(verlengingen)s) e
        JOIN cases_trajectory t ON t.id = e.trajectory_id JOIN cases_child c ON c.id = t.child_id
        JOIN cases_product p ON p.id = t.product_id JOIN cases_provider pv ON pv.id = t.provider_id
        WHERE {OPEN}""",
    FlagCode.STACKING: f"""
        SELECT 'stapeling', c.gemeente_id, t.child_id, 0, NULL::bigint, COUNT(*), %(stapeling)s, NULL::date, ''
        FROM cases_trajectory t JOIN cases_child c ON c.id = t.child_id
        WHERE {OPEN}
        GROUP BY c.gemeente_id, t.child_id HAVING COUNT(*) >= %(stapeling)s""",
    FlagCode.HOUSEHOLD_STACKING: f"""
        WITH households AS (
            SELECT c.household_id, COUNT(*) AS n FROM cases_trajectory t JOIN cases_child c ON c.id = t.child_id
            WHERE {OPEN} AND c.household_id IS NOT NULL
            GROUP BY c.household_id HAVING COUNT(*) >= %(stapeling_gezin)s)
        SELECT 'stapeling_gezin', c.gemeente_id, c.id, h.household_id, NULL::bigint, h.n, %(stapeling_gezin)s,
               NULL::date, ''
        FROM households h JOIN cases_child c ON c.household_id = h.household_id
        WHERE EXISTS (SELECT 1 FROM cases_trajectory t WHERE t.child_id = c.id AND {STARTED})""",
    FlagCode.WAITING: """
        SELECT 'wachttijd', c.gemeente_id, r.child_id, r.id, NULL::bigint, %(today)s - r.date, %(wachttijd)s,
               r.date, ''
        FROM referrals_referral r JOIN cases_child c ON c.id = r.child_id
        WHERE r.outcome IN ('', 'specialised') AND r.date < %(wachttijd_before)s
          AND NOT EXISTS (SELECT 1 FROM cases_trajectory t WHERE t.referral_id = r.id
                          AND t.actual_start_date <= %(today)s)""",
    FlagCode.PAST_END: f"""
        SELECT 'einddatum', c.gemeente_id, t.child_id, t.id, t.id, %(today)s - t.planned_end_date, %(einddatum)s,
               t.planned_end_date, {LABEL}
        FROM cases_trajectory t JOIN cases_child c ON c.id = t.child_id
        JOIN cases_product p ON p.id = t.product_id JOIN cases_provider pv ON pv.id = t.provider_id
        WHERE {OPEN} AND t.planned_end_date < %(einddatum_before)s""",
    FlagCode.REVIEW_LATE: f"""
        SELECT 'review', c.gemeente_id, t.child_id, s.id, t.id, %(today)s - s.due_date, %(review)s, s.due_date, {LABEL}
        FROM cases_stopreview s JOIN cases_trajectory t ON t.id = s.trajectory_id
        JOIN cases_child c ON c.id = t.child_id
        JOIN cases_product p ON p.id = t.product_id JOIN cases_provider pv ON pv.id = t.provider_id
        WHERE {OPEN} AND s.done_date IS NULL AND s.due_date < %(review_before)s""",
    FlagCode.TURNING_18: f"""
        SELECT '18plus', c.gemeente_id, c.id, 0, NULL::bigint, {MONTHS.format(s="c.birth_date", e="%(today)s::date")},
               %(18plus)s, c.birth_date, ''
        FROM cases_child c
        WHERE c.birth_date <= %(latest_birth_date)s
          AND EXISTS (SELECT 1 FROM cases_trajectory t WHERE t.child_id = c.id AND {STARTED})""",
    FlagCode.OUTSIDE_BUDGET: f"""
        SELECT 'buiten_budget', c.gemeente_id, t.child_id, t.id, t.id, {COST}, NULL, t.start_date,
               {LABEL} || ': ' || t.outside_budget_reason
        FROM cases_trajectory t JOIN cases_child c ON c.id = t.child_id {INDICATIVE}
        JOIN cases_product p ON p.id = t.product_id JOIN cases_provider pv ON pv.id = t.provider_id
        WHERE {OPEN} AND t.outside_budget""",
    FlagCode.RESIDENTIAL: f"""
        SELECT 'verblijf', c.gemeente_id, t.child_id, t.id, t.id,
               {MONTHS.format(s="t.start_date", e="%(today)s::date")}, NULL, t.start_date, {LABEL}
        FROM cases_trajectory t JOIN cases_child c ON c.id = t.child_id
        JOIN cases_product p ON p.id = t.product_id JOIN cases_provider pv ON pv.id = t.provider_id
        JOIN cases_segment sg ON sg.id = p.segment_id
        WHERE {OPEN} AND (sg.is_residential OR p.with_stay)""",
    FlagCode.VOLUME: f"""
        SELECT 'volume', c.gemeente_id, t.child_id, t.id, t.id, ROUND(100 * v.v_day / v.n_day), p.norm_volume,
               t.start_date, {LABEL}
        FROM cases_trajectory t JOIN cases_child c ON c.id = t.child_id
        JOIN cases_product p ON p.id = t.product_id JOIN cases_provider pv ON pv.id = t.provider_id
        CROSS JOIN LATERAL (SELECT {per_day("t.volume", "t.frequency")} AS v_day,
                                   {per_day("p.norm_volume", "p.norm_frequency")} AS n_day) v
        WHERE {OPEN} AND p.norm_volume IS NOT NULL AND t.unit = p.unit
          AND v.v_day > v.n_day * (1 + %(volume)s::float8 / 100)""",
    FlagCode.WLZ_STALLED: """
        SELECT 'wlz_stil', w.gemeente_id, w.child_id, w.id, NULL::bigint, %(today)s - q.quiet_from, %(wlz_stil)s,
               q.quiet_from, w.step
        FROM regie_wlzroute w
        CROSS JOIN LATERAL (SELECT CASE WHEN w.step = 'indicatie' THEN w.expected_end ELSE w.last_step_on END
                            AS quiet_from) q
        WHERE w.step IN ('voorbereiding', 'aanvraag', 'indicatie') AND q.quiet_from < %(wlz_before)s""",
}


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def timed(label: str, fn, runs: int):
    """Run fn `runs` times; print each with the load; return (median seconds, last result)."""
    times, result = [], None
    for i in range(runs):
        before = load()
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
        times.append(seconds)
        print(f"  {label} run {i + 1}: {seconds:8.3f} s  ({before} before, {load()} after)  {result or ''}", flush=True)
    median = statistics.median(times)
    print(f"  {label}: median {median:.3f} s of {runs}", flush=True)
    return median, result


def defaults_everywhere() -> None:
    """The floor is written for the default thresholds: refuse to compare against anything else."""
    expected = {code: threshold for code, (threshold, _, _) in DEFAULT_RULES.items()}
    odd = [
        (g, code, threshold)
        for g, code, threshold, enabled in FlagRule.objects.values_list("gemeente_id", "code", "threshold", "enabled")
        if threshold != expected[code] or not enabled
    ]
    if odd:
        raise SystemExit(f"Niet alle regels staan op de standaarddrempel ({len(odd)} afwijkend, bv. {odd[0]}).")
    missing = Gemeente.objects.count() * len(expected) - FlagRule.objects.count()
    if missing:
        raise SystemExit(f"{missing} signaalregels ontbreken: draai eerst één volledige evaluatie.")


# --- evaluation -----------------------------------------------------------------------------------


def evaluate_all(today):
    return flags.evaluate(today=today)


def cold(today):
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE cases_flag, cases_childscore, regie_topmembership")
        cursor.execute("ANALYZE cases_flag, cases_childscore, regie_topmembership")
    return flags.evaluate(today=today)


@contextlib.contextmanager
def slow_statements(seconds: float | None):
    """Print every statement slower than `seconds` (the first 160 characters), with its time and the load."""
    if seconds is None:
        yield
        return

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - started
            if took >= seconds:
                if sql.lstrip().startswith("INSERT INTO flag_candidates") and params:
                    sql = f"rule {params[0]}: {sql}"
                print(f"    {took:7.2f} s ({load()})  {' '.join(sql.split())[:160]}", flush=True)

    with connection.execute_wrapper(wrapper):
        yield


def shift_planned_end(days: int) -> int:
    """Move the planned end of 10,000 open trajectories (every 29th by id) by `days`."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """UPDATE cases_trajectory SET planned_end_date = planned_end_date + %s
               WHERE id IN (SELECT id FROM cases_trajectory WHERE end_date IS NULL AND id %% 29 = 0
                            ORDER BY id LIMIT %s)""",
            [days, CHANGED],
        )
        return cursor.rowcount


def bench_change(today, runs: int):
    times = []
    for i in range(runs):
        for days, label in ((SHIFT_DAYS, "a year later"), (-SHIFT_DAYS, "back")):
            shifted = shift_planned_end(days)
            before = load()
            started = time.perf_counter()
            result = flags.evaluate(today=today)
            seconds = time.perf_counter() - started
            times.append(seconds)
            print(
                f"  after change ({shifted} planned ends {label}) run {i + 1}: {seconds:8.2f} s "
                f"({before} before, {load()} after)  {result}",
                flush=True,
            )
    median = statistics.median(times)
    print(f"  after change: median {median:.2f} s of {len(times)}", flush=True)
    return median


def bench_split(today, runs: int):
    from django.conf import settings

    batches = flags.nightly_batches(settings.FLAG_BATCH_CHILDREN)

    def fan_out():
        slowest = 0.0
        for codes in batches:
            started = time.perf_counter()
            flags.evaluate_gemeenten(codes, today=today)
            slowest = max(slowest, time.perf_counter() - started)
        return f"{len(batches)} batches of {settings.FLAG_BATCH_CHILDREN:,} children, slowest {slowest:.2f} s"

    return timed(f"sum of evaluate_gemeenten over {len(batches)} batches", fan_out, runs)[0]


def bench_per_gemeente(today, runs: int):
    codes = list(Gemeente.objects.order_by("code").values_list("code", flat=True))

    def one_by_one():
        slowest = (0.0, "")
        for code in codes:
            started = time.perf_counter()
            flags.evaluate_gemeente(code, today=today)
            slowest = max(slowest, (time.perf_counter() - started, code))
        return f"{len(codes)} gemeenten, slowest {slowest[1]} {slowest[0]:.2f} s"

    return timed(f"sum of evaluate_gemeente over {len(codes)}", one_by_one, runs)[0]


# --- the floor ------------------------------------------------------------------------------------


def floor_params(today):
    params = {str(code): threshold for code, (threshold, _, _) in DEFAULT_RULES.items()}
    params.update(
        today=today,
        wachttijd_before=today - dt.timedelta(days=int(DEFAULT_RULES[FlagCode.WAITING][0] * 7)),
        einddatum_before=today - dt.timedelta(days=int(DEFAULT_RULES[FlagCode.PAST_END][0])),
        review_before=today - dt.timedelta(days=int(DEFAULT_RULES[FlagCode.REVIEW_LATE][0])),
        wlz_before=today - dt.timedelta(days=int(DEFAULT_RULES[FlagCode.WLZ_STALLED][0] * 7)),
        latest_birth_date=today
        + relativedelta(months=int(DEFAULT_RULES[FlagCode.TURNING_18][0]))
        - relativedelta(years=18),
    )
    return params


def run_floor(today, counts: dict):
    params = floor_params(today)
    with transaction.atomic(), connection.cursor() as cursor:
        # The same session settings the evaluation gives itself (regie/rules.py), so the two compare fairly.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(f"DROP TABLE IF EXISTS {FLOOR}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {FLOOR} (code varchar(20) NOT NULL, gemeente_id bigint NOT NULL, "
            "child_id bigint NOT NULL, subject_key bigint NOT NULL, trajectory_id bigint, value numeric(14,2), "
            "norm numeric(14,2), reference_date date, detail varchar(300) NOT NULL)"
        )
        for code, sql in FLOOR_SQL.items():
            cursor.execute(f"INSERT INTO {FLOOR} ({COLUMNS}) {sql}", params)
            counts[str(code)] = cursor.rowcount
    return f"{sum(counts.values())} candidates"


def compare_floor(today) -> bool:
    """Per rule: the floor's rows against the evaluation's firing flags, count and row for row."""
    counts: dict[str, int] = {}
    run_floor(today, counts)
    kept = dict(
        Flag.objects.filter(firing=True)
        .exclude(code=FlagCode.MANUAL)
        .order_by()
        .values("code")
        .annotate(n=Count("id"))
        .values_list("code", "n")
    )
    cols = "code, child_id, subject_key, trajectory_id, value, norm, reference_date, detail"
    flag_rows = f"SELECT {cols} FROM cases_flag WHERE firing AND code <> 'handmatig'"
    with connection.cursor() as cursor:
        floor_rows = f"SELECT {cols} FROM {FLOOR}"
        cursor.execute(f"SELECT code, COUNT(*) FROM ({floor_rows} EXCEPT ALL {flag_rows}) x GROUP BY code")
        only_floor = dict(cursor.fetchall())
        cursor.execute(f"SELECT code, COUNT(*) FROM ({flag_rows} EXCEPT ALL {floor_rows}) x GROUP BY code")
        only_flags = dict(cursor.fetchall())
    print(f"  {'rule':<16} {'floor':>9} {'evaluate':>9}  rows only in floor / only in flags")
    ok = True
    for code in FLOOR_SQL:
        code = str(code)
        same = counts[code] == kept.get(code, 0) and not only_floor.get(code) and not only_flags.get(code)
        ok &= same
        print(
            f"  {code:<16} {counts[code]:>9,} {kept.get(code, 0):>9,}  {only_floor.get(code, 0)} / "
            f"{only_flags.get(code, 0)}  {'gelijk' if same else 'VERSCHIL'}"
        )
    print(f"  {'total':<16} {sum(counts.values()):>9,} {sum(kept.values()):>9,}")
    return ok


# --- the queue ------------------------------------------------------------------------------------


def bench_queue(today, runs: int):
    from django.core.cache import cache
    from django.test import Client

    from cases.models import Role, User
    from regie.ranking import top_cases

    sizes = Gemeente.objects.annotate(n=Count("children")).order_by("-n")
    largest, small = sizes.first(), sizes.filter(n__gte=200).last()
    for gemeente in (largest, small):
        print(
            f"  {gemeente.name} ({gemeente.code}): {gemeente.n:,} children, "
            f"{Flag.objects.filter(gemeente=gemeente, active=True).values('child').distinct().count():,} "
            "with an active flag"
        )

        def ranked(gemeente=gemeente):
            with CaptureQueriesContext(connection) as ctx:
                rows = top_cases(gemeente, today=today, limit=32)
            return f"{len(rows)} rows, {len(ctx)} queries"

        timed(f"top_cases {gemeente.code}", ranked, runs)
        user, _ = User.objects.get_or_create(
            username=f"bench_regisseur_{gemeente.code}", defaults={"role": Role.REGISSEUR}
        )
        user.gemeenten.set([gemeente])
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        client.get("/regie/")  # warm-up (templates, session)

        def page(url, client=client):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            assert response.status_code == 200, response.status_code
            return f"status {response.status_code}, {len(ctx)} queries, {len(response.content):,} bytes"

        for url in ("/regie/", "/regie/?signaal=verblijf", "/regie/?segment=5", "/regie/?verwijzer=04"):
            timed(f"queue page {gemeente.code} {url}", lambda url=url: page(url), max(runs, 5))

        def uncached(page=page):
            cache.clear()  # the provider filter list is cached for 15 minutes; this is a view without it
            return page("/regie/")

        timed(f"queue page {gemeente.code} /regie/ provider list not cached", uncached, max(runs, 5))
        if gemeente == largest:
            with decisions_on_top(gemeente, user, today, 300):
                timed(f"queue page {gemeente.code} /regie/ with 300 decisions", lambda: page("/regie/"), max(runs, 5))
        reset_queries()


@contextlib.contextmanager
def decisions_on_top(gemeente, user, today, n):
    """Decisions on the gemeente's n highest scores (follow-up next month), removed again afterwards."""
    from simple_history.utils import bulk_create_with_history

    from regie.models import ChildScore, Decision

    top = ChildScore.objects.filter(gemeente=gemeente).order_by("-score")[:n]
    now = timezone.now()
    made = bulk_create_with_history(
        [
            Decision(
                child_id=s.child_id,
                gemeente=gemeente,
                kind="continue",
                reason="benchmark",
                actor="regisseur",
                follow_up_date=today + dt.timedelta(days=30),
                decided_by=user,
                decided_at=now,
                cost_at_decision=s.open_cost,
            )
            for s in top
        ],
        Decision,
    )
    try:
        yield
    finally:
        Decision.history.filter(reason="benchmark").delete()
        Decision.objects.filter(pk__in=[d.pk for d in made] or [0]).delete()
        Decision.objects.filter(reason="benchmark", gemeente=gemeente).delete()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="cold,steady,figures,change,split,floor,queue")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None)
    parser.add_argument("--slow", type=float, default=None, help="print statements slower than this (seconds)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Dit script is voor PostgreSQL (zet DATABASE_URL).")
    parts = set(args.only.split(","))
    today = args.today or timezone.localdate()
    print(f"{connection.settings_dict['NAME']}, today {today}, {os.cpu_count()} cores, {load()}", flush=True)
    figures = {}
    if "cold" in parts:
        print("Full evaluation, first run (flags and scores emptied before each run):", flush=True)
        with slow_statements(args.slow):
            figures["cold"] = timed("evaluate() cold", lambda: cold(today), args.runs)[0]
        with connection.cursor() as cursor:
            # What autovacuum does after so many new rows (it is off on the benchmark machine's server).
            cursor.execute("ANALYZE cases_flag, cases_childscore")
    defaults_everywhere()
    if "steady" in parts:
        print("Full evaluation, nothing changed:", flush=True)
        with slow_statements(args.slow):
            figures["steady"] = timed("evaluate()", lambda: evaluate_all(today), args.runs)[0]
    if "figures" in parts:
        print("The pages' stored figures of every gemeente, after the evaluation:", flush=True)
        with slow_statements(args.slow):
            figures["figures"] = timed(
                "refresh_gemeenten()", lambda: regie_figures.refresh_gemeenten(today=today), args.runs
            )[0]
    if "change" in parts:
        print(f"Full evaluation after a change of {CHANGED:,} trajectories:", flush=True)
        figures["change"] = bench_change(today, args.runs)
    if "split" in parts:
        print("The nightly fan-out (batches of whole gemeenten), one after the other:", flush=True)
        figures["split"] = bench_split(today, args.runs)
    if "pergemeente" in parts:
        print("One task per gemeente, one after the other:", flush=True)
        figures["pergemeente"] = bench_per_gemeente(today, args.runs)
    if "floor" in parts:
        print("SQL floor (hand-written, one INSERT ... SELECT per rule):", flush=True)
        figures["floor"] = timed("floor", lambda: run_floor(today, {}), args.runs)[0]
        print("Floor against the evaluation (firing flags):", flush=True)
        if not compare_floor(today):
            print("  !! the floor and the evaluation differ", flush=True)
        for key in ("cold", "steady", "change"):
            if key in figures:
                print(f"  ratio {key} / floor: {figures[key] / figures['floor']:.2f}", flush=True)
    if "queue" in parts:
        print("Queue (Top 32):", flush=True)
        bench_queue(today, args.runs)


if __name__ == "__main__":
    main()
