"""Declared vs allocated, and realised months in spend and forecast: hand-computed for one provider over three
months (docs/kpis.md, "Declaraties").

The trajectory: 45A48 (segment 5, P × Q) at € 95,00 an hour, 7 hours a week, so exactly € 95,00 a day;
1 March to 31 December 2026. Declared: March 30 hours (€ 2.850), April 30 hours (€ 2.850), May 20 hours
(€ 1.900, under-delivery).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Declaration, DeclarationStatus, Product, TaskContract
from reports import kpis
from reports.kpis import Period
from reports.mail import report_email
from reports.report import report_build

from ..factories import ChildFactory, ProviderFactory, TrajectoryFactory, UserFactory

D = dt.date
MAY = Period.month(2026, 5)


@pytest.fixture
def declared(gemeente_a):
    provider = ProviderFactory(name="Zorggroep West")
    trajectory = TrajectoryFactory(
        child=ChildFactory(gemeente=gemeente_a),
        provider=provider,
        start_date=D(2026, 3, 1),
        planned_end_date=D(2026, 12, 31),
        volume=Decimal("7"),
        frequency="2",
    )
    assert trajectory.daily_cost == Decimal("95.0000")
    for month, hours in ((3, 30), (4, 30), (5, 20)):
        first = D(2026, month, 1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        Declaration.objects.create(
            trajectory=trajectory,
            provider=provider,
            month=first,
            period_start=first,
            period_end=last,
            volume=hours,
            unit="04",
            debit_credit="D",
            amount=Decimal(hours * 95),
            reference=f"R{month}",
            source="ijw",
        )
    return trajectory


def test_declared_vs_allocated_per_month(declared, gemeente_a):
    march, april, may = kpis.declared_vs_allocated_series(
        gemeente_a, [Period.month(2026, 3), Period.month(2026, 4), MAY]
    )

    # Allocated: days in the month × € 95. Share: declared / allocated.
    assert [(r.allocated, r.declared, r.declared_pct) for r in (march.rows[0], april.rows[0], may.rows[0])] == [
        (Decimal("2945.00"), Decimal("2850.00"), 96.8),
        (Decimal("2850.00"), Decimal("2850.00"), 100.0),
        (Decimal("2945.00"), Decimal("1900.00"), 64.5),
    ]
    row = may.rows[0]
    assert (row.segment_number, row.provider, row.difference, row.open) == (
        5,
        "Zorggroep West",
        Decimal("-1045.00"),
        Decimal("1900.00"),
    )


def test_spend_uses_realised_months_instead_of_p_x_q(declared, gemeente_a):
    five = {s.number: s for s in kpis.spend(gemeente_a, MAY).segments}[5]

    assert five.month == Decimal("1900.00")  # May as declared, not 31 × 95 = 2945
    assert five.year_to_date == Decimal("7600.00")  # 2850 + 2850 + 1900, not 92 days × 95 = 8740
    assert five.committed == Decimal("20330.00")  # 1 June - 31 December: 214 days × 95, still P × Q
    assert five.forecast == Decimal("27930.00")


def test_a_rejected_month_counts_at_p_x_q_again(declared, gemeente_a):
    Declaration.objects.filter(reference="R5").update(status=DeclarationStatus.REJECTED, approved_amount=0)

    five = {s.number: s for s in kpis.spend(gemeente_a, MAY).segments}[5]
    may = kpis.declared_vs_allocated(gemeente_a, MAY).rows[0]

    assert (five.month, five.year_to_date) == (Decimal("2945.00"), Decimal("8645.00"))  # 2850 + 2850 + 2945
    assert (may.declared, may.rejected, may.approved, may.open) == (
        Decimal("1900.00"),
        Decimal("1900.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )


def test_a_credit_and_its_debit_give_p_x_q_back(declared, gemeente_a):
    debit = Declaration.objects.get(reference="R5")
    Declaration.objects.create(
        **{f: getattr(debit, f) for f in ("trajectory", "provider", "month", "period_start", "period_end", "volume")},
        unit="04",
        debit_credit="C",
        amount=-debit.amount,
        reference="R5",
        source="ijw",
    )

    five = {s.number: s for s in kpis.spend(gemeente_a, MAY).segments}[5]

    assert five.month == Decimal("2945.00")
    assert kpis.declared_vs_allocated(gemeente_a, MAY).rows[0].declared == Decimal("0.00")


def test_taakgericht_care_counts_by_its_contract_never_also_by_declarations(declared, gemeente_a):
    TaskContract.objects.create(
        gemeente=gemeente_a,
        provider=declared.provider,
        segment=Product.objects.get(code="45A48").segment,
        year=2026,
        amount=Decimal("12000.00"),
    )

    five = {s.number: s for s in kpis.spend(gemeente_a, MAY).segments}[5]

    assert (five.month, five.year_to_date) == (Decimal("1000.00"), Decimal("5000.00"))  # 1/12 a month


def test_dashboard_and_email_show_the_section(declared, gemeente_a, client):
    user = UserFactory(role="beleid", gemeenten=[gemeente_a])
    client.force_login(user)

    page = client.get(reverse("reports:dashboard"), {"gemeente": gemeente_a.code, "maand": "2026-05"})

    text = page.content.decode()
    assert "Gedeclareerd vs toegewezen" in text
    assert "Zorggroep West" in text and "€ 1.900" in text and "64,5%" in text
    email = report_email(report_build(gemeente_a, MAY), to="beleid@example.nl")
    assert "Zorggroep West: gedeclareerd € 1.900 van € 2.945 toegewezen" in email.body
    assert "Zorggroep West" in email.alternatives[0][0]
    assert not mail.outbox


def _queries(gemeente) -> int:
    with CaptureQueriesContext(connection) as queries:
        kpis.declared_vs_allocated_series(gemeente, MAY.with_months_before(12))
        kpis.spend_series(gemeente, MAY.with_months_before(12))
    return len(queries)


def test_the_query_count_does_not_grow_with_the_data(declared, gemeente_a):
    before = _queries(gemeente_a)
    for n in range(5):
        provider = ProviderFactory()
        other = TrajectoryFactory(
            child=ChildFactory(gemeente=gemeente_a),
            provider=provider,
            start_date=D(2026, 3, 1),
            planned_end_date=D(2026, 12, 31),
        )
        Declaration.objects.create(
            trajectory=other, provider=provider, month=D(2026, 4, 1), period_start=D(2026, 4, 1),
            period_end=D(2026, 4, 30), volume=2, unit="04", debit_credit="D", amount=Decimal("190.00"),
            reference=f"X{n}", source="csv",
        )  # fmt: skip

    assert _queries(gemeente_a) == before
