"""Spend with taakgerichte contracts: counted by the contract's payments, never also per trajectory."""

import datetime as dt
from decimal import Decimal

import pytest

from cases.codes import Financing
from cases.models import Product, TaskContract
from reports import kpis
from reports.kpis import Period
from reports.overview import gemeente_overview

from ..factories import ChildFactory, ProviderFactory, TrajectoryFactory, ensure_catalogue

FEB = Period.month(2026, 2)


def _residential(gemeente, provider, *, tariff=None, financing=Financing.TASK):
    ensure_catalogue()
    return TrajectoryFactory(
        child=ChildFactory(gemeente=gemeente),
        provider=provider,
        product=Product.objects.get(code="43A07"),
        start_date=dt.date(2026, 1, 1),
        planned_end_date=dt.date(2026, 12, 31),
        volume=Decimal("1"),
        unit="14",
        frequency="1",
        tariff=tariff,
        financing=financing,
    )


@pytest.fixture
def contracted(frozen_today, gemeente_a):
    covered, other, unpriced = ProviderFactory(), ProviderFactory(), ProviderFactory()
    _residential(gemeente_a, covered)  # taakgericht, paid by the contract
    _residential(gemeente_a, covered, tariff=Decimal("100.00"), financing=Financing.EFFORT)  # P × Q, but covered
    _residential(gemeente_a, other, tariff=Decimal("50.00"), financing=Financing.EFFORT)  # P × Q, no contract
    _residential(gemeente_a, unpriced)  # taakgericht without a contract: prijs ontbreekt
    segment = Product.objects.get(code="43A07").segment
    TaskContract.objects.create(
        gemeente=gemeente_a, provider=covered, segment=segment, year=2026, amount=Decimal("120000.00")
    )
    return segment


def test_contract_counts_by_its_payments_and_its_clients_not_twice(contracted, gemeente_a):
    one = {s.number: s for s in kpis.spend(gemeente_a, FEB).segments}[1]
    # February: the contract's monthly payment 120,000 / 12 + the uncovered P × Q client 28 days × 50.
    assert one.month == Decimal("11400.00")
    # Since 1 January: two payments + 59 days × 50. The covered P × Q client (100 a day) is not added.
    assert one.year_to_date == Decimal("22950.00")
    # Still to come: ten payments + 306 days × 50; the forecast holds the whole contract sum once.
    assert one.committed == Decimal("115300.00")
    assert one.forecast == Decimal("138250.00") == Decimal("120000") + 365 * 50
    assert (one.contracts, one.unpriced) == (Decimal("120000.00"), 1)


def test_beleid_overview_counts_the_same_way(contracted, gemeente_a, beleid_a):
    overview = gemeente_overview(beleid_a)[0]
    one = next(row for row in overview["segments"] if row["segment"].number == 1)
    # 2 March 2026: payments of 1 January, 1 February and 1 March + 61 days × 50 of the uncovered client.
    assert one["spent"] == Decimal("30000.00") + 61 * 50
