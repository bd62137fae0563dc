"""The warning windows of Mijn werk and how late an item is: one place for both."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from .models import WorkWindows

DEFAULTS = WorkWindows()  # unsaved: the field defaults, for a gemeente the beheerder never configured

ON_TIME, LATE, VERY_LATE = "op_tijd", "te_laat", "ernstig_te_laat"
PUNCTUALITY_LABELS = {ON_TIME: "op tijd", LATE: "te laat", VERY_LATE: "ruim te laat (> 3× de termijn)"}


def windows_for(gemeente_ids) -> dict[int, WorkWindows]:
    """The windows of each gemeente (one query); the defaults where none were set."""
    found = {w.gemeente_id: w for w in WorkWindows.objects.filter(gemeente_id__in=list(gemeente_ids))}
    return {g: found.get(g, DEFAULTS) for g in gemeente_ids}


def due_within(windows: dict[int, WorkWindows], attr: str, *, due_field: str, gemeente_field: str, today: dt.date) -> Q:
    """Items whose warning has started: due on or before today + the gemeente's window."""
    q = Q(pk__in=[])
    for gemeente_id, window in windows.items():
        q |= Q(**{gemeente_field: gemeente_id, f"{due_field}__lte": today + dt.timedelta(days=getattr(window, attr))})
    return q


def overdue_after(windows: dict[int, WorkWindows], attr: str, *, date_field: str, gemeente_field: str, today) -> Q:
    """Items whose start date lies more than the gemeente's window back (a referral without outcome)."""
    q = Q(pk__in=[])
    for gemeente_id, window in windows.items():
        q |= Q(**{gemeente_field: gemeente_id, f"{date_field}__lte": today - dt.timedelta(days=getattr(window, attr))})
    return q


@dataclass(frozen=True)
class Punctuality:
    key: str
    days_late: int

    @property
    def label(self) -> str:
        return PUNCTUALITY_LABELS[self.key]


def punctuality(due: dt.date | None, window_days: int, today: dt.date) -> Punctuality:
    """On time until the due date; late after it; very late when more than 3× the window past due, as
    the municipal systems show it (a 14-day review window: more than 42 days overdue)."""
    if due is None or due >= today:
        return Punctuality(ON_TIME, 0)
    late = (today - due).days
    return Punctuality(VERY_LATE if late > 3 * max(window_days, 1) else LATE, late)
