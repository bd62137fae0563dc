"""The lock of a gemeente's computed data (flags, scores, the pages' figures): one writer at a time."""

from django.db import connection

# Lock namespace for pg_advisory_xact_lock(namespace, gemeente_id).
LOCK_NAMESPACE = 3_0003


def lock_gemeenten(gemeente_ids) -> None:
    """Hold these gemeenten until the transaction ends (PostgreSQL advisory locks)."""
    if connection.vendor != "postgresql":
        return  # SQLite: write transactions are serialised (IMMEDIATE), which is the lock we need.
    with connection.cursor() as cursor:
        # Sorted, so two evaluations with overlapping gemeenten cannot deadlock on each other.
        for gemeente_id in sorted(gemeente_ids):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, gemeente_id])
