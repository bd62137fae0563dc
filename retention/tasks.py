"""The nightly retention run: thin and idempotent (an anonymised file is never due again)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from . import services


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=5, acks_late=True)
def apply_retention() -> int:
    return services.apply_retention(today=timezone.localdate()).processed
