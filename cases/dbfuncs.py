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
