"""The beheerder records taakgerichte contracts and sees the list 'prijs ontbreekt'."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from cases.codes import Financing
from cases.models import IndicativeCost, Product, Role, TaskContract

from ..factories import ChildFactory, ProviderFactory, TrajectoryFactory, UserFactory, ensure_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_a(client, beheer_a):
    client.force_login(beheer_a)
    return client


def _task_trajectory(gemeente, provider):
    ensure_catalogue()
    product = Product.objects.get(code="43A07")
    return TrajectoryFactory(
        child=ChildFactory(gemeente=gemeente),
        provider=provider,
        product=product,
        start_date=dt.date(2026, 1, 5),
        planned_end_date=dt.date(2026, 12, 31),
        volume=Decimal("7"),
        unit="14",
        tariff=None,
        financing=Financing.TASK,
    )


def test_beheerder_records_a_contract_and_its_clients_get_an_indicative_cost(
    frozen_today, admin_client_a, beheer_a, gemeente_a, django_capture_on_commit_callbacks
):
    provider = ProviderFactory()
    trajectory = _task_trajectory(gemeente_a, provider)
    data = {
        "gemeente": gemeente_a.pk,
        "provider": provider.pk,
        "segment": trajectory.product.segment.pk,
        "year": "2026",
        "amount": "361000",
        "payment_schedule": "quarterly",
        "cost_basis": "care_days",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_a.post(reverse("admin:cases_taskcontract_add"), data)
    assert response.status_code == 302, response.context["adminform"].errors if response.context else response
    contract = TaskContract.objects.get()
    assert contract.history.get().history_user == beheer_a
    # The evaluation after the save spread the sum: 361,000 over 5 Jan - 31 Dec 2026 (361 care days).
    assert IndicativeCost.objects.get(trajectory=trajectory).daily_cost == Decimal("1000.0000")


@pytest.mark.parametrize("amount", ["0", "-5"])
def test_a_contract_sum_of_zero_or_less_is_refused_in_dutch(admin_client_a, gemeente_a, amount):
    ensure_catalogue()
    data = {
        "gemeente": gemeente_a.pk,
        "provider": ProviderFactory().pk,
        "segment": Product.objects.get(code="43A07").segment.pk,
        "year": "2027",
        "amount": amount,
        "payment_schedule": "monthly",
        "cost_basis": "care_days",
    }
    response = admin_client_a.post(reverse("admin:cases_taskcontract_add"), data)
    assert response.status_code == 200
    assert "De contractsom moet groter dan € 0 zijn." in response.content.decode()
    assert not TaskContract.objects.exists()


def test_beheerder_cannot_see_another_gemeentes_contract(admin_client_a, gemeente_b):
    ensure_catalogue()
    other = TaskContract.objects.create(
        gemeente=gemeente_b,
        provider=ProviderFactory(),
        segment=Product.objects.get(code="43A07").segment,
        year=2027,
        amount=Decimal("1000"),
    )
    response = admin_client_a.get(reverse("admin:cases_taskcontract_change", args=[other.pk]))
    assert response.status_code in (302, 404)
    assert "1.000" not in admin_client_a.get(reverse("admin:cases_taskcontract_changelist")).content.decode()


def test_missing_price_list_groups_per_product_and_provider(frozen_today, client, beheer_a, gemeente_a, gemeente_b):
    provider = ProviderFactory(name="Verblijf Zonder Contract")
    _task_trajectory(gemeente_a, provider)
    _task_trajectory(gemeente_a, provider)
    TrajectoryFactory(
        child=ChildFactory(gemeente=gemeente_a), start_date=dt.date(2026, 1, 5), planned_end_date=dt.date(2026, 6, 1)
    )
    _task_trajectory(gemeente_b, ProviderFactory(name="Aanbieder Van Proefdorp"))
    client.force_login(beheer_a)
    with_queries = client.get(reverse("cases:missing_prices"))
    page = with_queries.content.decode()
    assert "Verblijf Zonder Contract" in page and "Contract vastleggen" in page
    assert "Aanbieder Van Proefdorp" not in page
    assert '<td class="num">2</td>' in page


def test_missing_price_list_is_for_the_beheerder_only(client, gemeente_a):
    client.force_login(UserFactory(role=Role.TOEGANG, gemeenten=[gemeente_a]))
    assert client.get(reverse("cases:missing_prices")).status_code == 403
