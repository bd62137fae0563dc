"""Celery tasks for signalering: thin, idempotent, retried on transient database errors.

The nightly run fans out tasks of whole gemeenten (batches of about FLAG_BATCH_CHILDREN children) so
several workers on several machines share it; a change to a case queues `evaluate_children` after
commit (cases.evaluation.request_evaluation); a changed rule queues `evaluate_gemeente`; the pages' stored
figures of a gemeente changed during the day are refreshed by `refresh_figures` (regie/figures.py).
"""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from cases.task_names import keep_old_name

from . import figures, flags

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5, acks_late=True)
def evaluate_gemeente(code: str) -> int:
    return flags.evaluate_gemeente(code).candidates


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5, acks_late=True)
def evaluate_gemeenten(codes: list[str]) -> int:
    return flags.evaluate_gemeenten(codes).candidates


@shared_task
def evaluate_all() -> int:
    batches = flags.nightly_batches(settings.FLAG_BATCH_CHILDREN)
    for codes in batches:
        evaluate_gemeenten.delay(codes)
    return len(batches)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5, acks_late=True)
def evaluate_children(child_ids: list[int]) -> int:
    return flags.evaluate(child_ids=child_ids).candidates


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5, acks_late=True)
def refresh_figures(gemeente_id: int) -> None:
    figures.refresh(gemeente_id)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def drain_outbox() -> int:
    return flags.drain_outbox()


# The names these tasks had before the app split (issue 9). Kept for one release so that messages
# already queued under them (and a beat schedule not yet restarted) still run; remove after it.
LEGACY_NAMES = {
    "cases.tasks.evaluate_gemeente": evaluate_gemeente,
    "cases.tasks.evaluate_gemeenten": evaluate_gemeenten,
    "cases.tasks.evaluate_all": evaluate_all,
    "cases.tasks.evaluate_children": evaluate_children,
    "cases.tasks.drain_outbox": drain_outbox,
}
for _old_name, _task in LEGACY_NAMES.items():
    keep_old_name(_task, _old_name)
