"""The Wlz route (issue 11): a Wlz decision opens it, each step is checked against WlzRoute.TRANSITIONS,
the indication gives the ending tasks, a quiet route is flagged, and the pages keep to the gemeente.

Hand-computed: 45A48 at € 95 an hour per week. 4 hours a week: € 54,2857 a day, € 1.651,19 a month;
2 hours: € 27,1429 a day, € 825,60 a month (a month is 365/12 days). Together € 2.476,79 a month.
Frozen day: Monday 2 March 2026.
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Role, Task, TaskKind, TaskStatus
from regie import flags
from regie import services as regie_services
from regie.codes import FlagCode, WlzStep
from regie.models import Decision, DecisionKind, Flag, FlagRule, WlzRoute
from regie.wlz import wlz_route_step

from ..factories import ChildFactory, TrajectoryFactory, UserFactory

pytestmark = pytest.mark.django_db

OPENED = dt.datetime(2025, 11, 3, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))


@pytest.fixture
def child(gemeente_a, toegang_a):
    return ChildFactory(gemeente=gemeente_a, owner=toegang_a, last_name="Wlzkind")


@pytest.fixture
def trajectories(child):
    return [
        TrajectoryFactory(child=child, volume=Decimal("4"), planned_end_date=dt.date(2026, 12, 31)),
        TrajectoryFactory(child=child, volume=Decimal("2"), planned_end_date=dt.date(2026, 12, 31)),
    ]


def _decide_wlz(user, child):
    return regie_services.decision_record(
        user=user,
        child=child,
        kind=DecisionKind.WLZ,
        reason="Levenslange zorg nodig: aanvraag Wlz voorbereiden",
        follow_up_date=timezone.localdate() + dt.timedelta(days=28),
        actor="regisseur",
    )


@pytest.fixture
def route(regisseur_a, child, trajectories):
    """A route opened by a Wlz decision on 3 November 2025."""
    with time_machine.travel(OPENED, tick=False):
        decision = _decide_wlz(regisseur_a, child)
    return decision.wlz_route


def test_a_wlz_decision_opens_a_route_in_voorbereiding(route, regisseur_a):
    assert route.step == WlzStep.PREPARING
    assert route.prepared_on == route.last_step_on == dt.date(2025, 11, 3)
    assert route.decision.kind == DecisionKind.WLZ
    assert route.history.count() == 1 and route.history.get().history_user == regisseur_a


def test_a_second_open_route_for_the_child_is_refused_and_nothing_written(frozen_today, route, regisseur_a, child):
    with pytest.raises(ValidationError) as refused:
        _decide_wlz(regisseur_a, child)
    assert f"Voor dossier {child.case_number} loopt al een Wlz-route (stap 'voorbereiding' sinds 03-11-2025)" in str(
        refused.value
    )
    assert Decision.objects.count() == 1 and WlzRoute.objects.count() == 1


def test_the_database_refuses_a_second_open_route_too(route, regisseur_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        WlzRoute.objects.create(
            child=route.child,
            gemeente=route.gemeente,
            prepared_on=dt.date(2026, 1, 5),
            last_step_on=dt.date(2026, 1, 5),
            created_by=regisseur_a,
        )


def test_an_indication_before_an_application_is_refused(frozen_today, route, regisseur_a):
    with pytest.raises(ValidationError) as refused:
        wlz_route_step(
            user=regisseur_a,
            route=route,
            step=WlzStep.GRANTED,
            date=dt.date(2026, 2, 9),
            expected_end=dt.date(2026, 3, 16),
        )
    assert refused.value.message_dict["step"] == [
        "'indicatie afgegeven' kan niet na 'voorbereiding': eerst 'aanvraag CIZ ingediend'."
    ]
    route.refresh_from_db()
    assert route.step == WlzStep.PREPARING and route.history.count() == 1 and not Task.objects.exists()


def _apply(user, route, day=dt.date(2025, 12, 1)):
    return wlz_route_step(user=user, route=route, step=WlzStep.APPLIED, date=day, note="Aanvraag via het CIZ-portaal")


def test_every_error_at_once_and_nothing_written(frozen_today, route, regisseur_a, gemeente_b, trajectories):
    _apply(regisseur_a, route)
    late = TrajectoryFactory(child=route.child, start_date=dt.date(2026, 3, 1), planned_end_date=dt.date(2026, 9, 1))
    outsider = UserFactory(role=Role.TOEGANG, gemeenten=[gemeente_b], first_name="Bram", last_name="Buiten")
    with pytest.raises(ValidationError) as refused:
        wlz_route_step(
            user=regisseur_a,
            route=route,
            step=WlzStep.GRANTED,
            date=dt.date(2026, 2, 9),
            expected_end=dt.date(2026, 2, 20),  # before the late trajectory starts
            owner=outsider,
        )
    errors = refused.value.message_dict
    assert errors["expected_end"] == [
        f"De overgangsdatum 20-02-2026 ligt vóór de start van traject 45A48 bij {late.provider.name} (01-03-2026)."
    ]
    assert errors["owner"] == [
        "Bram Buiten is geen toegangsmedewerker van deze gemeente; kies een collega van de gemeente."
    ]
    with pytest.raises(ValidationError) as refused:
        wlz_route_step(user=regisseur_a, route=route, step=WlzStep.GRANTED, date=dt.date(2025, 11, 20))
    errors = refused.value.message_dict
    assert errors["date"] == ["De datum 20-11-2025 ligt vóór de vorige stap (01-12-2025)."]
    assert errors["expected_end"] == ["Geef de overgangsdatum: vanaf dan eindigt de Jeugdwet-zorg."]
    with pytest.raises(ValidationError) as refused:
        wlz_route_step(user=regisseur_a, route=route, step=WlzStep.REFUSED, date=dt.date(2026, 3, 9))
    assert refused.value.message_dict["date"] == [
        "De datum 09-03-2026 ligt in de toekomst; leg de stap vast als hij gezet is."
    ]
    route.refresh_from_db()
    assert route.step == WlzStep.APPLIED and route.history.count() == 2 and not Task.objects.exists()


def test_a_closed_route_takes_no_more_steps(frozen_today, route, regisseur_a):
    _apply(regisseur_a, route)
    wlz_route_step(user=regisseur_a, route=route, step=WlzStep.REFUSED, date=dt.date(2026, 2, 2))
    with pytest.raises(ValidationError) as refused:
        wlz_route_step(user=regisseur_a, route=route, step=WlzStep.TRANSFERRED, date=dt.date(2026, 2, 3))
    assert refused.value.message_dict["step"] == [
        "Deze route is afgesloten (indicatie afgewezen); 'overgang naar de Wlz' kan niet meer."
    ]


def test_only_a_regisseur_of_the_gemeente_records_a_step(frozen_today, route, gemeente_b, toegang_a):
    other = UserFactory(role=Role.REGISSEUR, gemeenten=[gemeente_b])
    for user in (other, toegang_a):
        with pytest.raises(ValidationError):
            _apply(user, route)
    assert WlzRoute.objects.get().step == WlzStep.PREPARING


def test_the_indication_gives_a_task_per_trajectory_and_ending_them_closes_the_tasks(
    frozen_today, route, regisseur_a, toegang_a, trajectories
):
    _apply(regisseur_a, route)
    granted = wlz_route_step(
        user=regisseur_a,
        route=route,
        step=WlzStep.GRANTED,
        date=dt.date(2026, 2, 9),
        expected_end=dt.date(2026, 3, 16),
    )
    assert granted.weeks_to_indication == Decimal("10.0")  # 1 December to 9 February: 70 days
    tasks = list(Task.objects.order_by("trajectory_id"))
    assert [(t.trajectory, t.owner, t.due_date, t.kind, t.key) for t in tasks] == [
        (t, toegang_a, dt.date(2026, 3, 16), TaskKind.DECISION, f"wlz:{route.pk}:einde:{t.pk}") for t in trajectories
    ]
    assert "beëindigen per 16-03-2026, reden 39 Uitstroom naar ander domein (Wmo, Wlz, Zvw)" in tasks[0].title
    with time_machine.travel(dt.datetime(2026, 3, 16, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))), tick=False):
        for trajectory in trajectories:
            trajectory.refresh_from_db()
            services.trajectory_end(
                user=toegang_a,
                trajectory=trajectory,
                version=trajectory.version,
                end_date=dt.date(2026, 3, 16),
                end_reason="39",
            )
        wlz_route_step(user=regisseur_a, route=route, step=WlzStep.TRANSFERRED, date=dt.date(2026, 3, 16))
    assert set(Task.objects.values_list("status", flat=True)) == {TaskStatus.DONE}
    route.refresh_from_db()
    assert route.step == WlzStep.TRANSFERRED and not route.is_open
    assert [h.step for h in route.history.order_by("history_date")] == [
        "voorbereiding",
        "aanvraag",
        "indicatie",
        "overgang",
    ]


def test_a_quiet_route_is_flagged_since_the_day_it_stalled_and_the_next_step_lapses_it(
    frozen_today, route, regisseur_a
):
    _apply(regisseur_a, route)  # 1 December 2025; 2 March 2026 is 91 days later
    flags.evaluate()
    flag = Flag.objects.get(code=FlagCode.WLZ_STALLED)
    assert (flag.subject_key, flag.value, flag.norm) == (route.pk, Decimal("91"), Decimal("8"))
    assert flag.since == dt.date(2026, 1, 27)  # 8 weeks (56 days) passed on 26 January
    assert flag.sentence == (
        "Wlz-route staat sinds 01-12-2025 stil op 'aanvraag CIZ ingediend' (13 weken zonder nieuwe stap); "
        "drempel 8 weken"
    )
    assert flag.key_number == "13 wk"
    # The indication, with a transfer date ahead: the route waits for that day and is not quiet.
    wlz_route_step(
        user=regisseur_a, route=route, step=WlzStep.GRANTED, date=dt.date(2026, 2, 27), expected_end=dt.date(2026, 4, 1)
    )
    flags.evaluate()
    flag.refresh_from_db()
    assert not flag.firing and not flag.active


def test_the_beheerder_threshold_decides_when_a_route_is_quiet(frozen_today, route, regisseur_a, gemeente_a):
    _apply(regisseur_a, route)
    flags.evaluate()  # gives the gemeente its default rules
    FlagRule.objects.filter(gemeente=gemeente_a, code=FlagCode.WLZ_STALLED).update(threshold=14)
    flags.evaluate()
    assert not Flag.objects.get(code=FlagCode.WLZ_STALLED).firing  # 91 days is 13 weeks, not more than 14


# --- pages ------------------------------------------------------------------------------------------


def test_regisseur_walks_the_route_on_its_page(client, frozen_today, route, regisseur_a, toegang_a):
    client.force_login(regisseur_a)
    url = reverse("regie:wlz_route", args=[route.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Wlzkind" in page.content.decode()
    refused = client.post(url, {"step": "indicatie", "date": "2026-02-09", "note": "te vroeg"})
    body = refused.content.decode()
    assert refused.status_code == 200 and "Kies de volgende stap." in body and "te vroeg" in body
    client.post(url, {"step": "aanvraag", "date": "2025-12-01"})
    response = client.post(url, {"step": "indicatie", "date": "2026-02-09", "expected_end": "2026-03-16"})
    assert response.status_code == 302
    assert WlzRoute.objects.get().step == WlzStep.GRANTED
    assert Task.objects.filter(owner=toegang_a, status=TaskStatus.OPEN).count() == 2
    assert "Wlz-route bekijken" in client.get(reverse("cases:child_detail", args=[route.child_id])).content.decode()


def test_outsider_gets_404_and_other_roles_403(client, route, gemeente_a, gemeente_b, beleid_a, toegang_a):
    client.force_login(UserFactory(role=Role.REGISSEUR, gemeenten=[gemeente_b]))
    url = reverse("regie:wlz_route", args=[route.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"step": "aanvraag", "date": "2025-12-01"}).status_code == 404
    assert client.get(reverse("regie:wlz_routes") + f"?gemeente={gemeente_a.code}").status_code == 404
    assert "Wlzkind" not in client.get(reverse("regie:wlz_routes")).content.decode()
    bestuurder = UserFactory(role=Role.BESTUURDER, gemeenten=[gemeente_a])
    for user in (beleid_a, toegang_a, bestuurder):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.get(reverse("regie:wlz_routes")).status_code == 403
    assert WlzRoute.objects.get().step == WlzStep.PREPARING


def _routes(gemeente, regisseur, n):
    for _ in range(n):
        child = ChildFactory(gemeente=gemeente)
        TrajectoryFactory(child=child)
        WlzRoute.objects.create(
            child=child,
            gemeente=gemeente,
            step=WlzStep.APPLIED,
            prepared_on=dt.date(2025, 11, 3),
            applied_on=dt.date(2025, 12, 1),
            last_step_on=dt.date(2025, 12, 1),
            created_by=regisseur,
        )


def test_the_route_list_keeps_a_constant_query_count(client, frozen_today, gemeente_a, regisseur_a):
    client.force_login(regisseur_a)
    counts = []
    for n in (2, 12):
        _routes(gemeente_a, regisseur_a, n - WlzRoute.objects.count())
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("regie:wlz_routes"))
        assert response.status_code == 200
        assert response.content.decode().count("stil, 13 weken") == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
