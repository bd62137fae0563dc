"""Casusoverleg (issue 11): a meeting with date, kind and participants, an agenda of cases from the
regisseur's case-meeting decisions, and per case an outcome that is itself a decision."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import Role
from regie import services as regie_services
from regie.models import CaseMeeting, CaseMeetingItem, CaseMeetingKind, Decision, DecisionKind

from ..factories import ChildFactory, UserFactory

pytestmark = pytest.mark.django_db

MEETING_DAY = dt.date(2026, 3, 12)


def _meeting(user, gemeente, **extra):
    data = {"date": MEETING_DAY, "kind": CaseMeetingKind.TCC, "outside_parties": "Jeugdbescherming west"}
    return regie_services.case_meeting_plan(user=user, gemeente=gemeente, **(data | extra))


def _decide(user, child, kind=DecisionKind.CASE_MEETING, **extra):
    return regie_services.decision_record(
        user=user,
        child=child,
        kind=kind,
        reason="Meerdere aanbieders in het gezin",
        follow_up_date=dt.date(2026, 4, 1),
        actor="regisseur",
        **extra,
    )


def test_plan_a_meeting_with_participants_and_outside_parties(frozen_today, regisseur_a, toegang_a, gemeente_a):
    meeting = _meeting(regisseur_a, gemeente_a, participants=[regisseur_a, toegang_a])
    assert set(meeting.participants.all()) == {regisseur_a, toegang_a}
    assert meeting.outside_parties == "Jeugdbescherming west"
    # Planned, then its participants: two historical records, the second with who takes part.
    assert meeting.history.count() == 2
    assert {p.user_id for p in meeting.history.latest().participants.all()} == {regisseur_a.pk, toegang_a.pk}


def test_participant_of_another_gemeente_is_refused(frozen_today, regisseur_a, toegang_b, gemeente_a):
    with pytest.raises(ValidationError) as refused:
        _meeting(regisseur_a, gemeente_a, participants=[toegang_b])
    assert "Werkt niet voor deze gemeente: " in refused.value.message_dict["participants"][0]
    assert not CaseMeeting.objects.exists()


def test_case_meeting_decision_puts_the_case_on_the_agenda_and_the_outcome_is_a_decision(
    client, frozen_today, regisseur_a, gemeente_a
):
    meeting = _meeting(regisseur_a, gemeente_a)
    child = ChildFactory(gemeente=gemeente_a)
    reason = _decide(regisseur_a, child, meeting=meeting)
    item = CaseMeetingItem.objects.get()
    assert (item.meeting, item.child, item.decision, item.outcome) == (meeting, child, reason, None)
    _decide(regisseur_a, child, meeting=meeting, seen_decision=reason.pk)  # a second time: still one item
    assert CaseMeetingItem.objects.count() == 1

    client.force_login(regisseur_a)
    page = client.get(reverse("regie:case_meeting", args=[meeting.pk])).content.decode()
    assert child.case_number in page and "Uitkomst vastleggen" in page
    url = reverse("regie:decision_create", args=[child.pk]) + f"?agendapunt={item.pk}"
    assert "Uitkomst van het agendapunt" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "besluit-kind": "continue",
            "besluit-reason": "In het TCC: behandeling loopt door, school betrekken",
            "besluit-follow_up_date": "2026-06-01",
            "besluit-actor": "toegangsteam",
            "besluit-meeting_item": str(item.pk),
        },
    )
    assert response.status_code == 302 and response.url == reverse("regie:case_meeting", args=[meeting.pk])
    item.refresh_from_db()
    assert item.outcome == Decision.objects.order_by("-decided_at", "-pk").first()
    assert item.outcome.kind == DecisionKind.CONTINUE
    page = client.get(reverse("regie:case_meeting", args=[meeting.pk])).content.decode()
    assert "In het TCC: behandeling loopt door" in page


def test_agenda_with_another_gemeentes_case_is_refused(frozen_today, gemeente_a, gemeente_b):
    regisseur = UserFactory(role=Role.REGISSEUR, gemeenten=[gemeente_a, gemeente_b])
    meeting = _meeting(regisseur, gemeente_a)
    other = ChildFactory(gemeente=gemeente_b)
    with pytest.raises(ValidationError) as refused:
        regie_services.case_meeting_add_case(user=regisseur, meeting=meeting, child=other)
    assert "hoort bij een andere gemeente" in refused.value.messages[0]
    with pytest.raises(ValidationError) as refused:
        _decide(regisseur, other, meeting=meeting)
    assert refused.value.message_dict["meeting"] == ["Dit overleg is van een andere gemeente."]
    assert not CaseMeetingItem.objects.exists() and not Decision.objects.exists()


def test_pages_plan_and_add_by_case_number(client, frozen_today, regisseur_a, toegang_a, gemeente_a):
    client.force_login(regisseur_a)
    response = client.post(reverse("regie:case_meetings"), {"date": "", "kind": "", "outside_parties": ""})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"date", "kind"}
    response = client.post(
        reverse("regie:case_meetings"),
        {"date": "2026-03-12", "kind": "team8tien", "participants": [toegang_a.pk], "outside_parties": "GI"},
    )
    meeting = CaseMeeting.objects.get()
    assert response.status_code == 302 and list(meeting.participants.all()) == [toegang_a]
    child = ChildFactory(gemeente=gemeente_a)
    url = reverse("regie:case_meeting", args=[meeting.pk])
    assert client.post(url, {"case_number": child.case_number}).status_code == 302
    assert client.post(url, {"case_number": "JR-999999"}).context["form"].errors == {
        "case_number": ["Onbekend dossiernummer."]
    }
    listing = client.get(reverse("regie:case_meetings")).content.decode()
    assert "Team8Tien" in listing and "1 casus op de agenda" in listing


def test_regisseur_of_another_gemeente_gets_404(client, frozen_today, regisseur_a, gemeente_a, gemeente_b):
    meeting = _meeting(regisseur_a, gemeente_a)
    client.force_login(UserFactory(role=Role.REGISSEUR, gemeenten=[gemeente_b]))
    assert client.get(reverse("regie:case_meeting", args=[meeting.pk])).status_code == 404
    assert client.post(reverse("regie:case_meeting", args=[meeting.pk]), {"case_number": "1"}).status_code == 404


def test_pages_with_the_cases_write_the_read_log(client, frozen_today, regisseur_a, gemeente_a):
    from cases.models import CaseAccessLog

    meeting = _meeting(regisseur_a, gemeente_a)
    child = ChildFactory(gemeente=gemeente_a)
    regie_services.case_meeting_add_case(user=regisseur_a, meeting=meeting, child=child)
    client.force_login(regisseur_a)
    for url in (reverse("regie:case_meeting", args=[meeting.pk]), reverse("regie:decision_create", args=[child.pk])):
        before = CaseAccessLog.objects.count()
        assert client.get(url).status_code == 200
        assert CaseAccessLog.objects.count() > before
