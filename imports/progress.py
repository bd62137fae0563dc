"""Progress of a running import (done / total, rate), for the command line and the upload page.

The import writes inside one transaction (all or nothing), so progress written through that same
connection would only become visible at the end. On PostgreSQL it is therefore written through a
second, autocommitting connection; SQLite allows one writer at a time, so there the run row is
updated only between phases and the page shows the outcome when the import is done.
"""

import time

from django.db import connections

from .models import ImportRun

MIN_INTERVAL = 0.5  # seconds between progress writes


class Progress:
    def __init__(self, run: ImportRun | None, *, echo=None):
        self.run = run
        self.echo = echo  # callable(done, total, rate) for the command line
        self.started = time.monotonic()
        self.last = 0.0
        self.total = 0
        self.done = 0
        self._side = None
        if run is not None and run.pk and connections["default"].vendor == "postgresql":
            self._side = connections.create_connection("default")

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    def set_total(self, total: int) -> None:
        self.total = total
        self._publish(force=True)

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._publish()

    def finish(self) -> None:
        self._publish(force=True)
        if self._side is not None:
            self._side.close()
            self._side = None

    def _publish(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < MIN_INTERVAL:
            return
        self.last = now
        if self.echo:
            self.echo(self.done, self.total, self.rate)
        if self._side is not None:
            with self._side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ImportRun._meta.db_table} SET done = %s, total = %s WHERE id = %s",
                    [self.done, self.total, self.run.pk],
                )
