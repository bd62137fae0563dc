"""Signalering (DOMAIN.md §6): evaluate the flag rules for a set of cases, set-based, and keep the flags in step.

One evaluation, for a gemeente, all gemeenten or a few children (and their households):

1. lock the gemeenten involved (PostgreSQL advisory lock; SQLite serialises writers anyway), so two
   evaluations of the same gemeente run one after the other;
2. per rule (per group of gemeenten sharing a threshold), one INSERT ... SELECT into a temporary
   table of candidates; the database computes running time, cost, counts and stacking;
3. one UPDATE that lapses the flags of the scope that no longer fire;
4. the upsert of the candidates into Flag (new flags raised, numbers of existing ones refreshed,
   a flag that had lapsed and fires again is raised anew);
5. the queue's scores (regie/scores.py); a household's evaluation asks for a refresh of the pages' stored
   figures (regie/figures.py), an evaluation of whole gemeenten is followed by one (regie/flags.py).

Nothing is written when nothing changed, so running it twice leaves identical flags. The rules are in
regie/rules.py; the states steps 3 and 4 move flags between are Flag.TRANSITIONS. Other code calls only
`cases.evaluation.request_evaluation(child_ids)` after a write; the nightly run and `evaluate_flags` call
regie/flags.py.
"""

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cases.models import Child, FlagOutbox, Gemeente
from cases.services.costs import indicative_costs_refresh

from . import figures, scores
from .locks import lock_gemeenten
from .models import DEFAULT_RULES, Flag, FlagEvent, FlagRule, FlagState
from .rules import COLUMNS, RULES

log = logging.getLogger(__name__)

LAPSED_NOTE = "Vervallen: de regel geldt niet meer."
CANDIDATES = "flag_candidates"
CHANGED = "flag_changed"  # the candidates that are new or whose numbers changed


# --- scope ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What one evaluation looks at: some gemeenten (None: all) or some children."""

    gemeente_ids: tuple[int, ...] | None = None
    child_ids: tuple[int, ...] | None = None
    # Every gemeente there is: the rules then need no gemeente filter (the nightly full run).
    everything: bool = False

    def narrowed(self, group) -> "Scope":
        """The scope for one threshold group of gemeenten."""
        if self.everything and len(group) == len(self.gemeente_ids):
            return Scope(gemeente_ids=None, child_ids=self.child_ids)
        return Scope(gemeente_ids=tuple(group), child_ids=self.child_ids)

    def child_q(self, prefix: str) -> Q:
        """The filter for a model that reaches the child through `prefix` ('' for Child itself)."""
        q = Q()
        if self.child_ids is not None:
            q &= Q(**{f"{prefix}pk__in" if not prefix else f"{prefix}id__in": self.child_ids})
        if self.gemeente_ids is not None:
            q &= Q(**{f"{prefix}gemeente_id__in": self.gemeente_ids})
        return q


def _children_scope(child_ids) -> Scope:
    """A change to one child can change its household's stacking: evaluate the whole household."""
    households = Child.objects.filter(pk__in=child_ids).values("household_id")
    rows = list(Child.objects.filter(household_id__in=households).values_list("pk", "gemeente_id"))
    return Scope(
        gemeente_ids=tuple(sorted({g for _, g in rows})),
        child_ids=tuple(sorted({pk for pk, _ in rows})),
    )


# --- rules per gemeente -------------------------------------------------------------------------


def ensure_rules(gemeente_ids) -> None:
    """Give gemeenten without their own rules the defaults of DOMAIN.md §6 (with history)."""
    existing = set(FlagRule.objects.filter(gemeente_id__in=gemeente_ids).order_by().values_list("gemeente_id", "code"))
    missing = [
        FlagRule(gemeente_id=g, code=code, threshold=threshold, weight=weight)
        for g in gemeente_ids
        for code, (threshold, weight, _) in DEFAULT_RULES.items()
        if (g, code) not in existing
    ]
    if missing:
        bulk_create_with_history(missing, FlagRule, batch_size=2000)


def _threshold_groups(gemeente_ids) -> dict[str, dict[Decimal, list[int]]]:
    """code -> threshold -> gemeenten: one statement per distinct threshold instead of per gemeente."""
    groups: dict[str, dict[Decimal, list[int]]] = defaultdict(lambda: defaultdict(list))
    rules = (
        FlagRule.objects.filter(gemeente_id__in=gemeente_ids, enabled=True)
        .order_by()
        .values_list("code", "threshold", "gemeente_id")
    )
    for code, threshold, gemeente_id in rules:
        groups[code][threshold].append(gemeente_id)
    return groups


# --- the evaluation -----------------------------------------------------------------------------


@dataclass
class EvaluationResult:
    candidates: int = 0
    upserted: int = 0
    lapsed: int = 0
    scores: int = 0


def evaluate(*, gemeente_ids=None, child_ids=None, today: dt.date | None = None) -> EvaluationResult:
    """Evaluate every rule for the scope and bring its flags in step. Safe to run twice or at once."""
    today = today or timezone.localdate()
    if child_ids is not None:
        scope = _children_scope(child_ids)
        if not scope.child_ids:
            return EvaluationResult()
    else:
        ids = gemeente_ids if gemeente_ids is not None else Gemeente.objects.order_by().values_list("pk", flat=True)
        scope = Scope(gemeente_ids=tuple(sorted(ids)), everything=gemeente_ids is None)
    started = timezone.now()
    with transaction.atomic():
        lock_gemeenten(scope.gemeente_ids)
        ensure_rules(scope.gemeente_ids)
        # The cost rule and the scores read the indicative cost of taakgericht care; a new client changes
        # the share of every client of the contract, so the whole gemeente is recomputed (one statement).
        indicative_costs_refresh(gemeente_ids=scope.gemeente_ids, today=today)
        result = _evaluate_locked(scope, today, started)
        if child_ids is None:
            # A full run covers whatever the outbox was waiting for.
            FlagOutbox.objects.filter(child__gemeente_id__in=scope.gemeente_ids, created_at__lte=started).delete()
    log.info(
        "Signalering: %d kandidaten, %d bijgewerkt, %d vervallen, %d scores (%d gemeenten, %s)",
        result.candidates,
        result.upserted,
        result.lapsed,
        result.scores,
        len(scope.gemeente_ids),
        "dossiers" if child_ids is not None else "volledig",
    )
    return result


def _evaluate_locked(scope: Scope, today: dt.date, now) -> EvaluationResult:
    result = EvaluationResult()
    now = connection.ops.adapt_datetimefield_value(now)  # raw SQL: store it as the ORM would
    table = Flag._meta.db_table
    numeric = "numeric(14,2)" if connection.vendor == "postgresql" else "decimal"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # For this transaction only: the 4 MB default spills every hash of a national run to disk, and
            # JIT compiling the larger rule statements cost more (up to 10 s) than it ever saved.
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(f"DROP TABLE IF EXISTS {CANDIDATES}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {CANDIDATES} (gemeente_id bigint NOT NULL, child_id bigint NOT NULL, "
            f"code varchar(20) NOT NULL, subject_key bigint NOT NULL, trajectory_id bigint, value {numeric}, "
            f"norm {numeric}, reference_date date, detail varchar(300) NOT NULL, since date)"
        )
        for code, by_threshold in _threshold_groups(scope.gemeente_ids).items():
            for threshold, group in by_threshold.items():
                rule_scope = scope.narrowed(group)
                queryset = RULES[code](today, threshold, rule_scope.child_q("child__"))
                _insert_candidates(cursor, code, queryset)
        # For the anti-join of the lapse step.
        cursor.execute(f"CREATE INDEX {CANDIDATES}_key ON {CANDIDATES} (child_id, code, subject_key)")
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {CANDIDATES}")  # temp tables are never auto-analysed
        cursor.execute(f"SELECT COUNT(*) FROM {CANDIDATES}")
        result.candidates = cursor.fetchone()[0]
        # Lapse before the upsert: the two touch disjoint flags (absent from / present in the candidates), and
        # this way the lapse reads only the flags there were, not a first run's 676,069 new ones (4 s).
        result.lapsed = _lapse(cursor, table, scope, now)
        result.upserted = _upsert(cursor, table, now, first=_no_rule_flags(cursor, table, scope))
        if connection.vendor == "postgresql" and result.upserted > scores.ANALYZE_AFTER_ROWS:
            # A first run (or a big change) leaves the planner with the old, small table in mind; the scores
            # then picked plans 3-4x slower. Autovacuum would only look after the commit.
            cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"DROP TABLE {CANDIDATES}")
        # The queue's scores follow the flags (and the open cost, which moves daily past a planned end).
        by_gemeente = scope.child_ids is None and not scope.everything
        result.scores = scores.refresh_in_transaction(
            cursor, today=today, gemeente_ids=scope.gemeente_ids if by_gemeente else None, child_ids=scope.child_ids
        )
        scores.record_top_membership(cursor, today=today, gemeente_ids=scope.gemeente_ids)
        # The pages' stored figures (patronen, the queue's filter and verblijf count) follow the flags and scores:
        # after a household's evaluation within a minute (a large gemeente takes 0.4-2 s); after whole gemeenten
        # their caller refreshes them in a transaction of its own (regie/flags.py), not under these locks.
        if scope.child_ids is not None:
            figures.request_refresh(scope.gemeente_ids)
    return result


def _insert_candidates(cursor, code: str, queryset) -> None:
    present = {name.removeprefix("c_") for name in queryset.query.annotation_select if name.startswith("c_")}
    present |= {
        name.removeprefix("c_") for name in getattr(queryset.query, "values_select", ()) if name.startswith("c_")
    }
    defaults = {"subject_key": "0", "detail": "''"}
    select = ", ".join(f"src.c_{col}" if col in present else defaults.get(col, "NULL") for col in COLUMNS)
    inner = queryset.values(*[f"c_{col}" for col in COLUMNS if col in present])
    sql, params = inner.query.sql_with_params()
    cursor.execute(
        f"INSERT INTO {CANDIDATES} (code, {', '.join(COLUMNS)}) SELECT %s, {select} FROM ({sql}) src",
        [code, *params],
    )


# The evaluation's part of Flag.TRANSITIONS, as the two columns its SQL writes. A flag whose rule holds is
# ACTIVE or RESOLVED (`firing`): a candidate refreshes it and keeps its state, its absence lapses it. A
# LAPSED flag (not `firing`) that is a candidate again is raised anew. tests/regie/test_flag_states.py
# checks these against the table.
RAISED = Flag.TRANSITIONS[None][FlagEvent.RAISE]
RAISED_ANEW = Flag.TRANSITIONS[FlagState.LAPSED][FlagEvent.RAISE_ANEW]
LAPSED = Flag.TRANSITIONS[FlagState.ACTIVE][FlagEvent.LAPSE]


def _sql(value: bool) -> str:
    return "TRUE" if value else "FALSE"


def _no_rule_flags(cursor, table: str, scope: Scope) -> bool:
    """True on the first run of a whole installation: no flag of a rule exists yet, so every candidate is new.

    Only for a run over everything: a gemeente's own first run may meet flags of a child that moved in
    (still filed under its old gemeente until that one is evaluated), which the general path updates."""
    if not scope.everything or scope.child_ids is not None:
        return False
    manual = ", ".join(["%s"] * len(Flag.NEVER_LAPSES))
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE code NOT IN ({manual}))", list(Flag.NEVER_LAPSES))
    return not cursor.fetchone()[0]


def _upsert(cursor, table: str, now, *, first: bool = False) -> int:
    """Raise the new candidates, refresh the numbers of firing flags, raise lapsed ones anew.

    `first`: the scope has no rule flags yet, so every candidate is raised by one plain INSERT (a first
    run's 676,000 candidates need no anti-join against an empty table, nor a copy into a second one).
    """
    postgres = connection.vendor == "postgresql"
    distinct, same = ("IS DISTINCT FROM", "IS NOT DISTINCT FROM") if postgres else ("IS NOT", "IS")
    compared = ("trajectory_id", "value", "norm", "reference_date", "detail", "gemeente_id", "since")
    changed = " OR ".join(f"{table}.{col} {distinct} excluded.{col}" for col in compared)
    # Candidates whose flag already fires with the same numbers are left out by one anti-join, so the
    # upsert touches only new and changed flags (ON CONFLICT would lock every unchanged row).
    unchanged = " AND ".join(f"f.{col} {same} c.{col}" for col in compared)
    source = CANDIDATES if first else CHANGED
    insert = f"""
        INSERT INTO {table} ({", ".join(COLUMNS)}, code, firing, active, raised_at, reason, resolution_note,
                             resolved_at, resolved_by_id, raised_by_id)
        SELECT {", ".join(f"c.{col}" for col in COLUMNS)}, c.code, {_sql(RAISED.firing)}, {_sql(RAISED.active)},
               %s, '', '', NULL, NULL, NULL
        FROM {source} c"""
    if first:
        # In the order of the unique index (child, rule, subject): each new entry then lands on the index's
        # rightmost page instead of a random one, for 676,000 new flags of a first run.
        cursor.execute(f"{insert} ORDER BY c.child_id, c.code, c.subject_key", [now])
        return cursor.rowcount
    # The anti-join is done first, into its own table, not inside the INSERT: a first run into an empty,
    # analysed flag table was planned as a nested loop re-scanning the table it was filling (the rows it
    # inserted are invisible but still read), quadratic: 22 minutes on the national set (issue 14).
    # `known`: a flag with this key exists (lapsed or with other numbers); the others are new.
    cursor.execute(f"DROP TABLE IF EXISTS {CHANGED}")
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE {CHANGED} AS
        SELECT c.*, EXISTS (SELECT 1 FROM {table} k WHERE k.child_id = c.child_id AND k.code = c.code
                            AND k.subject_key = c.subject_key) AS known
        FROM {CANDIDATES} c
        WHERE NOT EXISTS (SELECT 1 FROM {table} f WHERE f.child_id = c.child_id AND f.code = c.code
                          AND f.subject_key = c.subject_key AND f.firing AND {unchanged})
        """
    )
    # New flags by a plain INSERT: ON CONFLICT's speculative insertion cost a first run (676,069 new
    # flags) a quarter more. Safe: the evaluation holds the gemeenten' lock, and manual flags have their
    # own code, so nobody else inserts these keys meanwhile.
    cursor.execute(f"{insert} WHERE NOT c.known", [now])
    upserted = cursor.rowcount
    # A firing flag keeps its state and its history (refreshed); a lapsed one is raised anew.
    kept = f"CASE WHEN {table}.firing THEN {table}.%s ELSE %s END"
    cursor.execute(
        f"""
        {insert} WHERE c.known
        ON CONFLICT (child_id, code, subject_key) DO UPDATE SET
            {", ".join(f"{col} = excluded.{col}" for col in COLUMNS if col not in ("child_id", "subject_key"))},
            raised_at = {kept % ("raised_at", "excluded.raised_at")},
            active = {kept % ("active", _sql(RAISED_ANEW.active))},
            resolved_at = {kept % ("resolved_at", "NULL")},
            resolved_by_id = {kept % ("resolved_by_id", "NULL")},
            resolution_note = {kept % ("resolution_note", "''")},
            firing = {_sql(RAISED_ANEW.firing)}
        WHERE NOT {table}.firing OR {changed}
        """,
        [now],
    )
    upserted += cursor.rowcount
    cursor.execute(f"DROP TABLE {CHANGED}")
    return upserted


def _lapse(cursor, table: str, scope: Scope, now) -> int:
    """Lapse the firing flags of the scope that are no candidate any more (never a manual flag). An active
    flag gets the lapse as its resolution; a resolved one keeps the regisseur's."""
    where, params = [], []
    if scope.child_ids is not None:
        where.append(f"{table}.child_id IN ({', '.join(['%s'] * len(scope.child_ids))})")
        params += list(scope.child_ids)
    if scope.gemeente_ids is not None and not scope.everything:
        where.append(f"{table}.gemeente_id IN ({', '.join(['%s'] * len(scope.gemeente_ids))})")
        params += list(scope.gemeente_ids)
    cursor.execute(
        f"""
        UPDATE {table} SET
            resolved_at = CASE WHEN active THEN %s ELSE resolved_at END,
            resolution_note = CASE WHEN active THEN %s ELSE resolution_note END,
            active = {_sql(LAPSED.active)},
            firing = {_sql(LAPSED.firing)}
        WHERE firing AND code NOT IN ({", ".join(["%s"] * len(Flag.NEVER_LAPSES))})
          AND {" AND ".join(where) or "TRUE"}
          AND NOT EXISTS (SELECT 1 FROM {CANDIDATES} c WHERE c.child_id = {table}.child_id
                          AND c.code = {table}.code AND c.subject_key = {table}.subject_key)
        """,
        [now, LAPSED_NOTE, *Flag.NEVER_LAPSES, *params],
    )
    return cursor.rowcount
