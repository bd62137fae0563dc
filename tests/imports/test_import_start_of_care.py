"""iJw: a JW301 allocates (the child waits), the JW305 start zorg records the actual start the rules read."""

import datetime as dt
from decimal import Decimal

import pytest

from cases.models import Product, Trajectory

from ..factories import GemeenteFactory, ProviderFactory, UserFactory, ensure_catalogue
from .ijw_messages import jw301, jw305
from .test_import_ijw import do_import, files

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(db):
    diemen = GemeenteFactory(code="0384", name="Diemen")
    ProviderFactory(agb_code="42420001", name="Jeugdhulp Noord")
    ensure_catalogue()
    Product.objects.filter(code="45A48").update(tariff=Decimal("95.00"))
    return UserFactory(username="beheer_start", role="beheer", gemeenten=[diemen])


def test_allocation_waits_until_the_jw305(user, tmp_path):
    do_import(files(tmp_path, [("a", jw301("1001"))]), user)
    trajectory = Trajectory.objects.get()
    assert (trajectory.start_date, trajectory.actual_start_date) == (dt.date(2025, 2, 3), None)
    do_import(files(tmp_path, [("b", jw305("1001", begin=dt.date(2025, 2, 10)))], "later"), user)
    trajectory.refresh_from_db()
    assert trajectory.actual_start_date == dt.date(2025, 2, 10)
