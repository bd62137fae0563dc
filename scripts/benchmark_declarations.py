#!/usr/bin/env python
"""Declaration import benchmark: JW323 lines/s and messages/s, the same again (all unchanged), the JW325
answers, and the same lines as one CSV; with history, in one process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jr_decl_bench .venv/bin/python scripts/benchmark_declarations.py

Options: --trajectories 5000 --months 4 --lines-per-message 250. Every trajectory gets one line per month;
each month's lines go out in messages of --lines-per-message lines. The case tables are emptied first.
"""

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeugdregie.settings_test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jr_decl_bench")

from benchmark_import import create_database, empty_case_tables, setup_django  # noqa: E402

PROVIDER = "65656055"
TARIFF_CENTS = 9500


def bsns(count: int) -> list[str]:
    """`count` different elfproef-valid BSNs."""
    found, prefix = [], 10000000
    while len(found) < count:
        digits = str(prefix)
        check = sum(int(d) * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if check < 10:
            found.append(digits + str(check))
        prefix += 1
    return found


def prepare(trajectories: int) -> list[tuple[str, str]]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    empty_case_tables()
    from cases.models import Child, Gemeente, Household, Product, Provider, Trajectory

    gemeente, _ = Gemeente.objects.get_or_create(code="0384", defaults={"name": "Diemen"})
    provider, _ = Provider.objects.get_or_create(agb_code=PROVIDER, defaults={"name": "Zorggroep West"})
    product = Product.objects.get(code="45A48")
    households = Household.objects.bulk_create(
        [Household(gemeente=gemeente, name=f"Gezin {i}") for i in range(trajectories)], batch_size=2000
    )
    numbers = bsns(trajectories)
    children = Child.objects.bulk_create(
        [
            Child(gemeente=gemeente, household=h, last_name=f"Kind{i}", birth_date=dt.date(2014, 1, 1), bsn=numbers[i])
            for i, h in enumerate(households)
        ],
        batch_size=2000,
    )
    rows = []
    for i, child in enumerate(children):
        t = Trajectory(
            child=child, provider=provider, product=product, start_date=dt.date(2026, 1, 1),
            actual_start_date=dt.date(2026, 1, 1), planned_end_date=dt.date(2026, 12, 31), volume=Decimal("7"),
            unit="04", frequency="2", tariff=Decimal("95.00"), financing="inspanning", norm_months=12,
            allocation_number=f"7{i:07d}",
        )  # fmt: skip
        t.refresh_daily_cost()
        rows.append(t)
    Trajectory.objects.bulk_create(rows, batch_size=2000)
    return [(f"7{i:07d}", numbers[i]) for i in range(trajectories)]


def write_messages(folder: Path, allocations, months: int, per_message: int) -> tuple[list[Path], list]:
    from tests.imports import declaration_messages as msg

    paths, sent = [], []
    for m in range(1, months + 1):
        first = dt.date(2026, m, 1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        for start in range(0, len(allocations), per_message):
            lines = [
                msg.line(number, first, last, 30, TARIFF_CENTS, ref=f"{number}-{m:02d}", bsn=client)
                for number, client in allocations[start : start + per_message]
            ]
            message_id = f"8{m:02d}{start:07d}"
            path = folder / f"jw323_{m:02d}_{start:07d}.xml"
            path.write_bytes(
                msg.jw323(lines, period=(first, last), number=f"N{m:02d}{start:07d}", message_id=message_id)
            )
            paths.append(path)
            sent.append((message_id, lines, f"N{m:02d}{start:07d}"))
    return paths, sent


def write_answers(folder: Path, sent) -> list[Path]:
    from tests.imports import declaration_messages as msg

    paths = []
    for message_id, lines, number in sent:
        rejected = {lines[0]["ref"]: ["0611"]}
        path = folder / f"jw325_{message_id}.xml"
        path.write_bytes(msg.jw325(message_id, lines, rejected, number=number))
        paths.append(path)
    return paths


def write_csv(path: Path, allocations, months: int) -> int:
    header = "aanbieder_agb;toewijzingnummer;bsn;referentienummer;begindatum;einddatum;volume;eenheid;tarief;bedrag\n"
    n = 0
    with open(path, "w", encoding="utf-8") as out:
        out.write(header)
        for m in range(months + 1, months + 3):
            first = dt.date(2026, m, 1)
            last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            for number, client in allocations:
                period = f"{first:%d-%m-%Y};{last:%d-%m-%Y}"
                out.write(f"{PROVIDER};{number};{client};C{number}-{m:02d};{period};30;04;95,00;2.850,00\n")
                n += 1
    return n


def timed(kind: str, paths) -> tuple[float, object]:
    from imports.models import ImportRun
    from imports.runner import run_import

    run = ImportRun.objects.create(kind=kind, file_name="benchmark")
    started = time.perf_counter()
    report = run_import(run, paths)
    seconds = time.perf_counter() - started
    assert report.ok, report.lines()[:5]
    return seconds, report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trajectories", type=int, default=5000)
    parser.add_argument("--months", type=int, default=4)
    parser.add_argument("--lines-per-message", type=int, default=250)
    args = parser.parse_args()
    if os.environ["DATABASE_URL"].startswith("postgres"):
        create_database()
    setup_django()
    from django.db import connection

    allocations = prepare(args.trajectories)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths, sent = write_messages(folder, allocations, args.months, args.lines_per_message)
        lines = args.trajectories * args.months
        print(
            f"{connection.vendor}: {len(paths)} JW323 messages, {lines:,} lines ({args.lines_per_message} per message)"
        )
        for label in ("JW323 new", "JW323 again (unchanged)"):
            seconds, _ = timed("ijw", paths)
            print(
                f"{label:26} {seconds:7.1f} s  {lines / seconds:8,.0f} lines/s  {len(paths) / seconds:6.1f} messages/s"
            )
        answers = write_answers(folder, sent)
        seconds, _ = timed("ijw", answers)
        rate = f"{lines / seconds:8,.0f} lines/s  {len(answers) / seconds:6.1f} messages/s"
        print(f"{'JW325 answers':26} {seconds:7.1f} s  {rate}")
        csv_path = folder / "declaraties.csv"
        rows = write_csv(csv_path, allocations, args.months)
        seconds, _ = timed("csv", [csv_path])
        print(f"{'CSV new':26} {seconds:7.1f} s  {rows / seconds:8,.0f} rows/s")


if __name__ == "__main__":
    main()
