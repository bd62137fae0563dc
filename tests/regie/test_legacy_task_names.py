"""Messages queued before the app split (issue 9) carry the old task names; for one release they still run."""

import datetime as dt

import pytest
from celery import current_app

from regie.models import Flag

from ..factories import ChildFactory, TrajectoryFactory

pytestmark = pytest.mark.django_db

OLD_NAMES = [
    "cases.tasks.evaluate_gemeente",
    "cases.tasks.evaluate_gemeenten",
    "cases.tasks.evaluate_all",
    "cases.tasks.evaluate_children",
    "cases.tasks.drain_outbox",
    "cases.tasks_reports.send_monthly_reports",
    "cases.tasks_reports.send_gemeente_report",
    "cases.tasks_reports.retry_report_delivery",
    "cases.imports.tasks.import_run",
]


@pytest.mark.parametrize("name", OLD_NAMES)
def test_old_task_name_is_still_registered(name):
    assert name in current_app.tasks


@pytest.mark.parametrize("name", OLD_NAMES)
def test_old_task_name_retries_as_the_task_does_now(name):
    new_name = name.replace("cases.tasks_reports.", "reports.tasks.").replace("cases.imports.", "imports.")
    new_name = new_name.replace("cases.tasks.", "regie.tasks.")
    old, new = current_app.tasks[name], current_app.tasks[new_name]
    for option in ("autoretry_for", "retry_backoff", "max_retries", "acks_late"):
        assert getattr(old, option, None) == getattr(new, option, None), option


def test_a_queued_evaluation_under_its_old_name_still_flags_the_child(gemeente_a):
    today = dt.date.today()
    child = ChildFactory(gemeente=gemeente_a)
    TrajectoryFactory(
        child=child, start_date=today - dt.timedelta(days=200), planned_end_date=today - dt.timedelta(days=1)
    )
    current_app.tasks["cases.tasks.evaluate_children"].apply(args=[[child.pk]]).get()
    assert Flag.objects.filter(child=child, code="einddatum", active=True).exists()
