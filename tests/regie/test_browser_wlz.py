"""A Wlz route walked to indication in the browser: the decision opens it, an indication before the
application is refused with everything typed kept, the application and the indication are recorded,
and the casusregisseur's ending task appears; axe on every page on the way."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.models import Task, TaskStatus
from regie.codes import WlzStep
from regie.models import WlzRoute

from ..conftest import assert_accessible, login, screenshot
from ..factories import ChildFactory, TrajectoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_regisseur_walks_a_wlz_route_to_indication(page, gemeente_a, regisseur_a, toegang_a):
    today = timezone.localdate()
    child = ChildFactory(gemeente=gemeente_a, owner=toegang_a, first_name="Sem", last_name="Verhoeven")
    TrajectoryFactory(
        child=child, start_date=today - dt.timedelta(days=400), planned_end_date=today + dt.timedelta(days=200)
    )
    login(page, "regisseur_a")
    page.goto(f"/regie/jeugdigen/{child.pk}/besluit/")
    page.get_by_label("Route naar Wlz").check()
    page.get_by_label("Motivering").fill("Levenslange zorg nodig; de rekening hoort bij de Wlz")
    page.get_by_label("Vervolgdatum").fill((today + dt.timedelta(days=42)).isoformat())
    page.get_by_label("Wie onderneemt actie").fill("regisseur")
    page.get_by_role("button", name="Besluit vastleggen").click()
    page.wait_for_load_state("networkidle")

    page.get_by_role("link", name="Wlz-routes").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("cell", name="Voorbereiding").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Sem Verhoeven").click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)

    # Only the allowed next step is offered; an indication cannot be recorded before the application.
    assert page.get_by_label("Indicatie afgegeven", exact=True).count() == 0
    page.get_by_label("Aanvraag CIZ ingediend").check()
    page.get_by_label("Datum van de stap").fill((today + dt.timedelta(days=3)).isoformat())
    page.get_by_label("Toelichting").fill("Aanvraag via het CIZ-portaal")
    page.get_by_role("button", name="Stap vastleggen").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("ligt in de toekomst; leg de stap vast als hij gezet is.").is_visible()
    assert page.get_by_label("Toelichting").input_value() == "Aanvraag via het CIZ-portaal"
    assert_accessible(page)
    page.get_by_label("Datum van de stap").fill(today.isoformat())
    page.get_by_role("button", name="Stap vastleggen").click()
    page.wait_for_load_state("networkidle")

    transfer = today + dt.timedelta(days=14)
    page.get_by_label("Indicatie afgegeven", exact=True).check()
    page.get_by_label("Datum van de stap").fill(today.isoformat())
    page.get_by_label("Einde Jeugdwet-zorg (overgangsdatum)").fill(transfer.isoformat())
    page.get_by_role("button", name="Stap vastleggen").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Indicatie afgegeven", exact=False).first.is_visible()
    assert page.get_by_text(f"beëindigen per {transfer:%d-%m-%Y}, reden 39").is_visible()
    assert_accessible(page)
    screenshot(page, "regie-wlz-route-indicatie")

    route = WlzRoute.objects.get()
    assert (route.step, route.applied_on, route.granted_on, route.expected_end) == (
        WlzStep.GRANTED,
        today,
        today,
        transfer,
    )
    assert route.weeks_to_indication == Decimal("0.0")
    task = Task.objects.get(key__startswith=f"wlz:{route.pk}:")
    assert (task.owner, task.status, task.due_date) == (toegang_a, TaskStatus.OPEN, transfer)
