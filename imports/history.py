"""Writes with history, set-based: simple-history's bulk helpers with the importing user and reason.

bulk_create skips Model.save(), so everything save() would compute is computed here first
(Trajectory.daily_cost).

On PostgreSQL a large batch of new rows goes in with COPY instead (ids drawn from the table's own
sequence first), and its history rows are copied from those rows inside the database, field for
field as simple-history's bulk_history_create builds them: same columns, same values, same user,
date and reason (tests/imports/test_import_history.py compares the two). Django's bulk_create spends
most of an import's time preparing values one by one; COPY is what makes 100,000 rows with history
take seconds.
"""

from operator import attrgetter, itemgetter

from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from cases.models import Trajectory, daily_cost

BATCH_SIZE = 1000
COPY_MIN_ROWS = 50  # below this the bulk helpers are just as fast


class HistoryWriter:
    def __init__(self, *, user, reason: str, use_copy: bool | None = None):
        self.user = user
        self.reason = reason[:100]  # history_change_reason is a CharField(100)
        self.use_copy = connection.vendor == "postgresql" if use_copy is None else use_copy

    def create(self, objs: list, model) -> list:
        if not objs:
            return objs
        if model is Trajectory:
            for obj in objs:
                obj.refresh_daily_cost()
                obj.take_childs_gemeente()
        if self.use_copy and len(objs) >= COPY_MIN_ROWS:
            return copy_create(self, objs, model)
        return bulk_create_with_history(
            objs,
            model,
            batch_size=BATCH_SIZE,
            default_user=self.user,
            default_change_reason=self.reason,
            default_date=timezone.now(),
        )

    def create_values(self, rows: list[dict], model) -> list[int]:
        """New rows given as {attname: value} (no model instances: building them was a quarter of a large
        CSV import's time); returns their ids in order. Fields left out get their defaults; a trajectory's
        daily cost is computed here unless the row brings it (the CSV reader thread computes it from the same
        values, with the same function).

        On PostgreSQL a large batch goes straight into COPY with its history rows; otherwise the rows become
        instances for the bulk helpers, so both paths store the same (tests/imports/test_import_history.py).
        """
        if not rows:
            return []
        if model is Trajectory:
            for row in rows:
                if "daily_cost" in row:
                    continue
                row["daily_cost"] = daily_cost(
                    tariff=row.get("tariff"),
                    volume=row["volume"],
                    frequency=row["frequency"],
                    start=row["start_date"],
                    planned_end=row["planned_end_date"],
                )
        if not (self.use_copy and len(rows) >= COPY_MIN_ROWS):
            return [obj.pk for obj in self.create([model(**row) for row in rows], model)]
        return copy_values(self, rows, model)

    def update(self, objs: list, model, fields: list[str]) -> None:
        if not objs:
            return
        if model is Trajectory:
            for obj in objs:
                obj.refresh_daily_cost()
            fields = sorted(set(fields) | {"daily_cost", "version"})
        bulk_update_with_history(
            objs,
            model,
            fields,
            batch_size=BATCH_SIZE,
            default_user=self.user,
            default_change_reason=self.reason,
            default_date=timezone.now(),
        )

    # --- an iJw batch (imports.ijw_batch): rows without history, and the history rows apart ---
    def insert(self, objs: list, model) -> None:
        """New rows; their history comes from history_rows."""
        if model is Trajectory:
            for obj in objs:
                obj.take_childs_gemeente()
        if self.use_copy and len(objs) >= COPY_MIN_ROWS and not _has_json(model):
            for obj in objs:
                obj._prepare_related_fields_for_save(operation_name="bulk_create")
            copy_create(self, objs, model, with_history=False)
        else:
            model.objects.bulk_create(objs, batch_size=BATCH_SIZE)

    def update_rows(self, objs: list, model, fields: list[str]) -> None:
        model.objects.bulk_update(objs, fields, batch_size=BATCH_SIZE)

    def history_rows(self, model, entries: list[tuple]) -> None:
        """History rows from (object, history type, field values at the time) of one model, in that order."""
        history = model.history.model
        auto_fields = [f.attname for f in model._meta.concrete_fields if getattr(f, "auto_now_add", False)]
        fixed = {
            "history_date": timezone.now(),
            "history_change_reason": self.reason,
            "history_user_id": self.user.pk if self.user else None,
        }
        rows = [
            {**_resolved(obj, values, auto_fields), **fixed, "history_type": history_type}
            for obj, history_type, values in entries
        ]
        if self.use_copy and len(rows) >= COPY_MIN_ROWS:
            fields = [f for f in history._meta.concrete_fields if f.attname != "history_id"]
            _copy_rows(
                history._meta.db_table,
                [f.column for f in fields],
                ([row.get(f.attname) for f in fields] for row in rows),
            )
        else:
            history.objects.bulk_create([history(**row) for row in rows], batch_size=BATCH_SIZE)


def _has_json(model) -> bool:
    return any(f.get_internal_type() == "JSONField" for f in model._meta.concrete_fields)


def copy_values(writer: "HistoryWriter", rows: list[dict], model) -> list[int]:
    """New rows from plain values, and their '+' history rows, with COPY (PostgreSQL only)."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key and not f.generated]  # the database writes those
    now = timezone.now()
    fixed, per_row = {}, []
    for field in fields:
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            fixed[field.attname] = now
        elif field.has_default() and callable(field.default):
            per_row.append(field)
        else:
            fixed[field.attname] = field.get_default()
    ids = _reserve_ids(meta, len(rows))
    names = [meta.pk.attname] + [f.attname for f in fields]
    values = itemgetter(*names)
    table_rows = [
        values({**fixed, **{f.attname: f.get_default() for f in per_row}, **row, meta.pk.attname: pk})
        for row, pk in zip(rows, ids, strict=True)
    ]
    _copy_new(writer, model, now, names, table_rows, with_history=True)
    return ids


def _reserve_ids(meta, count: int) -> list[int]:
    """Primary keys for `count` new rows from the table's sequence, so COPY can write them with their ids."""
    with connection.cursor() as cursor:
        # The sequence's name once: pg_get_serial_sequence in the select list ran for every id (8× slower).
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, meta.pk.column])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
        return [row[0] for row in cursor.fetchall()]


def _copy_new(writer: "HistoryWriter", model, now, names: list[str], rows: list[tuple], *, with_history: bool) -> None:
    """New rows (tuples of the fields `names`, the id first) with COPY and, unless with_history=False, their
    '+' history rows."""
    meta = model._meta
    column = {f.attname: f.column for f in meta.concrete_fields}
    _copy_rows(meta.db_table, [column[n] for n in names], rows)
    if with_history:
        _history_of_new(writer, model, now, [row[0] for row in rows])


def _history_of_new(writer: "HistoryWriter", model, now, ids: list[int]) -> None:
    """The '+' history row of each new row, copied inside the database from the row just written: the values
    simple-history copies from the record, without encoding every row a second time in Python. In id order,
    as the rows were written."""
    meta = model._meta
    history = model.history.model._meta
    marks = {
        "history_date": now,
        "history_change_reason": writer.reason,
        "history_type": "+",
        "history_user_id": writer.user.pk if writer.user else None,
    }
    tracked = [f for f in history.concrete_fields if f.attname != "history_id" and f.attname not in marks]
    quote = connection.ops.quote_name
    targets = [f.column for f in tracked] + [history.get_field(name).column for name in marks]
    sources = [quote(meta.get_field(f.name).column) for f in tracked] + ["%s"] * len(marks)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(history.db_table)} ({', '.join(quote(c) for c in targets)}) "
            f"SELECT {', '.join(sources)} FROM {quote(meta.db_table)} "
            f"WHERE {quote(meta.pk.column)} = ANY(%s::bigint[]) ORDER BY {quote(meta.pk.column)}",
            # The ids as one array literal: psycopg dumped a list of 5,000 ints one by one (~10 ms a chunk and
            # table, in the writer thread).
            [*marks.values(), "{" + ",".join(map(str, ids)) + "}"],
        )


def _copy_rows(table: str, columns: list[str], rows) -> None:
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor:
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)


def copy_create(writer: "HistoryWriter", objs: list, model, *, with_history: bool = True) -> list:
    """New rows and (unless with_history=False) their '+' history rows with COPY (PostgreSQL only)."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key and not f.generated]
    now = timezone.now()
    for field in fields:
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            for obj in objs:
                setattr(obj, field.attname, now)
    ids = _reserve_ids(meta, len(objs))
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    names = [meta.pk.attname] + [f.attname for f in fields]
    values = attrgetter(*names)
    _copy_new(writer, model, now, names, [values(obj) for obj in objs], with_history=with_history)
    return objs


def _resolved(obj, values: dict, auto_fields: list[str]) -> dict:
    """A history snapshot with what only the write knows: the row's id, ids of records of the same batch."""
    row = {name: (value.pk if hasattr(value, "_meta") else value) for name, value in values.items()}
    row[obj._meta.pk.attname] = obj.pk
    for name in auto_fields:
        if row[name] is None:
            row[name] = getattr(obj, name)
    return row
