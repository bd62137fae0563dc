"""The queue and the decision form in the browser: compact rows, flag sentences on demand, a refused
decision that keeps its input and shows its errors beside the fields; axe on both pages."""

import datetime as dt

import pytest
from django.utils import timezone

from regie import flags
from regie.models import Decision

from ..conftest import assert_accessible, login, screenshot
from .test_regie_views import heavy_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_regisseur_works_the_queue_and_a_refused_decision_keeps_its_input(page, gemeente_a, regisseur_a):
    children = [heavy_case(gemeente_a, hours=str(2 + i)) for i in range(15)]
    flags.evaluate()
    login(page, "regisseur_a")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/regie/")
    assert page.locator("table.queue tbody tr").count() == 15
    # Fifteen cases fit on a laptop screen (1440x900): with the table's head at the top of the window,
    # every row is wholly in view; no full sentence per flag in a row.
    fits = page.evaluate(
        """() => {
          window.scrollTo(0, document.querySelector('table.queue thead').getBoundingClientRect().top + window.scrollY);
          return [...document.querySelectorAll('table.queue tbody tr')]
            .filter(r => r.getBoundingClientRect().bottom <= window.innerHeight).length;
        }"""
    )
    assert fits == 15, fits
    first = page.locator("table.queue tbody tr").first
    assert not first.get_by_text("dagen verstreken; traject loopt nog").is_visible()
    first.locator("summary").click()  # the chips open the flag sentences
    assert first.get_by_text("dagen verstreken; traject loopt nog").is_visible()
    assert_accessible(page)
    screenshot(page, "regie-queue-compact")

    child = children[-1]  # the dearest: first in the queue
    first.get_by_role("link", name="Besluiten").click()
    page.wait_for_load_state("networkidle")
    page.get_by_label("Motivering").fill("Doelen grotendeels behaald, afschalen naar 2 uur")
    page.get_by_label("Vervolgdatum").fill((timezone.localdate() - dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Besluit vastleggen").click()
    page.wait_for_load_state("networkidle")
    # Refused: every error beside its field at once, the motivation still there.
    assert page.get_by_text("Kies een besluit.").is_visible()
    assert page.get_by_text("De vervolgdatum ligt na vandaag.").is_visible()
    assert page.get_by_text("Geef aan wie actie onderneemt.").is_visible()
    assert page.get_by_label("Motivering").input_value() == "Doelen grotendeels behaald, afschalen naar 2 uur"
    assert_accessible(page)
    screenshot(page, "regie-decision-refused")

    page.get_by_label("Afschalen", exact=True).check()
    page.get_by_label("Vervolgdatum").fill((timezone.localdate() + dt.timedelta(days=30)).isoformat())
    page.get_by_label("Wie onderneemt actie").fill("toegangsteam")
    page.get_by_role("button", name="Besluit vastleggen").click()
    page.wait_for_load_state("networkidle")
    # Afschalen asks for the trajectory, the date and the lighter volume: all three at once.
    assert page.get_by_text("Kies het traject dat u wilt afschalen.").is_visible()
    assert page.get_by_text("Geef aan wanneer het uiterlijk gedaan moet zijn.").is_visible()
    assert page.get_by_text("Geef het lichtere volume dat u voorstelt.").is_visible()
    assert page.get_by_label("Wie onderneemt actie").input_value() == "toegangsteam"
    page.get_by_label("Traject (bij afschalen of beëindigen)").select_option(index=1)
    page.get_by_label("Uitvoeren uiterlijk op").fill((timezone.localdate() + dt.timedelta(days=14)).isoformat())
    page.get_by_label("Voorgesteld volume (bij afschalen)").fill("4")
    page.get_by_role("button", name="Besluit vastleggen").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Besluit vastgelegd: afschalen").is_visible()
    decision = Decision.objects.get()
    assert decision.child == child and decision.expected_monthly_saving > 0
    assert page.get_by_text("Verwachte besparing").first.is_visible()
    assert_accessible(page)
