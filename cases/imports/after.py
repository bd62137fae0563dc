"""What happens to imported cases right after the import: they are flagged (the Top 32 issue)."""

from django.db import transaction

CHUNK = 1000


def after_import(child_ids) -> None:
    """Ask the flag engine to evaluate these children once the import has committed.

    # LEAD: issue 3 builds cases.flags in parallel; make this import unconditional at merge.
    """
    try:
        from cases.flags import request_evaluation
    except ImportError:  # cases.flags not merged yet
        return
    ids = list(child_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        transaction.on_commit(lambda chunk=chunk: request_evaluation(chunk))
