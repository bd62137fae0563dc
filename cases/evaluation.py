"""Asking for a case to be flagged again after a change, without knowing who flags it.

The case file is the lowest layer: it must not import the regisseur's signalering (regie). A write asks
for the evaluation by task name, after commit; the regie app registers that task. If the broker cannot
be reached (or no app has registered the task) the children go to the outbox (FlagOutbox), a table of
this app that regie drains every few minutes and every night. A web request never fails on it.
"""

import logging

from celery import current_app
from django.db import transaction

from .models import FlagOutbox, Gemeente

log = logging.getLogger(__name__)

EVALUATE_CHILDREN = "regie.tasks.evaluate_children"
EVALUATE_GEMEENTE = "regie.tasks.evaluate_gemeente"


def request_evaluation(child_ids) -> None:
    """Re-evaluate these children shortly after the current transaction commits."""
    ids = sorted({int(pk) for pk in child_ids if pk})
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))


def request_gemeente_evaluation(gemeente_id: int) -> None:
    """Re-evaluate a whole gemeente after commit (its rules changed, or a large import landed)."""

    def enqueue():
        code = Gemeente.objects.filter(pk=gemeente_id).values_list("code", flat=True).first()
        try:
            _task(EVALUATE_GEMEENTE).apply_async(args=[code], retry=False)
        except Exception as exc:  # noqa: BLE001 - the nightly run evaluates every gemeente anyway
            log.warning("Signalering van gemeente %s niet ingepland (%s); de nachtelijke run neemt het mee", code, exc)

    transaction.on_commit(enqueue)


def _task(name: str):
    # The registered task object (not send_task) so that CELERY_TASK_ALWAYS_EAGER runs it in-process.
    return current_app.tasks[name]


def _enqueue(ids: list[int]) -> None:
    try:
        # retry=False: fail fast when Redis is down instead of holding up the user's request.
        _task(EVALUATE_CHILDREN).apply_async(args=[ids], retry=False)
    except Exception as exc:  # noqa: BLE001 - any broker failure must not reach the user
        log.warning(
            "Signalering niet ingepland (%s: %s); %d dossier(s) in de outbox", type(exc).__name__, exc, len(ids)
        )
        FlagOutbox.objects.bulk_create([FlagOutbox(child_id=pk) for pk in ids], ignore_conflicts=True)
