"""Background work that cannot be lost: late acks and requeue on a lost worker, a stuck delivery is
retried, an upload while the broker is down gets a Dutch answer and no run stuck "pending"."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import ImportRun, ImportStatus
from jeugdregie.celery import app as celery_app
from reports.models import DeliveryStatus, ReportDelivery, ReportSubscription
from reports.tasks import retry_stuck_deliveries

pytestmark = pytest.mark.django_db


def test_tasks_are_acked_late_and_requeued_when_their_worker_dies(settings):
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_reject_on_worker_lost is True
    # Longer than the longest task (the nightly batches take minutes), or Redis would hand it out twice.
    assert celery_app.conf.broker_transport_options["visibility_timeout"] >= 3600
    assert "maandrapportage-vastgelopen" in settings.CELERY_BEAT_SCHEDULE


@pytest.fixture
def delivery(gemeente_a, beleid_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ReportSubscription.objects.create(gemeente=gemeente_a, user=beleid_a)
    return ReportDelivery.objects.create(
        gemeente=gemeente_a, month=dt.date(2026, 2, 1), recipient=beleid_a, email=beleid_a.email
    )


def test_a_delivery_stuck_in_sending_is_retried_after_the_timeout(delivery, settings):
    start = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        # A worker claimed it and was killed mid-send.
        ReportDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENDING, claimed_at=start)
        assert retry_stuck_deliveries() == 0  # still within the timeout: the worker may be sending
    later = start + dt.timedelta(seconds=settings.DELIVERY_SENDING_TIMEOUT + 60)
    with time_machine.travel(later, tick=False):
        assert retry_stuck_deliveries() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and len(mail.outbox) == 1


def test_the_admin_retry_includes_stuck_deliveries(delivery, beheer_a, client, settings):
    ReportDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    client.force_login(beheer_a)
    client.post(
        reverse("admin:reports_reportdelivery_changelist"),
        {"action": "retry_failed", "_selected_action": [delivery.pk]},
    )
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


def test_an_upload_while_the_broker_is_down_gets_a_dutch_answer(
    client, beheer_a, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    # A real broker that does not answer: nothing listens on port 1.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    celery_app._pool = celery_app.amqp._producer_pool = None
    try:
        client.force_login(beheer_a)
        upload = SimpleUploadedFile("jeugdigen.csv", b"gemeentecode;kindreferentie\n", "text/csv")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("imports:upload"), {"kind": "csv", "files": [upload]})
    finally:
        celery_app._pool = celery_app.amqp._producer_pool = None
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED and run.is_finished
    page = client.get(response.url).content.decode()
    assert "niet bereikbaar" in page and "Mislukt" in page
