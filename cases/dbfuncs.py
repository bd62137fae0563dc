"""Small database functions that read the same on SQLite and PostgreSQL."""

from django.db import models


class DaysBetween(models.Func):
    """Whole days from `start` to `end` (end - start), as an integer, in the database."""

    output_field = models.IntegerField()
    arity = 2

    def as_sql(self, compiler, connection, **extra):
        start, end = self.source_expressions
        start_sql, start_params = compiler.compile(start)
        end_sql, end_params = compiler.compile(end)
        return f"(({end_sql})::date - ({start_sql})::date)", [*end_params, *start_params]

    def as_sqlite(self, compiler, connection, **extra):
        start, end = self.source_expressions
        start_sql, start_params = compiler.compile(start)
        end_sql, end_params = compiler.compile(end)
        sql = f"CAST(julianday({end_sql}) - julianday({start_sql}) AS INTEGER)"
        return sql, [*end_params, *start_params]


class _DateShift(models.Func):
    """`start` moved by `amount` whole units (an integer expression), as a date, in the database."""

    output_field = models.DateField()
    arity = 2
    unit = ""

    def _parts(self, compiler):
        start, amount = self.source_expressions
        start_sql, start_params = compiler.compile(start)
        amount_sql, amount_params = compiler.compile(amount)
        return start_sql, start_params, amount_sql, amount_params

    def as_sql(self, compiler, connection, **extra):
        s, sp, a, ap = self._parts(compiler)
        return f"(({s})::date + make_interval({self.unit}s => ({a})::integer))::date", [*sp, *ap]

    def as_sqlite(self, compiler, connection, **extra):
        s, sp, a, ap = self._parts(compiler)
        return f"date({s}, printf('%%+d {self.unit}s', {a}))", [*sp, *ap]


class AddDays(_DateShift):
    unit = "day"


class AddMonths(_DateShift):
    """Calendar months; the day of the month is kept where it exists (SQLite and PostgreSQL differ only
    when it does not: 31 January + 1 month is 3 March in SQLite, 28 February in PostgreSQL)."""

    unit = "month"
