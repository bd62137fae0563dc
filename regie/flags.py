"""Signalering (DOMAIN.md §6): evaluate the flag rules for a set of cases, set-based, and keep the flags in step.

One evaluation, for a gemeente, all gemeenten or a few children (and their households):

1. lock the gemeenten involved (PostgreSQL advisory lock; SQLite serialises writers anyway), so two
   evaluations of the same gemeente run one after the other;
2. per rule (per group of gemeenten sharing a threshold), one INSERT ... SELECT into a temporary
   table of candidates; the database computes running time, cost, counts and stacking;
3. one upsert of the candidates into Flag (new flags raised, numbers of existing ones refreshed,
   a flag that had lapsed and fires again is raised anew);
4. one UPDATE that lapses the flags of the scope that no longer fire.

Nothing is written when nothing changed, so running it twice leaves identical flags. Other code calls only
`cases.evaluation.request_evaluation(child_ids)` after a write; the nightly run and `evaluate_flags` call
`evaluate`.
"""

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Concat, Round
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cases.dbfuncs import DaysBetween
from cases.models import Child, Extension, ExtensionStatus, FlagOutbox, Gemeente, StopReview, Trajectory
from referrals.models import Referral

from . import scores
from .models import DEFAULT_RULES, Flag, FlagCode, FlagRule

log = logging.getLogger(__name__)

LAPSED_NOTE = "Vervallen: de regel geldt niet meer."
CANDIDATES = "flag_candidates"
COLUMNS = ("gemeente_id", "child_id", "subject_key", "trajectory_id", "value", "norm", "reference_date", "detail")
# Lock namespace for pg_advisory_xact_lock(namespace, gemeente_id).
LOCK_NAMESPACE = 3_0003
ANALYZE_AFTER_ROWS = 50_000


class MonthsBetween(models.Func):
    """Whole calendar months from `start` to `end`, as Trajectory.running_months counts them."""

    output_field = models.IntegerField()
    arity = 2

    def _parts(self, compiler):
        start, end = self.source_expressions
        start_sql, start_params = compiler.compile(start)
        end_sql, end_params = compiler.compile(end)
        return start_sql, start_params, end_sql, end_params

    def as_sql(self, compiler, connection, **extra):
        s, sp, e, ep = self._parts(compiler)
        sql = (
            f"((EXTRACT(YEAR FROM ({e})::date) - EXTRACT(YEAR FROM ({s})::date)) * 12"
            f" + EXTRACT(MONTH FROM ({e})::date) - EXTRACT(MONTH FROM ({s})::date)"
            f" - CASE WHEN EXTRACT(DAY FROM ({e})::date) < EXTRACT(DAY FROM ({s})::date) THEN 1 ELSE 0 END)::integer"
        )
        return sql, [*ep, *sp, *ep, *sp, *ep, *sp]

    def as_sqlite(self, compiler, connection, **extra):
        s, sp, e, ep = self._parts(compiler)
        sql = (
            f"((CAST(strftime('%%Y', {e}) AS INTEGER) - CAST(strftime('%%Y', {s}) AS INTEGER)) * 12"
            f" + CAST(strftime('%%m', {e}) AS INTEGER) - CAST(strftime('%%m', {s}) AS INTEGER)"
            f" - CASE WHEN CAST(strftime('%%d', {e}) AS INTEGER) < CAST(strftime('%%d', {s}) AS INTEGER)"
            f" THEN 1 ELSE 0 END)"
        )
        return sql, [*ep, *sp, *ep, *sp, *ep, *sp]


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last_day in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last_day))
        except ValueError:
            continue
    raise ValueError(day)


# --- the rules: each returns a queryset selecting the COLUMNS (as c_<column>) of its candidates ------


def _date(day: dt.date):
    return Value(day, output_field=models.DateField())


def _open(today: dt.date, scope: Q):
    """Trajectories running today, of the children in scope."""
    return Trajectory.objects.filter(scope, end_date__isnull=True, start_date__lte=today).order_by()


def _in_care(today, scope: Q) -> Q:
    # An uncorrelated IN: one pass over the open trajectories instead of a probe per child.
    return Q(pk__in=_open(today, scope).values("child_id"))


def _label(via: str = ""):
    """ "45A48 bij Kwadraad": the trajectory (reached through `via`) as the flag's sentence names it."""
    return Concat(F(f"{via}product__code"), Value(" bij "), F(f"{via}provider__name"), output_field=models.CharField())


def _per_trajectory(qs):
    return qs.annotate(
        c_gemeente_id=F("child__gemeente_id"), c_child_id=F("child_id"), c_subject_key=F("id"), c_trajectory_id=F("id")
    )


def rule_duration(today, threshold, scope):
    qs = _open(today, scope).annotate(c_value=MonthsBetween(F("start_date"), _date(today)))
    qs = qs.filter(c_value__gt=F("norm_months") + int(threshold))
    return _per_trajectory(qs).annotate(c_norm=F("norm_months"), c_reference_date=F("start_date"), c_detail=_label())


def rule_cost(today, threshold, scope):
    qs = (
        _open(today, scope)
        .with_costs(today)
        .values(c_gemeente_id=F("child__gemeente_id"), c_child_id=F("child_id"))
        # Rounded to cents before the comparison, so the flag's number and its edge agree.
        .annotate(c_value=Round(Sum(F("cost_to_date") + F("committed")), 2))
        .filter(c_value__gt=threshold)
    )
    return qs.annotate(c_norm=Value(threshold, output_field=models.DecimalField()))


def rule_extensions(today, threshold, scope):
    extended = (
        Extension.objects.filter(status__in=[ExtensionStatus.APPROVED, ExtensionStatus.SHORTENED])
        .filter(trajectory__in=_open(today, scope).values("pk"))
        .order_by()
        .values("trajectory_id")
        .annotate(n=Count("id"))
        .filter(n__gte=threshold)
    )
    qs = _open(today, scope).filter(pk__in=extended.values("trajectory_id"))
    return _per_trajectory(qs).annotate(
        c_value=Subquery(extended.filter(trajectory_id=OuterRef("pk")).values("n")[:1]),
        c_norm=Value(int(threshold)),
        c_detail=_label(),
    )


def rule_stacking(today, threshold, scope):
    return (
        _open(today, scope)
        .values(c_gemeente_id=F("child__gemeente_id"), c_child_id=F("child_id"))
        .annotate(c_value=Count("id"))
        .filter(c_value__gte=threshold)
        .annotate(c_norm=Value(int(threshold)))
    )


def rule_household_stacking(today, threshold, scope):
    households = (
        _open(today, Q(child__in=Child.objects.filter(scope_for_child(scope))))
        .values("child__household_id")
        .annotate(n=Count("id"))
        .filter(n__gte=threshold)
    )
    return (
        Child.objects.filter(scope_for_child(scope), _in_care(today, scope))
        .filter(household_id__in=households.values("child__household_id"))
        .order_by()
        .annotate(
            c_gemeente_id=F("gemeente_id"),
            c_child_id=F("id"),
            c_subject_key=F("household_id"),
            c_value=Subquery(households.filter(child__household_id=OuterRef("household_id")).values("n")[:1]),
            c_norm=Value(int(threshold)),
        )
    )


def rule_waiting(today, threshold, scope):
    started = Trajectory.objects.filter(referral=OuterRef("pk"), start_date__lte=today)
    return (
        Referral.objects.filter(scope, Q(outcome="") | Q(outcome="specialised"))
        .filter(date__lt=today - dt.timedelta(days=int(threshold * 7)))
        .exclude(Exists(started))
        .order_by()
        .annotate(
            c_gemeente_id=F("child__gemeente_id"),
            c_child_id=F("child_id"),
            c_subject_key=F("id"),
            c_value=DaysBetween(F("date"), _date(today)),
            c_norm=Value(threshold, output_field=models.DecimalField()),
            c_reference_date=F("date"),
        )
    )


def rule_past_end(today, threshold, scope):
    qs = _open(today, scope).filter(planned_end_date__lt=today - dt.timedelta(days=int(threshold)))
    return _per_trajectory(qs).annotate(
        c_value=DaysBetween(F("planned_end_date"), _date(today)),
        c_norm=Value(int(threshold)),
        c_reference_date=F("planned_end_date"),
        c_detail=_label(),
    )


def rule_review_late(today, threshold, scope):
    return (
        StopReview.objects.filter(
            trajectory__in=_open(today, scope).values("pk"),
            done_date__isnull=True,
            due_date__lt=today - dt.timedelta(days=int(threshold)),
        )
        .order_by()
        .annotate(
            c_gemeente_id=F("trajectory__child__gemeente_id"),
            c_child_id=F("trajectory__child_id"),
            c_subject_key=F("id"),
            c_trajectory_id=F("trajectory_id"),
            c_value=DaysBetween(F("due_date"), _date(today)),
            c_norm=Value(int(threshold)),
            c_reference_date=F("due_date"),
            c_detail=_label("trajectory__"),
        )
    )


def rule_turning_18(today, threshold, scope):
    # Turns 18 within `threshold` months, or is already 18+ (verlengde jeugdhulp), while care runs.
    latest_birth_date = add_months(add_months(today, int(threshold)), -18 * 12)
    return (
        Child.objects.filter(scope_for_child(scope), _in_care(today, scope), birth_date__lte=latest_birth_date)
        .order_by()
        .annotate(
            c_gemeente_id=F("gemeente_id"),
            c_child_id=F("id"),
            c_value=MonthsBetween(F("birth_date"), _date(today)),  # age in whole months
            c_norm=Value(int(threshold)),
            c_reference_date=F("birth_date"),
        )
    )


def rule_outside_budget(today, threshold, scope):
    qs = _open(today, scope).filter(outside_budget=True).with_costs(today)
    return _per_trajectory(qs).annotate(
        c_value=F("cost_to_date") + F("committed"),
        c_reference_date=F("start_date"),
        c_detail=Concat(_label(), Value(": "), F("outside_budget_reason"), output_field=models.CharField()),
    )


def rule_residential(today, threshold, scope):
    qs = _open(today, scope).filter(Q(product__segment__is_residential=True) | Q(product__with_stay=True))
    return _per_trajectory(qs).annotate(
        c_value=MonthsBetween(F("start_date"), _date(today)), c_reference_date=F("start_date"), c_detail=_label()
    )


RULES = {
    FlagCode.DURATION: rule_duration,
    FlagCode.COST: rule_cost,
    FlagCode.EXTENSIONS: rule_extensions,
    FlagCode.STACKING: rule_stacking,
    FlagCode.HOUSEHOLD_STACKING: rule_household_stacking,
    FlagCode.WAITING: rule_waiting,
    FlagCode.PAST_END: rule_past_end,
    FlagCode.REVIEW_LATE: rule_review_late,
    FlagCode.TURNING_18: rule_turning_18,
    FlagCode.OUTSIDE_BUDGET: rule_outside_budget,
    FlagCode.RESIDENTIAL: rule_residential,
}


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


def scope_for_child(scope_q: Q) -> Q:
    """Rules on Child receive the trajectory-side Q (child__...); strip the prefix."""
    children = []
    for child in scope_q.children:
        if isinstance(child, Q):
            children.append(scope_for_child(child))
        else:
            key, value = child
            children.append((key.removeprefix("child__"), value))
    q = Q()
    q.children, q.connector, q.negated = children, scope_q.connector, scope_q.negated
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
        _lock(scope.gemeente_ids)
        ensure_rules(scope.gemeente_ids)
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


def _lock(gemeente_ids) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite: write transactions are serialised (IMMEDIATE), which is the lock we need.
    with connection.cursor() as cursor:
        # Sorted, so two evaluations with overlapping gemeenten cannot deadlock on each other.
        for gemeente_id in sorted(gemeente_ids):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, gemeente_id])


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
            f"norm {numeric}, reference_date date, detail varchar(300) NOT NULL)"
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
        result.upserted = _upsert(cursor, table, now)
        if connection.vendor == "postgresql" and result.upserted > ANALYZE_AFTER_ROWS:
            # A first run (or a big change) leaves the planner with the old, small table in mind; the lapse
            # and the scores then picked plans 3-4x slower. Autovacuum would only look after the commit.
            cursor.execute(f"ANALYZE {table}")
        result.lapsed = _lapse(cursor, table, scope, now)
        cursor.execute(f"DROP TABLE {CANDIDATES}")
        # The queue's scores follow the flags (and the open cost, which moves daily past a planned end).
        by_gemeente = scope.child_ids is None and not scope.everything
        result.scores = scores.refresh_in_transaction(
            cursor, today=today, gemeente_ids=scope.gemeente_ids if by_gemeente else None, child_ids=scope.child_ids
        )
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


def _upsert(cursor, table: str, now) -> int:
    postgres = connection.vendor == "postgresql"
    distinct, same = ("IS DISTINCT FROM", "IS NOT DISTINCT FROM") if postgres else ("IS NOT", "IS")
    compared = ("trajectory_id", "value", "norm", "reference_date", "detail", "gemeente_id")
    changed = " OR ".join(f"{table}.{col} {distinct} excluded.{col}" for col in compared)
    # Candidates whose flag already fires with the same numbers are left out by one anti-join, so the
    # upsert touches only new and changed flags (ON CONFLICT would lock every unchanged row).
    unchanged = " AND ".join(f"f.{col} {same} c.{col}" for col in compared)
    kept = f"CASE WHEN {table}.firing THEN {table}.%s ELSE %s END"
    cursor.execute(
        f"""
        INSERT INTO {table} ({", ".join(COLUMNS)}, code, firing, active, raised_at, reason, resolution_note,
                             resolved_at, resolved_by_id, raised_by_id)
        SELECT {", ".join(f"c.{col}" for col in COLUMNS)}, c.code, TRUE, TRUE, %s, '', '', NULL, NULL, NULL
        FROM {CANDIDATES} c
        WHERE NOT EXISTS (SELECT 1 FROM {table} f WHERE f.child_id = c.child_id AND f.code = c.code
                          AND f.subject_key = c.subject_key AND f.firing AND {unchanged})
        ON CONFLICT (child_id, code, subject_key) DO UPDATE SET
            {", ".join(f"{col} = excluded.{col}" for col in COLUMNS if col not in ("child_id", "subject_key"))},
            raised_at = {kept % ("raised_at", "excluded.raised_at")},
            active = {kept % ("active", "TRUE")},
            resolved_at = {kept % ("resolved_at", "NULL")},
            resolved_by_id = {kept % ("resolved_by_id", "NULL")},
            resolution_note = {kept % ("resolution_note", "''")},
            firing = TRUE
        WHERE NOT {table}.firing OR {changed}
        """,
        [now],
    )
    return cursor.rowcount


def _lapse(cursor, table: str, scope: Scope, now) -> int:
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
            active = FALSE,
            firing = FALSE
        WHERE firing AND code <> %s AND {" AND ".join(where) or "TRUE"}
          AND NOT EXISTS (SELECT 1 FROM {CANDIDATES} c WHERE c.child_id = {table}.child_id
                          AND c.code = {table}.code AND c.subject_key = {table}.subject_key)
        """,
        [now, LAPSED_NOTE, FlagCode.MANUAL, *params],
    )
    return cursor.rowcount


# --- entry points -------------------------------------------------------------------------------


def evaluate_gemeente(code: str, today: dt.date | None = None) -> EvaluationResult:
    gemeente = Gemeente.objects.get(code=code)
    return evaluate(gemeente_ids=[gemeente.pk], today=today)


def evaluate_gemeenten(codes, today: dt.date | None = None) -> EvaluationResult:
    ids = list(Gemeente.objects.filter(code__in=codes).values_list("pk", flat=True))
    return evaluate(gemeente_ids=ids, today=today) if ids else EvaluationResult()


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
