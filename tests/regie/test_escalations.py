"""Bestuurlijk opschalen (issue 11): the question to the bestuurder, the read-only bestuurder who sees
case numbers only and records the answer, and the escalation's states."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import Role
from regie import services as regie_services
from regie.models import Decision, DecisionKind, Escalation, EscalationStatus

from ..factories import ChildFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bestuurder_a(gemeente_a):
    return UserFactory(username="bestuurder_a", role=Role.BESTUURDER, gemeenten=[gemeente_a])


@pytest.fixture
def child(gemeente_a):
    return ChildFactory(gemeente=gemeente_a, first_name="Noor", last_name="Visser", bsn="111222333")


def _escalate(user, child, question="Mag maatwerk buiten de regio?"):
    return regie_services.decision_record(
        user=user,
        child=child,
        kind=DecisionKind.ESCALATE,
        reason="Geen passende plek in de regio",
        follow_up_date=dt.date(2026, 4, 1),
        actor="directeur en wethouder",
        question=question,
    )


def test_escalating_puts_the_question_to_the_bestuurder(frozen_today, regisseur_a, child):
    decision = _escalate(regisseur_a, child)
    escalation = decision.escalation
    assert escalation.status == EscalationStatus.OPEN and escalation.question == "Mag maatwerk buiten de regio?"
    assert escalation.gemeente == child.gemeente and escalation.history.count() == 1


def test_escalating_without_a_question_is_refused(frozen_today, regisseur_a, child):
    with pytest.raises(ValidationError) as refused:
        _escalate(regisseur_a, child, question="  ")
    assert refused.value.message_dict["question"] == ["Stel de vraag aan de bestuurder."]
    assert not Decision.objects.exists() and not Escalation.objects.exists()


def test_bestuurder_sees_case_numbers_only_and_answers(client, frozen_today, regisseur_a, bestuurder_a, child):
    escalation = _escalate(regisseur_a, child).escalation
    client.force_login(bestuurder_a)
    assert client.get(reverse("home")).url == reverse("regie:escalations")
    content = client.get(reverse("regie:escalations")).content.decode()
    assert child.case_number in content and "Mag maatwerk buiten de regio?" in content
    assert "Noor" not in content and "Visser" not in content and "111222333" not in content
    # Minimum data: no motivation of the regisseur and no cost per case, only the question put to them.
    assert "Geen passende plek in de regio" not in content and "Kosten bij besluit" not in content
    url = reverse("regie:escalation_answer", args=[escalation.pk])
    page = client.get(url).content.decode()
    assert "Noor" not in page and "Visser" not in page and "Geen passende plek in de regio" not in page
    # The case file stays closed to the bestuurder.
    assert client.get(reverse("cases:child_detail", args=[child.pk])).status_code == 403

    response = client.post(url, {"status": "besproken", "answer": "In het college besproken", "answer_date": ""})
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.DISCUSSED and escalation.answered_by == bestuurder_a

    # Besluit genomen needs the answer and its date: both errors at once, the typed status kept.
    response = client.post(url, {"status": "besluit", "answer": "", "answer_date": ""})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "answer": ["Geef het antwoord (het besluit) van de bestuurder."],
        "answer_date": ["Geef de datum van het besluit."],
    }
    response = client.post(
        url, {"status": "besluit", "answer": "Akkoord, evaluatie na 3 maanden", "answer_date": "2026-03-02"}
    )
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert (escalation.status, escalation.answer_date) == (EscalationStatus.DECIDED, dt.date(2026, 3, 2))
    assert escalation.history.count() == 3
    assert "Akkoord, evaluatie na 3 maanden" in client.get(reverse("regie:escalations")).content.decode()


def test_a_decided_escalation_is_final_and_dates_are_not_in_the_future(frozen_today, regisseur_a, bestuurder_a, child):
    escalation = _escalate(regisseur_a, child).escalation
    with pytest.raises(ValidationError) as refused:
        regie_services.escalation_answer(
            user=bestuurder_a, escalation=escalation, status="besluit", answer="Ja", answer_date=dt.date(2026, 3, 3)
        )
    assert refused.value.message_dict["answer_date"] == ["De datum ligt in de toekomst."]
    regie_services.escalation_answer(
        user=bestuurder_a, escalation=escalation, status="besluit", answer="Ja", answer_date=dt.date(2026, 3, 2)
    )
    with pytest.raises(ValidationError) as refused:
        regie_services.escalation_answer(
            user=bestuurder_a, escalation=escalation, status="besproken", answer="", answer_date=None
        )
    assert "besluit genomen" in refused.value.message_dict["status"][0]


def test_only_the_bestuurder_answers(client, frozen_today, regisseur_a, beleid_a, child):
    escalation = _escalate(regisseur_a, child).escalation
    with pytest.raises(ValidationError):
        regie_services.escalation_answer(
            user=regisseur_a, escalation=escalation, status="besproken", answer="", answer_date=None
        )
    url = reverse("regie:escalation_answer", args=[escalation.pk])
    for user in (regisseur_a, beleid_a):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.get(reverse("regie:escalations")).status_code == 200


def test_bestuurder_of_another_gemeente_gets_404(client, frozen_today, regisseur_a, gemeente_b, child):
    escalation = _escalate(regisseur_a, child).escalation
    client.force_login(UserFactory(role=Role.BESTUURDER, gemeenten=[gemeente_b]))
    assert client.get(reverse("regie:escalation_answer", args=[escalation.pk])).status_code == 404
    assert (
        client.post(reverse("regie:escalation_answer", args=[escalation.pk]), {"status": "besproken"}).status_code
        == 404
    )
    assert child.case_number not in client.get(reverse("regie:escalations")).content.decode()
