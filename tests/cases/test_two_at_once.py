"""Two requests at the same moment (a double click, two colleagues): the database decides, not luck.

Each thread has its own connection, as two web workers would. On PostgreSQL the row lock makes the second
wait for the first; in-memory SQLite cannot be shared between threads, so there these tests skip (as
tests/regie/test_flag_evaluation.py does) and CI runs them on PostgreSQL.
"""

import datetime as dt
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_save
from django.urls import reverse

from cases import services
from cases.models import Extension, StopReview, Trajectory

from ..factories import ChildFactory, ExtensionFactory, StopReviewFactory, TrajectoryFactory

PENDING_EXISTS = "Er loopt al een verlengingsaanvraag voor dit traject."


def _at_once(call, *, slow_save_of):
    """Run `call` in two threads released together; return what each returned or raised.

    Each save of `slow_save_of` then takes a moment before its transaction commits, so the second call
    always arrives while the first is still writing: without a lock both would pass the check.
    """
    outcomes, barrier = [], threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            outcomes.append(call())
        except Exception as exc:  # noqa: BLE001 - reported below
            outcomes.append(exc)
        finally:
            connection.close()

    def slow_save(**kwargs):
        time.sleep(0.5)

    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("in-memory SQLite cannot be shared between threads; this test runs on PostgreSQL in CI")
    post_save.connect(slow_save, sender=slow_save_of, weak=False)
    try:
        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        post_save.disconnect(slow_save, sender=slow_save_of)
    return outcomes


def _messages(outcomes):
    return [" ".join(o.messages) for o in outcomes if isinstance(o, ValidationError)]


@pytest.mark.django_db(transaction=True)
def test_two_extension_requests_at_once_make_one_pending_request(toegang_a, gemeente_a, frozen_today):
    trajectory = TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a))

    def request():
        return services.extension_request(
            user=toegang_a,
            trajectory=Trajectory.objects.get(pk=trajectory.pk),
            requested_end_date=dt.date(2026, 8, 1),
            reason="Behandeldoelen nog niet bereikt",
        )

    outcomes = _at_once(request, slow_save_of=Extension)
    assert len([o for o in outcomes if isinstance(o, Extension)]) == 1, outcomes
    assert _messages(outcomes) == [PENDING_EXISTS]
    assert Extension.objects.filter(trajectory=trajectory, status="pending").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_recordings_of_one_review_at_once_keep_the_first(toegang_a, gemeente_a, frozen_today):
    review = StopReviewFactory(trajectory=TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a)))
    outcomes_by_note = {}

    def record():
        note = threading.current_thread().name
        done = services.review_record(
            user=toegang_a,
            review=StopReview.objects.get(pk=review.pk),
            done_date=dt.date(2026, 3, 1),
            outcome="scale_down",
            note=note,
        )
        outcomes_by_note[note] = done
        return done

    outcomes = _at_once(record, slow_save_of=StopReview)
    assert len([o for o in outcomes if isinstance(o, StopReview)]) == 1, outcomes
    assert _messages(outcomes) == ["Deze review is al vastgelegd."]
    review.refresh_from_db()
    assert review.note == next(iter(outcomes_by_note))  # the first recording stands, not overwritten
    assert review.history.filter(done_date__isnull=False).count() == 1


@pytest.mark.django_db
def test_a_second_extension_request_is_refused_with_a_dutch_message(client, toegang_a, gemeente_a, frozen_today):
    trajectory = TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a))
    client.force_login(toegang_a)
    url = reverse("cases:extension_request", args=[trajectory.pk])
    form = {"requested_end_date": "2026-08-01", "reason": "Behandeldoelen nog niet bereikt"}
    assert client.post(url, form).status_code == 302
    response = client.post(url, form)
    assert response.status_code == 200
    assert PENDING_EXISTS in response.content.decode()
    assert Extension.objects.filter(trajectory=trajectory).count() == 1


@pytest.mark.django_db
def test_the_database_holds_one_pending_request_per_trajectory():
    trajectory = TrajectoryFactory()
    ExtensionFactory(trajectory=trajectory, status="refused", decision_reason="Doelen bereikt")
    ExtensionFactory(trajectory=trajectory)  # a decided request does not count
    with pytest.raises(IntegrityError), transaction.atomic():
        ExtensionFactory(trajectory=trajectory)
    ExtensionFactory()  # another trajectory may have its own
    assert Extension.objects.filter(status="pending").count() == 2


@pytest.mark.django_db
def test_a_recorded_review_cannot_be_recorded_again(toegang_a, frozen_today):
    review = StopReviewFactory()
    services.review_record(user=toegang_a, review=review, done_date=dt.date(2026, 3, 1), outcome="continue")
    with pytest.raises(ValidationError) as exc:
        services.review_record(user=toegang_a, review=review, done_date=dt.date(2026, 3, 2), outcome="end")
    assert exc.value.message_dict["__all__"] == ["Deze review is al vastgelegd."]
    review.refresh_from_db()
    assert (review.done_date, review.outcome) == (dt.date(2026, 3, 1), "continue")
