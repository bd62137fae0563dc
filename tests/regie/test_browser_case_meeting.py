"""A case meeting in the browser: plan it, put a case on the agenda, record the outcome; axe on the pages."""

import datetime as dt

import pytest
from django.utils import timezone

from regie.models import CaseMeetingItem

from ..conftest import assert_accessible, login, screenshot
from ..factories import ChildFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_regisseur_plans_a_meeting_and_records_the_outcome(page, gemeente_a, regisseur_a, toegang_a):
    child = ChildFactory(gemeente=gemeente_a)
    login(page, "regisseur_a")
    page.goto("/regie/overleggen/")
    assert_accessible(page)
    page.get_by_label("Datum").fill((timezone.localdate() + dt.timedelta(days=7)).isoformat())
    page.get_by_label("Soort overleg").select_option(label="Team8Tien")
    page.get_by_label("Deelnemers van buiten").fill("Leerplicht")
    page.get_by_role("button", name="Overleg plannen").click()
    page.wait_for_load_state("networkidle")
    page.get_by_label("Dossiernummer").fill(child.case_number)
    page.get_by_role("button", name="Op de agenda").click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    page.get_by_role("link", name="Uitkomst vastleggen").click()
    page.get_by_label("Voortzetten (met reden)").check()
    page.get_by_label("Motivering").fill("Besproken: zorg loopt door, school betrekken")
    page.get_by_label("Vervolgdatum").fill((timezone.localdate() + dt.timedelta(days=60)).isoformat())
    page.get_by_label("Wie onderneemt actie").fill("toegangsteam")
    page.get_by_role("button", name="Besluit vastleggen").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Besproken: zorg loopt door, school betrekken").is_visible()
    screenshot(page, "regie-casusoverleg-notulen")
    assert CaseMeetingItem.objects.get().outcome is not None
