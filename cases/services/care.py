"""Writes on care: trajectories, their extension requests (verlengingen) and stop-strategy reviews."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import formatting
from ..evaluation import request_evaluation
from ..models import (
    Child,
    Extension,
    ExtensionStatus,
    Product,
    Provider,
    ReviewOutcome,
    StopReview,
    TaskKind,
    Trajectory,
)
from ..terms import actual_start_problem, trajectory_terms, volume_above_norm, volume_impossible, volume_norm_exceeded
from .common import as_user, today
from .work import SCALE_DOWN_KEY_SUFFIX, tasks_done_by_work


class ConflictError(Exception):
    """Somebody else saved the record after this user opened it."""

    message = (
        "Iemand anders heeft dit traject gewijzigd nadat u het opende. "
        "Uw wijziging is niet opgeslagen; bekijk de nieuwe gegevens en probeer het opnieuw."
    )


# --- trajectories -------------------------------------------------------------------------


def _check_actual_start(*, actual_start, referral, planned_end, end, errors: dict) -> None:
    """The actual start of care (JW305 or the toegang's first contact) lies between the referral and the end."""
    if actual_start is None:
        return
    problem = actual_start_problem(
        actual_start=actual_start,
        referral_date=referral.date if referral is not None else None,
        planned_end=planned_end,
        end=end,
        today=today(),
    )
    if problem:
        errors["actual_start_date"] = problem


def _check_volume(*, product, volume, unit, frequency, start, planned_end, above_norm_reason: str, errors) -> str:
    """The volume rules of start and change (issue 12): refuse the impossible, above the norm ask for a reason.

    Returns the reason to store ('' when the volume is within the norm)."""
    if volume is None or volume <= 0:
        errors["volume"] = "Het volume moet groter zijn dan nul."
        return ""
    impossible = volume_impossible(volume=volume, unit=unit, frequency=frequency, start=start, planned_end=planned_end)
    if impossible:
        errors["volume"] = impossible
        return ""
    above = volume_above_norm(
        product, volume=volume, unit=unit, frequency=frequency, start=start, planned_end=planned_end
    )
    if above and not above_norm_reason.strip():
        errors["above_norm_reason"] = above
    return above_norm_reason.strip() if above else ""


def _check_trajectory_dates(*, start: dt.date, planned_end: dt.date, referral, errors: dict) -> None:
    if planned_end < start:
        errors["planned_end_date"] = "De geplande einddatum ligt vóór de startdatum."
    if referral is not None and start < referral.date:
        errors["start_date"] = f"Het traject kan niet starten vóór de verwijzing van {formatting.date(referral.date)}."


def trajectory_start(
    *,
    user,
    child: Child,
    referral,
    provider: Provider,
    product: Product,
    start_date: dt.date,
    planned_end_date: dt.date,
    volume: Decimal,
    frequency: str,
    unit: str = "",
    outside_budget: bool = False,
    outside_budget_reason: str = "",
    allocation_number: str = "",
    above_norm_reason: str = "",
    actual_start_date: dt.date | None = None,
    follows: Trajectory | None = None,
) -> Trajectory:
    """Allocate a trajectory; the product's tariff, financing and norm in force today are kept on it.

    `actual_start_date` is when care really began (first contact); without it the child waits until the
    start is recorded (trajectory_record_start) or arrives as a JW305."""
    errors: dict = {}
    if referral is not None and referral.child_id != child.pk:
        errors["referral"] = "Deze verwijzing hoort bij een andere jeugdige."
    _check_trajectory_dates(start=start_date, planned_end=planned_end_date, referral=referral, errors=errors)
    above_norm_reason = _check_volume(
        product=product,
        volume=volume,
        unit=unit or product.unit,
        frequency=frequency,
        start=start_date,
        planned_end=planned_end_date,
        above_norm_reason=above_norm_reason,
        errors=errors,
    )
    _check_actual_start(
        actual_start=actual_start_date, referral=referral, planned_end=planned_end_date, end=None, errors=errors
    )
    terms = trajectory_terms(
        product, provider, outside_budget=outside_budget, outside_budget_reason=outside_budget_reason
    )
    if terms.outside_budget and not terms.outside_budget_reason:
        errors["outside_budget_reason"] = "Geef aan waarom deze zorg buiten het budget valt."
    if errors:
        raise ValidationError(errors)
    trajectory = as_user(
        Trajectory(
            child=child,
            referral=referral,
            provider=provider,
            product=product,
            start_date=start_date,
            planned_end_date=planned_end_date,
            volume=volume,
            unit=unit or product.unit,
            frequency=frequency,
            allocation_number=allocation_number,
            above_norm_reason=above_norm_reason,
            actual_start_date=actual_start_date,
            follows=follows,
            **terms.as_fields(),
        ),
        user,
    )
    trajectory.save()
    request_evaluation([child.pk])
    return trajectory


def _locked_trajectory(trajectory: Trajectory, version: int) -> Trajectory:
    locked = Trajectory.objects.select_for_update(of=("self",)).select_related("referral").get(pk=trajectory.pk)
    if locked.version != version:
        raise ConflictError()
    return locked


def _lighter(before: tuple, after: Trajectory) -> bool:
    """Cheaper per day than before the change (or, without a price per case, less of the same volume)."""
    daily_cost, volume, frequency = before
    if daily_cost is not None and after.daily_cost is not None:
        return after.daily_cost < daily_cost
    return after.frequency == frequency and after.volume < volume


def trajectory_change(
    *,
    user,
    trajectory: Trajectory,
    version: int,
    provider: Provider,
    start_date: dt.date,
    planned_end_date: dt.date,
    volume: Decimal,
    frequency: str,
    outside_budget: bool,
    outside_budget_reason: str,
    above_norm_reason: str = "",
) -> Trajectory:
    """Correct a trajectory. `version` is the one the user read; a newer one means a conflict."""
    with transaction.atomic():
        locked = _locked_trajectory(trajectory, version)
        errors: dict = {}
        if locked.end_date is not None:
            errors["__all__"] = "Dit traject is beëindigd en kan niet meer worden gewijzigd."
        _check_trajectory_dates(start=start_date, planned_end=planned_end_date, referral=locked.referral, errors=errors)
        if (
            locked.actual_start_date
            and planned_end_date < locked.actual_start_date
            and "planned_end_date" not in errors
        ):
            errors["planned_end_date"] = (
                f"De geplande einddatum ({formatting.date(planned_end_date)}) ligt vóór de start van de zorg "
                f"({formatting.date(locked.actual_start_date)})."
            )
        above_norm_reason = _check_volume(
            product=locked.product,
            volume=volume,
            unit=locked.unit,
            frequency=frequency,
            start=start_date,
            planned_end=planned_end_date,
            above_norm_reason=above_norm_reason,
            errors=errors,
        )
        if outside_budget and not outside_budget_reason.strip():
            errors["outside_budget_reason"] = "Geef aan waarom deze zorg buiten het budget valt."
        if errors:
            raise ValidationError(errors)
        before = (locked.daily_cost, locked.volume, locked.frequency)
        locked.provider = provider
        locked.start_date = start_date
        locked.planned_end_date = planned_end_date
        locked.volume = volume
        locked.frequency = frequency
        locked.above_norm_reason = above_norm_reason
        locked.outside_budget = outside_budget
        locked.outside_budget_reason = outside_budget_reason.strip() if outside_budget else ""
        locked.version += 1
        as_user(locked, user).save()
        if _lighter(before, locked):
            # Less volume is the work a regisseur's afschalen decision asked for: its task is done.
            tasks_done_by_work(
                user=user, kinds=[TaskKind.DECISION], trajectory=locked, key_suffix=SCALE_DOWN_KEY_SUFFIX
            )
        request_evaluation([locked.child_id])
    return locked


def trajectory_record_start(
    *,
    user,
    trajectory: Trajectory,
    version: int,
    actual_start_date: dt.date | None,
    family_informed_date: dt.date | None = None,
    bridging_care: str = "",
) -> Trajectory:
    """Record the real start of care, or — while the child waits — when the family was informed and what
    bridges the wait. The wachttijd rule, the waiting list and 'in zorg' read the actual start."""
    with transaction.atomic():
        locked = _locked_trajectory(trajectory, version)
        errors: dict = {}
        _check_actual_start(
            actual_start=actual_start_date,
            referral=locked.referral,
            planned_end=locked.planned_end_date,
            end=locked.end_date,
            errors=errors,
        )
        if family_informed_date is not None and family_informed_date > today():
            errors["family_informed_date"] = (
                f"Het gezin kan niet op {formatting.date(family_informed_date)} geïnformeerd zijn: "
                "die datum ligt in de toekomst."
            )
        if errors:
            raise ValidationError(errors)
        locked.actual_start_date = actual_start_date
        locked.family_informed_date = family_informed_date
        locked.bridging_care = bridging_care.strip()
        locked.version += 1
        as_user(locked, user).save()
        request_evaluation([locked.child_id])
    return locked


def trajectory_end(*, user, trajectory: Trajectory, version: int, end_date: dt.date, end_reason: str) -> Trajectory:
    """End a trajectory with its JZ588 reason."""
    with transaction.atomic():
        locked = _locked_trajectory(trajectory, version)
        errors = {}
        if locked.end_date is not None:
            errors["__all__"] = "Dit traject is al beëindigd."
        if end_date < locked.start_date:
            errors["end_date"] = f"De einddatum ligt vóór de startdatum ({formatting.date(locked.start_date)})."
        elif locked.actual_start_date is not None and end_date < locked.actual_start_date:
            errors["end_date"] = (
                f"De einddatum ligt vóór de start van de zorg ({formatting.date(locked.actual_start_date)})."
            )
        if end_date > today():
            errors["end_date"] = (
                "Een traject kan niet in de toekomst beëindigd worden; leg het einde vast als het zover is."
            )
        if not end_reason:
            errors["end_reason"] = "Kies de reden van beëindiging."
        if errors:
            raise ValidationError(errors)
        locked.end_date = end_date
        locked.end_reason = end_reason
        locked.version += 1
        as_user(locked, user).save()
        tasks_done_by_work(
            user=user, kinds=[TaskKind.TRAJECTORY_END, TaskKind.DECISION, TaskKind.REVIEW], trajectory=locked
        )
        request_evaluation([locked.child_id])
    return locked


# --- extensions (verlengingen) ----------------------------------------------------------------


PENDING_EXTENSION_EXISTS = "Er loopt al een verlengingsaanvraag voor dit traject."


def extension_request(
    *,
    user,
    trajectory: Trajectory,
    requested_end_date: dt.date,
    reason: str,
    requested_volume: Decimal | None = None,
    above_norm_reason: str = "",
) -> Extension:
    """Ask for a later end (and perhaps another volume); the volume rules of start and change apply to the
    volume that would run until the new end: impossible is refused, above the norm needs a reason."""
    with transaction.atomic():
        # Two quick clicks: without the lock both would see no pending request and both insert. The
        # second now waits here until the first commits, then reads its request and is refused.
        locked = Trajectory.objects.select_for_update().get(pk=trajectory.pk)
        errors = {}
        if locked.end_date is not None:
            errors["__all__"] = "Een beëindigd traject kan niet worden verlengd."
        elif locked.extensions.filter(status=ExtensionStatus.PENDING).exists():
            errors["__all__"] = PENDING_EXTENSION_EXISTS
        if requested_end_date <= locked.planned_end_date:
            errors["requested_end_date"] = (
                "De gevraagde einddatum moet na de huidige einddatum "
                f"({formatting.date(locked.planned_end_date)}) liggen."
            )
        if requested_volume is not None and requested_volume <= 0:
            errors["requested_volume"] = "Het volume moet groter zijn dan nul."
        elif requested_volume is not None:
            impossible = volume_impossible(
                volume=requested_volume,
                unit=locked.unit,
                frequency=locked.frequency,
                start=locked.start_date,
                planned_end=max(requested_end_date, locked.start_date),
            )
            if impossible:
                errors["requested_volume"] = impossible
        if "requested_volume" not in errors and requested_end_date > locked.planned_end_date:
            above = volume_above_norm(
                locked.product,
                volume=requested_volume or locked.volume,
                unit=locked.unit,
                frequency=locked.frequency,
                start=locked.start_date,
                planned_end=requested_end_date,
            )
            if above and not above_norm_reason.strip():
                errors["above_norm_reason"] = above
            above_norm_reason = above_norm_reason.strip() if above else ""
        if not reason.strip():
            errors["reason"] = "Geef de reden van de verlenging."
        if errors:
            raise ValidationError(errors)
        extension = as_user(
            Extension(
                trajectory=locked,
                requested_end_date=requested_end_date,
                requested_volume=requested_volume,
                reason=reason.strip(),
                above_norm_reason=above_norm_reason,
                requested_by=user,
            ),
            user,
        )
        try:
            with transaction.atomic():
                extension.save()
        except IntegrityError:
            # A writer that takes no lock (the iJw import) inserted a pending request after our check:
            # the constraint extension_one_pending_per_trajectory decides, with the same message.
            raise ValidationError({"__all__": PENDING_EXTENSION_EXISTS}) from None
        tasks_done_by_work(user=user, kinds=[TaskKind.TRAJECTORY_END], trajectory=locked)
    return extension


def extension_check_transition(extension: Extension, decision: str) -> None:
    """The one check of Extension.TRANSITIONS: the toets's decision and a decision read from iJw both pass here.

    Call it on a row locked with select_for_update, so the status it checks is the one that is written.
    """
    if decision not in Extension.TRANSITIONS[ExtensionStatus(extension.status)]:
        raise ValidationError(
            {"__all__": f"Deze aanvraag is al afgehandeld ({extension.get_status_display().lower()})."}
        )


def extension_decide(
    *,
    user,
    extension: Extension,
    decision: str,
    reason: str,
    granted_end_date: dt.date | None = None,
    granted_volume: Decimal | None = None,
) -> Extension:
    """Decide an extension request: approve, shorten (grant less than asked) or refuse.

    Runs under a row lock so two toetsers cannot decide the same request twice. Only an approval
    or a shortened approval changes the trajectory (JZ002 04: herbeoordeling verlenging).
    """
    with transaction.atomic():
        locked = Extension.objects.select_for_update().get(pk=extension.pk)
        extension_check_transition(locked, decision)
        trajectory = Trajectory.objects.select_for_update().get(pk=locked.trajectory_id)
        errors = {}
        if not reason.strip():
            errors["reason"] = "Motiveer het besluit."
        if trajectory.end_date is not None and decision != ExtensionStatus.REFUSED:
            errors["__all__"] = "Het traject is inmiddels beëindigd; de verlenging kan alleen worden afgewezen."
        if decision == ExtensionStatus.APPROVED:
            granted_end_date = locked.requested_end_date
            granted_volume = locked.requested_volume
        elif decision == ExtensionStatus.SHORTENED:
            if granted_end_date is None:
                errors["granted_end_date"] = "Geef de einddatum die u wel toekent."
            elif not (trajectory.planned_end_date < granted_end_date < locked.requested_end_date):
                errors["granted_end_date"] = (
                    "Een kortere verlenging ligt na de huidige einddatum "
                    f"({formatting.date(trajectory.planned_end_date)}) en vóór de gevraagde "
                    f"({formatting.date(locked.requested_end_date)})."
                )
            if granted_volume is not None and granted_volume <= 0:
                errors["granted_volume"] = "Het volume moet groter zijn dan nul."
            elif granted_volume is not None and granted_end_date is not None:
                impossible = volume_impossible(
                    volume=granted_volume,
                    unit=trajectory.unit,
                    frequency=trajectory.frequency,
                    start=trajectory.start_date,
                    planned_end=granted_end_date,
                )
                if impossible:
                    errors["granted_volume"] = impossible
            granted_volume = granted_volume or locked.requested_volume
        else:
            granted_end_date = granted_volume = None
        if errors:
            raise ValidationError(errors)
        locked.status = decision
        locked.decision_reason = reason.strip()
        locked.decided_by = user
        locked.decided_at = timezone.now()
        locked.granted_end_date = granted_end_date
        locked.granted_volume = granted_volume
        as_user(locked, user).save()
        if locked.is_granted:
            trajectory.planned_end_date = granted_end_date
            if granted_volume is not None:
                trajectory.volume = granted_volume
            if volume_norm_exceeded(
                trajectory.product,
                volume=trajectory.volume,
                unit=trajectory.unit,
                frequency=trajectory.frequency,
                start=trajectory.start_date,
                planned_end=granted_end_date,
            ):
                # Above the norm: the request's reason, else the toets's own motivation, is why.
                trajectory.above_norm_reason = (locked.above_norm_reason or locked.decision_reason)[:300]
            trajectory.version += 1
            as_user(trajectory, user).save()
        request_evaluation([trajectory.child_id])
    return locked


# --- stop-strategy reviews -------------------------------------------------------------------


def review_plan(*, user, trajectory: Trajectory, due_date: dt.date) -> StopReview:
    with transaction.atomic():
        # The check below reads the end date: lock the trajectory so it is not ended between the check
        # and the insert (trajectory_end takes the same lock).
        locked = Trajectory.objects.select_for_update().get(pk=trajectory.pk)
        errors = {}
        if locked.end_date is not None:
            errors["__all__"] = "Voor een beëindigd traject plant u geen review."
        if due_date < locked.start_date:
            errors["due_date"] = "De reviewdatum ligt vóór de start van het traject."
        if errors:
            raise ValidationError(errors)
        review = as_user(StopReview(trajectory=locked, due_date=due_date, planned_by=user), user)
        review.save()
        request_evaluation([locked.child_id])
    return review


def review_record(*, user, review: StopReview, done_date: dt.date, outcome: str, note: str = "") -> StopReview:
    with transaction.atomic():
        # Two toegangsmedewerkers recording the same review at once would both pass the "already recorded"
        # check and the second would overwrite the first. The row lock makes the second wait and read it.
        locked = StopReview.objects.select_for_update(of=("self",)).select_related("trajectory").get(pk=review.pk)
        errors = {}
        if locked.done_date is not None:
            errors["__all__"] = "Deze review is al vastgelegd."
        if done_date > today():
            errors["done_date"] = "De datum van uitvoering ligt in de toekomst."
        if done_date < locked.trajectory.start_date:
            errors["done_date"] = "De review ligt vóór de start van het traject."
        if outcome not in ReviewOutcome.values:
            errors["outcome"] = "Kies de uitkomst van de review."
        if errors:
            raise ValidationError(errors)
        locked.done_date = done_date
        locked.outcome = outcome
        locked.note = note.strip()
        locked.done_by = user
        as_user(locked, user).save()
        tasks_done_by_work(user=user, kinds=[TaskKind.REVIEW], review=locked)
        request_evaluation([locked.trajectory.child_id])
    return locked
