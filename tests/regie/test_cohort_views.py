"""The pages of the effect of the Top N and the knelpunten: the regisseur's, per gemeente; another
gemeente's cohort or knelpunt is a 404; the decision form links knelpunten; the dashboard and the
email show the figures without case numbers."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import CaseAccessLog, Role
from regie.models import Cohort, Decision, DecisionKind, Knelpunt, KnelpuntStatus
from reports.kpis import Period
from reports.mail import report_email
from reports.report import report_build

from ..factories import ChildFactory, UserFactory
from .test_cohort import _decide, _scored, _trajectory

pytestmark = pytest.mark.django_db


def _knelpunt(user, gemeente, title="Geen passend aanbod voor jongeren met autisme", status=KnelpuntStatus.OPEN):
    from regie.knelpunten import knelpunt_create

    return knelpunt_create(user=user, gemeente=gemeente, title=title, status=status)


def _world(gemeente, n):
    kids = []
    for i in range(n):
        kid = ChildFactory(gemeente=gemeente)
        _trajectory(kid, 12 * (i + 1))
        _scored(kid, 100 + i, "kosten")
        kids.append(kid)
    return kids


def test_the_regisseur_takes_a_peildatum_and_sees_then_and_now(client, frozen_today, regisseur_a, gemeente_a):
    kids = _world(gemeente_a, 3)
    client.force_login(regisseur_a)
    page = client.get(reverse("regie:cohorts")).content.decode()
    assert "Nog geen peildatum vastgelegd" in page
    response = client.post(reverse("regie:cohorts") + f"?gemeente={gemeente_a.code}", {"note": "nulmeting"})
    cohort = Cohort.objects.get()
    assert response.status_code == 302 and response.url == reverse("regie:cohort", args=[cohort.pk])
    page = client.get(response.url).content.decode()
    # € 12, 24 and 36 a day: € 365 + € 730 + € 1.095 = € 2.190 a month
    assert "3 casussen" in page and "€ 2.190" in page and "nulmeting" in page
    assert kids[0].case_number in page and kids[0].last_name not in page
    assert "Vandaag is al een peildatum vastgelegd" in page
    assert CaseAccessLog.objects.filter(user=regisseur_a, action="effect Top N").exists()
    again = client.post(reverse("regie:cohorts"), {"note": ""})
    assert "Er is al een peildatum vastgelegd op 02-03-2026" in again.content.decode()
    assert Cohort.objects.count() == 1


def test_outsider_gets_404_and_other_roles_403(client, frozen_today, regisseur_a, beleid_a, gemeente_a, gemeente_b):
    from regie.cohort import cohort_take

    _world(gemeente_a, 1)
    cohort = cohort_take(user=regisseur_a, gemeente=gemeente_a)
    knelpunt = _knelpunt(regisseur_a, gemeente_a)
    client.force_login(UserFactory(role=Role.REGISSEUR, gemeenten=[gemeente_b]))
    assert client.get(reverse("regie:cohort", args=[cohort.pk])).status_code == 404
    assert client.get(reverse("regie:knelpunt_edit", args=[knelpunt.pk])).status_code == 404
    edit = {"title": "Overgenomen", "description": "", "status": "open"}
    assert client.post(reverse("regie:knelpunt_edit", args=[knelpunt.pk]), edit).status_code == 404
    assert client.get(reverse("regie:cohorts") + f"?gemeente={gemeente_a.code}").status_code == 404
    assert client.get(reverse("regie:knelpunten") + f"?gemeente={gemeente_a.code}").status_code == 404
    knelpunt.refresh_from_db()
    assert knelpunt.title != "Overgenomen"
    client.force_login(beleid_a)
    assert client.get(reverse("regie:cohort", args=[cohort.pk])).status_code == 403
    assert client.get(reverse("regie:knelpunten")).status_code == 403


def test_knelpunten_page_keeps_input_and_shows_every_error(client, frozen_today, regisseur_a, gemeente_a):
    client.force_login(regisseur_a)
    response = client.post(reverse("regie:knelpunten"), {"title": "", "description": "Al maanden", "status": "x"})
    assert set(response.context["form"].errors) == {"title", "status"}
    page = response.content.decode()
    assert "Al maanden" in page and "Kies de status (x bestaat niet)." in page
    assert not Knelpunt.objects.exists()
    data = {"title": "Wachtlijst GGZ", "description": "", "status": "open"}
    assert client.post(reverse("regie:knelpunten"), data).status_code == 302
    twice = client.post(reverse("regie:knelpunten"), data)
    assert twice.context["form"].errors == {"title": ["Het knelpunt 'Wachtlijst GGZ' bestaat al."]}
    knelpunt = Knelpunt.objects.get()
    assert knelpunt.history.get().history_user == regisseur_a
    edit = {"title": "Wachtlijst GGZ-behandeling", "description": "12 weken", "status": "aangepakt"}
    assert client.post(reverse("regie:knelpunt_edit", args=[knelpunt.pk]), edit).status_code == 302
    knelpunt.refresh_from_db()
    assert (knelpunt.title, knelpunt.status, knelpunt.history.count()) == ("Wachtlijst GGZ-behandeling", "aangepakt", 2)


def test_decision_form_links_open_knelpunten(client, frozen_today, regisseur_a, gemeente_a, gemeente_b):
    child = ChildFactory(gemeente=gemeente_a)
    _trajectory(child, 120)
    open_one = _knelpunt(regisseur_a, gemeente_a)
    solved = _knelpunt(regisseur_a, gemeente_a, title="Opgelost knelpunt", status=KnelpuntStatus.SOLVED)
    client.force_login(regisseur_a)
    url = reverse("regie:decision_create", args=[child.pk])
    page = client.get(url).content.decode()
    assert open_one.title in page and solved.title not in page
    refused = client.post(
        url,
        {"besluit-kind": "continue", "besluit-reason": "Loopt goed", "besluit-follow_up_date": "",
         "besluit-actor": "", "besluit-knelpunten": [str(open_one.pk), str(solved.pk)], "besluit-seen_decision": "0"},
    )  # fmt: skip
    errors = refused.context["form"].errors
    assert set(errors) == {"follow_up_date", "actor", "knelpunten"}
    assert errors["knelpunten"] == [f"Kies een open knelpunt van deze gemeente ({solved.pk} bestaat niet)."]
    assert "Loopt goed" in refused.content.decode() and not Decision.objects.exists()
    done = client.post(
        url,
        {"besluit-kind": "continue", "besluit-reason": "Loopt goed", "besluit-follow_up_date": "2026-05-01",
         "besluit-actor": "regisseur", "besluit-knelpunten": [str(open_one.pk)], "besluit-seen_decision": "0"},
    )  # fmt: skip
    assert done.status_code == 302
    decision = Decision.objects.get()
    assert list(decision.knelpunten.all()) == [open_one]
    assert open_one.history.filter(history_user=regisseur_a).exists()
    listing = client.get(reverse("regie:knelpunten")).content.decode()
    assert "continue" not in listing and "1× voortzetten (met reden)" in listing
    patterns = client.get(reverse("regie:patterns")).content.decode()
    assert open_one.title in patterns and solved.title not in patterns


def test_service_refuses_another_gemeentes_knelpunt(frozen_today, gemeente_a, gemeente_b):
    from django.core.exceptions import ValidationError

    from regie import services as regie_services

    both = UserFactory(role=Role.REGISSEUR, gemeenten=[gemeente_a, gemeente_b])
    elsewhere = _knelpunt(both, gemeente_b, title="Elders")
    child = ChildFactory(gemeente=gemeente_a)
    with pytest.raises(ValidationError) as refused:
        regie_services.decision_record(
            user=both, child=child, kind=DecisionKind.CONTINUE, reason="r", follow_up_date=dt.date(2026, 5, 1),
            actor="x", knelpunten=[elsewhere],
        )  # fmt: skip
    assert refused.value.message_dict["knelpunten"] == [
        "Niet te koppelen (opgelost of van een andere gemeente): 'Elders'."
    ]
    assert not Decision.objects.exists()


def test_knelpunten_cost_counts_each_case_once(frozen_today, regisseur_a, gemeente_a):
    from regie.knelpunten import knelpunt_rows

    knelpunt = _knelpunt(regisseur_a, gemeente_a)
    a, b = ChildFactory(gemeente=gemeente_a), ChildFactory(gemeente=gemeente_a)
    for child, day, cost in (
        (a, dt.date(2026, 1, 5), "1000"),
        (a, dt.date(2026, 2, 5), "1500"),
        (b, dt.date(2026, 2, 9), "700"),
    ):
        decision = _decide(child, DecisionKind.CONTINUE, day, regisseur_a)
        Decision.objects.filter(pk=decision.pk).update(cost_at_decision=Decimal(cost))
        knelpunt.decisions.add(decision)
    (row,) = knelpunt_rows(gemeente_a)
    assert (row.decisions, row.cases, row.cost) == (3, 2, Decimal("2200"))  # a's latest 1.500 + b's 700


def test_pages_run_a_fixed_number_of_queries(client, frozen_today, regisseur_a, gemeente_a):
    from regie.cohort import cohort_take

    client.force_login(regisseur_a)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    kids = _world(gemeente_a, 2)
    knelpunt = _knelpunt(regisseur_a, gemeente_a)
    cohort = cohort_take(user=regisseur_a, gemeente=gemeente_a)
    knelpunt.decisions.add(_decide(kids[0], DecisionKind.CONTINUE, dt.date(2026, 3, 2), regisseur_a))
    urls = [reverse("regie:cohort", args=[cohort.pk]), reverse("regie:knelpunten"),
            reverse("regie:knelpunt_edit", args=[knelpunt.pk])]  # fmt: skip
    small = [count(url) for url in urls]
    more = _world(gemeente_a, 6)
    Cohort.objects.all().delete()
    cohort = cohort_take(user=regisseur_a, gemeente=gemeente_a)
    for kid in more:
        knelpunt.decisions.add(_decide(kid, DecisionKind.END, dt.date(2026, 3, 2), regisseur_a))
    _knelpunt(regisseur_a, gemeente_a, title="Tweede")
    urls[0] = reverse("regie:cohort", args=[cohort.pk])
    assert [count(url) for url in urls] == small


def test_dashboard_and_email_show_the_effect_without_case_numbers(
    client, frozen_today, regisseur_a, beleid_a, gemeente_a
):
    from regie.cohort import cohort_take

    kids = _world(gemeente_a, 2)
    cohort_take(user=regisseur_a, gemeente=gemeente_a)
    _knelpunt(regisseur_a, gemeente_a).decisions.add(_decide(kids[0], DecisionKind.CONTINUE, frozen_today, regisseur_a))
    client.force_login(beleid_a)
    page = client.get(reverse("reports:dashboard") + "?maand=2026-03").content.decode()
    assert "Verwacht effect van regiebesluiten" in page and "Gerealiseerd effect" in page
    assert "Prognose na uitvoering openstaande besluiten" in page
    assert "Top 32 van de peildatum 02-03-2026" in page and "Geen passend aanbod voor jongeren met autisme" in page
    assert kids[0].case_number not in page
    # € 12 and € 24 a day: € 365 + € 730; two cases are published as "< 5"
    assert "€ 1.095" in page and "&lt; 5" in page
    report = report_build(gemeente_a, Period.parse_month("2026-03"))
    text = report_email(report, to="x@example.nl").body
    assert "Verwacht effect van regiebesluiten" in text and "Effect Top 32 sinds peildatum 02-03-2026" in text
    assert "Geen passend aanbod voor jongeren met autisme (open): < 5 besluiten" in text
    assert kids[0].case_number not in text
