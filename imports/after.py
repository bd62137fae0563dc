"""What happens to imported cases right after the import: they are flagged (the Top 32 issue)."""

from django.db import connection, transaction

from cases.evaluation import request_evaluation, request_gemeente_evaluation
from cases.models import Child, Extension, Household, StopReview, Trajectory
from referrals.models import Referral

CHUNK = 1000
# Above this many children one evaluation per gemeente is cheaper than one per chunk of children:
# 50,000 imported children took 27 s in 50 chunks, against one run over their gemeente of a few seconds.
WHOLE_GEMEENTE_FROM = 5000
ANALYZE_FROM_ROWS = 1000
WRITTEN_TABLES = (Household, Child, Referral, Trajectory, Extension, StopReview)


def after_import(children, *, rows_written: int) -> None:
    """Ask the flag engine to evaluate these children (a Child queryset) once the import has committed."""
    if rows_written >= ANALYZE_FROM_ROWS and connection.vendor == "postgresql":
        # Autovacuum samples a grown table only some time later; the flagging that follows at once would
        # plan for the old sizes: on a fresh database, flagging 2,500 imported children ran for over six
        # minutes (nested loops over tables the planner believed empty) instead of a fraction of a second.
        tables = ", ".join(model._meta.db_table for model in WRITTEN_TABLES)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")
    # One capped read of the (costly) touched-children query tells both the size and the ids.
    ids = list(children.order_by().values_list("pk", flat=True)[:WHOLE_GEMEENTE_FROM])
    if len(ids) == WHOLE_GEMEENTE_FROM:
        for gemeente_id in children.order_by().values_list("gemeente_id", flat=True).distinct():
            request_gemeente_evaluation(gemeente_id)
        return
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        transaction.on_commit(lambda chunk=chunk: request_evaluation(chunk))
