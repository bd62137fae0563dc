"""What happens to imported cases right after the import: they are flagged (the Top 32 issue)."""

from django.db import transaction

from cases.flags import request_evaluation

CHUNK = 1000


def after_import(child_ids) -> None:
    """Ask the flag engine to evaluate these children once the import has committed."""
    ids = list(child_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        transaction.on_commit(lambda chunk=chunk: request_evaluation(chunk))
