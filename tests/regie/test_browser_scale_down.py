"""Afschalen in the browser, end to end (issue 11): the regisseur decides afschalen to a lighter product
from the queue, the casusregisseur sees the task on Mijn werk and changes the trajectory (omzetten), the
task closes, and the decision shows the realised saving. Axe on every page on the way, and on the
verblijf list.

Hand-computed: 45A48 at € 95, 4 hours a week = € 1.651,19 a month; 45A04 at € 60, 3 hours a week =
€ 782,14 a month; saving € 869,05 a month (shown in whole euros: € 869).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.models import Product, Task, TaskStatus, Trajectory
from regie import flags
from regie import services as regie_services
from regie.models import Decision

from ..conftest import assert_accessible, login, screenshot
from ..factories import ChildFactory, ReferralFactory, TrajectoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_afschalen_to_a_lighter_product_from_queue_to_realised_saving(page, gemeente_a, regisseur_a, toegang_a):
    today = timezone.localdate()
    child = ChildFactory(gemeente=gemeente_a, owner=toegang_a, first_name="Sem", last_name="Bakker")
    referral = ReferralFactory(child=child, date=today - dt.timedelta(days=400))
    old = TrajectoryFactory(
        child=child,
        referral=referral,
        start_date=today - dt.timedelta(days=380),
        planned_end_date=today + dt.timedelta(days=200),
        volume=Decimal("4"),
    )
    lighter = Product.objects.get(code="45A04")
    lighter.tariff, lighter.financing, lighter.unit, lighter.active = Decimal("60.00"), "inspanning", "04", True
    lighter.save()
    flags.evaluate()
    regie_services.flag_raise_manual(
        user=regisseur_a, child=child, reason="Aanbieder meldt dat de doelen bijna behaald zijn"
    )

    # The regisseur decides from the queue.
    login(page, "regisseur_a")
    page.goto("/regie/")
    row = page.locator("table.queue tbody tr").filter(has_text=child.case_number)
    row.get_by_role("link", name="Besluiten").click()
    page.wait_for_load_state("networkidle")
    page.get_by_label("Afschalen", exact=True).check()
    page.get_by_label("Motivering").fill("Doelen grotendeels behaald; lichte begeleiding volstaat")
    page.get_by_label("Vervolgdatum").fill((today + dt.timedelta(days=30)).isoformat())
    page.get_by_label("Wie onderneemt actie").fill("casusregisseur")
    page.get_by_label("Traject (bij afschalen of beëindigen)").select_option(str(old.pk))
    # Within the 7 days ahead that Mijn werk shows tasks for.
    page.get_by_label("Uitvoeren uiterlijk op").fill((today + dt.timedelta(days=5)).isoformat())
    page.get_by_label("Lichter product (bij afschalen, optioneel)").select_option(str(lighter.pk))
    page.get_by_label("Voorgesteld volume (bij afschalen)").fill("3")
    page.get_by_role("button", name="Besluit vastleggen").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Besluit vastgelegd: afschalen").is_visible()
    decision = Decision.objects.get()
    assert decision.expected_monthly_saving == Decimal("869.05")
    assert page.get_by_text("Verwachte besparing: € 869 per maand").first.is_visible()

    # The casusregisseur sees the task on Mijn werk and changes the trajectory to the lighter product.
    page.context.clear_cookies()
    login(page, "toegang_a")
    page.goto("/werk/")
    task_row = page.locator("tr").filter(has_text="Afschalen volgens besluit")
    assert "45A04" in task_row.inner_text()
    assert_accessible(page)
    task_row.get_by_role("link", name=child.case_number).click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Omzetten 45A48 naar een ander product").click()
    page.wait_for_load_state("networkidle")
    page.get_by_label("Nieuw product").select_option(str(lighter.pk))
    page.get_by_label("Volume").fill("3")
    page.get_by_label("Reden beëindiging van het huidige traject (JZ588)").select_option("")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state("networkidle")
    # Refused: the reason missing; everything typed is still there.
    assert page.get_by_text("Kies de reden van beëindiging.").is_visible()
    assert page.get_by_label("Volume").input_value() == "3"
    assert_accessible(page)
    screenshot(page, "regie-omzetten-geweigerd")
    page.get_by_label("Reden beëindiging van het huidige traject (JZ588)").select_option("36")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Traject 45A48 is beëindigd; 45A04").is_visible()
    new = Trajectory.objects.get(follows=old)
    assert new.product == lighter and Task.objects.get().status == TaskStatus.DONE

    # The regisseur sees the realised saving on the decision.
    page.context.clear_cookies()
    login(page, "regisseur_a")
    page.goto(f"/regie/jeugdigen/{child.pk}/besluit/")
    assert page.get_by_text("Gerealiseerde besparing: € 869 per maand").is_visible()
    assert page.get_by_text("omgezet naar 45A04").is_visible()
    assert_accessible(page)
    screenshot(page, "regie-afschalen-gerealiseerd")

    page.goto("/regie/verblijf/")
    assert page.get_by_role("heading", name="Verblijf").is_visible()
    assert_accessible(page)
