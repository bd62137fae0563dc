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


class YearBoundary(models.Func):
    """1 January (or with `last`, 31 December) of the integer year `year`, as a date, in the database."""

    output_field = models.DateField()
    arity = 1

    def __init__(self, year, *, last: bool = False):
        self.last = last
        super().__init__(year)

    def as_sql(self, compiler, connection, **extra):
        year_sql, params = compiler.compile(self.source_expressions[0])
        month, day = (12, 31) if self.last else (1, 1)
        return f"make_date(({year_sql})::integer, {month}, {day})", params

    def as_sqlite(self, compiler, connection, **extra):
        year_sql, params = compiler.compile(self.source_expressions[0])
        suffix = "12-31" if self.last else "01-01"
        return f"printf('%%04d-{suffix}', {year_sql})", params
