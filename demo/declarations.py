"""Demo declarations (issue 12): what providers declared for the last complete months, as a JW323 would.

For every trajectory with a P × Q price that is not paid by a taakgericht contract: one debit line per
month it ran, close to its allocation (most providers deliver 92-100%), some under-delivery (60-85%:
cancelled sessions, a child who stopped coming). Months before the last are answered (JW325): approved,
a few rejected for a tariff that does not match the contract (retourcode 0611). The last month is answered
by two providers in three; the rest is still open. Deterministic for a seed.
"""

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cases.models import Declaration, DeclarationSource, DeclarationStatus, TaskContract, Trajectory

MONTHS = 6
UNDER_DELIVERY_SHARE = 0.2
REJECTED_SHARE = 0.03
CENT = Decimal("0.01")


def _months_before(today: dt.date, n: int) -> list[tuple[dt.date, dt.date]]:
    """The last `n` complete calendar months before `today`, oldest first: (first day, last day)."""
    months = []
    last = today.replace(day=1) - dt.timedelta(days=1)
    for _ in range(n):
        months.append((last.replace(day=1), last))
        last = last.replace(day=1) - dt.timedelta(days=1)
    return months[::-1]


def write_declarations(gemeenten: dict, today: dt.date, *, seed: int, user=None) -> int:
    """Declaration lines for the demo gemeenten's P × Q care of the last MONTHS months, imported by `user`
    (the beheerder); returns how many."""
    rng = random.Random(seed)
    months = _months_before(today, MONTHS)
    first, last = months[0][0], months[-1][1]
    trajectories = (
        Trajectory.objects.filter(child__gemeente__in=list(gemeenten.values()), daily_cost__isnull=False)
        .filter(start_date__lte=last, tariff__gt=0)
        .exclude(end_date__lt=first)
        .annotate(
            covered=Exists(
                TaskContract.objects.filter(
                    gemeente_id=OuterRef("child__gemeente_id"),
                    provider_id=OuterRef("provider_id"),
                    segment_id=OuterRef("product__segment_id"),
                    year=last.year,
                )
            )
        )
        .filter(covered=False)
        .only("pk", "provider_id", "start_date", "end_date", "planned_end_date", "daily_cost", "tariff", "unit")
        .order_by("pk")
    )
    rows = []
    for trajectory in trajectories:
        under = rng.random() < UNDER_DELIVERY_SHARE
        for month_first, month_last in months:
            begin = max(month_first, trajectory.start_date)
            end = min(month_last, trajectory.end_date or month_last, trajectory.planned_end_date)
            if end < begin:
                continue
            allocated = trajectory.daily_cost * ((end - begin).days + 1)
            share = Decimal(str(rng.uniform(0.60, 0.85) if under else rng.uniform(0.92, 1.0)))
            volume = (allocated * share / trajectory.tariff).quantize(CENT, ROUND_HALF_UP)
            if volume <= 0:
                continue
            amount = (volume * trajectory.tariff).quantize(CENT, ROUND_HALF_UP)
            # Two providers in three have answered the last month already (JW325 comes within weeks), all
            # approved; earlier months are answered with a few rejections.
            last_month = month_first == months[-1][0]
            answered = not last_month or trajectory.provider_id % 3 != 0
            rejected = answered and not last_month and rng.random() < REJECTED_SHARE
            rows.append(
                Declaration(
                    trajectory_id=trajectory.pk,
                    provider_id=trajectory.provider_id,
                    month=month_first,
                    period_start=begin,
                    period_end=end,
                    volume=volume,
                    unit=trajectory.unit,
                    debit_credit="D",
                    amount=amount,
                    reference=f"DEMO{trajectory.pk}-{month_first:%Y%m}",
                    declaration_number=f"D{month_first:%Y%m}",
                    message_id=f"9{month_first:%Y%m}",
                    source=DeclarationSource.IJW,
                    status=(
                        DeclarationStatus.REJECTED
                        if rejected
                        else DeclarationStatus.APPROVED
                        if answered
                        else DeclarationStatus.SUBMITTED
                    ),
                    approved_amount=(Decimal("0.00") if rejected else amount) if answered else None,
                    answer_codes="0611" if rejected else "",
                )
            )
    bulk_create_with_history(
        rows,
        Declaration,
        batch_size=1000,
        default_user=user,
        default_change_reason="demo: declaraties (JW323)",
        default_date=timezone.now(),
    )
    return len(rows)
