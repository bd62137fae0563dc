#!/usr/bin/env python
"""Import benchmark on PostgreSQL: CSV rows/s and iJw messages/s with history, and peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jr_import_bench .venv/bin/python scripts/benchmark_import.py

Each measurement runs in its own process (so ru_maxrss is that import's peak) on emptied case tables:
a CSV of 10,000 and of 100,000 rows, then the same 100,000-row file again (everything unchanged), and
1,000 and 10,000 iJw messages. Memory at two sizes shows whether it depends on the file's size.
Options: --csv-rows 100000 --messages 10000 (the large sizes; the small ones are a tenth), --only csv|ijw.

A backlog of iJw messages alone, and old code against new in the same time window (issue 14):

    scripts/benchmark_import.py --ijw-messages 100000
    scripts/benchmark_import.py --ijw-messages 10000 --vs /tmp/jr-old   # a checkout of the old code
    scripts/benchmark_import.py --csv 100000 --vs /tmp/jr-old --repeat 3

--ijw-messages runs only that import (messages/s, peak RSS before -> after, load average before and
after); --csv likewise only a CSV of that many rows. With --vs, the same input is imported by the code
in that tree too (its own process, its own emptied tables), alternating old and new --repeat times,
and the ratio of the medians is printed. A checkout of main without touching any worktree:
`mkdir /tmp/jr-old && git archive main | tar -x -C /tmp/jr-old`.

As in production, the flagging of the imported cases is queued (to a scratch Redis database, 15,
emptied afterwards), not run inside the import; the worker then times that evaluation on its own
("flags"). Without Redis (the embedded default) it would run in-process right after the commit.
"""

import argparse
import datetime as dt
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(os.environ.get("BENCH_TREE") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)  # Celery puts the working directory first on sys.path: BENCH_TREE's code, not the caller's
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeugdregie.settings_test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jr_import_bench")

PRODUCTS = [
    ("45A48", "95.00", "04", "2"),
    ("45A49", "88.50", "04", "2"),
    ("41A04", "65.00", "16", "2"),
    ("43A01", "310.00", "14", "4"),
]
PROVIDERS = ["42420001", "42420002", "42420003", "65656055"]
REFERRERS = ("01", "02", "02P", "03", "04")
HEADER = (
    "gemeentecode;kindreferentie;geboortedatum;verwijzer;verwijsdatum;aanbieder_agb;productcode;startdatum;"
    "geplande_einddatum;einddatum;reden_einde;volume;eenheid;frequentie;tarief;achternaam\n"
)


def create_database() -> None:
    import psycopg
    from dj_database_url import parse

    config = parse(os.environ["DATABASE_URL"])
    with psycopg.connect(
        host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"], dbname="postgres", autocommit=True
    ) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{config["NAME"]}"')


def setup_django():
    import django

    django.setup()


def prepare() -> None:
    """Migrate, and make sure the gemeente, providers and product tariffs the files use exist."""
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from cases.models import Gemeente, Product, Provider

    Gemeente.objects.get_or_create(code="0384", defaults={"name": "Diemen"})
    for agb in PROVIDERS:
        Provider.objects.get_or_create(agb_code=agb, defaults={"name": f"Aanbieder {agb}"})
    for code, tariff, _unit, _freq in PRODUCTS:
        Product.objects.filter(code=code).update(tariff=tariff, financing="inspanning")


def empty_case_tables() -> None:
    from django.apps import apps
    from django.db import connection

    keep = {"Gemeente", "Segment", "Product", "Provider", "User", "YouthPopulation", "SegmentBudget"}
    tables = [
        m._meta.db_table
        for m in apps.get_models()
        if m._meta.app_label in ("cases", "referrals") and m.__name__.replace("Historical", "") not in keep
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(rows)
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEADER)
        for i in range(rows):
            child = i // 2  # two trajectories per child
            code, tariff, unit, freq = PRODUCTS[i % len(PRODUCTS)]
            start = dt.date(2023, 1, 2) + dt.timedelta(days=rng.randrange(900))
            referral = start - dt.timedelta(days=rng.randrange(1, 60))
            planned = start + dt.timedelta(days=rng.choice((90, 182, 365)))
            ended = rng.random() < 0.4
            end = f"{planned - dt.timedelta(days=rng.randrange(30)):%d-%m-%Y};31" if ended else ";"
            birth = dt.date(2008, 1, 1) + dt.timedelta(days=(child * 37) % 5000)
            out.write(
                f"0384;K-{child:07d};{birth:%d-%m-%Y};{rng.choice(REFERRERS)};{referral:%d-%m-%Y};"
                f"{PROVIDERS[i % len(PROVIDERS)]};{code};{start:%d-%m-%Y};{planned:%d-%m-%Y};{end};"
                f"{rng.choice(('1', '2', '3', '1,5'))};{unit};{freq};{tariff.replace('.', ',')};Kind{child}\n"
            )


def bsn(n: int) -> str:
    """The n-th elfproef-valid 9-digit number from 100000000 up (test numbers, not real people)."""
    base = 10000000 + n * 3
    while True:
        digits = f"{base:08d}"
        total = sum(int(d) * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2), strict=True))
        check = total % 11
        if check < 10:
            return digits + str(check)
        base += 1


def write_messages(folder: Path, count: int) -> None:
    from tests.imports import ijw_messages as msg

    folder.mkdir()
    allocations = count // 4  # JW315, JW301, JW305, JW307 per allocation
    for n in range(allocations):
        number, reference, client = str(100000 + n), f"R-{n}", bsn(n)
        start = dt.date(2024, 1, 1) + dt.timedelta(days=n % 600)
        stop = start + dt.timedelta(days=120)
        files = {
            "a_jw315": msg.jw315(reference, start=start, day=start - dt.timedelta(days=10), bsn=client),
            "b_jw301": msg.jw301(
                number, reference=reference, start=start, end=start + dt.timedelta(days=182), bsn=client
            ),
            "c_jw305": msg.jw305(number, begin=start + dt.timedelta(days=3), bsn=client),
            "d_jw307": msg.jw307(number, begin=start + dt.timedelta(days=3), end=stop, bsn=client),
        }
        for name, data in files.items():
            (folder / f"{n:06d}_{name}.xml").write_bytes(data)


def measure(kind: str, size: int, *, again: bool) -> dict:
    """Run one import in this process and report its speed and this process's peak memory."""
    setup_django()
    from cases.models import Gemeente, Trajectory, User
    from imports.models import ImportRun
    from imports.runner import run_import

    user, _ = User.objects.get_or_create(username="benchmark", defaults={"role": "beheer"})
    user.gemeenten.set(Gemeente.objects.filter(code="0384"))
    workdir = Path(tempfile.mkdtemp(prefix="jr-bench-"))
    if kind == "csv":
        path = workdir / f"import_{size}.csv"
        write_csv(path, size)
        paths = [path]
    else:
        path = workdir / "berichten"
        write_messages(path, size)
        paths = [path]
    if not again:
        empty_case_tables()
    else:  # the same file twice: the first import fills the tables, the second is measured
        empty_case_tables()
        run_import(ImportRun.objects.create(kind=kind, file_name=path.name, started_by=user), paths)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    run = ImportRun.objects.create(kind=kind, file_name=path.name, started_by=user)
    commits = time_commits()
    database_cpu = backend_cpu()
    started, cpu = time.perf_counter(), time.process_time()
    report = run_import(run, paths)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu  # this process only (not PostgreSQL): less sensitive to a loaded machine
    database_cpu = backend_cpu() - database_cpu if database_cpu is not None else None
    shutil.rmtree(workdir)  # 100,000 message files are 400 MB of a shared disk
    run.refresh_from_db()
    from regie import flags

    queued = queued_tasks()
    started = time.perf_counter()
    flags.evaluate(gemeente_ids=list(Gemeente.objects.filter(code="0384").values_list("pk", flat=True)))
    flag_seconds = time.perf_counter() - started
    history = Trajectory.history.filter(history_change_reason__endswith=f"#{run.pk}").count()
    return {
        "kind": kind,
        "size": size,
        "again": again,
        "status": run.status,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "database_cpu_seconds": round(database_cpu, 2) if database_cpu is not None else None,
        "commit_seconds": round(commits[0], 2),
        "queued_tasks": queued,
        "flag_seconds": round(flag_seconds, 1),
        "per_second": round(size / seconds),
        "new": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "trajectory_history_rows": history,
        "problems": report.problem_count,
        "first_problem": str(report.problems[0]) if report.problems else "",
        "peak_rss_mb_before": round(baseline),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def time_commits() -> list[float]:
    """Seconds spent in COMMIT from now on (the deferred foreign-key checks run there), in a list's one item."""
    from django.db import connections

    wrapper = connections["default"]
    commit, spent = wrapper._commit, [0.0]

    def timed():
        started = time.perf_counter()
        try:
            return commit()
        finally:
            spent[0] += time.perf_counter() - started

    wrapper._commit = timed
    return spent


def backend_cpu() -> float | None:
    """CPU seconds this connection's PostgreSQL backend has used (None unless PostgreSQL runs on this machine).

    With the importing process's own CPU it tells the work apart from the waiting, which on a shared machine
    is most of the wall-clock time.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


SCRATCH_REDIS = "redis://127.0.0.1:6379/15"


def queued_tasks() -> int:
    import redis

    return redis.Redis.from_url(SCRATCH_REDIS).llen("celery")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv-rows", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--only", choices=["csv", "ijw"], default=None)
    parser.add_argument("--ijw-messages", type=int, default=None, help="only an iJw backlog of this many messages")
    parser.add_argument("--csv", type=int, default=None, help="only a CSV import of this many rows")
    parser.add_argument("--vs", default=None, help="a checkout of the old code, measured in turn with this one")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--worker", nargs=3, metavar=("KIND", "SIZE", "AGAIN"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, size, again = args.worker
        print(json.dumps(measure(kind, int(size), again=again == "1")))
        return
    create_database()
    prepare()
    if args.ijw_messages or args.csv:
        kind, size = ("ijw", args.ijw_messages) if args.ijw_messages else ("csv", args.csv)
        backlog(kind, size, vs=args.vs, repeat=args.repeat)
        return
    plan = [
        ("csv", args.csv_rows // 10, "0"),
        ("csv", args.csv_rows // 10, "1"),
        ("csv", args.csv_rows, "0"),
        ("csv", args.csv_rows, "1"),
        ("ijw", args.messages // 10, "0"),
        ("ijw", args.messages, "0"),
    ]
    plan = [step for step in plan if args.only in (None, step[0])]
    print(f"database: {os.environ['DATABASE_URL']}, load {os.getloadavg()[0]:.1f}")
    env = {**os.environ, "REDIS_URL": SCRATCH_REDIS, "CELERY_TASK_ALWAYS_EAGER": "0"}
    for kind, size, again in plan:
        command = [sys.executable, __file__, "--worker", kind, str(size), again]
        out = subprocess.run(command, capture_output=True, text=True, env=env)
        import redis

        redis.Redis.from_url(SCRATCH_REDIS).flushdb()
        if out.returncode:
            print(f"{kind} {size} failed:\n{out.stderr[-3000:]}")
            continue
        result = json.loads(out.stdout.strip().splitlines()[-1])
        label = f"{kind} {size:>7,}{' (again)' if again == '1' else ''}".replace(",", ".")
        print(
            f"{label:<24} {result['seconds']:>7}s {result['per_second']:>7}/s  status={result['status']} "
            f"flags {result['flag_seconds']}s ({result['queued_tasks']} task(s) queued) "
            f"new={result['new']} updated={result['updated']} unchanged={result['unchanged']} "
            f"history(trajectory)={result['trajectory_history_rows']} problems={result['problems']} "
            f"peak RSS {result['peak_rss_mb_before']} -> {result['peak_rss_mb']} MB"
        )
        if result["first_problem"]:
            print(f"    first problem: {result['first_problem']}")


def worker(kind: str, size: int, again: str, tree: str | None = None) -> dict | str:
    """One measurement in its own process (and, with `tree`, with the code of that checkout)."""
    tree = tree or os.environ.get("BENCH_TREE")  # BENCH_TREE=/tmp/jr-old: this script measures that code
    env = {**os.environ, "REDIS_URL": SCRATCH_REDIS, "CELERY_TASK_ALWAYS_EAGER": "0", "BENCH_TREE": tree or ""}
    command = [sys.executable, __file__, "--worker", kind, str(size), again]
    out = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tree or ROOT)
    import redis

    redis.Redis.from_url(SCRATCH_REDIS).flushdb()
    if out.returncode:
        return out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def backlog(kind: str, size: int, *, vs: str | None, repeat: int) -> None:
    """An iJw backlog of `size` messages (or a CSV of `size` rows); with `vs`, the old code's rate in turn."""
    import statistics

    trees = [("new", None)] + ([("old", vs)] if vs else [])
    rates: dict = {name: [] for name, _ in trees}
    work: dict = {name: [] for name, _ in trees}  # Python + PostgreSQL CPU seconds
    unit = "messages" if kind == "ijw" else "rows"
    print(f"database: {os.environ['DATABASE_URL']}; {os.cpu_count()} CPUs")
    for round_ in range(repeat):
        for name, tree in trees if round_ % 2 == 0 else trees[::-1]:
            before = load()
            result = worker(kind, size, "0", tree)
            if isinstance(result, str):
                print(f"{name}: failed\n{result}")
                continue
            rates[name].append(size / result["seconds"])
            if result.get("database_cpu_seconds") is not None:
                work[name].append(result["cpu_seconds"] + result["database_cpu_seconds"])
            print(
                f"{name:<4} {kind} {size:>7,} {unit}: {result['seconds']:>7}s {rates[name][-1]:>7.0f} {unit}/s "
                f"status={result['status']} new={result['new']} updated={result['updated']} "
                f"waiting/unchanged={result['unchanged']} history(trajectory)={result['trajectory_history_rows']} "
                f"problems={result['problems']} peak RSS {result['peak_rss_mb_before']} -> {result['peak_rss_mb']} MB "
                f"python CPU {result.get('cpu_seconds', '?')}s postgres CPU {result.get('database_cpu_seconds', '?')}s "
                f"commit {result.get('commit_seconds', '?')}s "
                f"load {before} -> {load()}"
            )
    if vs and rates["new"] and rates["old"]:
        new, old = statistics.median(rates["new"]), statistics.median(rates["old"])
        print(f"median new {new:.0f} {unit}/s, old {old:.0f} {unit}/s: new/old = {new / old:.2f}x")
    if vs and work["new"] and work["old"]:
        new, old = statistics.median(work["new"]), statistics.median(work["old"])
        print(f"median CPU (python + postgres) new {new:.1f}s, old {old:.1f}s: old/new = {old / new:.2f}x")


if __name__ == "__main__":
    main()
