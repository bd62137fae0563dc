"""What every case-file service shares: who acted (for the history) and which day it is."""

import datetime as dt

from django.utils import timezone


def as_user(instance, user):
    # simple-history reads this attribute when the middleware has no request (commands, tasks).
    instance._history_user = user
    return instance


def today() -> dt.date:
    return timezone.localdate()
