"""Demo data: two fictional gemeenten to click through, calibrated to real council figures.

Voorbeeldstad (CBS code 9901) reproduces the 2024 Leidschendam-Voorburg figures of DOMAIN.md §5:
per segment the spend and the number of youths with care in 2024. Proefdorp (9902) is the same
generator at about 150 youths, there to show that one gemeente never sees the other.

The build has two halves:

- `plan_demo` draws everything in memory from one seeded random generator (pure Python, no
  database) and calibrates it: the number of youths per segment in 2024 is met by construction,
  the spend by one factor per segment on the tariffs (printed, so nobody mistakes it for luck).
- `write_demo` stores the plan set-based and with history (bulk_create_with_history, or for rows
  that changed after they were logged, `demo.history.store_as_logged`): a "+" row for the first
  logging and a "~" row for each later event — a referral's outcome, a decided extension, the end
  of a trajectory — each dated on the day it happened and attributed to the demo user whose role
  does that work.

Financing: DOMAIN.md §4 says segments 1-4 are bought taakgericht from 1 January 2027. Everything
allocated before that date was P × Q (the catalogue's inspanningsgericht products), so the 2024
spend per segment, including segment 2, is a real P × Q sum. Trajectories of segments 1-4 that
start on or after TASK_FINANCING_FROM get no per-case price, as the services would give them; the beheerder
has recorded the taakgerichte contracts for 2027 (each contracted provider's share of its segment's 2026 spend,
at 2027 prices) and a reference tariff per taakgericht product, so those trajectories get an indicative cost.

The modules, in the order a build uses them:

- `figures` (the 2024 council figures and the calendar), `catalogue` (products and providers),
  `distributions` (shares, weights and texts the draws use) and `names`: data;
- `plan` (the plan's dataclasses), `generator` (the draws), `calibration` (prices and the factors);
- `history` (writing rows with their history), `users`, `reference` (what a beheerder enters),
  `case_files` (households, children, referrals, trajectories, extensions, reviews) and `households`
  (addresses, parents and voogden with gezag, the moves and their handover tasks);
- `report`: the achieved figures, measured from the database, beside the targets.

This module puts them together (`plan_demo`, `write_demo`, `build_demo`) and is what the command and
the tests import.
"""

import datetime as dt
import random
import time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cases.models import Gemeente, Product, Segment
from cases.product_catalogue import load_catalogue
from demo.allocation_requests import write_allocation_requests
from demo.calibration import calibrate, current_tariffs, reference_tariffs
from demo.case_files import write_cases
from demo.cohort import write_cohort
from demo.declarations import write_declarations
from demo.figures import (
    CALIBRATION_YEAR,
    DEFAULT_SEED,
    PROEFDORP,
    PROEFDORP_POPULATION,
    PROEFDORP_SHARE,
    TARGETS,
    VOORBEELDSTAD,
    VOORBEELDSTAD_POPULATION,
)
from demo.generator import Generator
from demo.history import Clock
from demo.households import write_guardians
from demo.plan import DemoPlan, GemeentePlan
from demo.reference import (
    write_budgets,
    write_gemeenten,
    write_products,
    write_providers,
    write_task_contracts,
    write_youth_population,
)
from demo.report import format_report, measure
from demo.users import DEMO_PASSWORD, DEMO_USERS, TEAM_VOORBEELDSTAD, format_logins, give_gemeenten, write_users
from demo.wlz import write_wlz_routes
from demo.work import write_work

# What the command and the tests use, from here as before the split.
__all__ = [
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "build_demo",
    "demo_exists",
    "format_logins",
    "format_report",
    "plan_demo",
    "write_demo",
]


def plan_demo(*, seed: int = DEFAULT_SEED, scale: float = 1.0, today: dt.date) -> DemoPlan:
    """Everything the demo holds, drawn and calibrated in memory. Same seed and day, same plan."""
    if today.year <= CALIBRATION_YEAR:
        raise ValueError(f"De demodata ijkt op het afgeronde jaar {CALIBRATION_YEAR}; vandaag ligt daar niet na.")
    rng = random.Random(seed)
    voorbeeldstad = GemeentePlan(
        code=VOORBEELDSTAD[0],
        name=VOORBEELDSTAD[1],
        population=round(VOORBEELDSTAD_POPULATION * scale),
        youth_targets={s: max(1, round(youths * scale)) for s, (_, youths) in TARGETS.items()},
        spend_targets={s: (spend * Decimal(str(scale))).quantize(Decimal("1")) for s, (spend, _) in TARGETS.items()},
    )
    proefdorp = GemeentePlan(
        code=PROEFDORP[0],
        name=PROEFDORP[1],
        population=PROEFDORP_POPULATION,
        youth_targets={s: max(2, round(youths * PROEFDORP_SHARE)) for s, (_, youths) in TARGETS.items()},
        spend_targets=None,
    )
    gemeenten = [voorbeeldstad, proefdorp]
    for gemeente in gemeenten:
        Generator(rng, today, gemeente).build()
        starts_of_care(gemeente, today)
    factors = calibrate(gemeenten, today)
    return DemoPlan(
        today=today,
        seed=seed,
        scale=scale,
        gemeenten=gemeenten,
        tariffs=current_tariffs(factors, today),
        factors=factors,
        reference_tariffs=reference_tariffs(factors),
    )


WAITING_WINDOW = dt.timedelta(days=120)
BRIDGING = ("Gesprekken met de POH-Jeugd tot de start", "Opvoedondersteuning door het lokale team")


def starts_of_care(plan: GemeentePlan, today: dt.date) -> None:
    """The real start of care (JW305 or the toegang): a few days after the allocated start as a rule; of the
    open allocations of the last four months one in six has not started yet — the waiting list — and of
    those the family was mostly informed and sometimes care bridges the wait."""
    for index, tp in enumerate(plan.trajectories):
        if tp.end is None and today - WAITING_WINDOW <= tp.start <= today and index % 6 == 0:
            tp.actual_start = None
            tp.family_informed = min(tp.start + dt.timedelta(days=4), today) if index % 4 else None
            tp.bridging_care = BRIDGING[index % 2] if index % 3 == 0 else ""
            continue
        if tp.start <= today:
            tp.actual_start = min(tp.start + dt.timedelta(days=index % 8), tp.end or today, today)


# --- writing ----------------------------------------------------------------------------------------


def demo_exists() -> bool:
    return Gemeente.objects.filter(code=VOORBEELDSTAD[0]).exists()


def write_demo(plan: DemoPlan) -> dict:
    """Store the plan. The caller runs this in one transaction."""
    clock = Clock()
    users = write_users()
    beheer = users["beheer"]
    gemeenten = write_gemeenten(plan, beheer)
    give_gemeenten(users, gemeenten)
    write_youth_population(plan, gemeenten, beheer)
    segments = {s.number: s for s in Segment.objects.all()}
    write_budgets(plan, gemeenten, segments, beheer)
    products = write_products(plan, beheer)
    providers = write_providers(beheer)
    write_task_contracts(plan, gemeenten, segments, providers, beheer)
    for gemeente_plan in plan.gemeenten:
        staff = {
            "toegang": users["toegang" if gemeente_plan.code == VOORBEELDSTAD[0] else "toegang.proefdorp"],
            "toets": users["toets" if gemeente_plan.code == VOORBEELDSTAD[0] else "toets.proefdorp"],
        }
        write_cases(gemeente_plan, gemeenten[gemeente_plan.code], products, providers, staff, clock)
    voorbeeldstad_team = [users[name] for name in TEAM_VOORBEELDSTAD]
    write_work(
        gemeenten[VOORBEELDSTAD[0]],
        voorbeeldstad_team,
        users["toegang"],
        users["regisseur"],
        plan.today,
        clock,
        seed=plan.seed + 1,
    )
    write_wlz_routes(gemeenten[VOORBEELDSTAD[0]], users["regisseur"], plan.today, clock)
    write_work(
        gemeenten[PROEFDORP[0]],
        [users["toegang.proefdorp"]],
        users["toegang.proefdorp"],
        None,
        plan.today,
        clock,
        seed=plan.seed + 2,
    )
    toegang = {VOORBEELDSTAD[0]: users["toegang"], PROEFDORP[0]: users["toegang.proefdorp"]}
    write_guardians(gemeenten, toegang, clock, plan.today)
    write_cohort(gemeenten[VOORBEELDSTAD[0]], users["regisseur"], plan.today, clock, seed=plan.seed + 3)
    write_declarations(gemeenten, plan.today, seed=plan.seed + 3, user=beheer)
    write_allocation_requests(plan.today, seed=plan.seed + 3)
    return users


def build_demo(*, seed: int = DEFAULT_SEED, scale: float = 1.0, today: dt.date | None = None) -> dict:
    """Plan, write (in one transaction) and measure the demo. Returns what the command prints."""
    today = today or timezone.localdate()
    started, cpu_started = time.perf_counter(), time.process_time()
    plan = plan_demo(seed=seed, scale=scale, today=today)
    planned = time.perf_counter()
    with transaction.atomic():
        if not Product.objects.exists():
            # Migration 0003 loads the catalogue; only a flushed database (a test) lacks it.
            load_catalogue(Segment, Product)
        write_demo(plan)
    written = time.perf_counter()
    report = {
        "plan": plan,
        "gemeenten": [measure(Gemeente.objects.get(code=g.code), today, g) for g in plan.gemeenten],
        "seconds_plan": planned - started,
        "seconds_write": written - planned,
    }
    report["seconds_total"] = time.perf_counter() - started
    # CPU time of this process: wall time also counts waiting for a busy machine or disk.
    report["seconds_cpu"] = time.process_time() - cpu_started
    return report
