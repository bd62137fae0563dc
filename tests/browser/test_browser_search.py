"""A toegangsmedewerker finds a child by BSN and by a misspelled name, in headless Chromium, and records
the household's address and a parent who lives elsewhere."""

import pytest

from cases.models import CaseAccessLog, Guardian, Task

from ..conftest import assert_accessible, login, screenshot
from ..factories import ChildFactory, GemeenteFactory, HouseholdFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_find_by_bsn_and_by_a_misspelled_name(page, toegang_a, gemeente_a):
    household = HouseholdFactory(
        gemeente=gemeente_a, name="Gezin Benali", postcode="2311 AB", house_number="12", city="Voorbeeldstad"
    )
    child = ChildFactory(
        gemeente=gemeente_a, household=household, first_name="Yasmina", last_name="Benali", bsn="999900006"
    )
    other = HouseholdFactory(gemeente=gemeente_a, name="Gezin Benali", postcode="2312 CD", house_number="3")
    ChildFactory(gemeente=gemeente_a, household=other, first_name="Omar", last_name="Benali")
    login(page, "toegang_a")
    page.get_by_role("link", name="Dossiers zoeken").click()

    page.get_by_label("Naam, geboortedatum").fill("999900006")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name=f"Yasmina Benali · {child.case_number}").is_visible()
    assert "999900006" not in page.url and "999900006" not in page.content()
    assert CaseAccessLog.objects.filter(action="zoeken op BSN", child=child).count() == 1

    page.get_by_role("link", name="Dossiers zoeken").first.click()
    page.get_by_label("Naam, geboortedatum").fill("Benalli")  # one letter too many: the live search finds both
    page.get_by_role("cell", name="2311 AB 12, Voorbeeldstad").wait_for()
    assert page.get_by_role("cell", name="2312 CD 3").is_visible()  # two Gezinnen Benali, told apart
    assert "Benalli" not in page.url
    assert_accessible(page)
    screenshot(page, "zoeken-tikfout")
    page.get_by_role("button", name="Zoeken").click()  # sent: the results page after the redirect
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Yasmina Benali").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name=f"Yasmina Benali · {child.case_number}").is_visible()
    assert_accessible(page)
    page.go_back()  # Back shows the results again, without asking to send a form again
    page.get_by_role("link", name="Yasmina Benali").wait_for()
    assert "Benalli" not in page.url


def test_record_the_address_and_a_parent_elsewhere(page, toegang_a, gemeente_a):
    verweg = GemeenteFactory(code="9903", name="Verweg")
    household = HouseholdFactory(gemeente=gemeente_a, name="Gezin De Vries")
    ChildFactory(gemeente=gemeente_a, household=household, first_name="Mila", last_name="de Vries", owner=toegang_a)
    login(page, "toegang_a")
    page.goto(f"/huishoudens/{household.pk}/")
    assert_accessible(page)

    page.get_by_role("link", name="Adres vastleggen").click()
    page.get_by_label("Postcode").fill("12345")
    page.get_by_label("Huisnummer").fill("12")
    page.get_by_label("Woonplaats").fill("Voorbeeldstad")
    page.get_by_role("button", name="Opslaan").click()
    assert page.get_by_text("Schrijf hem als 1234 AB").is_visible()
    assert page.get_by_label("Postcode").input_value() == "12345"
    assert_accessible(page)
    page.get_by_label("Postcode").fill("2311ab")
    page.get_by_label("Gemeente van het adres").select_option(label=str(gemeente_a))
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("2311 AB 12, Voorbeeldstad").first.is_visible()

    page.get_by_role("link", name="Ouder of gezaghebbende toevoegen").click()
    page.get_by_label("Naam").fill("Kees de Vries")
    page.get_by_label("Relatie tot het kind").select_option(label="Vader")
    page.get_by_label("Woont op het adres van het huishouden").uncheck()
    page.get_by_label("Postcode").fill("8011 AA")
    page.get_by_label("Huisnummer").fill("3")
    page.get_by_label("Woonplaats").fill("Verweg")
    page.get_by_label("Gemeente van het adres").select_option(label=str(verweg))
    assert_accessible(page)
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("er staat een overdrachtstaak klaar").is_visible()
    assert Guardian.objects.get().residence_gemeente == verweg
    assert Task.objects.get().owner == toegang_a
    assert_accessible(page)
    screenshot(page, "huishouden-adres-gezag")
