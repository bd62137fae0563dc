"""Reads for the case file page: the timeline and 'wie wijzigde wat wanneer'.

A fixed number of queries whatever the size of the file: one per related table, merged in Python.
"""

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection
from django.db.models import ForeignKey, Prefetch, Q, QuerySet
from django.db.models.sql import Query
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
    referral_by_pk = {r.pk: r for r in referrals}
    trajectories = list(
        Trajectory.objects.filter(child=child)
        .select_related("provider", "product__segment", "follows__product")
        .with_costs(today)
        .prefetch_related("extensions", Prefetch("reviews", queryset=StopReview.objects.order_by("due_date")))
        # Sorted below, not in SQL: to write an ORDER BY, Django hashes every expression the query selects
        # (the joined columns and the cost annotations), 40% of the Python this query costs.
        .order_by()
    )
    trajectories.sort(key=lambda t: t.start_date, reverse=True)
    for trajectory in trajectories:
        # A trajectory's referral is one of its child's (trajectory_start checks it), read above: no join.
        trajectory.referral = referral_by_pk.get(trajectory.referral_id)
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
        .select_related("owner", "gemeente")  # owner_label; who closed a task the page does not show
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
        "changes": build_history(child),
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


def build_history(child) -> list[Change]:
    """The last changes to this file, newest first, with who made them and what changed."""
    # Referrals live in the app above this one; reach their history through the child's reverse relation.
    referral_model = Child._meta.get_field("referrals").related_model
    sources = [
        ("Dossier", Child, "id", None),
        ("Verwijzing", referral_model, "id", referral_model),
        ("Traject", Trajectory, "id", Trajectory),
        ("Verlenging", Extension, "trajectory_id", Trajectory),
        ("Review", StopReview, "trajectory_id", Trajectory),
    ]
    diffs = []
    for label, model, key, owner in sources:
        diffs.extend(_diffs(_child_versions(child.pk, model, key, owner), label))
    changes = _readable(diffs)
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes[:HISTORY_LIMIT]


def describe_changes(history: QuerySet, label: str) -> list[Change]:
    """The readable changes, with who made them, of the history rows of `history` (one history model, e.g.
    `history_of(Trajectory).filter(id__in=...)`), per object oldest first."""
    return _readable(_diffs(_versions(history), label))


@functools.cache
def _diffed_fields(history_model) -> tuple:
    """The fields of the model a change lists: the tracked, editable fields as simple-history's `diff_against`
    compares them (a foreign key by its id, in the order of the field names), less the hidden ones."""
    names = sorted(f.name for f in history_model.tracked_fields if f.editable and f.name not in HIDDEN_FIELDS)
    return tuple(history_model.instance_type._meta.get_field(name) for name in names)


@dataclass
class _Version:
    """One history row: an object as it was saved, with who saved it."""

    fields: tuple  # _diffed_fields of its model
    object_id: int
    at: dt.datetime
    type: str  # simple-history's history_type: "+", "~" or "-"
    who: str  # "" for a change without a user (the system)
    values: tuple  # the values of _diffed_fields, in that order


def _child_versions(child_id: int, model, key: str, owner) -> list[_Version]:
    """The history rows of `model`'s objects of one child, ordered by object, then time, as plain values (model
    instances and `diff_against` cost ~10 times as much for the same comparison). `key` is the history column
    naming the object or its trajectory; `owner` the model whose `child_id` says whose that is (None: the child)."""
    sql, query, columns = _child_history_sql(connection.vendor, model, key, owner)
    with connection.cursor() as cursor:
        cursor.execute(sql, [child_id])
        rows = cursor.fetchall()
    # What the ORM does to a row it reads (on SQLite: dates, decimals and booleans from their stored form).
    compiler = query.get_compiler(connection=connection)
    converters = compiler.get_converters(columns)
    if converters:
        rows = compiler.apply_converters(rows, converters)
    return _as_versions(_diffed_fields(query.model), rows)


def _versions(queryset) -> list[_Version]:
    """The history rows of `queryset` (one history model), as `_child_versions` reads a child's."""
    fields = _diffed_fields(queryset.model)
    return _as_versions(fields, queryset.order_by(*_VERSION_ORDER).values_list(*_version_columns(fields)))


_VERSION_ORDER = ("id", "history_date", "history_id")


def _version_columns(fields) -> tuple:
    user = ("history_user__first_name", "history_user__last_name", "history_user__username")
    return ("id", "history_date", "history_type", *user, *(f.attname for f in fields))


def _as_versions(fields, rows) -> list[_Version]:
    versions = []
    for object_id, at, history_type, first_name, last_name, username, *values in rows:
        who = "" if username is None else f"{first_name} {last_name}".strip() or username  # as _user_name
        versions.append(_Version(fields, object_id, at, history_type, who, tuple(values)))
    return versions


_CHILD = -1  # the child's id while compiling: the one parameter of each query


@functools.cache
def _child_history_sql(vendor: str, model, key: str, owner) -> tuple[str, Query, list]:
    """The SQL of `_child_versions`, compiled once a process: only the child's id changes from one case file to
    the next, and building and compiling the query cost more Python than reading and comparing its rows."""
    objects = [_CHILD] if owner is None else owner._default_manager.filter(child_id=_CHILD).values("pk")
    fields = _diffed_fields(_history_model(model))
    queryset = (
        history_of(model)
        .filter(**{f"{key}__in": objects})
        .order_by(*_VERSION_ORDER)
        .values_list(*_version_columns(fields))
    )
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    assert list(params) == [_CHILD], params  # nothing else may vary
    return sql, queryset.query, [column for column, _, _ in compiler.select]


@dataclass
class _Diff:
    label: str
    version: _Version
    changes: list[tuple]  # (field, old value, new value); a foreign key as its id


def _diffs(versions: list[_Version], label: str) -> list[_Diff]:
    """Each version against the one before it of the same object (none for the first)."""
    diffs = []
    previous_by_object = {}
    for version in versions:
        previous = previous_by_object.get(version.object_id)
        previous_by_object[version.object_id] = version
        changes = []
        if previous is not None:
            changes = [
                (field, old, new)
                for field, old, new in zip(version.fields, previous.values, version.values, strict=True)
                if old != new
            ]
        diffs.append(_Diff(label, version, changes))
    return diffs


def _readable(diffs: list[_Diff]) -> list[Change]:
    names = _related_names(diffs)
    changes = []
    for diff in diffs:
        version = diff.version
        kind = {"+": "aangemaakt", "~": "gewijzigd", "-": "verwijderd"}[version.type]
        lines = [
            f"{field.verbose_name}: {_display(field, old, names)} → {_display(field, new, names)}"
            for field, old, new in diff.changes
        ]
        changes.append(Change(version.at, version.who or "systeem", f"{diff.label} {kind}", lines, version.object_id))
    return changes


def _related_names(diffs: list[_Diff]) -> dict:
    """Names of the users (and other related rows) the changes point to: one query per related model,
    however many history rows there are."""
    wanted: dict[type, set] = {}
    for diff in diffs:
        for field, old, new in diff.changes:
            if isinstance(field, ForeignKey):
                wanted.setdefault(field.related_model, set()).update(v for v in (old, new) if v)
    names = {}
    for model, ids in wanted.items():
        if issubclass(model, AbstractBaseUser):  # users by their names alone, as _user_name
            rows = model._default_manager.filter(pk__in=ids).values_list("pk", "first_name", "last_name", "username")
            names.update(((model, pk), f"{first} {last}".strip() or username) for pk, first, last, username in rows)
        else:
            names.update(((model, pk), str(obj)) for pk, obj in model._default_manager.in_bulk(ids).items())
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
