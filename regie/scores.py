"""The queue score per child, kept in ChildScore so the Top N is read from an index.

score = open care cost in thousands of euros (to date plus committed) + the sum of the weights of the
child's active flags (regie/ranking.py explains it to the regisseur). Every evaluation refreshes the
scores of its scope in three set-based statements: compute them into a temporary table, upsert the
new and changed ones, delete those of children without an active flag. A manual flag or a resolved
flag refreshes its child; a changed weight refreshes its gemeente.
"""

import datetime as dt

from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Round
from django.utils import timezone

from cases.models import Child, Trajectory

from .models import DEFAULT_WEIGHTS, MANUAL_WEIGHT, ChildScore, Flag, FlagCode, FlagRule, RegieSettings, TopMembership

SCORES = "score_candidates"
CHANGED = "score_changed"  # the candidates that are new or whose numbers changed
# Above this many rows written, the score (and flag) table is analysed in the same transaction.
ANALYZE_AFTER_ROWS = 50_000


def refresh_scores(*, today: dt.date, gemeente_ids=None, child_ids=None) -> int:
    """Bring the scores of these children (or gemeenten; neither: all) in step. Returns rows written."""
    with transaction.atomic(), connection.cursor() as cursor:
        return refresh_in_transaction(cursor, today=today, gemeente_ids=gemeente_ids, child_ids=child_ids)


def _points_sql(children_sql: str, children_params: list) -> tuple[str, list]:
    """Per child with an active flag: the points of its active flags and when the last was raised.

    A flag weighs what its gemeente's rule says (the evaluation creates the rules), else the default of
    DOMAIN.md §6; a manual flag MANUAL_WEIGHT. A join on the rules, not a lookup per flag.
    """
    defaults = list(DEFAULT_WEIGHTS.items())
    default_case = "CASE f.code " + " ".join("WHEN %s THEN %s" for _ in defaults) + " ELSE 0 END"
    sql = f"""
        SELECT f.child_id, MAX(f.raised_at) AS last_raised,
               SUM(CASE WHEN f.code = %s THEN %s ELSE COALESCE(r.weight, {default_case}) END) AS points
        FROM {Flag._meta.db_table} f
        LEFT JOIN {FlagRule._meta.db_table} r ON r.gemeente_id = f.gemeente_id AND r.code = f.code
        WHERE f.active {children_sql}
        GROUP BY f.child_id"""
    return sql, [FlagCode.MANUAL, MANUAL_WEIGHT, *[v for pair in defaults for v in pair], *children_params]


def refresh_in_transaction(cursor, *, today: dt.date, gemeente_ids=None, child_ids=None) -> int:
    numeric = "numeric(14,2)" if connection.vendor == "postgresql" else "decimal"
    children = Child.objects.order_by()
    if child_ids is not None:
        children = children.filter(pk__in=list(child_ids))
    if gemeente_ids is not None:
        children = children.filter(gemeente_id__in=list(gemeente_ids))
    narrowed = child_ids is not None or gemeente_ids is not None
    children_sql, children_params = children.values("pk").query.sql_with_params() if narrowed else ("", ())
    # Flags hang on the child; the child's gemeente of today is the queue it belongs to.
    flags_sql, flags_params = _points_sql(
        f"AND f.child_id IN ({children_sql})" if narrowed else "", list(children_params)
    )
    # Rounded to cents in the database, as the cost rule rounds the number its flag shows.
    costs = Trajectory.objects.open_cost_per_child(today).annotate(cents=Round(F("total"), 2))
    if narrowed:
        costs = costs.filter(child__in=children.values("pk"))
    costs_sql, costs_params = costs.query.sql_with_params()
    cursor.execute(f"DROP TABLE IF EXISTS {SCORES}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {SCORES} (child_id bigint PRIMARY KEY, gemeente_id bigint NOT NULL, "
        f"points integer NOT NULL, open_cost {numeric} NOT NULL, last_raised timestamp with time zone NOT NULL)"
    )
    # In child order, so the temporary table's key and then the score table's (read from it in that order) are
    # filled page by page rather than at random (a first run writes 200,000 scores).
    cursor.execute(
        f"""
        INSERT INTO {SCORES} (child_id, gemeente_id, points, open_cost, last_raised)
        SELECT f.child_id, c.gemeente_id, f.points, COALESCE(o.cents, 0), f.last_raised
        FROM ({flags_sql}) f
        JOIN {Child._meta.db_table} c ON c.id = f.child_id
        LEFT JOIN ({costs_sql}) o ON o.child_id = f.child_id
        ORDER BY f.child_id
        """,
        [*flags_params, *costs_params],
    )
    if connection.vendor == "postgresql":
        cursor.execute(f"ANALYZE {SCORES}")  # temp tables are never auto-analysed
    written = _upsert(cursor) + _delete(cursor, gemeente_ids, child_ids)
    cursor.execute(f"DROP TABLE {SCORES}")
    return written


def _upsert(cursor) -> int:
    table = ChildScore._meta.db_table
    postgres = connection.vendor == "postgresql"
    distinct, same = ("IS DISTINCT FROM", "IS NOT DISTINCT FROM") if postgres else ("IS NOT", "IS")
    compared = ("gemeente_id", "points", "open_cost", "last_raised")
    unchanged = " AND ".join(f"s.{col} {same} n.{col}" for col in compared)
    changed = " OR ".join(f"{table}.{col} {distinct} excluded.{col}" for col in compared)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    # Unchanged scores are left out by the anti-join: a run where nothing changed writes nothing. It runs
    # before the INSERT, into its own table: inside it, a first run into an empty, analysed score table
    # re-scanned the rows being inserted once per candidate, quadratic (issue 14, regie/evaluation.py).
    # A first run (no score yet) skips the anti-join: with nothing to compare against, every candidate is new.
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
    first = not cursor.fetchone()[0]
    cursor.execute(f"DROP TABLE IF EXISTS {CHANGED}")
    if not first:
        cursor.execute(
            f"""
            CREATE TEMPORARY TABLE {CHANGED} AS SELECT n.* FROM {SCORES} n
            WHERE NOT EXISTS (SELECT 1 FROM {table} s WHERE s.child_id = n.child_id AND {unchanged})
            """
        )
    # ON CONFLICT for new rows too (unlike the flags): a manual flag or a resolve refreshes scores outside
    # the evaluation's lock, so another writer may insert the same child meanwhile.
    cursor.execute(
        f"""
        INSERT INTO {table} (child_id, gemeente_id, points, open_cost, score, last_raised, updated_at)
        SELECT n.child_id, n.gemeente_id, n.points, n.open_cost, n.open_cost / 1000.0 + n.points, n.last_raised, %s
        FROM {SCORES if first else CHANGED} n WHERE TRUE  -- (SQLite needs a WHERE before ON CONFLICT here)
        ON CONFLICT (child_id) DO UPDATE SET
            {", ".join(f"{col} = excluded.{col}" for col in (*compared, "score", "updated_at"))}
        WHERE {changed}
        """,
        [now],
    )
    upserted = cursor.rowcount
    cursor.execute(f"DROP TABLE IF EXISTS {CHANGED}")
    if postgres and upserted > ANALYZE_AFTER_ROWS:
        # A first run fills the table the queue reads: without fresh statistics (autovacuum looks only after
        # the commit, if at all) the Top N that follows and the first queue views plan for an empty table.
        cursor.execute(f"ANALYZE {table}")
    return upserted


def _delete(cursor, gemeente_ids, child_ids) -> int:
    """Children of the scope that have no active flag any more leave the queue."""
    table = ChildScore._meta.db_table
    where, params = [], []
    if child_ids is not None:
        where.append(f"child_id IN ({', '.join(['%s'] * len(child_ids))})")
        params += list(child_ids)
    if gemeente_ids is not None:
        # Also a child that moved away: its old gemeente's row goes, its new gemeente gets one.
        where.append(f"gemeente_id IN ({', '.join(['%s'] * len(gemeente_ids))})")
        params += list(gemeente_ids)
    cursor.execute(
        f"""
        DELETE FROM {table} WHERE {" AND ".join(where) or "TRUE"}
          AND NOT EXISTS (SELECT 1 FROM {SCORES} n WHERE n.child_id = {table}.child_id)
        """,
        params,
    )
    return cursor.rowcount


def record_top_membership(cursor, *, today: dt.date, gemeente_ids) -> None:
    """Note, for this month, every child now in its gemeente's Top N by score (one statement; a child already
    noted this month stays as it was). Read by reports.kpis.top_reviewed_on_time."""
    ids = sorted(gemeente_ids)
    if not ids:
        return
    placeholders = ", ".join(["%s"] * len(ids))
    cursor.execute(
        f"""
        INSERT INTO {TopMembership._meta.db_table} (gemeente_id, child_id, month, first_seen)
        SELECT r.gemeente_id, r.child_id, %s, %s FROM (
            SELECT s.gemeente_id, s.child_id, COALESCE(rs.top_n, %s) AS top_n,
                   ROW_NUMBER() OVER (PARTITION BY s.gemeente_id ORDER BY s.score DESC, s.child_id) AS pos
            FROM {ChildScore._meta.db_table} s
            LEFT JOIN {RegieSettings._meta.db_table} rs ON rs.gemeente_id = s.gemeente_id
            WHERE s.gemeente_id IN ({placeholders})
        ) r
        WHERE r.pos <= r.top_n
        ON CONFLICT (gemeente_id, month, child_id) DO NOTHING
        """,
        [today.replace(day=1), today, RegieSettings._meta.get_field("top_n").default, *ids],
    )
