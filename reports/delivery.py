"""Sending the monthly report: who gets it, once per gemeente, month and recipient.

A ReportDelivery row per (gemeente, month, recipient) is the claim: a delivery is sent only by the
conditional update that moves it from "pending"/"failed" to "sending", so a retried task, a second
beat or a re-run of the command sends nothing twice. `force` puts sent rows back to "pending".
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cases.models import Gemeente
from cases.working_days import is_working_day

from .figures import FigureReport
from .kpis import Period
from .mail import report_email
from .models import DeliveryStatus, ReportDelivery, ReportSubscription

log = logging.getLogger(__name__)

SENDABLE = [DeliveryStatus.PENDING, DeliveryStatus.FAILED]


def sendable() -> Q:
    """Pending or failed rows, and rows stuck in "sending": claimed longer than DELIVERY_SENDING_TIMEOUT
    ago, so the worker that claimed them died mid-send (a send takes seconds: EMAIL_TIMEOUT)."""
    stale = timezone.now() - dt.timedelta(seconds=settings.DELIVERY_SENDING_TIMEOUT)
    # Rows claimed before claimed_at existed have none: their creation time stands in for it.
    claimed_long_ago = Q(claimed_at__lt=stale) | Q(claimed_at__isnull=True, created_at__lt=stale)
    stuck = Q(status=DeliveryStatus.SENDING) & claimed_long_ago
    return Q(status__in=SENDABLE) | stuck


def stuck_deliveries():
    """Deliveries lost in "sending" with their worker; the beat task `retry_stuck_deliveries` retries them."""
    return ReportDelivery.objects.filter(sendable(), status=DeliveryStatus.SENDING)


def active_subscriptions(gemeente: Gemeente):
    """Active subscriptions of active users who still work for the gemeente and have an address."""
    return (
        ReportSubscription.objects.filter(
            gemeente=gemeente, active=True, user__is_active=True, user__gemeenten=gemeente
        )
        .exclude(user__email="")
        .select_related("user")
    )


def deliveries_prepare(*, gemeente: Gemeente, period: Period, force: bool = False) -> list[int]:
    """Create the delivery rows for this month's subscribers; return the ids still to send.

    Existing rows are left alone (that is what makes a second run a no-op) unless `force`.
    """
    subscriptions = list(active_subscriptions(gemeente))
    recipients = [s.user for s in subscriptions]
    with transaction.atomic():
        ReportDelivery.objects.bulk_create(
            [ReportDelivery(gemeente=gemeente, month=period.start, recipient=u, email=u.email) for u in recipients],
            ignore_conflicts=True,  # the unique (gemeente, month, recipient) key: rows of an earlier run stay
        )
        ours = ReportDelivery.objects.filter(gemeente=gemeente, month=period.start, recipient__in=recipients)
        if force:
            ours.update(status=DeliveryStatus.PENDING, last_error="")
        return list(ours.filter(sendable()).order_by("pk").values_list("pk", flat=True))


def delivery_send(*, delivery_id: int, report: FigureReport, figures=None, charts=None, connection=None) -> bool:
    """Send one delivery if it can be claimed; False if another run has it or it was sent already.

    SMTP errors are recorded on the row (status "failed", last_error) and raised, so the caller can
    retry this recipient and go on with the others.
    """
    claimed = ReportDelivery.objects.filter(sendable(), pk=delivery_id).update(
        status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now()
    )
    if not claimed:
        return False
    delivery = ReportDelivery.objects.get(pk=delivery_id)
    subscription = ReportSubscription.objects.filter(
        gemeente_id=delivery.gemeente_id, user_id=delivery.recipient_id
    ).first()
    try:
        # Built inside the try: whatever fails, the row never stays "sending".
        email = report_email(
            report,
            to=delivery.email,
            subscription_pk=subscription.pk if subscription else None,
            figures=figures,
            charts=charts,
        )
        email.connection = connection or get_connection(fail_silently=False)
        email.send(fail_silently=False)
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}"[:500]
        ReportDelivery.objects.filter(pk=delivery_id).update(status=DeliveryStatus.FAILED, last_error=message)
        log.warning("Maandrapportage %s niet verstuurd (levering %s): %s", report.period.key, delivery_id, message)
        raise
    ReportDelivery.objects.filter(pk=delivery_id).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


# --- when: the first working day of the month ------------------------------------------------


def first_working_day(year: int, month: int) -> dt.date:
    day = dt.date(year, month, 1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day
