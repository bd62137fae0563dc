"""Celery tasks for the daily digest. Thin: each takes a date or an id and calls werk/digest.py.

Beat runs `send_daily_digest` at 07:00 Europe/Amsterdam and `retry_failed_digests` every hour after
it until the end of the working day; both do nothing on a weekend or a Dutch public holiday. Claiming
per delivery row makes every task safe to run twice (two beats, a redelivered message, the command).
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

from celery import shared_task
from django.core.mail import get_connection
from django.utils import timezone

from . import digest

log = logging.getLogger(__name__)

SMTP_ERRORS = (smtplib.SMTPException, OSError)
RETRY_FIRST_DELAY = 60  # seconds; doubles each retry (60, 120, 240)


def _day(day: str | None) -> dt.date:
    return dt.date.fromisoformat(day) if day else timezone.localdate()


def send_outbox(outbox: digest.Outbox, *, retry_failures: bool = True) -> dict:
    """Send each digest of the outbox over one SMTP connection; a failed one gets its own retries."""
    result = {"sent": 0, "skipped": 0, "failed": 0}
    connection = get_connection(fail_silently=False)
    try:
        if outbox.digests:
            try:
                connection.open()  # kept open for all; a send on a closed connection opens its own
            except SMTP_ERRORS:
                pass  # recorded per delivery by the sends below
        for delivery_id, (user, pages) in outbox.digests.items():
            try:
                sent = digest.delivery_send(
                    delivery_id=delivery_id, user=user, pages=pages, day=outbox.day, connection=connection
                )
            except SMTP_ERRORS:
                result["failed"] += 1
                connection.close()  # the next one opens a fresh connection
                if retry_failures:
                    retry_digest_delivery.apply_async((delivery_id,), countdown=RETRY_FIRST_DELAY)
                continue
            except Exception:
                # Not the mail server (a bug, one user's odd data): the row says "failed" with the error,
                # the others still go out, and the hourly run tries this one again.
                log.exception("Dagelijkse samenvatting %s: levering %s mislukt", outbox.day, delivery_id)
                result["failed"] += 1
                continue
            result["sent" if sent else "skipped"] += 1
    finally:
        connection.close()
    return result


@shared_task
def send_daily_digest(day: str | None = None) -> dict:
    """The digest of `day` (today by default) for everyone with open work; nothing on a day off."""
    when = _day(day)
    if not digest.should_send(when):
        return {"sent": 0, "skipped": 0, "failed": 0}
    return send_outbox(digest.digests_prepare(day=when))


@shared_task
def retry_failed_digests(day: str | None = None) -> dict:
    """Later the same day: send again what failed or was never taken, and nothing new."""
    when = _day(day)
    if not digest.should_send(when):
        return {"sent": 0, "skipped": 0, "failed": 0}
    return send_outbox(digest.digests_prepare(day=when, create=False), retry_failures=False)


@shared_task(
    autoretry_for=SMTP_ERRORS,
    retry_backoff=RETRY_FIRST_DELAY,
    retry_backoff_max=3600,
    retry_jitter=False,
    max_retries=3,
)
def retry_digest_delivery(delivery_id: int) -> bool:
    """Retry one user's digest; the row keeps the attempts and the last SMTP error for the beheerder."""
    return digest.delivery_retry(delivery_id=delivery_id)
