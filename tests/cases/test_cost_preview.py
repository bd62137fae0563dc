"""The start and change forms show the cost per month and until the planned end before saving (htmx)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from cases.codes import Financing
from cases.models import Product, Trajectory
from cases.terms import cost_preview

from ..factories import ChildFactory, ProviderFactory, ReferralFactory, TrajectoryFactory, ambulant_product

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_p_x_q_preview_hand_computed(db):
    product = ambulant_product("95.00")
    preview = cost_preview(
        product, tariff=Decimal("95.00"), financing=Financing.EFFORT, volume=Decimal("2"), unit="04",
        frequency="2", start=dt.date(2026, 3, 2), planned_end=dt.date(2026, 8, 30),
    )  # fmt: skip
    # 2 hours a week × € 95 = € 27.1429 a day; a month is 365/12 days; 182 days to the planned end.
    assert preview.per_month == Decimal("825.60") and preview.until_end == Decimal("4940.01")
    assert preview.basis == "P × Q" and preview.impossible is None


def test_taakgericht_preview_uses_the_reference_tariff(db):
    product = Product.objects.get(code="43A07")
    product.financing, product.tariff, product.reference_tariff = Financing.TASK, None, Decimal("300.00")
    preview = cost_preview(
        product, tariff=None, financing=Financing.TASK, volume=Decimal("7"), unit="14", frequency="2",
        start=dt.date(2027, 1, 1), planned_end=dt.date(2027, 1, 31),
    )  # fmt: skip
    assert (preview.basis, preview.until_end) == ("indicatief (referentietarief)", Decimal("9300.00"))


def test_start_form_preview_fragment(client, toegang_a, gemeente_a):
    child = ChildFactory(gemeente=gemeente_a)
    referral = ReferralFactory(child=child)
    product = ambulant_product("95.00")
    client.force_login(toegang_a)
    data = {
        "_kosten": "1",
        "referral": referral.pk,
        "provider": ProviderFactory().pk,
        "product": product.pk,
        "start_date": "2026-03-02",
        "planned_end_date": "2026-08-30",
        "volume": "99999",
        "frequency": "1",
    }
    response = client.post(reverse("cases:trajectory_start", args=[child.pk]), data, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200 and page.lstrip().startswith('<div id="kosten"')
    assert "Volume 99.999 uur per dag kan niet" in page
    data["volume"] = "2"
    data["frequency"] = "2"
    page = client.post(reverse("cases:trajectory_start", args=[child.pk]), data, **HTMX).content.decode()
    assert "€ 826" in page and "€ 4.940" in page  # euro() shows whole euros
    assert not Trajectory.objects.exists()  # a preview never saves


def test_change_form_preview_uses_the_trajectory_price(client, toegang_a, gemeente_a):
    trajectory = TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a), tariff=Decimal("100.00"))
    client.force_login(toegang_a)
    data = {
        "_kosten": "1",
        "version": trajectory.version,
        "provider": trajectory.provider.pk,
        "start_date": "2026-03-02",
        "planned_end_date": "2026-03-31",
        "volume": "7",
        "frequency": "2",
    }
    page = client.post(reverse("cases:trajectory_change", args=[trajectory.pk]), data, **HTMX).content.decode()
    assert "€ 3.000" in page  # € 100 a day for 30 days
    trajectory.refresh_from_db()
    assert trajectory.version == 1
