"""Mijn werk: what each list holds at its edges, in urgency order, for the right person, in constant queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.models import ExtensionStatus, Role, Task, TaskKind, TaskStatus
from regie.models import Decision, DecisionKind, Escalation, EscalationStatus
from tests.conftest import TODAY
from tests.factories import (
    ChildFactory,
    ExtensionFactory,
    ReferralFactory,
    StopReviewFactory,
    TrajectoryFactory,
    UserFactory,
)
from werk.models import WorkWindows
from werk.windows import LATE, ON_TIME, VERY_LATE, punctuality, windows_for
from werk.worklists import Scope, reviews_due, toegang_sections, trajectories_ending

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def _mine(client, user):
    client.force_login(user)
    response = client.get(reverse("werk:mine"))
    assert response.status_code == 200
    return {s.key: s for s in response.context["sections"]}


def _owned_child(gemeente, owner):
    return ChildFactory(gemeente=gemeente, owner=owner)


def test_reviews_show_from_their_warning_window_and_overdue_first(client, frozen_today, gemeente_a, toegang_a):
    child = _owned_child(gemeente_a, toegang_a)
    trajectory = TrajectoryFactory(child=child, planned_end_date=TODAY + 200 * DAY)
    yesterday = StopReviewFactory(trajectory=trajectory, due_date=TODAY - DAY)
    today = StopReviewFactory(trajectory=trajectory, due_date=TODAY)
    in_14 = StopReviewFactory(trajectory=trajectory, due_date=TODAY + 14 * DAY)
    StopReviewFactory(trajectory=trajectory, due_date=TODAY + 15 * DAY)  # not yet: outside the 14-day window
    StopReviewFactory(trajectory=trajectory, due_date=TODAY - 5 * DAY, done_date=TODAY - DAY, outcome="continue")

    section = _mine(client, toegang_a)["reviews"]

    assert [i.due for i in section.items] == [yesterday.due_date, today.due_date, in_14.due_date]
    assert (section.count, section.overdue) == (3, 1)
    assert [i.punctuality.key for i in section.items] == [LATE, ON_TIME, ON_TIME]


def test_a_moved_window_moves_the_warning(client, frozen_today, gemeente_a, toegang_a):
    child = _owned_child(gemeente_a, toegang_a)
    StopReviewFactory(
        trajectory=TrajectoryFactory(child=child, planned_end_date=TODAY + 200 * DAY), due_date=TODAY + 20 * DAY
    )
    assert _mine(client, toegang_a)["reviews"].count == 0
    WorkWindows.objects.create(gemeente=gemeente_a, review_days=21)
    assert _mine(client, toegang_a)["reviews"].count == 1


def test_trajectories_ending_within_30_days_without_extension_or_end(client, frozen_today, gemeente_a, toegang_a):
    child = _owned_child(gemeente_a, toegang_a)
    past = TrajectoryFactory(child=child, planned_end_date=TODAY - DAY)
    at_30 = TrajectoryFactory(child=child, planned_end_date=TODAY + 30 * DAY)
    TrajectoryFactory(child=child, planned_end_date=TODAY + 31 * DAY)  # outside the window
    TrajectoryFactory(child=child, planned_end_date=TODAY - DAY, end_date=TODAY - 2 * DAY, end_reason="31")
    requested = TrajectoryFactory(child=child, planned_end_date=TODAY + 5 * DAY)
    ExtensionFactory(trajectory=requested)  # pending: the toets has it

    section = _mine(client, toegang_a)["einde"]

    assert [i.due for i in section.items] == [past.planned_end_date, at_30.planned_end_date]
    assert section.overdue == 1


def test_referral_without_outcome_shows_after_14_days(client, frozen_today, gemeente_a, toegang_a):
    child = _owned_child(gemeente_a, toegang_a)
    ReferralFactory(child=child, date=TODAY - 14 * DAY)
    ReferralFactory(child=child, date=TODAY - 13 * DAY)  # not yet
    ReferralFactory(child=child, date=TODAY - 60 * DAY, outcome="light", outcome_date=TODAY - 50 * DAY)
    section = _mine(client, toegang_a)["verwijzingen"]
    assert section.count == 1


def test_extension_decisions_returned_this_week(client, frozen_today, gemeente_a, toegang_a, toets_a):
    from django.utils import timezone

    child = _owned_child(gemeente_a, toegang_a)
    recent = ExtensionFactory(
        trajectory=TrajectoryFactory(child=child), status=ExtensionStatus.APPROVED, decision_reason="ok"
    )
    old = ExtensionFactory(
        trajectory=TrajectoryFactory(child=child), status=ExtensionStatus.REFUSED, decision_reason="nee"
    )
    now = timezone.now()
    type(recent).objects.filter(pk=recent.pk).update(decided_at=now - 6 * DAY, decided_by=toets_a)
    type(old).objects.filter(pk=old.pk).update(decided_at=now - 9 * DAY, decided_by=toets_a)
    section = _mine(client, toegang_a)["teruggekomen"]
    assert section.count == 1


def test_tasks_for_me_include_my_role_in_my_gemeente(client, frozen_today, gemeente_a, gemeente_b, toegang_a):
    child = _owned_child(gemeente_a, toegang_a)
    mine = services.task_create(user=toegang_a, child=child, kind=TaskKind.CONTACT, due_date=TODAY, owner=toegang_a)
    role = services.task_create(
        user=toegang_a, child=child, kind=TaskKind.OTHER, due_date=TODAY + 7 * DAY, owner_role=Role.TOEGANG
    )
    services.task_create(user=toegang_a, child=child, kind=TaskKind.OTHER, due_date=TODAY + 8 * DAY, owner=toegang_a)
    other_gemeente = ChildFactory(gemeente=gemeente_b)
    Task.objects.create(
        child=other_gemeente, gemeente=gemeente_b, kind=TaskKind.OTHER, title="x", due_date=TODAY, owner_role="toegang"
    )
    section = _mine(client, toegang_a)["taken"]
    assert [i.child.pk for i in section.items] == [mine.child_id, role.child_id]


def test_punctuality_on_time_late_and_more_than_three_times_late():
    assert punctuality(TODAY, 14, TODAY).key == ON_TIME
    assert punctuality(TODAY - DAY, 14, TODAY).key == LATE
    assert punctuality(TODAY - 42 * DAY, 14, TODAY).key == LATE
    assert punctuality(TODAY - 43 * DAY, 14, TODAY).key == VERY_LATE


def test_another_workers_files_are_not_on_my_list_but_on_the_team_tab(client, frozen_today, gemeente_a, toegang_a):
    colleague = UserFactory(username="collega", role=Role.TOEGANG, gemeenten=[gemeente_a])
    child = _owned_child(gemeente_a, colleague)
    unassigned = ChildFactory(gemeente=gemeente_a, owner=None)
    for c in (child, unassigned):
        StopReviewFactory(trajectory=TrajectoryFactory(child=c, planned_end_date=TODAY + 200 * DAY), due_date=TODAY)
    assert _mine(client, toegang_a)["reviews"].count == 0

    response = client.get(reverse("werk:team"))
    assert {s.key: s.count for s in response.context["sections"]}["reviews"] == 1  # the unassigned one
    loads = {load.owner.username if load.owner else None: load for load in response.context["loads"]}
    assert loads["collega"].children == 1
    assert loads[None].children == 1
    response = client.get(reverse("werk:team"), {"medewerker": colleague.pk})
    assert [i.child for i in {s.key: s for s in response.context["sections"]}["reviews"].items] == [child]


def test_team_lead_reassigns_in_bulk_with_reason_in_history(client, frozen_today, gemeente_a, toegang_a):
    from django.contrib.auth.models import Permission

    toegang_a.user_permissions.add(Permission.objects.get(codename="reassign_children"))
    colleague = UserFactory(username="collega", role=Role.TOEGANG, gemeenten=[gemeente_a])
    children = [ChildFactory(gemeente=gemeente_a, owner=None) for _ in range(3)]
    client.force_login(toegang_a)
    response = client.post(
        reverse("werk:team") + "?medewerker=niemand",
        {"children": [children[0].pk, children[1].pk], "owner": colleague.pk, "reason": ""},
    )
    assert response.status_code == 200  # refused: no reason; nothing moved, the choice kept
    assert "Dit veld is verplicht" in response.content.decode() or response.context["form"].errors["reason"]
    assert all(c.owner_id is None for c in type(children[0]).objects.filter(pk__in=[c.pk for c in children]))

    response = client.post(
        reverse("werk:team") + "?medewerker=niemand",
        {"children": [children[0].pk, children[1].pk], "owner": colleague.pk, "reason": "Verdeling na vakantie"},
    )
    assert response.status_code == 302
    children[0].refresh_from_db()
    assert children[0].owner == colleague
    last = children[0].history.first()
    assert (last.history_user, last.history_change_reason) == (toegang_a, "Verdeling na vakantie")
    children[2].refresh_from_db()
    assert children[2].owner is None


def test_without_the_team_lead_right_no_bulk_handover(client, frozen_today, gemeente_a, toegang_a):
    colleague = UserFactory(username="collega", role=Role.TOEGANG, gemeenten=[gemeente_a])
    child = ChildFactory(gemeente=gemeente_a, owner=None)
    client.force_login(toegang_a)
    response = client.post(reverse("werk:team"), {"children": [child.pk], "owner": colleague.pk, "reason": "Poging"})
    assert response.status_code == 403


def test_regisseur_sees_follow_ups_escalations_and_overdue_decision_tasks(
    client, frozen_today, gemeente_a, regisseur_a, toegang_a
):
    from django.utils import timezone

    child = _owned_child(gemeente_a, toegang_a)
    other = _owned_child(gemeente_a, toegang_a)
    now = timezone.now()
    Decision.objects.create(
        child=child,
        gemeente=gemeente_a,
        kind=DecisionKind.CONTINUE,
        reason="r",
        follow_up_date=TODAY,
        actor="x",
        decided_by=regisseur_a,
        decided_at=now - 40 * DAY,
    )
    escalate = Decision.objects.create(
        child=other,
        gemeente=gemeente_a,
        kind=DecisionKind.ESCALATE,
        reason="r",
        follow_up_date=TODAY + 60 * DAY,
        actor="x",
        decided_by=regisseur_a,
        decided_at=now - 30 * DAY,
    )
    Escalation.objects.create(
        decision=escalate, child=other, gemeente=gemeente_a, question="Budget?", created_at=now - 30 * DAY
    )
    # Not shown: an escalation younger than the threshold (28 days), and one the bestuurder decided.
    for days, status, answer in ((10, EscalationStatus.OPEN, ""), (60, EscalationStatus.DECIDED, "Ja")):
        young = _owned_child(gemeente_a, toegang_a)
        decision = Decision.objects.create(
            child=young,
            gemeente=gemeente_a,
            kind=DecisionKind.ESCALATE,
            reason="r",
            follow_up_date=TODAY + 60 * DAY,
            actor="x",
            decided_by=regisseur_a,
            decided_at=now - days * DAY,
        )
        Escalation.objects.create(
            decision=decision,
            child=young,
            gemeente=gemeente_a,
            question="?",
            status=status,
            answer=answer,
            answer_date=TODAY if answer else None,
            created_at=now - days * DAY,
        )
    Task.objects.create(
        child=other,
        gemeente=gemeente_a,
        kind=TaskKind.DECISION,
        title="Afschalen",
        due_date=TODAY - DAY,
        owner=toegang_a,
        origin="besluit",
    )
    sections = _mine(client, regisseur_a)
    assert sections["vervolg"].count == 1
    assert (sections["opschalingen"].count, sections["opschalingen"].overdue) == (1, 1)  # 30 days > 28
    assert sections["besluittaken"].count == 1


def test_a_follow_up_of_a_child_out_of_care_is_not_work(client, frozen_today, gemeente_a, regisseur_a, toegang_a):
    """A follow-up date reached for a child whose care has all ended (out of care, moved to the Wlz) is not
    shown as late work; one whose care still runs, and one not yet in care, are."""
    from django.utils import timezone

    ended, running, waiting = (_owned_child(gemeente_a, toegang_a) for _ in range(3))
    TrajectoryFactory(
        child=ended, start_date=TODAY - 300 * DAY, planned_end_date=TODAY, end_date=TODAY - 20 * DAY, end_reason="01"
    )
    TrajectoryFactory(child=running, start_date=TODAY - 300 * DAY, planned_end_date=TODAY + 100 * DAY)
    for child in (ended, running, waiting):
        Decision.objects.create(
            child=child,
            gemeente=gemeente_a,
            kind=DecisionKind.CONTINUE,
            reason="r",
            follow_up_date=TODAY - 10 * DAY,
            actor="x",
            decided_by=regisseur_a,
            decided_at=timezone.now() - 40 * DAY,
        )
    section = _mine(client, regisseur_a)["vervolg"]
    assert (section.count, section.overdue) == (2, 2)
    assert {item.child for item in section.items} == {running, waiting}


def test_query_count_does_not_grow_with_the_data(client, frozen_today, gemeente_a, toegang_a):
    def count():
        client.force_login(toegang_a)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("werk:mine")).status_code == 200
        return len(queries)

    def add(n):
        for _ in range(n):
            child = _owned_child(gemeente_a, toegang_a)
            trajectory = TrajectoryFactory(child=child, planned_end_date=TODAY + 3 * DAY)
            StopReviewFactory(trajectory=trajectory, due_date=TODAY - DAY)
            ReferralFactory(child=child, date=TODAY - 30 * DAY)
            services.task_create(user=toegang_a, child=child, kind="contact", due_date=TODAY, owner=toegang_a)

    add(1)
    count()  # the first view puts these files in "recent geopend"; from then on the page is complete
    small = count()
    add(6)
    assert count() == small


def test_sections_function_agrees_with_page(frozen_today, gemeente_a, toegang_a):
    child = _owned_child(gemeente_a, toegang_a)
    StopReviewFactory(trajectory=TrajectoryFactory(child=child, planned_end_date=TODAY + 3 * DAY), due_date=TODAY)
    scope = Scope(user=toegang_a, gemeente_ids=[gemeente_a.pk], today=TODAY, owner=toegang_a)
    windows = windows_for(scope.gemeente_ids)
    assert reviews_due(scope, windows).count == 1
    assert trajectories_ending(scope, windows).count == 1
    assert len(toegang_sections(scope, windows)) == 6


def test_home_of_each_role(client, toegang_a, regisseur_a, toets_a):
    for user, target in ((toegang_a, "werk:mine"), (regisseur_a, "werk:mine"), (toets_a, "cases:extension_queue")):
        client.force_login(user)
        assert client.get("/").url == reverse(target)


def test_mijn_werk_is_not_for_toets_or_beleid(client, toets_a, beleid_a):
    for user in (toets_a, beleid_a):
        client.force_login(user)
        assert client.get(reverse("werk:mine")).status_code == 403


def test_done_task_leaves_the_list(client, frozen_today, gemeente_a, toegang_a):
    child = _owned_child(gemeente_a, toegang_a)
    task = services.task_create(user=toegang_a, child=child, kind="contact", due_date=TODAY, owner=toegang_a)
    assert _mine(client, toegang_a)["taken"].count == 1
    assert client.post(reverse("cases:task_done", args=[task.pk])).status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert _mine(client, toegang_a)["taken"].count == 0


def _row_of(html: str, child) -> str:
    start = html.index('<a href="' + reverse("cases:child_detail", args=[child.pk]))
    return html[html.rindex("<tr>", 0, start) : html.index("</tr>", start)]


def test_the_rows_show_file_due_date_lateness_and_on_the_team_tab_the_casusregisseur(
    client, frozen_today, gemeente_a, toegang_a
):
    """The rows are built in Python (werk_tags.section_rows): every cell, escaped like the template."""
    colleague = UserFactory(
        username="collega", first_name="Els", last_name="<Visser>", role=Role.TOEGANG, gemeenten=[gemeente_a]
    )
    mine = ChildFactory(gemeente=gemeente_a, owner=toegang_a, first_name="Anna & Bo")
    theirs = ChildFactory(gemeente=gemeente_a, owner=colleague)
    nobodys = ChildFactory(gemeente=gemeente_a, owner=None)
    due = {mine: TODAY - DAY, theirs: TODAY - 43 * DAY, nobodys: TODAY + DAY}
    for child, day in due.items():
        StopReviewFactory(trajectory=TrajectoryFactory(child=child, planned_end_date=TODAY + 200 * DAY), due_date=day)
    client.force_login(toegang_a)

    row = _row_of(client.get(reverse("werk:mine")).content.decode(), mine)
    assert f"{mine.case_number}</a> Anna &amp; Bo Jansen</td>" in row
    assert f"<td>{(TODAY - DAY):%d-%m-%Y}</td>" in row
    assert '<span class="badge badge-warn">1 dag te laat</span>' in row
    assert "<strong>niet toegewezen</strong>" not in row and row.count("<td>") == 4  # no casusregisseur column

    team = client.get(reverse("werk:team"), {"medewerker": colleague.pk}).content.decode()
    row = _row_of(team, theirs)
    assert '<span class="badge badge-bad">43 dagen te laat (&gt; 3× termijn)</span>' in row
    assert "<td>Els &lt;Visser&gt;</td>" in row
    row = _row_of(client.get(reverse("werk:team")).content.decode(), nobodys)
    assert '<span class="badge badge-ok">op tijd</span>' in row
    assert "<td><strong>niet toegewezen</strong></td>" in row
