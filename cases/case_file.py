"""Reads for the case file page: the timeline and 'wie wijzigde wat wanneer'.

A fixed number of queries whatever the size of the file: one per related table, merged in Python.
"""

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import ForeignKey, Prefetch, Q, QuerySet
from django.utils import timezone

from . import formatting
from .models import Child, CostBasisLabel, Extension, ExtensionStatus, StopReview, Task, TaskStatus, Trajectory

HISTORY_LIMIT = 40
INDICATIVE = (CostBasisLabel.CONTRACT, CostBasisLabel.REFERENCE)
GRANTED = (ExtensionStatus.APPROVED, ExtensionStatus.SHORTENED)
HIDDEN_FIELDS = {
    "id",
    "version",
    "daily_cost",
    "created_at",
    "history_id",
    "history_date",
    "history_user",
    "history_type",
    "history_change_reason",
    "history_relation",
    "bsn",
}


@dataclass
class Event:
    date: dt.date
    kind: str
    title: str
    detail: str = ""


@dataclass
class Change:
    at: dt.datetime
    who: str
    what: str
    changes: list[str]
    object_id: int = 0


def load_case_file(child: Child, today: dt.date) -> dict:
    """Everything the case file shows, in a constant number of queries."""
    referrals = list(child.referrals.all())
    trajectories = list(
        Trajectory.objects.filter(child=child)
        .select_related("provider", "product__segment", "referral", "follows__product")
        .with_costs(today)
        .prefetch_related(
            Prefetch("extensions", queryset=Extension.objects.select_related("requested_by", "decided_by")),
            Prefetch("reviews", queryset=StopReview.objects.order_by("due_date")),
        )
        .order_by("-start_date")
    )
    for trajectory in trajectories:
        trajectory.running = trajectory.running_months(today)
        # More than the norm, not at it, as the duration rule; the page adds the gemeente's threshold.
        trajectory.over_norm = trajectory.is_open and trajectory.running > trajectory.norm_months
        trajectory.waiting = trajectory.is_open and not trajectory.started_on(today)
        trajectory.past_planned_end = trajectory.is_open and trajectory.planned_end_date < today
        extensions = trajectory.extensions.all()
        trajectory.pending_extension = next((e for e in extensions if e.status == ExtensionStatus.PENDING), None)
        # Counted from the prefetched rows: a COUNT annotation would group the whole costed query.
        trajectory.granted_extensions = sum(1 for e in extensions if e.status in GRANTED)
    open_trajectories = [t for t in trajectories if t.is_open]
    journal = list(child.journal.select_related("author", "corrects").order_by("-event_date", "-created_at"))
    tasks = list(
        Task.objects.filter(child=child)
        .filter(Q(status=TaskStatus.OPEN) | Q(closed_at__gte=timezone.now() - dt.timedelta(days=30)))
        .select_related("owner", "gemeente", "closed_by")
        .order_by("status", "due_date", "pk")
    )
    running = [t for t in open_trajectories if t.start_date <= today]
    return {
        "journal": journal,
        "tasks": tasks,
        "referrals": referrals,
        "trajectories": trajectories,
        "open_trajectories": open_trajectories,
        # All care, ended included, to date; and the open care as the cost flag counts it (to date + committed).
        "cost_to_date": sum((t.cost_to_date or 0) for t in trajectories),
        "committed": sum((t.committed or 0) for t in open_trajectories),
        "open_cost": sum((t.cost_to_date or 0) + (t.committed or 0) for t in running),
        "has_indicative": any(t.cost_basis in INDICATIVE for t in trajectories),
        "missing_price": sum(1 for t in trajectories if t.cost_basis == CostBasisLabel.MISSING),
        "timeline": build_timeline(referrals, trajectories, journal),
        "changes": build_history(child, referrals, trajectories),
        "age": child.age_on(today),
    }


def build_timeline(referrals, trajectories, journal=()) -> list[Event]:
    events = [
        Event(
            r.date,
            "verwijzing",
            f"Verwijzing door {r.get_source_display().lower()}",
            f"{r.get_request_category_display()}"
            + (f" · uitkomst: {r.get_outcome_display().lower()}" if r.outcome else ""),
        )
        for r in referrals
    ]
    for t in trajectories:
        label = f"{t.product.code} {t.product.description} bij {t.provider.name}"
        events.append(
            Event(
                t.start_date, "start", f"Start traject: {label}", "gepland tot " + formatting.date(t.planned_end_date)
            )
        )
        if t.end_date:
            events.append(Event(t.end_date, "einde", f"Einde traject: {t.product.code}", t.get_end_reason_display()))
        for e in t.extensions.all():
            events.append(
                Event(
                    e.requested_at.date(),
                    "verlenging",
                    f"Verlenging aangevraagd tot {formatting.date(e.requested_end_date)} ({t.product.code})",
                    e.get_status_display() + (f": {e.decision_reason}" if e.decision_reason else ""),
                )
            )
        for r in t.reviews.all():
            if r.done_date:
                events.append(
                    Event(
                        r.done_date,
                        "review",
                        f"Stopstrategie-review ({t.product.code})",
                        f"{r.get_outcome_display()}" + (f" · {r.note}" if r.note else ""),
                    )
                )
            else:
                events.append(Event(r.due_date, "review", f"Review gepland ({t.product.code})", "nog niet uitgevoerd"))
    for note in journal:
        label = f"Journaal: {note.get_kind_display().lower()}" + (" (correctie)" if note.corrects_id else "")
        events.append(Event(note.event_date, "journaal", label, f"{_user_name(note.author)}: {note.text[:140]}"))
    return sorted(events, key=lambda e: e.date, reverse=True)


@functools.cache
def _history_model(model):
    return model.history.model


def history_of(model) -> QuerySet:
    """All history rows of a model, as `Model.history.all()` gives them, without its cost: simple-history
    builds a new manager class on every `Model.history` (0.2 ms; five per case file)."""
    return _history_model(model)._default_manager.all()


def build_history(child, referrals, trajectories) -> list[Change]:
    """The last changes to this file, newest first, with who made them and what changed."""
    trajectory_ids = [t.pk for t in trajectories]
    # Referrals live in the app above this one; reach their history through the child's reverse relation.
    referral_model = Child._meta.get_field("referrals").related_model
    sources = [
        ("Dossier", history_of(Child).filter(id=child.pk)),
        ("Verwijzing", history_of(referral_model).filter(id__in=[r.pk for r in referrals])),
        ("Traject", history_of(Trajectory).filter(id__in=trajectory_ids)),
        ("Verlenging", history_of(Extension).filter(trajectory_id__in=trajectory_ids)),
        ("Review", history_of(StopReview).filter(trajectory_id__in=trajectory_ids)),
    ]
    diffs = []
    for label, queryset in sources:
        records = list(queryset.select_related("history_user").order_by("id", "history_date", "history_id"))
        diffs.extend(_diffs(records, label))
    changes = _readable(diffs)
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes[:HISTORY_LIMIT]


def describe_changes(records, label: str) -> list[Change]:
    """Turn history records (ordered by object, then time) into readable changes with who made them."""
    return _readable(_diffs(records, label))


@dataclass
class _Diff:
    label: str
    record: object
    changes: list  # simple-history ModelChange: field name, old and new value (a foreign key as its id)


def _diffs(records, label: str) -> list[_Diff]:
    diffs = []
    previous_by_object = {}
    for record in records:
        previous = previous_by_object.get(record.id)
        previous_by_object[record.id] = record
        changes = [] if previous is None else record.diff_against(previous).changes
        diffs.append(_Diff(label, record, [c for c in changes if c.field not in HIDDEN_FIELDS]))
    return diffs


def _readable(diffs: list[_Diff]) -> list[Change]:
    names = _related_names(diffs)
    changes = []
    for diff in diffs:
        record = diff.record
        kind = {"+": "aangemaakt", "~": "gewijzigd", "-": "verwijderd"}[record.history_type]
        who = _user_name(record.history_user) if record.history_user else "systeem"
        model = record.instance_type
        lines = []
        for change in diff.changes:
            field = model._meta.get_field(change.field)
            old, new = _display(field, change.old, names), _display(field, change.new, names)
            lines.append(f"{field.verbose_name}: {old} → {new}")
        changes.append(Change(record.history_date, who, f"{diff.label} {kind}", lines, record.id))
    return changes


def _related_names(diffs: list[_Diff]) -> dict:
    """Names of the users (and other related rows) the changes point to: one query per related model,
    however many history rows there are."""
    wanted: dict[type, set] = {}
    for diff in diffs:
        for change in diff.changes:
            field = diff.record.instance_type._meta.get_field(change.field)
            if isinstance(field, ForeignKey):
                wanted.setdefault(field.related_model, set()).update(v for v in (change.old, change.new) if v)
    names = {}
    for model, ids in wanted.items():
        for pk, obj in model._default_manager.in_bulk(ids).items():
            names[model, pk] = _user_name(obj) if isinstance(obj, AbstractBaseUser) else str(obj)
    return names


def _user_name(user) -> str:
    return user.get_full_name() or user.username


def _display(field, value, names: dict) -> str:
    if value in (None, ""):
        return formatting.DASH
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, ForeignKey):
        return names.get((field.related_model, value), f"#{value}")  # a row deleted since
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, Decimal):
        # As the pages show a volume: whole numbers bare, otherwise to the field's decimals.
        return formatting.number(value, -field.decimal_places)
    if isinstance(value, int):
        return formatting.number(value)
    if isinstance(value, dt.date):
        return formatting.date(value)
    return str(value)
