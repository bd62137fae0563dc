"""Writes on the worker's own work: the case owner, tasks and the journal.

Every part of jeugdregie adds tasks through `task_create`; the case services close them through
`tasks_done_by_work` when the work itself is done (recording the review closes its task).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from ..models import Child, JournalEntry, JournalKind, Role, Task, TaskKind, TaskOrigin, TaskStatus, User
from .common import as_user, today


def _check_owner(owner: User | None, child: Child, errors: dict, field: str = "owner") -> None:
    if owner is None:
        return
    if not owner.is_active:
        errors[field] = "Deze medewerker is niet meer actief."
    elif owner.role != Role.TOEGANG:
        errors[field] = "Casusregisseur kan alleen een toegangsmedewerker zijn."
    elif not owner.serves(child.gemeente_id):
        errors[field] = "Deze medewerker werkt niet voor de gemeente van deze jeugdige."


# --- the case owner (casusregisseur) ---------------------------------------------------------------


def child_set_owner(*, user, child: Child, owner: User | None, reason: str = "") -> Child:
    """Make `owner` the casusregisseur of the child; the history keeps who changed it and why."""
    errors = {}
    if not user.serves(child.gemeente_id):
        errors["__all__"] = "U werkt niet voor de gemeente van deze jeugdige."
    _check_owner(owner, child, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Child.objects.select_for_update().get(pk=child.pk)
        locked.owner = owner
        locked._change_reason = reason.strip()[:100] or "casusregisseur gewijzigd"
        as_user(locked, user).save(update_fields=["owner"])
        household = locked.household
        if household.lead_worker_id is None and owner is not None:
            household.lead_worker = owner
            as_user(household, user).save(update_fields=["lead_worker"])
    return locked


def children_reassign(*, user, children, owner: User, reason: str) -> int:
    """Give many children a new casusregisseur at once (the team lead, or the beheerder for a user who
    left), one history row per child with the reason. Returns how many changed."""
    reason = reason.strip()
    children = list(children)
    errors = {}
    if not reason:
        errors["reason"] = "Geef een reden voor het overdragen."
    if not children:
        errors["children"] = "Kies ten minste één dossier."
    gemeenten = {child.gemeente_id for child in children}
    if not gemeenten <= set(user.gemeenten.values_list("pk", flat=True)):
        errors["children"] = "U werkt niet voor de gemeente van een van deze dossiers."
    if owner is None or not owner.is_active or owner.role != Role.TOEGANG:
        errors["owner"] = "Kies een actieve toegangsmedewerker."
    elif not gemeenten <= set(owner.gemeenten.values_list("pk", flat=True)):
        errors["owner"] = "Deze medewerker werkt niet voor de gemeente van al deze dossiers."
    if errors:
        raise ValidationError(errors)
    for child in children:
        child.owner = owner
    with transaction.atomic():
        bulk_update_with_history(
            children, Child, ["owner"], batch_size=500, default_user=user, default_change_reason=reason[:100]
        )
    return len(children)


# --- tasks -------------------------------------------------------------------------------------


def task_create(
    *,
    user: User | None,
    child: Child,
    kind: str,
    due_date: dt.date,
    title: str = "",
    owner: User | None = None,
    owner_role: str = "",
    origin: str = TaskOrigin.MANUAL,
    trajectory=None,
    review=None,
    key: str = "",
) -> Task:
    """Add a task to a child's file, for a user or for a role of the child's gemeente.

    `user` is who asks (None for the app itself: an import, a nightly check). A `key` makes the task
    idempotent: while a task with that key is open, the same call returns it instead of a second one.
    """
    errors = {}
    if user is not None and not user.serves(child.gemeente_id):
        errors["__all__"] = "U werkt niet voor de gemeente van deze jeugdige."
    if kind not in TaskKind.values:
        errors["kind"] = "Kies de soort taak."
    if due_date is None:
        errors["due_date"] = "Geef aan wanneer de taak klaar moet zijn."
    elif due_date < today():
        errors["due_date"] = "De datum ligt in het verleden."
    if owner is None and not owner_role:
        errors["owner"] = "Kies voor wie de taak is: een medewerker of een rol."
    if owner is not None and owner_role:
        errors["owner"] = "Kies een medewerker óf een rol, niet allebei."
    if owner is not None and (not owner.is_active or not owner.serves(child.gemeente_id)):
        errors["owner"] = "Deze medewerker werkt niet voor de gemeente van deze jeugdige."
    if owner_role and owner_role not in Role.values:
        errors["owner"] = "Onbekende rol."
    if child.is_closed:
        errors["__all__"] = "Dit dossier is gesloten."
    if errors:
        raise ValidationError(errors)
    if key:
        existing = Task.objects.filter(key=key, status=TaskStatus.OPEN).first()
        if existing is not None:
            return existing
    task = Task(
        child=child,
        gemeente_id=child.gemeente_id,
        kind=kind,
        title=(title.strip() or TaskKind(kind).label)[:200],
        due_date=due_date,
        owner=owner,
        owner_role=owner_role,
        origin=origin,
        trajectory=trajectory,
        review=review,
        key=key,
        created_by=user,
    )
    try:
        with transaction.atomic():
            as_user(task, user).save()
    except IntegrityError:
        # The same keyed task created at the same moment by another process: theirs is the one.
        if key:
            return Task.objects.get(key=key, status=TaskStatus.OPEN)
        raise
    return task


def _close(task: Task, user, status: str, reason: str = "") -> Task:
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if locked.status != TaskStatus.OPEN:
            raise ValidationError({"__all__": "Deze taak is al afgesloten."})
        locked.status = status
        locked.cancel_reason = reason
        locked.closed_at = timezone.now()
        locked.closed_by = user
        as_user(locked, user).save()
    return locked


def task_done(*, user, task: Task) -> Task:
    return _close(task, user, TaskStatus.DONE)


def task_cancel(*, user, task: Task, reason: str) -> Task:
    if not reason.strip():
        raise ValidationError({"reason": "Geef een reden waarom de taak vervalt."})
    return _close(task, user, TaskStatus.CANCELLED, reason.strip()[:300])


# The key of the task a regisseur's afschalen decision gives (regie: "besluit:<id>:afschalen"): a
# change to a lighter trajectory is the work that closes it, while the decision's other tasks on the
# same trajectory (ending it) stay open.
SCALE_DOWN_KEY_SUFFIX = ":afschalen"


def tasks_done_by_work(*, user, kinds, child=None, trajectory=None, review=None, key_suffix: str = "") -> int:
    """Close the open tasks that the work just done by `user` answers, with history for each.

    Called inside the case services' transactions: recording a review closes the review tasks of its
    trajectory, an extension request or the end of a trajectory closes its "loopt af" tasks. With
    `key_suffix`, only the keyed tasks whose key ends so.
    """
    tasks = Task.objects.open().filter(kind__in=kinds)
    if key_suffix:
        tasks = tasks.filter(key__endswith=key_suffix)
    if review is not None:
        tasks = tasks.filter(review=review) | tasks.filter(review__isnull=True, trajectory=review.trajectory_id)
    elif trajectory is not None:
        tasks = tasks.filter(trajectory=trajectory)
    elif child is not None:
        tasks = tasks.filter(child=child)
    else:
        return 0
    tasks = list(tasks.select_for_update())
    now = timezone.now()
    for task in tasks:
        task.status = TaskStatus.DONE
        task.closed_at = now
        task.closed_by = user
    bulk_update_with_history(
        tasks,
        Task,
        ["status", "closed_at", "closed_by"],
        default_user=user,
        default_change_reason="afgerond door het werk in het dossier",
    )
    return len(tasks)


# --- the journal ------------------------------------------------------------------------------


def journal_errors(*, user, child: Child, kind: str, text: str, event_date, corrects=None) -> dict:
    """What is wrong with this note, per field (empty: nothing). The form shows these all at once."""
    errors = {}
    text = (text or "").strip()
    if not user.serves(child.gemeente_id):
        errors["__all__"] = "U werkt niet voor de gemeente van deze jeugdige."
    elif child.is_closed:
        errors["__all__"] = "Dit dossier is gesloten; er kunnen geen notities meer bij."
    if not text:
        errors["text"] = "Schrijf de notitie."
    elif len(text) > 4000:
        errors["text"] = "De notitie is te lang (meer dan 4000 tekens)."
    if kind not in JournalKind.values:
        errors["kind"] = "Kies de soort notitie."
    if event_date is None:
        errors["event_date"] = "Geef de datum."
    elif event_date > today():
        errors["event_date"] = "De datum ligt in de toekomst."
    if corrects is not None and corrects.child_id != child.pk:
        errors["corrects"] = "Een correctie hoort bij een notitie van hetzelfde dossier."
    return errors


def journal_add(
    *, user, child: Child, kind: str, text: str, event_date: dt.date, corrects: JournalEntry | None = None
) -> JournalEntry:
    """Write a note in the child's journal. Notes are never changed: a correction is a new note."""
    errors = journal_errors(user=user, child=child, kind=kind, text=text, event_date=event_date, corrects=corrects)
    if errors:
        raise ValidationError(errors)
    return JournalEntry.objects.create(
        child=child, kind=kind, text=text.strip(), event_date=event_date, corrects=corrects, author=user
    )
