"""The queue's promises of issue 11, each checked: why a case is back, the four sorts and the filters in
the URL, a case's decision, follow-up date and open tasks in its row; a decision task for a casusregisseur
who does not serve the gemeente; who took part in a case meeting has history.

Today is Monday 2 March 2026. 45A48 at € 95 an hour, per week.
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from cases.models import Role, Task
from regie import flags
from regie import services as regie_services
from regie.models import CaseMeetingKind, Decision, DecisionKind

from ..factories import ChildFactory, ReferralFactory, TrajectoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def _case(gemeente, *, hours, start):
    child = ChildFactory(gemeente=gemeente)
    referral = ReferralFactory(child=child, date=start - dt.timedelta(days=30))
    trajectory = TrajectoryFactory(
        child=child, referral=referral, start_date=start, planned_end_date=dt.date(2026, 2, 2), volume=Decimal(hours)
    )
    return child, trajectory


def _decide(user, child, **extra):
    data = {
        "kind": DecisionKind.CONTINUE,
        "reason": "Volgens plan",
        "follow_up_date": dt.date(2026, 5, 1),
        "actor": "toegangsteam",
    }
    return regie_services.decision_record(user=user, child=child, **(data | extra))


def _rows(client, **params):
    cache.clear()  # the provider filter list is cached per day
    response = client.get(reverse("regie:queue"), params)
    assert response.status_code == 200
    return response


@pytest.fixture
def three(gemeente_a):
    """dear: 30 h a week for 13 months; long: 10 h for 24 months; recent: 20 h for 6 months."""
    return {
        "dear": _case(gemeente_a, hours="30", start=dt.date(2025, 2, 3)),
        "long": _case(gemeente_a, hours="10", start=dt.date(2024, 3, 4)),
        "recent": _case(gemeente_a, hours="20", start=dt.date(2025, 9, 1)),
    }


def test_sorts_by_score_cost_running_time_and_follow_up_and_keeps_filters_in_the_url(
    client, frozen_today, regisseur_a, three
):
    flags.evaluate()
    dear, long, recent = (three[k][0] for k in ("dear", "long", "recent"))
    # Decided, and their follow-up dates reached: back in the queue, earliest follow-up first.
    _decide(regisseur_a, recent, follow_up_date=dt.date(2026, 3, 20))
    _decide(regisseur_a, dear, follow_up_date=dt.date(2026, 3, 25))
    Decision.objects.filter(child=recent).update(follow_up_date=dt.date(2026, 2, 20))
    Decision.objects.filter(child=dear).update(follow_up_date=dt.date(2026, 3, 1))
    client.force_login(regisseur_a)

    def order(sort):
        return [r.child for r in _rows(client, sorteer=sort).context["rows"]]

    # Open cost to date: dear 30 h × € 95 over 56 weeks ≈ € 160k; long 10 h over 104 weeks ≈ € 99k;
    # recent 20 h over 26 weeks ≈ € 49k. This year (1 Jan - 2 Mar): 30 h, 20 h, 10 h a week.
    assert order("score") == [dear, long, recent]
    assert order("kosten") == [dear, recent, long]
    assert order("looptijd") == [long, dear, recent]
    assert order("vervolg") == [recent, dear, long]  # undecided last
    # Filters live in the URL, and each sort link keeps them.
    provider = three["recent"][1].provider
    response = _rows(client, aanbieder=provider.pk, sorteer="kosten")
    assert [r.child for r in response.context["rows"]] == [recent]
    assert f"aanbieder={provider.pk}" in response.context["sort_links"]["looptijd"]
    assert "sorteer=looptijd" in response.context["sort_links"]["looptijd"]


def test_the_row_says_why_a_case_is_back(client, frozen_today, regisseur_a, gemeente_a, three):
    flags.evaluate()
    dear, long, recent = (three[k][0] for k in ("dear", "long", "recent"))
    for child in (dear, long, recent):
        _decide(regisseur_a, child)
    Decision.objects.filter(child=dear).update(follow_up_date=dt.date(2026, 3, 2))  # reached today
    Decision.objects.filter(child=long).update(cost_at_decision=Decimal("1000"))  # cost jumped since
    colleague = UserFactory(username="regisseur_a2", role=Role.REGISSEUR, gemeenten=[gemeente_a])
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 5, tzinfo=dt.UTC), tick=False):
        regie_services.flag_raise_manual(user=colleague, child=recent, reason="School meldt verzuim")
        client.force_login(regisseur_a)
        response = _rows(client)
    back = {r.child: r.back_because for r in response.context["rows"]}
    assert back[dear] == "vervolgdatum 02-03-2026 bereikt"
    assert back[long].startswith("kosten gestegen van € 1.000 naar")
    assert back[recent] == "nieuw signaal na het besluit"
    text = response.text
    assert "terug: vervolg</span>" in text and "terug: kosten</span>" in text and "terug: signaal</span>" in text


def test_the_row_shows_the_decision_its_follow_up_and_open_tasks(
    client, frozen_today, regisseur_a, toegang_a, gemeente_a, three
):
    flags.evaluate()
    child, trajectory = three["dear"]
    child.owner = toegang_a
    child.save()
    _decide(
        regisseur_a,
        child,
        kind=DecisionKind.SCALE_DOWN,
        trajectory=trajectory,
        act_by=dt.date(2026, 3, 20),
        proposed_volume=Decimal("10"),
        follow_up_date=dt.date(2026, 4, 15),
    )
    Decision.objects.filter(child=child).update(cost_at_decision=Decimal("1000"))  # back: cost jumped
    client.force_login(regisseur_a)
    row = next(r for r in _rows(client).context["rows"] if r.child == child)
    assert row.decision_short == "Afschalen" and row.decision["follow_up_date"] == dt.date(2026, 4, 15)
    assert [t.due_date for t in row.open_tasks] == [dt.date(2026, 3, 20)]
    text = _rows(client).text
    assert "Afschalen</span> tot 15-04-2026" in text and ">taak 20-03</span>" in text
    with time_machine.travel(dt.datetime(2026, 3, 23, 9, 0, tzinfo=dt.UTC), tick=False):
        client.force_login(regisseur_a)
        assert ">taak te laat</span>" in _rows(client).text


def test_a_casusregisseur_outside_the_gemeente_gets_no_task_the_toegang_does(
    frozen_today, regisseur_a, toegang_b, three
):
    child, trajectory = three["dear"]
    child.owner = toegang_b  # serves gemeente B only, e.g. after a move
    child.save()
    _decide(
        regisseur_a, child, kind=DecisionKind.END, trajectory=trajectory, act_by=dt.date(2026, 3, 20), end_reason="34"
    )
    task = Task.objects.get()
    assert task.owner is None and task.owner_role == Role.TOEGANG and task.gemeente_id == child.gemeente_id


def test_a_case_meetings_participants_have_history(frozen_today, regisseur_a, toegang_a, gemeente_a):
    meeting = regie_services.case_meeting_plan(
        user=regisseur_a,
        gemeente=gemeente_a,
        date=dt.date(2026, 3, 12),
        kind=CaseMeetingKind.TCC,
        participants=[regisseur_a, toegang_a],
    )
    meeting.participants.set([regisseur_a])
    # Created, its participants added, one removed: a snapshot of who took part with each.
    snapshots = [
        (h.history_type, h.history_user, sorted(p.user_id for p in h.participants.all()))
        for h in meeting.history.order_by("history_id")
    ]
    assert snapshots == [
        ("+", regisseur_a, []),
        ("~", regisseur_a, sorted([regisseur_a.pk, toegang_a.pk])),
        ("~", regisseur_a, [regisseur_a.pk]),
    ]
