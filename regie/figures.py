"""The figures of the regisseur's pages that need a pass over a gemeente's running care, stored per gemeente.

The patronen page (every open trajectory of the flagged children, with its cost, grouped, with a median per
group), the Top N filter's providers and the verblijf count took 0.1-0.5 s a gemeente on the national set
when computed for a page view. After every evaluation of whole gemeenten (regie/flags.py: the nightly
batches, a gemeente, `evaluate_flags`, the demo) they are recomputed for the gemeenten it covers, in set-based
SQL under the evaluation's lock but in a transaction of their own, into RegieFigures and PatternGroup: a page
then reads a few rows by index. The Top N's rows themselves are always live.

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
from itertools import chain

from celery import current_app
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from cases.models import Gemeente, Provider, Segment

from .locks import lock_gemeenten
from .models import PatternGroup, RegieFigures
from .patterns import (
    DIMENSIONS,
    INDICATIVE,
    ROW_COLUMNS,
    SOURCE_LABELS,
    UNKNOWN_SOURCE,
    PatternRow,
    flagged_patterns,
    flagged_trajectories,
    sorted_groups,
)
from .ranking import filter_providers
from .residential import residential_count_columns, residential_counts, residential_trajectories

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
        providers = Provider.objects.filter(pk__in=stored.provider_ids).order_by("name")
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
        fields = ("dimension", "label", "child_count", "trajectories", "cost", "indicative_cost", "median_days")
        rows = PatternGroup.objects.filter(gemeente=gemeente).order_by()
        # As tuples, not model instances: some 600 rows in a large gemeente.
        for dimension, *numbers, median, extensions, extended in rows.values_list(
            *fields, "extensions", "extended_trajectories"
        ):
            median = float(median) if median is not None else None
            groups[dimension].append(PatternRow(*numbers, median, extensions, extended))
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
            # The key outlives the wait tenfold: should the task be lost, a later change asks again.
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
    """The task's work: recompute one gemeente's figures."""
    cache.delete(_pending_key(gemeente_id))
    refresh_gemeenten([gemeente_id], today=today)


def refresh_gemeenten(gemeente_ids=None, *, today: dt.date | None = None) -> None:
    """Recompute the figures of these gemeenten (None: every gemeente) under the evaluation's lock, in a
    transaction of their own: after an evaluation of whole gemeenten (regie/flags.py), which therefore does not
    hold its locks the seconds this takes for the whole country."""
    with transaction.atomic(), connection.cursor() as cursor:
        ids = gemeente_ids if gemeente_ids is not None else Gemeente.objects.values_list("pk", flat=True)
        lock_gemeenten(list(ids))
        refresh_in_transaction(cursor, today=today or timezone.localdate(), gemeente_ids=gemeente_ids)


def _pending_key(gemeente_id: int) -> str:
    return f"regie:figures-refresh:{gemeente_id}"


# --- the evaluation's part ----------------------------------------------------------------------------


ROWS = "figure_rows"  # the flagged trajectories of the gemeenten being refreshed, read once


def refresh_in_transaction(cursor, *, today: dt.date, gemeente_ids=None) -> None:
    """Recompute the stored figures of these gemeenten (None: all) from the flags and scores just written.

    Run by `refresh_gemeenten`, under the lock of the gemeenten, so two refreshes of a gemeente
    never interleave their delete and insert. The same few statements whatever the number of gemeenten: the
    flagged trajectories into a temporary table, then each dimension's groups and the providers from it.
    """
    ids = sorted(gemeente_ids) if gemeente_ids is not None else None
    where, params = ("TRUE", []) if ids is None else (f"gemeente_id IN ({', '.join(['%s'] * len(ids))})", ids)
    for model in (PatternGroup, RegieFigures):
        cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE {where}", params)
    rows_sql, rows_params = flagged_trajectories(today, ids).values(*ROW_COLUMNS).query.sql_with_params()
    cursor.execute(f"DROP TABLE IF EXISTS {ROWS}")
    cursor.execute(f"CREATE TEMPORARY TABLE {ROWS} AS {rows_sql}", rows_params)
    for dimension in DIMENSIONS:
        _insert_groups(cursor, dimension)
    every = ids if ids is not None else list(Gemeente.objects.order_by().values_list("pk", flat=True))
    _insert_figures(cursor, today, ids, every)
    cursor.execute(f"DROP TABLE {ROWS}")
    keys = [key for pk in every for key in _keys(pk, today).values()]
    # After the commit: a page that read the old figures meanwhile could otherwise cache them again.
    transaction.on_commit(lambda: cache.delete_many(keys))


def _group_label(dimension: str) -> tuple[str, str, list]:
    """(join, label expression, its parameters): the group a row of ROWS belongs to, labelled as the page
    and the live computation (regie/patterns.py) label it."""
    if dimension == "source":
        cases = " ".join("WHEN %s THEN %s" for _ in SOURCE_LABELS)
        return "", f"CASE r.p_source {cases} ELSE %s END", [*chain(*SOURCE_LABELS.items()), UNKNOWN_SOURCE]
    if dimension == "provider":
        return f"JOIN {Provider._meta.db_table} p ON p.id = r.p_provider", "p.name", []
    return f"JOIN {Segment._meta.db_table} s ON s.id = r.p_segment", "CAST(s.number AS TEXT) || '. ' || s.name", []


def _insert_groups(cursor, dimension: str) -> None:
    join, label, label_params = _group_label(dimension)
    # The median as statistics.median takes it: the middle row, or the mean of the two middle rows.
    cursor.execute(
        f"""
        INSERT INTO {PatternGroup._meta.db_table} (gemeente_id, dimension, label, child_count, trajectories, cost,
            indicative_cost, median_days, extensions, extended_trajectories)
        SELECT gemeente_id, %s, label, COUNT(DISTINCT child_id), COUNT(*), SUM(total),
               SUM(CASE WHEN basis IN (%s, %s) THEN total ELSE 0 END),
               AVG(CASE WHEN pos IN ((n + 1) / 2, (n + 2) / 2) THEN days END),
               SUM(granted), SUM(CASE WHEN granted > 0 THEN 1 ELSE 0 END)
        FROM (
            SELECT l.*, ROW_NUMBER() OVER (PARTITION BY gemeente_id, label ORDER BY days) AS pos,
                   COUNT(*) OVER (PARTITION BY gemeente_id, label) AS n
            FROM (
                SELECT r.p_gemeente AS gemeente_id, {label} AS label, r.p_child AS child_id, r.p_days AS days,
                       r.p_total AS total, r.p_basis AS basis, r.p_granted AS granted
                FROM {ROWS} r {join}
            ) l
        ) w
        GROUP BY gemeente_id, label
        """,
        [dimension, *INDICATIVE, *label_params],
    )


def _insert_figures(cursor, today: dt.date, ids, every: list[int]) -> None:
    """One row per gemeente, also where nothing is flagged: it says the figures are computed, and when; with
    the verblijf counts and the providers of the flagged trajectories (ROWS: the queue's children)."""
    counts = (
        residential_trajectories(every, today)
        .order_by()
        .values("gemeente_id")
        .annotate(**residential_count_columns(today))
    )
    counts_sql, counts_params = counts.query.sql_with_params()
    if connection.vendor == "postgresql":
        provider_ids, no_providers = "jsonb_agg(DISTINCT p_provider)", "'[]'::jsonb"
    else:
        provider_ids, no_providers = "json_group_array(DISTINCT p_provider)", "'[]'"
    where = "TRUE" if ids is None else f"g.id IN ({', '.join(['%s'] * len(ids))})"
    cursor.execute(
        f"""
        INSERT INTO {RegieFigures._meta.db_table} (gemeente_id, as_of, computed_at, residential_count, residential_new,
                                                   provider_ids)
        SELECT g.id, %s, %s, COALESCE(r.residential_count, 0), COALESCE(r.residential_new, 0),
               COALESCE(p.ids, {no_providers})
        FROM {Gemeente._meta.db_table} g
        LEFT JOIN ({counts_sql}) r ON r.gemeente_id = g.id
        LEFT JOIN (SELECT p_gemeente, {provider_ids} AS ids FROM {ROWS} GROUP BY p_gemeente) p ON p.p_gemeente = g.id
        WHERE {where}
        """,
        [
            connection.ops.adapt_datefield_value(today),
            connection.ops.adapt_datetimefield_value(timezone.now()),
            *counts_params,
            *(ids or []),
        ],
    )
