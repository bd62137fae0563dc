"""What happens to imported cases right after the import: they are flagged (the Top 32 issue)."""

from django.db import transaction

from cases.flags import request_evaluation, request_gemeente_evaluation

CHUNK = 1000
# Above this many children one evaluation per gemeente is cheaper than one per chunk of children:
# 50,000 imported children took 27 s in 50 chunks, against one run over their gemeente of a few seconds.
WHOLE_GEMEENTE_FROM = 5000


def after_import(children) -> None:
    """Ask the flag engine to evaluate these children (a Child queryset) once the import has committed."""
    if children.count() >= WHOLE_GEMEENTE_FROM:
        for gemeente_id in children.order_by().values_list("gemeente_id", flat=True).distinct():
            request_gemeente_evaluation(gemeente_id)
        return
    ids = list(children.order_by().values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        transaction.on_commit(lambda chunk=chunk: request_evaluation(chunk))
