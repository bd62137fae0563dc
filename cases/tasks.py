"""Celery tasks for signalering: thin, idempotent, retried on transient database errors.

The nightly run fans out one task per gemeente so several workers on several machines share it; a
change to a case queues `evaluate_children` after commit (cases.flags.request_evaluation).
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import flags
from .models import Gemeente

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5, acks_late=True)
def evaluate_gemeente(code: str) -> int:
    return flags.evaluate_gemeente(code).candidates


@shared_task
def evaluate_all() -> int:
    codes = list(Gemeente.objects.order_by("code").values_list("code", flat=True))
    for code in codes:
        evaluate_gemeente.delay(code)
    return len(codes)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5, acks_late=True)
def evaluate_children(child_ids: list[int]) -> int:
    return flags.evaluate(child_ids=child_ids).candidates


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def drain_outbox() -> int:
    return flags.drain_outbox()
