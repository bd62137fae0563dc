"""Celery tasks for the monthly KPI email. Thin: each takes ids or a month and calls reports/delivery.py.

Beat runs `send_monthly_reports` every day at 07:00 Europe/Amsterdam; it does its work only on the
first working day of the month. Claiming per delivery row makes every task safe to run twice.
"""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.utils import timezone

from cases.models import Gemeente, Role
from cases.task_names import keep_old_name

from .charts import report_charts
from .dashboard import stored_dashboard_warm
from .delivery import deliveries_prepare, delivery_send, first_working_day, stuck_deliveries
from .kpis import Period
from .models import ReportDelivery
from .snapshots import emailed_report, month_close

log = logging.getLogger(__name__)

SMTP_ERRORS = (smtplib.SMTPException, OSError)
RETRY_FIRST_DELAY = 60  # seconds; doubles each retry (60, 120, 240, 480)


@shared_task
def send_monthly_reports() -> int:
    """On the first working day of a month: queue last month's report for every subscribed gemeente."""
    today = timezone.localdate()
    if today != first_working_day(today.year, today.month):
        return 0
    period = Period.last_complete_month(today)
    gemeenten = Gemeente.objects.filter(report_subscriptions__active=True).distinct().values_list("pk", flat=True)
    for gemeente_id in gemeenten:
        send_gemeente_report.delay(gemeente_id, period.key)
    return len(gemeenten)


@shared_task
def close_month(month: str | None = None, force: bool = False) -> int:
    """Keep last month's figures of every gemeente (or `month`, YYYY-MM): beat runs it daily at 05:00,
    before the 07:00 email; a gemeente whose month is stored already is skipped unless `force`, so only
    the first run after a month closes does work."""
    period = Period.parse_month(month) if month else Period.last_complete_month(timezone.localdate())
    made = month_close(period, force=force)
    if made:
        # Render each dashboard once now, in the worker, rather than on its first view (a second or two).
        kpi_users = Gemeente.objects.filter(users__role__in=(Role.BELEID, Role.REGISSEUR), users__is_active=True)
        for gemeente_id in kpi_users.distinct().values_list("pk", flat=True):
            warm_dashboard.delay(gemeente_id, period.key)
    return made


@shared_task
def warm_dashboard(gemeente_id: int, month: str) -> bool:
    """Put a closed month's dashboard figures in the cache; a second run finds them there and does nothing."""
    return stored_dashboard_warm(Gemeente.objects.get(pk=gemeente_id), Period.parse_month(month))


@shared_task
def send_gemeente_report(gemeente_id: int, month: str, force: bool = False) -> dict:
    """Build the report once and send it to each subscriber; a failed recipient is retried on its own."""
    gemeente = Gemeente.objects.get(pk=gemeente_id)
    period = Period.parse_month(month)
    delivery_ids = deliveries_prepare(gemeente=gemeente, period=period, force=force)
    result = {"sent": 0, "skipped": 0, "failed": 0}
    if not delivery_ids:
        return result
    report = emailed_report(gemeente, period)
    figures = report.figures
    charts = report_charts(report, figures)
    for delivery_id in delivery_ids:
        try:
            sent = delivery_send(delivery_id=delivery_id, report=report, figures=figures, charts=charts)
        except SMTP_ERRORS:
            result["failed"] += 1
            # One bounce stops nothing else: this recipient gets its own retries with backoff.
            retry_report_delivery.apply_async((delivery_id,), countdown=RETRY_FIRST_DELAY)
            continue
        result["sent" if sent else "skipped"] += 1
    return result


@shared_task(
    autoretry_for=SMTP_ERRORS,
    retry_backoff=RETRY_FIRST_DELAY,
    retry_backoff_max=3600,
    retry_jitter=False,
    max_retries=3,
)
def retry_report_delivery(delivery_id: int) -> bool:
    """Retry one recipient; the delivery row keeps the attempts and the last SMTP error for the beheerder."""
    delivery = ReportDelivery.objects.select_related("gemeente").get(pk=delivery_id)
    report = emailed_report(delivery.gemeente, Period.month(delivery.month.year, delivery.month.month))
    return delivery_send(delivery_id=delivery_id, report=report)


@shared_task
def retry_stuck_deliveries() -> int:
    """Every quarter of an hour: a delivery left in "sending" by a killed worker is sent again."""
    ids = list(stuck_deliveries().values_list("pk", flat=True))
    for delivery_id in ids:
        retry_report_delivery.delay(delivery_id)
    return len(ids)


# The names before the app split (issue 9), kept for one release so queued messages still run.
LEGACY_NAMES = {
    "cases.tasks_reports.send_monthly_reports": send_monthly_reports,
    "cases.tasks_reports.send_gemeente_report": send_gemeente_report,
    "cases.tasks_reports.retry_report_delivery": retry_report_delivery,
}
for _old_name, _task in LEGACY_NAMES.items():
    keep_old_name(_task, _old_name)
