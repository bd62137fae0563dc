"""The figures of the regisseur's pages that need a pass over a gemeente's running care, stored per gemeente.

The patronen page (every open trajectory of the flagged children, with its cost, grouped, with a median per
group), the Top N filter's providers and the verblijf count took 0.1-0.5 s a gemeente on the national set
when computed for a page view. Every evaluation (regie/evaluation.py: the nightly run over all gemeenten, a
gemeente, or the household of a changed case) recomputes them at its end for the gemeenten it covers, in
set-based SQL under the same lock, into RegieFigures, PatternGroup and FilterProvider: a page then reads a
few rows by index. The Top N's rows themselves are always live.

During the day a changed case re-evaluates only its household, and a regisseur raises or resolves a flag by
hand; recomputing a large gemeente's figures for each (0.4-2 s there) would cost more than the change. Those
ask for a refresh instead (`request_refresh`): one task per gemeente at most every REFRESH_DELAY seconds, so
the figures follow a change within about a minute. Until then patronen says of when its figures are ("stand
van"), and the queue's provider filter may lack a provider that just got a flagged child.

Without figures of today (a fresh install, or before the night's run) the pages compute them live, as
before. Figures per gemeente only, never a child: the pages show them only to users of the gemeente.
"""

import datetime as dt
import logging

from celery import current_app
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from cases.models import Gemeente, Provider, Segment, Trajectory

from .locks import lock_gemeenten
from .models import ChildScore, FilterProvider, PatternGroup, RegieFigures
from .patterns import (
    DIMENSIONS,
    INDICATIVE,
    ROW_COLUMNS,
    PatternRow,
    flagged_patterns,
    flagged_trajectories,
    sorted_groups,
)
from .ranking import filter_providers
from .residential import NEW_START_DAYS, residential_counts, residential_trajectories

log = logging.getLogger(__name__)

# A page keeps what it read for a quarter of an hour; an evaluation of the gemeente clears it at its commit.
CACHE_SECONDS = 15 * 60
# The day's changes to a gemeente are gathered this long into one refresh of its figures.
REFRESH_DELAY = 60
REFRESH_TASK = "regie.tasks.refresh_figures"


def _keys(gemeente_id: int, today: dt.date) -> dict[str, str]:
    return {
        "queue": f"regie:queue-figures:{gemeente_id}:{today.isoformat()}",
        "patterns": f"regie:patterns:{gemeente_id}:{today.isoformat()}",
    }


def _stored(gemeente: Gemeente, today: dt.date) -> RegieFigures | None:
    """The gemeente's stored figures if they are of today (the night's run, or an evaluation since)."""
    return RegieFigures.objects.filter(gemeente=gemeente, as_of=today).first()


# --- the pages ----------------------------------------------------------------------------------------


def queue_figures(gemeente: Gemeente, today: dt.date) -> dict:
    """What the Top N page shows beside its rows: the filter's segments and providers (the providers with
    running care for a child in the queue) and the verblijf link's counts."""

    def find():
        segments = [(s.number, str(s)) for s in Segment.objects.order_by("number")]
        stored = _stored(gemeente, today)
        if stored is None:
            return {"segments": segments, "providers": filter_providers(gemeente, today)} | residential_counts(
                gemeente, today
            )
        providers = Provider.objects.filter(
            pk__in=FilterProvider.objects.filter(gemeente=gemeente).values("provider_id")
        ).order_by("name")
        return {
            "segments": segments,
            "providers": list(providers.values_list("pk", "name")),
            "residential_count": stored.residential_count,
            "residential_new": stored.residential_new,
        }

    return cache.get_or_set(_keys(gemeente.pk, today)["queue"], find, CACHE_SECONDS)


def pattern_groups(gemeente: Gemeente, today: dt.date) -> tuple[dict[str, list[PatternRow]], dt.datetime | None]:
    """The patronen groups and when they were computed (None: computed live for this view)."""

    def find():
        stored = _stored(gemeente, today)
        if stored is None:
            return flagged_patterns(gemeente, today), None
        groups = {dimension: [] for dimension in DIMENSIONS}
        for group in PatternGroup.objects.filter(gemeente=gemeente).order_by():
            groups[group.dimension].append(
                PatternRow(
                    label=group.label,
                    child_count=group.child_count,
                    trajectories=group.trajectories,
                    cost=group.cost,
                    indicative_cost=group.indicative_cost,
                    median_days=float(group.median_days) if group.median_days is not None else None,
                    extensions=group.extensions,
                    extended_trajectories=group.extended_trajectories,
                )
            )
        return sorted_groups(groups), stored.computed_at

    return cache.get_or_set(_keys(gemeente.pk, today)["patterns"], find, CACHE_SECONDS)


# --- keeping them ---------------------------------------------------------------------------------------


def request_refresh(gemeente_ids) -> None:
    """After commit, refresh these gemeenten's figures in REFRESH_DELAY seconds, unless a refresh is already
    waiting (its key in the cache). The refresh takes the key away before it reads, so a change committed
    after that asks for the next one; a change before it is seen by it."""

    def enqueue():
        for gemeente_id in sorted(set(gemeente_ids)):
            key = _pending_key(gemeente_id)
            if not cache.add(key, 1, REFRESH_DELAY * 10):
                continue  # a refresh is waiting and will see this change
            try:
                current_app.tasks[REFRESH_TASK].apply_async(args=[gemeente_id], countdown=REFRESH_DELAY, retry=False)
            except Exception as exc:  # noqa: BLE001 - the nightly run recomputes every gemeente anyway
                cache.delete(key)
                log.warning(
                    "Kengetallen van gemeente %s niet ingepland (%s); de nachtelijke run neemt ze mee", gemeente_id, exc
                )

    transaction.on_commit(enqueue)


def refresh(gemeente_id: int, today: dt.date | None = None) -> None:
    """The task's work: recompute one gemeente's figures under the evaluation's lock."""
    cache.delete(_pending_key(gemeente_id))
    with transaction.atomic(), connection.cursor() as cursor:
        lock_gemeenten([gemeente_id])
        refresh_in_transaction(cursor, today=today or timezone.localdate(), gemeente_ids=[gemeente_id])


def _pending_key(gemeente_id: int) -> str:
    return f"regie:figures-refresh:{gemeente_id}"


# --- the evaluation's part ----------------------------------------------------------------------------


def refresh_in_transaction(cursor, *, today: dt.date, gemeente_ids=None) -> None:
    """Recompute the stored figures of these gemeenten (None: all) from the flags and scores just written.

    Run inside the evaluation, under its lock of the gemeenten, so two refreshes of a gemeente never
    interleave their delete and insert. A handful of statements whatever the number of gemeenten.
    """
    ids = sorted(gemeente_ids) if gemeente_ids is not None else None
    where, params = ("TRUE", []) if ids is None else (f"gemeente_id IN ({', '.join(['%s'] * len(ids))})", ids)
    for model in (PatternGroup, FilterProvider, RegieFigures):
        cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE {where}", params)
    _insert_patterns(cursor, today, ids)
    _insert_providers(cursor, today, ids)
    _insert_figures(cursor, today, ids)
    every = ids if ids is not None else list(Gemeente.objects.values_list("pk", flat=True))
    keys = [key for pk in every for key in _keys(pk, today).values()]
    # After the commit: a page that read the old figures meanwhile could otherwise cache them again.
    transaction.on_commit(lambda: cache.delete_many(keys))


def _insert_patterns(cursor, today: dt.date, ids) -> None:
    rows_sql, rows_params = flagged_trajectories(today, ids).values(*ROW_COLUMNS).query.sql_with_params()
    by_dimension = " UNION ALL ".join(
        f"SELECT p_gemeente AS gemeente_id, '{dimension}' AS dimension, p_{dimension} AS label, p_child AS child_id, "
        f"p_days AS days, p_total AS total, p_basis AS basis, p_granted AS granted FROM flagged"
        for dimension in DIMENSIONS
    )
    # The median as statistics.median takes it: the middle row, or the mean of the two middle rows.
    cursor.execute(
        f"""
        WITH flagged AS ({rows_sql}),
        grouped AS ({by_dimension}),
        ranked AS (
            SELECT g.*, ROW_NUMBER() OVER (PARTITION BY gemeente_id, dimension, label ORDER BY days) AS pos,
                   COUNT(*) OVER (PARTITION BY gemeente_id, dimension, label) AS n
            FROM grouped g
        )
        INSERT INTO {PatternGroup._meta.db_table} (gemeente_id, dimension, label, child_count, trajectories, cost,
            indicative_cost, median_days, extensions, extended_trajectories)
        SELECT gemeente_id, dimension, label, COUNT(DISTINCT child_id), COUNT(*), SUM(total),
               SUM(CASE WHEN basis IN (%s, %s) THEN total ELSE 0 END),
               AVG(CASE WHEN pos IN ((n + 1) / 2, (n + 2) / 2) THEN days END),
               SUM(granted), SUM(CASE WHEN granted > 0 THEN 1 ELSE 0 END)
        FROM ranked
        GROUP BY gemeente_id, dimension, label
        """,
        [*rows_params, *INDICATIVE],
    )


def _insert_providers(cursor, today: dt.date, ids) -> None:
    """The providers with running care for a child in the gemeente's queue (what filter_providers reads)."""
    in_queue = ChildScore.objects.filter(child_id=OuterRef("child_id"), gemeente_id=OuterRef("gemeente_id"))
    running = Trajectory.objects.filter(end_date__isnull=True, start_date__lte=today)
    if ids is not None:
        running = running.filter(gemeente_id__in=ids)
    pairs = running.filter(Exists(in_queue)).order_by().values("gemeente_id", "provider_id").distinct()
    sql, params = pairs.query.sql_with_params()
    cursor.execute(f"INSERT INTO {FilterProvider._meta.db_table} (gemeente_id, provider_id) {sql}", params)


def _insert_figures(cursor, today: dt.date, ids) -> None:
    """One row per gemeente, also where nothing is flagged: it says the figures are computed, and when."""
    new_from = today - dt.timedelta(days=NEW_START_DAYS)
    every = ids if ids is not None else list(Gemeente.objects.order_by().values_list("pk", flat=True))
    counts = (
        residential_trajectories(every, today)
        .order_by()
        .values("gemeente_id")
        .annotate(
            r_count=Count("child_id", distinct=True),
            r_new=Count("child_id", distinct=True, filter=Q(start_date__gte=new_from)),
        )
    )
    counts_sql, counts_params = counts.query.sql_with_params()
    where = "TRUE" if ids is None else f"g.id IN ({', '.join(['%s'] * len(ids))})"
    cursor.execute(
        f"""
        INSERT INTO {RegieFigures._meta.db_table} (gemeente_id, as_of, computed_at, residential_count, residential_new)
        SELECT g.id, %s, %s, COALESCE(r.r_count, 0), COALESCE(r.r_new, 0)
        FROM {Gemeente._meta.db_table} g LEFT JOIN ({counts_sql}) r ON r.gemeente_id = g.id
        WHERE {where}
        """,
        [
            connection.ops.adapt_datefield_value(today),
            connection.ops.adapt_datetimefield_value(timezone.now()),
            *counts_params,
            *(ids or []),
        ],
    )
