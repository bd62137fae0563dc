"""Tasks and the journal on a file: refused input, closure by doing the work, isolation between gemeenten."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import services
from cases.models import JournalEntry, Role, Task, TaskKind, TaskStatus
from tests.conftest import TODAY
from tests.factories import ChildFactory, StopReviewFactory, TrajectoryFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def child(gemeente_a, toegang_a):
    return ChildFactory(gemeente=gemeente_a, owner=toegang_a)


def test_registration_makes_the_registrar_the_casusregisseur(gemeente_a, toegang_a, frozen_today):
    child = services.child_register(
        user=toegang_a,
        gemeente=gemeente_a,
        first_name="Daan",
        last_name="de Wit",
        birth_date=dt.date(2014, 1, 1),
        household_name="Gezin De Wit",
    )
    assert child.owner == toegang_a
    assert child.household.lead_worker == toegang_a


def test_task_refused_for_past_date_wrong_owner_and_other_gemeente(child, gemeente_b, toegang_a, frozen_today):
    outsider = UserFactory(username="buiten", role=Role.TOEGANG, gemeenten=[gemeente_b])
    other_child = ChildFactory(gemeente=gemeente_b)
    with pytest.raises(ValidationError) as refused:
        services.task_create(user=toegang_a, child=child, kind="contact", due_date=TODAY - DAY, owner=outsider)
    assert set(refused.value.message_dict) == {"due_date", "owner"}
    assert "verleden" in refused.value.message_dict["due_date"][0]
    with pytest.raises(ValidationError, match="gemeente"):
        services.task_create(user=toegang_a, child=other_child, kind="contact", due_date=TODAY, owner_role="toegang")
    assert Task.objects.count() == 0


def test_keyed_task_is_made_once(child, frozen_today):
    first = services.task_create(
        user=None, child=child, kind="overdracht", due_date=TODAY, owner_role="toegang", key="k"
    )
    again = services.task_create(
        user=None, child=child, kind="overdracht", due_date=TODAY, owner_role="toegang", key="k"
    )
    assert first.pk == again.pk
    assert Task.objects.count() == 1


def test_recording_the_review_closes_its_task(child, toegang_a, frozen_today):
    trajectory = TrajectoryFactory(child=child, planned_end_date=TODAY + 100 * DAY)
    review = StopReviewFactory(trajectory=trajectory, due_date=TODAY)
    task = services.task_create(
        user=toegang_a, child=child, kind=TaskKind.REVIEW, due_date=TODAY, owner=toegang_a, review=review
    )
    services.review_record(user=toegang_a, review=review, done_date=TODAY, outcome="continue")
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert task.closed_by == toegang_a
    assert task.history.first().history_change_reason == "afgerond door het werk in het dossier"


def test_extension_request_and_end_close_the_trajectory_tasks(child, toegang_a, frozen_today):
    trajectory = TrajectoryFactory(child=child, planned_end_date=TODAY + 10 * DAY)
    ending = services.task_create(
        user=toegang_a,
        child=child,
        kind=TaskKind.TRAJECTORY_END,
        due_date=TODAY,
        owner=toegang_a,
        trajectory=trajectory,
    )
    decision = services.task_create(
        user=toegang_a, child=child, kind=TaskKind.DECISION, due_date=TODAY, owner=toegang_a, trajectory=trajectory
    )
    services.extension_request(
        user=toegang_a, trajectory=trajectory, requested_end_date=TODAY + 100 * DAY, reason="Doelen niet bereikt"
    )
    ending.refresh_from_db()
    decision.refresh_from_db()
    assert (ending.status, decision.status) == (TaskStatus.DONE, TaskStatus.OPEN)
    trajectory.refresh_from_db()
    services.trajectory_end(
        user=toegang_a, trajectory=trajectory, version=trajectory.version, end_date=TODAY, end_reason="31"
    )
    decision.refresh_from_db()
    assert decision.status == TaskStatus.DONE


def test_cancel_needs_a_reason(child, toegang_a, frozen_today):
    task = services.task_create(user=toegang_a, child=child, kind="contact", due_date=TODAY, owner=toegang_a)
    with pytest.raises(ValidationError):
        services.task_cancel(user=toegang_a, task=task, reason="  ")
    services.task_cancel(user=toegang_a, task=task, reason="Gezin verhuisd")
    task.refresh_from_db()
    assert (task.status, task.cancel_reason) == (TaskStatus.CANCELLED, "Gezin verhuisd")


def test_empty_note_and_note_on_closed_file_refused(child, toegang_a, frozen_today):
    with pytest.raises(ValidationError) as refused:
        services.journal_add(user=toegang_a, child=child, kind="", text="  ", event_date=TODAY + DAY)
    assert set(refused.value.message_dict) == {"text", "kind", "event_date"}
    child.closed_on = TODAY
    child.save()
    with pytest.raises(ValidationError, match="gesloten"):
        services.journal_add(user=toegang_a, child=child, kind="gezin", text="Gesprek", event_date=TODAY)
    assert JournalEntry.objects.count() == 0


def test_a_correction_is_a_new_note_and_both_show_on_the_file(client, child, toegang_a, frozen_today):
    note = services.journal_add(user=toegang_a, child=child, kind="gezin", text="Gesprek met moeder", event_date=TODAY)
    client.force_login(toegang_a)
    response = client.post(
        reverse("cases:journal_add", args=[child.pk]),
        {"kind": "gezin", "event_date": TODAY.isoformat(), "text": "Het was de pleegmoeder", "corrects": note.pk},
    )
    assert response.status_code == 302
    assert JournalEntry.objects.count() == 2
    note.refresh_from_db()
    assert note.text == "Gesprek met moeder"  # never edited
    page = client.get(reverse("cases:child_detail", args=[child.pk])).content.decode()
    assert "Gesprek met moeder" in page and "Het was de pleegmoeder" in page and "correctie op de notitie" in page


def test_refused_note_form_keeps_input_and_shows_all_errors(client, child, toegang_a, frozen_today):
    client.force_login(toegang_a)
    response = client.post(
        reverse("cases:journal_add", args=[child.pk]), {"kind": "", "event_date": "2099-01-01", "text": ""}
    )
    assert set(response.context["form"].errors) == {"kind", "text", "event_date"}  # all at once
    assert "De datum ligt in de toekomst." in response.context["form"].errors["event_date"]
    assert 'value="2099-01-01"' in response.content.decode()
    assert JournalEntry.objects.count() == 0


def test_other_gemeentes_tasks_and_notes_are_404(client, gemeente_b, toegang_a, frozen_today):
    other = ChildFactory(gemeente=gemeente_b)
    task = Task.objects.create(
        child=other, gemeente=gemeente_b, kind="contact", title="x", due_date=TODAY, owner_role="toegang"
    )
    client.force_login(toegang_a)
    assert client.post(reverse("cases:task_done", args=[task.pk])).status_code == 404
    assert client.get(reverse("cases:task_cancel", args=[task.pk])).status_code == 404
    assert client.get(reverse("cases:task_add", args=[other.pk])).status_code == 404
    assert client.get(reverse("cases:journal_add", args=[other.pk])).status_code == 404
    assert client.get(reverse("cases:owner_change", args=[other.pk])).status_code == 404
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_owner_change_has_history_and_refuses_outsiders(client, child, gemeente_a, gemeente_b, toegang_a, frozen_today):
    colleague = UserFactory(username="collega", role=Role.TOEGANG, gemeenten=[gemeente_a])
    outsider = UserFactory(username="buiten", role=Role.TOEGANG, gemeenten=[gemeente_b])
    with pytest.raises(ValidationError, match="werkt niet voor"):
        services.child_set_owner(user=toegang_a, child=child, owner=outsider)
    services.child_set_owner(user=toegang_a, child=child, owner=colleague, reason="Verlof")
    child.refresh_from_db()
    assert child.owner == colleague
    last = child.history.order_by("-history_id").first()
    assert (last.history_user, last.history_change_reason) == (toegang_a, "Verlof")


def test_beheerder_hands_a_leavers_files_over_with_history_each(client, gemeente_a, beheer_a, toegang_a, frozen_today):
    leaver = UserFactory(username="vertrokken", role=Role.TOEGANG, gemeenten=[gemeente_a], is_active=False)
    children = [ChildFactory(gemeente=gemeente_a, owner=leaver) for _ in range(3)]
    client.force_login(beheer_a)
    url = reverse("admin:cases_user_changelist")
    response = client.post(url, {"action": "reassign_children", "_selected_action": [leaver.pk]})
    assert response.status_code == 200 and "3 dossiers" in response.content.decode()
    response = client.post(
        url,
        {
            "action": "reassign_children",
            "_selected_action": [leaver.pk],
            "apply": "1",
            "owner": toegang_a.pk,
            "reason": "Medewerker uit dienst",
        },
    )
    assert response.status_code == 302
    for c in children:
        c.refresh_from_db()
        assert c.owner == toegang_a
        assert c.history.first().history_change_reason == "Medewerker uit dienst"
        assert c.history.first().history_user == beheer_a
