"""Business writes on case files. Views, admin, commands and imports call these; none re-implement them.

Each function validates with Dutch messages (django ValidationError keyed by form field), writes in
one transaction, and records the acting user in the history.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .evaluation import request_evaluation
from .models import (
    CaseAccessLog,
    Child,
    Extension,
    ExtensionStatus,
    Gemeente,
    Household,
    Product,
    Provider,
    ReviewOutcome,
    StopReview,
    Trajectory,
)
from .terms import trajectory_terms
from .validators import bsn_is_valid


class ConflictError(Exception):
    """Somebody else saved the record after this user opened it."""

    message = (
        "Iemand anders heeft dit traject gewijzigd nadat u het opende. "
        "Uw wijziging is niet opgeslagen; bekijk de nieuwe gegevens en probeer het opnieuw."
    )


def as_user(instance, user):
    # simple-history reads this attribute when the middleware has no request (commands, tasks).
    instance._history_user = user
    return instance


def _require_gemeente(user, gemeente: Gemeente) -> None:
    if not user.gemeenten.filter(pk=gemeente.pk).exists():
        raise ValidationError({"gemeente": "U werkt niet voor deze gemeente."})


def _today() -> dt.date:
    return timezone.localdate()


# --- children and households -------------------------------------------------------------


def child_possible_duplicates(*, user, first_name: str, last_name: str, birth_date: dt.date | None, bsn: str = ""):
    """Children this user can see that may be the same child: same name and birth date, or same BSN.

    Returns (visible matches, bsn_elsewhere) where bsn_elsewhere says the BSN is on a file of a
    gemeente the user does not serve — without revealing anything about that file.
    """
    visible = Child.objects.visible_to(user)
    matches = Child.objects.none()
    if first_name and last_name and birth_date:
        matches = visible.filter(
            first_name__iexact=first_name.strip(), last_name__iexact=last_name.strip(), birth_date=birth_date
        )
    bsn_elsewhere = False
    if bsn:
        matches = matches | visible.filter(bsn=bsn)
        bsn_elsewhere = Child.objects.filter(bsn=bsn).exclude(pk__in=visible.values("pk")).exists()
    return matches.select_related("gemeente").distinct(), bsn_elsewhere


def child_register(
    *,
    user,
    gemeente: Gemeente,
    first_name: str,
    last_name: str,
    birth_date: dt.date,
    name_prefix: str = "",
    bsn: str = "",
    household: Household | None = None,
    household_name: str = "",
) -> Child:
    """Register a child, with an existing household of the same gemeente or a new one."""
    _require_gemeente(user, gemeente)
    errors = {}
    if birth_date > _today():
        errors["birth_date"] = "De geboortedatum ligt in de toekomst."
    if bsn and not bsn_is_valid(bsn):
        errors["bsn"] = "Dit is geen geldig BSN (het voldoet niet aan de elfproef)."
    elif bsn and Child.objects.filter(bsn=bsn).exists():
        errors["bsn"] = (
            "Er bestaat al een dossier met dit BSN. Zoek het dossier op in plaats van een nieuw aan te maken."
        )
    if household is not None and household.gemeente_id != gemeente.pk:
        errors["household"] = "Dit huishouden hoort bij een andere gemeente."
    if household is None and not household_name.strip():
        errors["household_name"] = "Kies een bestaand huishouden of geef het nieuwe huishouden een naam."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if household is None:
            household = as_user(Household(gemeente=gemeente, name=household_name.strip()), user)
            household.save()
        child = as_user(
            Child(
                gemeente=gemeente,
                household=household,
                first_name=first_name.strip(),
                name_prefix=name_prefix.strip(),
                last_name=last_name.strip(),
                birth_date=birth_date,
                bsn=bsn or None,
            ),
            user,
        )
        try:
            with transaction.atomic():
                child.save()
        except IntegrityError:
            # Two registrations of the same BSN at once: the unique constraint decides.
            raise ValidationError({"bsn": "Er bestaat al een dossier met dit BSN."}) from None
    return child


def case_file_read(*, user, child: Child, action: str = "inzage dossier") -> None:
    """Log a read of a case file (NEN 7513: who, when, which child, which gemeente)."""
    CaseAccessLog.objects.create(
        user=user, child=child, case_number=child.case_number, gemeente_id=child.gemeente_id, action=action
    )


# --- trajectories -------------------------------------------------------------------------


def _check_trajectory_dates(*, start: dt.date, planned_end: dt.date, referral, errors: dict) -> None:
    if planned_end < start:
        errors["planned_end_date"] = "De geplande einddatum ligt vóór de startdatum."
    if referral is not None and start < referral.date:
        errors["start_date"] = f"Het traject kan niet starten vóór de verwijzing van {referral.date:%d-%m-%Y}."


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
) -> Trajectory:
    """Start a trajectory; the product's tariff, financing and norm in force today are kept on it."""
    errors: dict = {}
    if referral is not None and referral.child_id != child.pk:
        errors["referral"] = "Deze verwijzing hoort bij een andere jeugdige."
    _check_trajectory_dates(start=start_date, planned_end=planned_end_date, referral=referral, errors=errors)
    if volume is None or volume <= 0:
        errors["volume"] = "Het volume moet groter zijn dan nul."
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
) -> Trajectory:
    """Correct a trajectory. `version` is the one the user read; a newer one means a conflict."""
    with transaction.atomic():
        locked = _locked_trajectory(trajectory, version)
        errors: dict = {}
        if locked.end_date is not None:
            errors["__all__"] = "Dit traject is beëindigd en kan niet meer worden gewijzigd."
        _check_trajectory_dates(start=start_date, planned_end=planned_end_date, referral=locked.referral, errors=errors)
        if volume is None or volume <= 0:
            errors["volume"] = "Het volume moet groter zijn dan nul."
        if outside_budget and not outside_budget_reason.strip():
            errors["outside_budget_reason"] = "Geef aan waarom deze zorg buiten het budget valt."
        if errors:
            raise ValidationError(errors)
        locked.provider = provider
        locked.start_date = start_date
        locked.planned_end_date = planned_end_date
        locked.volume = volume
        locked.frequency = frequency
        locked.outside_budget = outside_budget
        locked.outside_budget_reason = outside_budget_reason.strip() if outside_budget else ""
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
            errors["end_date"] = f"De einddatum ligt vóór de startdatum ({locked.start_date:%d-%m-%Y})."
        if end_date > _today():
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
        request_evaluation([locked.child_id])
    return locked


# --- extensions (verlengingen) ----------------------------------------------------------------


def extension_request(
    *, user, trajectory: Trajectory, requested_end_date: dt.date, reason: str, requested_volume: Decimal | None = None
) -> Extension:
    errors = {}
    if trajectory.end_date is not None:
        errors["__all__"] = "Een beëindigd traject kan niet worden verlengd."
    elif trajectory.extensions.filter(status=ExtensionStatus.PENDING).exists():
        errors["__all__"] = "Er loopt al een verlengingsaanvraag voor dit traject."
    if requested_end_date <= trajectory.planned_end_date:
        errors["requested_end_date"] = (
            f"De gevraagde einddatum moet na de huidige einddatum ({trajectory.planned_end_date:%d-%m-%Y}) liggen."
        )
    if requested_volume is not None and requested_volume <= 0:
        errors["requested_volume"] = "Het volume moet groter zijn dan nul."
    if not reason.strip():
        errors["reason"] = "Geef de reden van de verlenging."
    if errors:
        raise ValidationError(errors)
    extension = as_user(
        Extension(
            trajectory=trajectory,
            requested_end_date=requested_end_date,
            requested_volume=requested_volume,
            reason=reason.strip(),
            requested_by=user,
        ),
        user,
    )
    extension.save()
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
                    f"({trajectory.planned_end_date:%d-%m-%Y}) en vóór de gevraagde "
                    f"({locked.requested_end_date:%d-%m-%Y})."
                )
            if granted_volume is not None and granted_volume <= 0:
                errors["granted_volume"] = "Het volume moet groter zijn dan nul."
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
            trajectory.version += 1
            as_user(trajectory, user).save()
        request_evaluation([trajectory.child_id])
    return locked


# --- stop-strategy reviews -------------------------------------------------------------------


def review_plan(*, user, trajectory: Trajectory, due_date: dt.date) -> StopReview:
    errors = {}
    if trajectory.end_date is not None:
        errors["__all__"] = "Voor een beëindigd traject plant u geen review."
    if due_date < trajectory.start_date:
        errors["due_date"] = "De reviewdatum ligt vóór de start van het traject."
    if errors:
        raise ValidationError(errors)
    review = as_user(StopReview(trajectory=trajectory, due_date=due_date, planned_by=user), user)
    review.save()
    request_evaluation([trajectory.child_id])
    return review


def review_record(*, user, review: StopReview, done_date: dt.date, outcome: str, note: str = "") -> StopReview:
    errors = {}
    if review.done_date is not None:
        errors["__all__"] = "Deze review is al vastgelegd."
    if done_date > _today():
        errors["done_date"] = "De datum van uitvoering ligt in de toekomst."
    if done_date < review.trajectory.start_date:
        errors["done_date"] = "De review ligt vóór de start van het traject."
    if outcome not in ReviewOutcome.values:
        errors["outcome"] = "Kies de uitkomst van de review."
    if errors:
        raise ValidationError(errors)
    review.done_date = done_date
    review.outcome = outcome
    review.note = note.strip()
    review.done_by = user
    as_user(review, user).save()
    request_evaluation([review.trajectory.child_id])
    return review
