"""Indicative costs of taakgericht care: a contract sum spread over its clients, hand-computed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cases.codes import Financing
from cases.models import IndicativeCost, Product, TaskContract, Trajectory
from cases.services.costs import indicative_costs_refresh

from ..factories import ChildFactory, ProviderFactory, TrajectoryFactory, ensure_catalogue

TODAY = dt.date(2027, 2, 15)


def residential(reference_tariff=None) -> Product:
    ensure_catalogue()
    product = Product.objects.get(code="43A07")
    product.financing, product.tariff, product.unit = Financing.TASK, None, "14"
    product.reference_tariff = reference_tariff
    product.save()
    return product


def task_trajectory(gemeente, provider, product, start, planned_end, end=None, volume="7"):
    return TrajectoryFactory(
        child=ChildFactory(gemeente=gemeente),
        provider=provider,
        product=product,
        start_date=start,
        planned_end_date=planned_end,
        end_date=end,
        end_reason="31" if end else "",
        volume=Decimal(volume),
        unit="14",
        frequency="2",
        tariff=None,
        financing=Financing.TASK,
    )


@pytest.fixture
def three_clients(gemeente_a):
    product = residential()
    provider = ProviderFactory()
    contract = TaskContract.objects.create(
        gemeente=gemeente_a, provider=provider, segment=product.segment, year=2027, amount=Decimal("36500.00")
    )
    # Care days in 2027: 365 (all year), 200 (1 Mar - 16 Sep, not started yet), 165 (1 Jan - 14 Jun, ended).
    a = task_trajectory(gemeente_a, provider, product, dt.date(2026, 10, 1), dt.date(2027, 12, 31))
    b = task_trajectory(gemeente_a, provider, product, dt.date(2027, 3, 1), dt.date(2027, 9, 16))
    c = task_trajectory(gemeente_a, provider, product, dt.date(2027, 1, 1), dt.date(2027, 12, 31), dt.date(2027, 6, 14))
    return contract, (a, b, c)


@pytest.mark.django_db
def test_contract_sum_splits_over_three_clients_by_care_days(gemeente_a, three_clients):
    contract, (a, b, c) = three_clients
    assert indicative_costs_refresh(gemeente_ids=[gemeente_a.pk], today=TODAY) == 3
    # 36,500 / (365 + 200 + 165) care days = € 50 a day for each of them.
    rows = {row.trajectory_id: row for row in IndicativeCost.objects.all()}
    assert {pk: rows[pk].daily_cost for pk in rows} == {t.pk: Decimal("50.0000") for t in (a, b, c)}
    assert all(row.contract_id == contract.pk and row.basis == "contract" for row in rows.values())
    # In the contract year the three add up to the contract sum.
    assert 365 * 50 + 200 * 50 + 165 * 50 == 36500
    # The case-level figures read it. On 15 Feb 2027 a has run 138 days (from 1 Oct 2026); 319 to come.
    cost = Trajectory.objects.filter(pk=a.pk).with_costs(TODAY).get()
    assert (cost.cost_to_date, cost.committed, cost.cost_basis) == (Decimal("6900"), Decimal("15950"), "contract")
    # Spend never does: P × Q only.
    spend = Trajectory.objects.filter(pk=a.pk).with_costs(TODAY, indicative=False).get()
    assert spend.cost_to_date is None


@pytest.mark.django_db
def test_reference_basis_weights_the_split(gemeente_a):
    product = residential(reference_tariff=Decimal("300.00"))
    light = Product.objects.get(code="44A07")  # pleegzorg, same segment
    light.financing, light.tariff, light.reference_tariff = Financing.TASK, None, Decimal("100.00")
    light.save()
    provider = ProviderFactory()
    TaskContract.objects.create(
        gemeente=gemeente_a,
        provider=provider,
        segment=product.segment,
        year=2027,
        amount=Decimal("146000.00"),
        cost_basis="reference",
    )
    heavy = task_trajectory(gemeente_a, provider, product, dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    foster = task_trajectory(gemeente_a, provider, light, dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    indicative_costs_refresh(gemeente_ids=[gemeente_a.pk], today=TODAY)
    # Weights 300 and 100 a day over 365 days each: 146,000 × 3/4 / 365 = 300, × 1/4 / 365 = 100.
    daily = dict(IndicativeCost.objects.values_list("trajectory_id", "daily_cost"))
    assert daily == {heavy.pk: Decimal("300.0000"), foster.pk: Decimal("100.0000")}


@pytest.mark.django_db
def test_without_contract_the_reference_tariff_prices_it(gemeente_a):
    product = residential(reference_tariff=Decimal("350.00"))
    t = task_trajectory(gemeente_a, ProviderFactory(), product, dt.date(2027, 1, 4), dt.date(2027, 12, 31), volume="5")
    indicative_costs_refresh(gemeente_ids=[gemeente_a.pk], today=TODAY)
    row = IndicativeCost.objects.get(trajectory=t)
    assert (row.daily_cost, row.basis, row.contract_id) == (Decimal("250.0000"), "referentie", None)  # 350 × 5 / 7


@pytest.mark.django_db
def test_no_contract_and_no_reference_tariff_is_prijs_ontbreekt(gemeente_a):
    product = residential()
    task = task_trajectory(gemeente_a, ProviderFactory(), product, dt.date(2027, 1, 4), dt.date(2027, 12, 31))
    unpriced_effort = TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a), tariff=None)
    priced = TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a))
    indicative_costs_refresh(gemeente_ids=[gemeente_a.pk], today=TODAY)
    assert set(Trajectory.objects.without_price().values_list("pk", flat=True)) == {task.pk, unpriced_effort.pk}
    basis = dict(Trajectory.objects.with_costs(TODAY).values_list("pk", "cost_basis"))
    assert basis == {task.pk: "ontbreekt", unpriced_effort.pk: "ontbreekt", priced.pk: "tarief"}


@pytest.mark.django_db
def test_p_x_q_clients_of_a_contract_share_its_care_days(gemeente_a):
    product = residential()
    provider = ProviderFactory()
    TaskContract.objects.create(
        gemeente=gemeente_a, provider=provider, segment=product.segment, year=2027, amount=Decimal("73000.00")
    )
    new = task_trajectory(gemeente_a, provider, product, dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    old = TrajectoryFactory(
        child=ChildFactory(gemeente=gemeente_a),
        provider=provider,
        product=product,
        start_date=dt.date(2026, 6, 1),
        planned_end_date=dt.date(2027, 12, 31),
        tariff=Decimal("380.00"),
        financing=Financing.EFFORT,
        volume=Decimal("7"),
        unit="14",
    )
    indicative_costs_refresh(gemeente_ids=[gemeente_a.pk], today=TODAY)
    # 73,000 over 2 × 365 care days: the new client is € 100 a day, not the whole sum; the old keeps P × Q.
    assert dict(IndicativeCost.objects.values_list("trajectory_id", "daily_cost")) == {new.pk: Decimal("100.0000")}
    assert Trajectory.objects.get(pk=old.pk).daily_cost == Decimal("380.0000")


@pytest.mark.django_db
def test_refresh_twice_gives_the_same_rows_and_other_gemeenten_are_untouched(gemeente_a, gemeente_b, three_clients):
    indicative_costs_refresh(gemeente_ids=[gemeente_a.pk], today=TODAY)
    first = list(IndicativeCost.objects.order_by("pk").values_list("trajectory_id", "daily_cost"))
    indicative_costs_refresh(gemeente_ids=[gemeente_a.pk], today=TODAY)
    assert list(IndicativeCost.objects.order_by("pk").values_list("trajectory_id", "daily_cost")) == first
    indicative_costs_refresh(gemeente_ids=[gemeente_b.pk], today=TODAY)
    assert IndicativeCost.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["0", "-100"])
def test_contract_sum_must_be_positive(gemeente_a, amount):
    product = residential()
    contract = TaskContract(
        gemeente=gemeente_a, provider=ProviderFactory(), segment=product.segment, year=2027, amount=Decimal(amount)
    )
    with pytest.raises(ValidationError) as error:
        contract.full_clean()
    assert "De contractsom moet groter dan € 0 zijn." in str(error.value)


def test_payments_follow_the_schedule():
    contract = TaskContract(year=2027, amount=Decimal("100000.00"), payment_schedule="monthly")
    payments = contract.payments()
    assert len(payments) == 12 and payments[0] == (dt.date(2027, 1, 1), Decimal("8333.33"))
    assert payments[-1] == (dt.date(2027, 12, 1), Decimal("8333.37"))
    assert sum(a for _, a in payments) == Decimal("100000.00")
    assert contract.paid_between(dt.date(2027, 1, 1), dt.date(2027, 2, 28)) == Decimal("16666.66")
    quarterly = TaskContract(year=2027, amount=Decimal("100000.00"), payment_schedule="quarterly")
    assert [d.month for d, _ in quarterly.payments()] == [1, 4, 7, 10]


@pytest.mark.django_db
def test_before_the_contract_year_its_clients_already_in_care_share_it(gemeente_a):
    """In December 2026 the 2027 contract is signed; care running into 2027 counts its 2027 days."""
    product = residential()
    provider = ProviderFactory()
    TaskContract.objects.create(
        gemeente=gemeente_a, provider=provider, segment=product.segment, year=2027, amount=Decimal("36500.00")
    )
    task_trajectory(gemeente_a, provider, product, dt.date(2026, 6, 1), dt.date(2027, 12, 31))  # 365 days in 2027
    new = task_trajectory(gemeente_a, provider, product, dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    indicative_costs_refresh(gemeente_ids=[gemeente_a.pk], today=dt.date(2026, 12, 6))
    # The one running now has no 2026 contract (no indicative cost); the new one: 36,500 / 730 = 50.
    assert dict(IndicativeCost.objects.values_list("trajectory_id", "daily_cost")) == {new.pk: Decimal("50.0000")}
