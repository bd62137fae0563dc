"""A small data set for the KPI tests whose answers are computed by hand (see the comments).

Report month: February 2026 (the frozen clock says 2 March 2026). Every trajectory costs a round
amount per day (volume 1 per day × tariff), so spend is days × tariff.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from cases.models import Extension, ExtensionStatus, Product, SegmentBudget, YouthPopulation

from ..factories import ChildFactory, ExtensionFactory, ReferralFactory, TrajectoryFactory

D = dt.date


def product_in_segment(number: int) -> Product:
    return Product.objects.filter(segment__number=number).order_by("code").first()


def trajectory(child, start, *, tariff, segment=5, end=None, planned_end=None, referral=None, **extra):
    """A trajectory of volume 1 per day at `tariff` a day (None: taakgericht, no per-case price)."""
    if end is not None:
        extra.setdefault("end_reason", "31")
    return TrajectoryFactory(
        child=child,
        product=product_in_segment(segment),
        referral=referral,
        start_date=start,
        planned_end_date=planned_end or end or D(2026, 12, 31),
        end_date=end,
        volume=Decimal("1"),
        frequency="1",
        tariff=None if tariff is None else Decimal(tariff),
        financing="taak" if tariff is None else "inspanning",
        **extra,
    )


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=timezone.get_default_timezone())


def build(gemeente, other_gemeente) -> dict:
    """Build the data set; returns the named objects."""
    c = {n: ChildFactory(gemeente=gemeente, birth_date=D(2014, 5, 17)) for n in range(1, 10)}
    c[6].birth_date = D(2007, 6, 1)  # 18 on 28-02-2026: in care, not in "1 op N"
    c[6].save()

    rd = ReferralFactory(child=c[2], date=D(2026, 2, 1), source="01")  # gemeente → T4
    r45 = ReferralFactory(child=c[4], date=D(2026, 1, 1), source="02")
    r7 = ReferralFactory(child=c[5], date=D(2025, 12, 1), source="03")
    # Referrals in February without a trajectory: huisarts specialised, huisarts open, POH light help.
    ReferralFactory(child=c[7], date=D(2026, 2, 3), source="02", outcome="specialised", outcome_date=D(2026, 2, 10))
    ReferralFactory(child=c[8], date=D(2026, 2, 12), source="02")
    ReferralFactory(child=c[9], date=D(2026, 2, 4), source="02P", outcome="light", outcome_date=D(2026, 2, 20))

    t = {}
    t[1] = trajectory(c[1], D(2026, 1, 1), end=D(2026, 2, 10), tariff="10")  # 41 days, 0-3 m
    t[2] = trajectory(c[2], D(2025, 8, 1), end=D(2026, 2, 20), tariff="20", end_reason="32")  # 204 days
    t[3] = trajectory(c[3], D(2024, 1, 15), end=D(2026, 2, 14), tariff=None, segment=1)  # 762 days, 2-3 y
    t[4] = trajectory(c[2], D(2026, 2, 21), planned_end=D(2026, 4, 30), tariff="30", referral=rd)
    t[5] = trajectory(c[4], D(2026, 2, 5), planned_end=D(2026, 3, 31), tariff="40", referral=r45)
    t[6] = trajectory(
        c[4], D(2026, 2, 5), planned_end=D(2027, 6, 30), tariff="50", segment=3, referral=r45,
        outside_budget=True, outside_budget_reason="Niet-gecontracteerde aanbieder",
    )  # fmt: skip
    t[7] = trajectory(c[5], D(2026, 2, 15), planned_end=D(2026, 8, 14), tariff="5", referral=r7)
    t[8] = trajectory(c[6], D(2025, 3, 1), planned_end=D(2026, 2, 28), tariff="1")  # planned end passed
    t[9] = trajectory(c[4], D(2025, 12, 1), planned_end=D(2026, 5, 31), tariff="2")
    t[10] = trajectory(c[7], D(2025, 1, 1), end=D(2025, 6, 30), tariff="1000")  # ended last year
    # Re-entry cohort February 2025: C8 leaves and returns in September, C9 leaves for good.
    trajectory(c[8], D(2024, 6, 1), end=D(2025, 2, 15), tariff="1")
    trajectory(c[8], D(2025, 9, 1), end=D(2025, 10, 31), tariff="1")
    trajectory(c[9], D(2024, 6, 1), end=D(2025, 2, 20), tariff="1")

    def extension(traj, requested, status=ExtensionStatus.PENDING, decided=None):
        ext = ExtensionFactory(trajectory=traj)
        fields = {"requested_at": _at(requested), "status": status}
        if decided:
            fields.update(decided_at=_at(decided), decision_reason="Besluit")
        Extension.objects.filter(pk=ext.pk).update(**fields)

    extension(t[9], D(2026, 2, 3), ExtensionStatus.APPROVED, D(2026, 2, 10))
    extension(t[8], D(2026, 1, 20), ExtensionStatus.REFUSED, D(2026, 2, 5))
    extension(t[3], D(2025, 5, 1), ExtensionStatus.SHORTENED, D(2025, 6, 1))
    extension(t[7], D(2026, 2, 27))

    YouthPopulation.objects.create(gemeente=gemeente, year=2026, count=50)
    SegmentBudget.objects.create(gemeente=gemeente, segment=product_in_segment(5).segment, year=2026, amount=10000)

    # Another gemeente's care in the same month must never show up in gemeente A's figures.
    other = ChildFactory(gemeente=other_gemeente)
    other_referral = ReferralFactory(child=other, date=D(2026, 2, 2), source="02")
    trajectory(
        other, D(2026, 2, 3), end=D(2026, 2, 25), tariff="999", referral=other_referral,
        outside_budget=True, outside_budget_reason="Maatwerk",
    )  # fmt: skip
    YouthPopulation.objects.create(gemeente=other_gemeente, year=2026, count=10)
    return {"children": c, "trajectories": t}
