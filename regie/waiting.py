"""De wachtlijst: every child of a gemeente waiting for care, longest wait first.

Waiting (issue 12; DOMAIN.md §3 wachttijd: from the referral to the start of care): a trajectory that was
allocated, is past its allocated start and has not actually started (no JW305, no first contact recorded),
or a referral meant for specialised care that has no trajectory yet. Two queries whatever the length.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from cases.models import Gemeente, Trajectory
from referrals.models import Referral, ReferralOutcome

from .codes import FlagCode
from .models import DEFAULT_RULES, FlagRule


@dataclass
class WaitingRow:
    child: object
    referral_date: dt.date | None
    days: int
    provider: str = ""
    product: str = ""
    allocated_start: dt.date | None = None
    family_informed: dt.date | None = None
    bridging_care: str = ""
    over_norm: bool = False

    @property
    def weeks(self) -> int:
        return self.days // 7


def waiting_list(gemeente: Gemeente, today: dt.date) -> list[WaitingRow]:
    rows = []
    allocated = (
        Trajectory.objects.filter(child__gemeente=gemeente)
        .waiting_on(today)
        .select_related("child", "provider", "product", "referral")
    )
    for t in allocated:
        since = t.referral.date if t.referral else t.start_date
        rows.append(
            WaitingRow(
                child=t.child,
                referral_date=t.referral.date if t.referral else None,
                days=(today - since).days,
                provider=t.provider.name,
                product=f"{t.product.code} {t.product.description}",
                allocated_start=t.start_date,
                family_informed=t.family_informed_date,
                bridging_care=t.bridging_care,
            )
        )
    unallocated = (
        Referral.objects.filter(child__gemeente=gemeente, date__lte=today)
        .filter(Q(outcome="") | Q(outcome=ReferralOutcome.SPECIALISED))
        .exclude(Exists(Trajectory.objects.filter(referral=OuterRef("pk"))))
        .select_related("child")
    )
    for referral in unallocated:
        rows.append(WaitingRow(child=referral.child, referral_date=referral.date, days=(today - referral.date).days))
    return sorted(rows, key=lambda r: (-r.days, r.child.pk))


@dataclass
class ProviderLine:
    provider: str
    waiting: int
    longest_weeks: int
    informed: int


def per_provider(rows: list[WaitingRow]) -> list[ProviderLine]:
    lines: dict[str, ProviderLine] = {}
    for row in rows:
        name = row.provider or "Nog geen aanbieder (wacht op toewijzing)"
        line = lines.setdefault(name, ProviderLine(name, 0, 0, 0))
        line.waiting += 1
        line.longest_weeks = max(line.longest_weeks, row.weeks)
        line.informed += 1 if row.family_informed else 0
    return sorted(lines.values(), key=lambda line: (-line.waiting, line.provider))


def waiting_norm_weeks(gemeente: Gemeente) -> int:
    """The gemeente's wachttijd threshold (Beheer › Signaalregels), so the list marks what the flag fires on."""
    return waiting_norms_weeks([gemeente.pk])[gemeente.pk]


def waiting_norms_weeks(gemeente_ids: list[int]) -> dict[int, int]:
    """waiting_norm_weeks for many gemeenten in one query (the KPIs of all gemeenten at once)."""
    thresholds = dict(
        FlagRule.objects.filter(gemeente__in=gemeente_ids, code=FlagCode.WAITING).values_list("gemeente", "threshold")
    )
    default = DEFAULT_RULES[FlagCode.WAITING][0]
    return {g: int(default if thresholds.get(g) is None else thresholds[g]) for g in gemeente_ids}
