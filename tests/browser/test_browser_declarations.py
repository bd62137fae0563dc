"""Declared vs allocated on the KPI dashboard, with the demo's declarations, in headless Chromium."""

import pytest

from cases.models import Declaration
from demo import builder as demo

from ..conftest import assert_accessible, login, screenshot
from ..factories import ensure_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_beleid_sees_declared_against_allocated_per_provider(page, db):
    ensure_catalogue()
    demo.build_demo(scale=0.1)
    assert Declaration.objects.exists()

    login(page, "beleid", password="demo-jeugdregie")
    page.goto("/kpi/")

    assert page.get_by_role("heading", name="Gedeclareerd vs toegewezen").is_visible()
    table = page.get_by_role("region", name="Gedeclareerd tegenover toegewezen per segment en aanbieder")
    assert table.locator("tbody tr").count() >= 3
    assert "Totaal" in table.locator("tfoot").inner_text()
    assert_accessible(page)
    screenshot(page, "kpi-declarations")
