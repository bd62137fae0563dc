"""Every main page per role in headless Chromium: it works, it is accessible (axe), and a screenshot is kept."""

import datetime as dt

import pytest

from cases.models import Extension, Trajectory

from ..conftest import assert_accessible, login, screenshot
from ..factories import ChildFactory, ExtensionFactory, HouseholdFactory, TrajectoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_toetsmedewerker_decides_an_extension_from_the_queue(page, toets_a, gemeente_a):
    today = dt.date.today()
    trajectory = TrajectoryFactory(
        child=ChildFactory(gemeente=gemeente_a, first_name="Sem", last_name="Bakker"),
        start_date=today - dt.timedelta(days=300),
        planned_end_date=today + dt.timedelta(days=20),
    )
    extension = ExtensionFactory(trajectory=trajectory, requested_end_date=today + dt.timedelta(days=200))
    login(page, "toets_a")
    assert page.get_by_role("heading", name="Verlengingen toetsen").is_visible()  # the toets starts at the queue
    assert page.locator("td", has_text="Sem Bakker").first.is_visible()
    assert_accessible(page)
    screenshot(page, "toets-wachtrij")

    page.get_by_role("link", name="Beoordelen verlenging Sem Bakker").click()
    assert page.get_by_role("heading", name="Verlenging beoordelen: Sem Bakker").is_visible()
    assert_accessible(page)
    page.get_by_role("radio", name="Afwijzen").check()
    page.get_by_role("button", name="Besluit vastleggen").click()
    assert page.get_by_text("Dit veld is verplicht").is_visible()  # no reason: nothing decided
    assert Extension.objects.get(pk=extension.pk).status == "pending"
    assert_accessible(page)
    screenshot(page, "toets-besluit-fout")

    page.get_by_role("radio", name="Korter toekennen").check()
    page.get_by_label("Toegekende einddatum").fill((today + dt.timedelta(days=90)).isoformat())
    page.get_by_label("Motivering").fill("Drie maanden om af te ronden, daarna lichte hulp")
    page.get_by_role("button", name="Besluit vastleggen").click()
    assert page.get_by_text("korter toegekend").is_visible()
    assert page.get_by_text("Er wachten geen verlengingsaanvragen").is_visible()
    assert Trajectory.objects.get(pk=trajectory.pk).planned_end_date == today + dt.timedelta(days=90)


def test_household_view_shows_every_siblings_current_care(page, toegang_a, gemeente_a):
    household = HouseholdFactory(gemeente=gemeente_a, name="Gezin Yilmaz")
    for first_name in ("Ayla", "Emir", "Elif"):
        TrajectoryFactory(
            child=ChildFactory(gemeente=gemeente_a, household=household, first_name=first_name, last_name="Yilmaz"),
            start_date=dt.date.today() - dt.timedelta(days=60),
            planned_end_date=dt.date.today() + dt.timedelta(days=120),
        )
    login(page, "toegang_a")
    page.goto(f"/huishoudens/{household.pk}/")
    assert page.get_by_role("heading", name="Gezin Yilmaz").is_visible()
    for first_name in ("Ayla", "Emir", "Elif"):
        assert page.get_by_text(f"{first_name} Yilmaz").first.is_visible()
    assert_accessible(page)
    screenshot(page, "toegang-huishouden")


def test_beleid_sees_the_overview_and_no_case_files(page, beleid_a, gemeente_a):
    child = ChildFactory(gemeente=gemeente_a)
    TrajectoryFactory(child=child)
    login(page, "beleid_a")
    assert_accessible(page)
    screenshot(page, "beleid-overzicht")
    response = page.goto(f"/jeugdigen/{child.pk}/")
    assert response.status == 403


def test_login_page_is_accessible(page, db):
    page.goto("/accounts/login/")
    assert_accessible(page)
    screenshot(page, "inloggen")
