"""The query pieces every KPI family shares: which rows count in a period, and how one query holds
a column per period (conditional aggregates), a median, or a P × Q cost."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import Count, Exists, F, OuterRef, Q, Value, Window
from django.db.models.functions import Coalesce, Greatest, Least, RowNumber

from cases.dbfuncs import DaysBetween
from cases.models import Gemeente, Trajectory

from .period import Period

MONEY = models.DecimalField(max_digits=14, decimal_places=2)


def pct(part: int | Decimal, whole: int | Decimal) -> float | None:
    """Percentage with one decimal; None (n.v.t.) for a share of nothing."""
    if not whole:
        return None
    return round(100 * float(part) / float(whole), 1)


CENT = Decimal("0.01")


def money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


def trajectories_of(gemeente: Gemeente):
    return Trajectory.objects.filter(child__gemeente=gemeente)


# The grouped forms (issue 14): every KPI family computes its figures for many gemeenten at once, grouped by
# gemeente, so all 340 gemeenten cost the same fixed number of queries as one. The per-gemeente function is
# the grouped form for one id: one definition of each rule.
GEMEENTE = "child__gemeente"


def trajectories_in(gemeente_ids: list[int]):
    return Trajectory.objects.filter(child__gemeente__in=gemeente_ids)


def grouped(queryset, keys: tuple[str, ...], aggregates: dict) -> dict:
    """One row per value of `keys` (the first is the gemeente): {key tuple (or the gemeente id alone): row}."""
    rows = queryset.values(*keys).annotate(**aggregates).order_by()
    if all(isinstance(aggregate, Count) for aggregate in aggregates.values()):
        # Only counts (ints from any driver): the rows without Django's per-value converters (fetch_rows).
        names = (*keys, *aggregates)
        rows = [dict(zip(names, row, strict=True)) for row in fetch_rows(rows.values_list(*names))]
    if len(keys) == 1:
        return {row[keys[0]]: row for row in rows}
    return {tuple(row[k] for k in keys): row for row in rows}


def fetch_rows(queryset) -> list[tuple]:
    """The rows of a values_list() queryset as tuples, for grouped queries with hundreds of thousands of rows.

    On PostgreSQL straight from the driver: psycopg already gives ints and exact Decimals, and Django's
    converters (a Python call for every value, Decimal(Decimal) for a sum) took most of the time of such a
    query. Only for columns that need no conversion: counts, sums of decimals, dates, text. SQLite returns a
    sum of decimals as a float, so there Django converts it (to the field's cents, as always)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return list(queryset)
    try:
        sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    except EmptyResultSet:  # e.g. no gemeente ids
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def empty_row(aggregates: dict) -> dict:
    """The row a gemeente without rows gets: what aggregate() gives over nothing (a count 0, a sum None)."""
    return {name: 0 if isinstance(agg, Count) else None for name, agg in aggregates.items()}


def per_gemeente(rows: dict, gemeente_ids, aggregates: dict, periods, build) -> dict:
    """Each gemeente's values, one per period, from its grouped row: build(gemeente_id, row, i) for the i-th
    period. A gemeente without rows gets the empty row."""
    result = {}
    for g in gemeente_ids:
        row = rows.get(g) or empty_row(aggregates)
        result[g] = [build(g, row, i) for i in range(len(periods))]
    return result


def one(grouped_form, gemeente: Gemeente, *args):
    """The grouped form for one gemeente: the per-gemeente function."""
    return grouped_form([gemeente.pk], *args)[gemeente.pk]


def active_in(period: Period) -> Q:
    return Q(start_date__lte=period.end) & (Q(end_date__isnull=True) | Q(end_date__gte=period.start))


def in_care_in(period: Period) -> Q:
    """Care actually started (JW305 or the toegang) by the period's end and not ended before it: 'in zorg'.
    An allocation alone is not care; its child is waiting (issue 12)."""
    return Q(actual_start_date__lte=period.end) & (Q(end_date__isnull=True) | Q(end_date__gte=period.start))


def date_value(day: dt.date) -> Value:
    return Value(day, output_field=models.DateField())


def median_by(queryset, value: str, partition: tuple[str, ...] = ()) -> dict:
    """Median of the annotated `value` per `partition` (a tuple of fields; () is overall, key ()),
    computed in the database.

    Window functions number the rows in order of the value; only the one or two middle rows of
    each group come back, and their mean is the median.
    """
    partition_by = [F(name) for name in partition]
    ranked = queryset.annotate(
        _rn=Window(RowNumber(), partition_by=partition_by, order_by=[F(value).asc(), F("pk").asc()]),
        _n=Window(Count("pk"), partition_by=partition_by),
    )
    integer = models.IntegerField()
    middle = ranked.filter(
        Q(_rn=models.ExpressionWrapper((F("_n") + 1) / 2, output_field=integer))
        | Q(_rn=models.ExpressionWrapper((F("_n") + 2) / 2, output_field=integer))
    )
    groups: dict = {}
    for middle_value, *key in fetch_rows(middle.values_list(value, *partition)):  # values are whole days
        groups.setdefault(tuple(key), []).append(middle_value)
    return {key: sum(values) / len(values) for key, values in groups.items()}


def once(queryset):
    """Aggregate over a subquery of these rows, so an annotation used in every period's FILTER (an
    EXISTS, a subquery) is computed once per row instead of once per period: 25× faster here."""
    return queryset.distinct()


def span_of(periods: list[Period]) -> Period:
    return Period(min(p.start for p in periods), max(p.end for p in periods))


def in_period(field_name: str, period: Period) -> Q:
    return Q(**{f"{field_name}__range": (period.start, period.end)})


def per_period(field_name: str, periods: list[Period], value) -> models.Case:
    """For each row, `value(period, index)` of the period its `field_name` date falls in (NULL: none)."""
    whens = [models.When(in_period(field_name, p), then=value(p, i)) for i, p in enumerate(periods)]
    sample = value(periods[0], 0)
    return models.Case(*whens, default=None, output_field=sample.output_field)


def period_index(periods: list[Period], field_name: str) -> models.Case:
    return per_period(field_name, periods, lambda p, i: Value(i, output_field=models.IntegerField()))


def cost_in(period: Period) -> models.ExpressionWrapper:
    """P × Q cost between the period's first and last day; open trajectories accrue to its last day.

    The same rule as TrajectoryQuerySet.with_cost_in_period(start, end, as_of=end), as an expression
    so that one query can hold a column per period.
    """
    last_day = Least(Coalesce(F("end_date"), date_value(period.end)), date_value(period.end))
    first_day = Greatest(F("start_date"), date_value(period.start))
    days = Greatest(DaysBetween(first_day, last_day) + 1, Value(0))
    return models.ExpressionWrapper(F("daily_cost") * days, output_field=MONEY)


def running_after(day_field: str) -> Exists:
    """A trajectory of the same child still running after the outer row's `day_field` date."""
    still_open = Q(end_date__isnull=True) | Q(end_date__gt=OuterRef(day_field))
    return Exists(Trajectory.objects.filter(still_open, child=OuterRef("child"), start_date__lte=OuterRef(day_field)))
