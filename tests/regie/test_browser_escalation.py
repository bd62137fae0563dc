"""An escalation answered by the bestuurder in the browser, with case numbers only; axe on both pages."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Role
from regie import services as regie_services
from regie.models import DecisionKind, EscalationStatus

from ..conftest import assert_accessible, login, screenshot
from ..factories import ChildFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bestuurder_answers_an_escalation(page, gemeente_a, regisseur_a):
    UserFactory(username="bestuurder_a", role=Role.BESTUURDER, gemeenten=[gemeente_a])
    child = ChildFactory(gemeente=gemeente_a, first_name="Noor", last_name="Visser")
    decision = regie_services.decision_record(
        user=regisseur_a,
        child=child,
        kind=DecisionKind.ESCALATE,
        reason="Geen passende plek in de regio",
        follow_up_date=timezone.localdate() + dt.timedelta(days=30),
        actor="directeur en wethouder",
        question="Mag maatwerk buiten de regio worden ingekocht?",
    )
    login(page, "bestuurder_a")
    page.wait_for_url("**/regie/opschalingen/")
    assert page.get_by_text("Mag maatwerk buiten de regio worden ingekocht?").is_visible()
    assert page.get_by_role("cell", name=child.case_number, exact=True).is_visible()
    assert "Visser" not in page.content()
    assert_accessible(page)
    page.get_by_role("link", name="Antwoord vastleggen").click()
    page.get_by_label("Besluit genomen").check()
    page.get_by_role("button", name="Opslaan").click()  # no answer, no date: both errors at once
    assert page.get_by_text("Geef het antwoord (het besluit) van de bestuurder.").is_visible()
    assert page.get_by_text("Geef de datum van het besluit.").is_visible()
    assert_accessible(page)
    page.get_by_label("Antwoord of besluit").fill("Akkoord, evaluatie na drie maanden")
    page.get_by_label("Datum").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Akkoord, evaluatie na drie maanden").is_visible()
    screenshot(page, "regie-opschaling-beantwoord")
    decision.escalation.refresh_from_db()
    assert decision.escalation.status == EscalationStatus.DECIDED
