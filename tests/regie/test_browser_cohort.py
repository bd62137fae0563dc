"""The effect of the Top N and the knelpunten in the browser: take a peildatum, see then and now, add a
knelpunt (a refused one keeps its input) and link a decision to it; axe on every page."""

import datetime as dt

import pytest
from django.utils import timezone

from regie.models import Cohort, Decision, Knelpunt

from ..conftest import assert_accessible, login, screenshot
from ..factories import ChildFactory
from .test_cohort import _scored, _trajectory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_regisseur_takes_a_peildatum_and_names_a_knelpunt(page, gemeente_a, regisseur_a):
    kids = [ChildFactory(gemeente=gemeente_a) for _ in range(3)]
    for i, kid in enumerate(kids):
        _trajectory(kid, 12 * (i + 1), start_date=dt.date(2025, 9, 1), planned_end_date=dt.date(2027, 12, 31))
        _scored(kid, 100 + i, "kosten")
    login(page, "regisseur_a")
    page.goto("/regie/effect/")
    assert page.get_by_text("Nog geen peildatum vastgelegd").is_visible()
    assert_accessible(page)
    page.get_by_label("Toelichting (optioneel)").fill("nulmeting")
    page.get_by_role("button", name="Peildatum vastleggen").click()
    page.wait_for_load_state("networkidle")
    assert Cohort.objects.count() == 1
    assert page.get_by_role("link", name=kids[0].case_number).is_visible()
    assert "€ 2.190" in page.content()  # € 365 + € 730 + € 1.095 a month
    assert_accessible(page)
    screenshot(page, "regie-effect-top-n")

    page.goto("/regie/knelpunten/")
    page.get_by_label("Toelichting").fill("Al maanden geen plek")
    page.get_by_role("button", name="Knelpunt opslaan").click()  # no title: refused, input kept
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Geef het knelpunt een titel").first.is_visible()
    assert page.get_by_label("Toelichting").input_value() == "Al maanden geen plek"
    assert_accessible(page)
    page.locator("#id_title").fill("Geen passend aanbod voor jongeren met autisme")
    page.get_by_role("button", name="Knelpunt opslaan").click()
    page.wait_for_load_state("networkidle")
    assert Knelpunt.objects.get().description == "Al maanden geen plek"

    page.goto(f"/regie/jeugdigen/{kids[2].pk}/besluit/")
    page.get_by_label("Voortzetten (met reden)").check()
    page.get_by_label("Motivering").fill("Geen alternatief in de regio")
    page.get_by_label("Vervolgdatum").fill((timezone.localdate() + dt.timedelta(days=60)).isoformat())
    page.get_by_label("Wie onderneemt actie").fill("regisseur")
    page.get_by_label("Geen passend aanbod voor jongeren met autisme").check()
    assert_accessible(page)  # the decision form with its knelpunten
    page.get_by_role("button", name="Besluit vastleggen").click()
    page.wait_for_load_state("networkidle")
    assert list(Decision.objects.get().knelpunten.values_list("title", flat=True)) == [
        "Geen passend aanbod voor jongeren met autisme"
    ]
    page.goto("/regie/knelpunten/")
    assert page.get_by_text("1× voortzetten (met reden)").is_visible()
    assert_accessible(page)
    screenshot(page, "regie-knelpunten")
    page.get_by_role("link", name="Geen passend aanbod voor jongeren met autisme").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("link", name=kids[2].case_number).is_visible()
    assert_accessible(page)
