"""Writing rows with their history as it happened: each dated on its day, by the user who did it."""

import copy
import datetime as dt
from contextlib import contextmanager

from django.utils import timezone

BATCH = 500


@contextmanager
def given_timestamps(*fields):
    """bulk_create fills auto_now_add fields with 'now'; demo rows carry the day they were logged."""
    saved = [(f, f.auto_now_add) for f in fields]
    for f, _ in saved:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f, value in saved:
            f.auto_now_add = value


class Clock:
    """Aware datetimes on a day at a fixed office hour, never later than now."""

    def __init__(self):
        self.now = timezone.now()
        self.zone = timezone.get_current_timezone()

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        moment = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.zone)
        return min(moment, self.now)


def mark(instance, user, when):
    instance._history_user = user
    instance._history_date = when
    return instance


def model_field(model, name):
    return model._meta.get_field(name)


def store_as_logged(model, entries) -> None:
    """Store rows as they stand today, with their history as it happened.

    entries: (instance as it stands today, its field values when first logged, [(when, user, values)]
    for each later change in order). The rows go in with one bulk_create; the history manager then
    writes the "+" row of the first logging and a "~" row per change. (Inserting the first state and
    replaying the changes with bulk_update_with_history gives the same history, but Django's
    bulk_update builds a CASE per row and field and took three quarters of the build time.)
    """
    model.objects.bulk_create([instance for instance, _, _ in entries], batch_size=BATCH)
    created, changed = [], []
    for instance, first, changes in entries:
        state = copy.copy(instance)
        for name, value in first.items():
            setattr(state, name, value)
        created.append(state)
        for when, user, values in changes:
            state = copy.copy(state)
            for name, value in values.items():
                setattr(state, name, value)
            changed.append(mark(state, user, when))
    model.history.bulk_history_create(created, batch_size=BATCH)
    model.history.bulk_history_create(changed, batch_size=BATCH, update=True)
