"""The CSV and iJw imports refuse a volume that cannot be delivered, by the same rule as the toegang's form."""

from decimal import Decimal

import pytest

from cases.models import Product, Trajectory

from ..factories import GemeenteFactory, ProviderFactory, UserFactory, ensure_catalogue
from .ijw_messages import jw301
from .test_import_csv import HEADER, do_import, setup, snapshot, write  # noqa: F401 - setup is a fixture
from .test_import_ijw import do_import as ijw_import
from .test_import_ijw import files


def test_99999_hours_a_day_refuses_the_whole_csv_file(setup, tmp_path):  # noqa: F811
    text = (
        HEADER + "\n"
        "0384;K-1;14-02-2012;02;06-01-2025;42420001;45A48;03-02-2025;02-02-2026;;;2;04;2;\n"
        "0384;K-2;14-02-2012;02;06-01-2025;42420001;45A48;03-02-2025;02-02-2026;;;99999;04;1;\n"
    )
    before = snapshot()
    run, report = do_import(write(tmp_path, text), setup)
    assert not report.ok
    problem = report.problems[0]
    assert (problem.where, problem.field, problem.value) == ("regel 3", "volume", "99999")
    assert problem.message.startswith("Volume 99.999 uur per dag kan niet")
    assert snapshot() == before and not Trajectory.objects.exists()


@pytest.mark.django_db
def test_an_ijw_allocation_of_99999_hours_a_day_is_refused(tmp_path):
    diemen = GemeenteFactory(code="0384", name="Diemen")
    ProviderFactory(agb_code="42420001", name="Jeugdhulp Noord")
    ensure_catalogue()
    Product.objects.filter(code="45A48").update(tariff=Decimal("95.00"))
    user = UserFactory(username="beheer_ijw_volume", role="beheer", gemeenten=[diemen])
    run, report = ijw_import(files(tmp_path, [("a", jw301("1001", volume=99999, frequency="1"))]), user)
    assert not report.ok
    assert "Volume 99.999 uur per dag kan niet" in report.problems[0].message
    assert not Trajectory.objects.exists()
