"""An inspanningsgericht product without a tariff is 'prijs ontbreekt' everywhere, never called taakgericht
and never a silent € 0; the regisseur's queue says how taakgericht care counts."""

import datetime as dt

import pytest
from django.urls import reverse

from cases.models import Trajectory

from ..factories import ChildFactory, TrajectoryFactory, ambulant_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def unpriced(gemeente_a):
    product = ambulant_product()
    product.tariff = None
    product.save()
    return TrajectoryFactory(
        child=ChildFactory(gemeente=gemeente_a),
        product=product,
        start_date=dt.date(2026, 1, 5),
        planned_end_date=dt.date(2026, 6, 30),
    )


def test_inspanningsgericht_without_tariff_is_prijs_ontbreekt_not_taakgericht(frozen_today, client, unpriced, beheer_a):
    assert unpriced.financing == "inspanning" and unpriced.daily_cost is None
    assert list(Trajectory.objects.without_price()) == [unpriced]
    client.force_login(beheer_a)
    [row] = client.get(reverse("cases:missing_prices")).context["rows"]
    assert (row["product__code"], row["financing"], row["trajectories"]) == ("45A48", "inspanning", 1)
    page = client.get(reverse("cases:missing_prices")).text
    assert "<td>inspanningsgericht</td>" in page and "<td>taakgericht</td>" not in page


def test_the_case_file_says_prijs_ontbreekt_and_counts_no_euro(frozen_today, client, unpriced, toegang_a):
    client.force_login(toegang_a)
    response = client.get(reverse("cases:child_detail", args=[unpriced.child_id]))
    assert response.context["open_cost"] == 0 and response.context["missing_price"] == 1
    assert '<span class="badge badge-warn">prijs ontbreekt</span>' in response.text
    assert "1 traject zonder prijs telt hier niet mee" in response.text


def test_the_queue_explains_that_taakgericht_care_counts_indicatively(frozen_today, client, regisseur_a):
    client.force_login(regisseur_a)
    page = client.get(reverse("regie:queue")).text
    assert "telt mee met indicatieve kosten" in page
    assert "telt niet mee in de kosten" not in page
