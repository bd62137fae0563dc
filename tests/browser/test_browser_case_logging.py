"""A toegangsmedewerker logs a child, a referral and a trajectory end to end, in headless Chromium."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from cases.models import Child, Trajectory

from ..conftest import assert_accessible, login, screenshot
from ..factories import ProviderFactory, ambulant_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_toegangsmedewerker_logs_child_referral_and_trajectory(page, toegang_a, gemeente_a):
    ProviderFactory(name="Kwadraad Jeugdhulp")
    ambulant_product()
    today = dt.date.today()
    login(page, "toegang_a")
    assert page.get_by_role("heading", name="Mijn werk", exact=False).first.is_visible()
    page.get_by_role("link", name="Dossiers zoeken").click()
    assert page.get_by_role("heading", name="Dossiers zoeken").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Nieuwe jeugdige", exact=True).click()
    page.get_by_label("Voornaam").fill("Daan")
    page.get_by_label("Achternaam").fill("de Wit")
    page.get_by_label("Geboortedatum").fill("2013-06-14")
    page.get_by_label("BSN (optioneel)").fill("999900006")
    page.get_by_label("Naam nieuw huishouden").fill("Gezin De Wit")
    assert_accessible(page)
    screenshot(page, "toegang-nieuwe-jeugdige")
    page.get_by_role("button", name="Registreren").click()
    page.wait_for_load_state("networkidle")
    child = Child.objects.get(last_name="de Wit")
    assert page.get_by_role("heading", name=f"Daan de Wit · {child.case_number}").is_visible()
    assert "999900006" not in page.content()  # the BSN is masked on the file

    page.get_by_role("link", name="Verwijzing toevoegen").click()
    page.get_by_label("Verwijsdatum").fill((today - dt.timedelta(days=20)).isoformat())
    page.get_by_label("Verwijzer:", exact=True).select_option(label="POH-Jeugd (namens huisarts)")
    page.get_by_label("Hulpvraag").select_option(label="Gedrag")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("De verwijzing door poh-jeugd").is_visible()

    page.get_by_role("link", name="Traject starten").click()
    page.get_by_label("Aanbieder").select_option(label="Kwadraad Jeugdhulp")
    page.get_by_label("Product").select_option(index=0)
    page.get_by_label("Product").select_option(value=str(ambulant_product().pk))
    # First a start before the referral: refused with a clear message, nothing saved.
    page.get_by_label("Startdatum").fill((today - dt.timedelta(days=30)).isoformat())
    page.get_by_label("Geplande einddatum").fill((today + dt.timedelta(days=180)).isoformat())
    page.get_by_label("Volume").fill("2")
    page.get_by_role("button", name="Opslaan").click()
    # The form also asks for a cost preview (htmx) while it is filled in: wait for the refusal itself.
    expect(page.get_by_text("kan niet starten vóór de verwijzing")).to_be_visible()
    assert Trajectory.objects.count() == 0
    assert_accessible(page)
    page.get_by_label("Startdatum").fill((today - dt.timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("is gestart").is_visible()
    trajectory = Trajectory.objects.get()
    assert trajectory.child == child and trajectory.referral.source == "02P"
    assert page.get_by_role("heading", name="Wie wijzigde wat wanneer").is_visible()
    assert_accessible(page)
    screenshot(page, "toegang-dossier")
