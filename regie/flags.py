"""Signalering's entry points: a gemeente, some gemeenten, the nightly fan-out in batches, the outbox.

The tasks (regie/tasks.py), `evaluate_flags`, the demo data and the benchmarks call these; the
evaluation itself is regie/evaluation.py, the rules regie/rules.py.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Count

from cases.models import FlagOutbox, Gemeente

from . import figures
from .evaluation import EvaluationResult, evaluate

__all__ = [
    "EvaluationResult",
    "drain_outbox",
    "evaluate",
    "evaluate_everything",
    "evaluate_gemeente",
    "evaluate_gemeenten",
    "nightly_batches",
]


def evaluate_gemeente(code: str, today: dt.date | None = None) -> EvaluationResult:
    return evaluate_gemeenten([code], today=today)


def evaluate_gemeenten(codes, today: dt.date | None = None) -> EvaluationResult:
    """Flags and scores of these gemeenten, then the figures their regisseur's pages read (regie/figures.py)."""
    ids = list(Gemeente.objects.filter(code__in=codes).values_list("pk", flat=True))
    if not ids:
        return EvaluationResult()
    result = evaluate(gemeente_ids=ids, today=today)
    figures.refresh_gemeenten(ids, today=today)
    return result


def evaluate_everything(today: dt.date | None = None) -> EvaluationResult:
    """Flags and scores of every gemeente in one run, then every gemeente's figures: `evaluate_flags`, the demo."""
    result = evaluate(today=today)
    figures.refresh_gemeenten(today=today)
    return result


def nightly_batches(children_per_batch: int) -> list[list[str]]:
    """The gemeente codes in batches of about `children_per_batch` children, for the nightly fan-out.

    Whole gemeenten only; the largest first, each into the lightest batch. One task per gemeente cost
    ten times one run over all (each rule passes over shared tables once per task); batches of ~100,000
    children keep that to under twice while still spreading the night over several workers.
    """
    sizes = list(Gemeente.objects.annotate(n=Count("children")).order_by("-n", "code").values_list("code", "n"))
    total = sum(n for _, n in sizes)
    count = max(1, min(len(sizes), round(total / children_per_batch)))
    batches = [[0, []] for _ in range(count)]
    for code, n in sizes:
        lightest = min(batches, key=lambda batch: batch[0])
        lightest[0] += n
        lightest[1].append(code)
    return [codes for _, codes in batches if codes]


def drain_outbox(batch_size: int = 5000) -> int:
    """Evaluate the children the outbox holds. Claimed under SKIP LOCKED so two workers share it."""
    with transaction.atomic():
        rows = list(
            FlagOutbox.objects.select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", "child_id")[:batch_size]
        )
        if not rows:
            return 0
        evaluate(child_ids=[child_id for _, child_id in rows])
        FlagOutbox.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
    return len(rows)
