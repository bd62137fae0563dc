"""The queue a regisseur can work (issue 11): compact rows with the current decision, a decision form
that keeps what was typed, and her own manual flag that does not undo her own decision."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from cases.models import Role
from regie import flags
from regie import services as regie_services
from regie.models import Decision, DecisionKind

from ..factories import UserFactory
from .test_regie_views import heavy_case

pytestmark = pytest.mark.django_db

DECIDE = {
    "besluit-kind": "continue",
    "besluit-reason": "Behandeling loopt volgens plan",
    "besluit-follow_up_date": "2026-05-01",
    "besluit-actor": "toegangsteam",
    "besluit-seen_decision": "0",
}


def _decide(user, child, **overrides):
    data = {
        "kind": DecisionKind.CONTINUE,
        "reason": "Volgens plan",
        "follow_up_date": dt.date(2026, 5, 1),
        "actor": "toegangsteam",
    }
    return regie_services.decision_record(user=user, child=child, **(data | overrides))


def _queue_children(client):
    return [row.child for row in client.get(reverse("regie:queue")).context["rows"]]


def test_own_manual_flag_after_own_decision_keeps_the_case_out(client, frozen_today, regisseur_a, gemeente_a):
    child = heavy_case(gemeente_a)
    flags.evaluate()
    _decide(regisseur_a, child)
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 5, tzinfo=dt.UTC), tick=False):
        regie_services.flag_raise_manual(user=regisseur_a, child=child, reason="Moeder belde: zorgen over school")
        client.force_login(regisseur_a)
        assert _queue_children(client) == []


def test_manual_flag_of_another_regisseur_brings_the_case_back(client, frozen_today, regisseur_a, gemeente_a):
    colleague = UserFactory(username="regisseur_a2", role=Role.REGISSEUR, gemeenten=[gemeente_a])
    child = heavy_case(gemeente_a)
    flags.evaluate()
    _decide(regisseur_a, child)
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 5, tzinfo=dt.UTC), tick=False):
        regie_services.flag_raise_manual(user=colleague, child=child, reason="Nieuwe melding van de GI")
        client.force_login(regisseur_a)
        rows = client.get(reverse("regie:queue")).context["rows"]
    assert [r.child for r in rows] == [child]
    assert rows[0].back_because == "nieuw signaal na het besluit"


def test_own_manual_flag_raised_before_the_decision_is_no_new_signal(client, frozen_today, regisseur_a, gemeente_a):
    child = heavy_case(gemeente_a)
    flags.evaluate()
    regie_services.flag_raise_manual(user=regisseur_a, child=child, reason="Eerst gezien")
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 5, tzinfo=dt.UTC), tick=False):
        _decide(regisseur_a, child)
        client.force_login(regisseur_a)
        assert _queue_children(client) == []


def test_queue_row_shows_decision_follow_up_and_flag_chips(client, frozen_today, regisseur_a, gemeente_a):
    decided, fresh = heavy_case(gemeente_a, hours="30"), heavy_case(gemeente_a)
    flags.evaluate()
    # Decided, and back at once through another regisseur's flag, so it shows with its decision.
    _decide(regisseur_a, decided, kind=DecisionKind.CASE_MEETING, follow_up_date=dt.date(2026, 4, 15))
    colleague = UserFactory(username="regisseur_a2", role=Role.REGISSEUR, gemeenten=[gemeente_a])
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 5, tzinfo=dt.UTC), tick=False):
        regie_services.flag_raise_manual(user=colleague, child=decided, reason="Zorgen")
        client.force_login(regisseur_a)
        response = client.get(reverse("regie:queue"))
    rows = response.context["rows"]
    assert [r.child for r in rows] == [decided, fresh]
    assert rows[0].decision_label == "Casusoverleg plannen" and rows[0].decision["follow_up_date"] == dt.date(
        2026, 4, 15
    )
    assert rows[1].decision is None
    content = response.content.decode()
    assert "15-04-2026" in content and "nog geen" in content
    # A chip per flag with its key number; the full sentence in its title and in the details.
    assert "Einde verstreken <strong>+28 d</strong>" in content
    assert content.count("geplande einddatum 02-02-2026 is 28 dagen verstreken") == 4  # 2 rows × (title + details)


def test_queue_sorts_by_cost_running_time_and_follow_up(client, frozen_today, regisseur_a, gemeente_a):
    cheap, dear = heavy_case(gemeente_a, hours="2"), heavy_case(gemeente_a, hours="30")
    flags.evaluate()
    client.force_login(regisseur_a)
    for sort in ("score", "kosten", "looptijd", "vervolg"):
        response = client.get(reverse("regie:queue"), {"sorteer": sort})
        assert response.status_code == 200
        assert {r.child for r in response.context["rows"]} == {cheap, dear}
    rows = client.get(reverse("regie:queue"), {"sorteer": "kosten"}).context["rows"]
    assert rows[0].child == dear and rows[0].rank == 1
    assert client.get(reverse("regie:queue"), {"sorteer": "onzin"}).context["sort"] == "score"


def test_decision_page_opens_with_the_case_flags(client, frozen_today, regisseur_a, gemeente_a):
    child = heavy_case(gemeente_a)
    flags.evaluate()
    client.force_login(regisseur_a)
    response = client.get(reverse("regie:decision_create", args=[child.pk]))
    assert response.status_code == 200
    assert "geplande einddatum 02-02-2026 is 28 dagen verstreken" in response.content.decode()
    assert response.context["form"]["seen_decision"].value() == 0


def test_refused_decision_keeps_every_field_and_shows_all_errors_at_once(client, frozen_today, regisseur_a, gemeente_a):
    child = heavy_case(gemeente_a)
    client.force_login(regisseur_a)
    typed = DECIDE | {"besluit-kind": "", "besluit-follow_up_date": "2026-03-01", "besluit-actor": ""}
    typed["besluit-reason"] = "Een lange motivering die niet verloren mag gaan"
    response = client.post(reverse("regie:decision_create", args=[child.pk]), typed)
    assert response.status_code == 200 and not Decision.objects.exists()
    form = response.context["form"]
    assert form.errors == {
        "kind": ["Kies een besluit."],
        "actor": ["Geef aan wie actie onderneemt."],
        "follow_up_date": ["De vervolgdatum ligt na vandaag."],
    }
    content = response.content.decode()
    assert "Een lange motivering die niet verloren mag gaan" in content
    assert 'value="2026-03-01"' in content
    assert "Controleer de gemarkeerde velden" in content


def test_second_regisseur_deciding_at_once_sees_the_first(client, frozen_today, regisseur_a, gemeente_a):
    colleague = UserFactory(username="regisseur_a2", role=Role.REGISSEUR, gemeenten=[gemeente_a], first_name="Els")
    child = heavy_case(gemeente_a)
    client.force_login(regisseur_a)
    seen = client.get(reverse("regie:decision_create", args=[child.pk])).context["form"]["seen_decision"].value()
    _decide(colleague, child, kind=DecisionKind.ESCALATE, question="Budget?")  # the colleague was quicker
    response = client.post(
        reverse("regie:decision_create", args=[child.pk]), DECIDE | {"besluit-seen_decision": str(seen)}
    )
    assert response.status_code == 200
    assert Decision.objects.count() == 1
    errors = response.context["form"].non_field_errors()
    assert "Intussen heeft Els" in errors[0] and "bestuurlijk opschalen" in errors[0]
    assert "Behandeling loopt volgens plan" in response.content.decode()  # her input is kept
    # Having seen it, she can decide on top of it.
    latest = Decision.objects.get().pk
    response = client.post(
        reverse("regie:decision_create", args=[child.pk]), DECIDE | {"besluit-seen_decision": str(latest)}
    )
    assert response.status_code == 302 and Decision.objects.count() == 2
