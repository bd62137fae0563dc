"""Writes on the household as the worker knows it: its address and the adults with gezag.

A change that moves the paying gemeente (woonplaatsbeginsel, cases/residence.py) away from the file's
gemeente becomes a handover task (overdracht) for each open child of the household, instead of care
billed to the wrong gemeente; a move back cancels those tasks.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import Child, Gemeente, Guardian, GuardianRelation, Household, Role, Task, TaskKind, TaskOrigin
from ..residence import paying_gemeente
from .common import as_user, today
from .work import task_cancel, task_create

HANDOVER_DAYS = 14
# Dutch postcode: four digits, not starting with 0, and two letters; SA, SD and SS are not issued.
POSTCODE = re.compile(r"^\s*([1-9]\d{3})\s?([A-Za-z]{2})\s*$")
HOUSE_NUMBER = re.compile(r"^\s*(\d{1,5})(?:\s*[-\s]?\s*([A-Za-z0-9]{1,6}))?\s*$")


@dataclass
class Address:
    postcode: str = ""
    house_number: str = ""
    city: str = ""
    residence_gemeente: Gemeente | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.postcode.strip() or self.house_number.strip() or self.city.strip() or self.residence_gemeente)


def address_clean(address: Address, errors: dict, prefix: str = "") -> Address:
    """The address normalised ("1234ab" -> "1234 AB"), or Dutch messages in `errors` keyed by field.

    All empty is allowed (address not known yet); otherwise every part is needed.
    """
    if address.is_empty:
        return Address()
    cleaned = Address(city=" ".join(address.city.split()), residence_gemeente=address.residence_gemeente)
    match = POSTCODE.match(address.postcode or "")
    if not address.postcode.strip():
        errors[f"{prefix}postcode"] = "Vul de postcode in."
    elif not match or match.group(2).upper() in {"SA", "SD", "SS"}:
        errors[f"{prefix}postcode"] = "Dit is geen Nederlandse postcode. Schrijf hem als 1234 AB."
    else:
        cleaned.postcode = f"{match.group(1)} {match.group(2).upper()}"
    number = HOUSE_NUMBER.match(address.house_number or "")
    if not address.house_number.strip():
        errors[f"{prefix}house_number"] = "Vul het huisnummer in."
    elif not number or int(number.group(1)) == 0:
        errors[f"{prefix}house_number"] = "Vul een huisnummer in, eventueel met toevoeging: 12, 12a of 12-2."
    else:
        cleaned.house_number = number.group(1) + (
            ("-" if number.group(2).isdigit() else "") + number.group(2).lower() if number.group(2) else ""
        )
    if not cleaned.city:
        errors[f"{prefix}city"] = "Vul de woonplaats in."
    elif len(cleaned.city) > 80:
        errors[f"{prefix}city"] = "De woonplaats is te lang."
    if cleaned.residence_gemeente is None:
        errors[f"{prefix}residence_gemeente"] = "Kies de gemeente waar dit adres ligt."
    return cleaned


def _require_gemeente(user, household: Household) -> None:
    if not user.serves(household.gemeente_id):
        raise ValidationError({"__all__": "U werkt niet voor de gemeente van dit huishouden."})


def _set_address(target, address: Address) -> None:
    target.postcode = address.postcode
    target.house_number = address.house_number
    target.city = address.city
    target.residence_gemeente = address.residence_gemeente


def household_update_address(*, user, household: Household, address: Address) -> Household:
    """Record or change the household's address; a move to another gemeente hands the children over."""
    _require_gemeente(user, household)
    errors = {}
    address = address_clean(address, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Household.objects.select_for_update().get(pk=household.pk)
        before = paying_gemeente(locked)
        _set_address(locked, address)
        locked._change_reason = "adres gewijzigd"
        as_user(locked, user).save(update_fields=["postcode", "house_number", "city", "residence_gemeente"])
        household_handover(user=user, household=locked, before=before)
    return locked


def _guardian_clean(
    *, name: str, relation: str, has_gezag: bool, lives_in_household: bool, address: Address
) -> tuple[dict, Address]:
    errors = {}
    if not (name or "").strip():
        errors["name"] = "Vul de naam in."
    elif len(name.strip()) > 120:
        errors["name"] = "De naam is te lang (meer dan 120 tekens)."
    if relation not in GuardianRelation.values:
        errors["relation"] = "Kies de relatie tot het kind."
    if lives_in_household:
        address = Address()  # the household's address applies
    else:
        address = address_clean(address, errors)
        if address.is_empty and has_gezag and "postcode" not in errors:
            errors["residence_gemeente"] = (
                "Vul het adres in: wie gezag heeft en elders woont, bepaalt welke gemeente betaalt."
            )
    return errors, address


def guardian_add(
    *,
    user,
    household: Household,
    name: str,
    relation: str,
    has_gezag: bool = True,
    lives_in_household: bool = True,
    address: Address | None = None,
) -> Guardian:
    """Record a parent or other adult (with or without gezag) of the household."""
    _require_gemeente(user, household)
    errors, address = _guardian_clean(
        name=name,
        relation=relation,
        has_gezag=has_gezag,
        lives_in_household=lives_in_household,
        address=address or Address(),
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Household.objects.select_for_update().get(pk=household.pk)
        before = paying_gemeente(locked)
        guardian = Guardian(
            household=locked,
            name=" ".join(name.split()),
            relation=relation,
            has_gezag=has_gezag,
            lives_in_household=lives_in_household,
        )
        _set_address(guardian, address)
        guardian._change_reason = "ouder of gezaghebbende toegevoegd"
        as_user(guardian, user).save()
        household_handover(user=user, household=locked, before=before)
    return guardian


def guardian_change(
    *,
    user,
    guardian: Guardian,
    name: str,
    relation: str,
    has_gezag: bool,
    lives_in_household: bool,
    address: Address | None = None,
) -> Guardian:
    """Change a guardian: name, gezag, or address (a move of a gezaghebbende may hand the children over)."""
    _require_gemeente(user, guardian.household)
    errors, address = _guardian_clean(
        name=name,
        relation=relation,
        has_gezag=has_gezag,
        lives_in_household=lives_in_household,
        address=address or Address(),
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=guardian.household_id)
        before = paying_gemeente(household)
        locked = Guardian.objects.get(pk=guardian.pk)
        locked.name = " ".join(name.split())
        locked.relation = relation
        locked.has_gezag = has_gezag
        locked.lives_in_household = lives_in_household
        _set_address(locked, address)
        locked._change_reason = "gegevens gewijzigd"
        as_user(locked, user).save()
        household_handover(user=user, household=household, before=before)
    return locked


def guardian_remove(*, user, guardian: Guardian, reason: str) -> None:
    """Remove a guardian (deceased, gezag ended, recorded by mistake); the history keeps the record and why."""
    _require_gemeente(user, guardian.household)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Geef een reden waarom deze persoon niet meer bij het huishouden hoort."})
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=guardian.household_id)
        before = paying_gemeente(household)
        locked = Guardian.objects.get(pk=guardian.pk)
        locked._change_reason = reason.strip()[:100]
        as_user(locked, user).delete()
        household_handover(user=user, household=household, before=before)


def household_handover(*, user, household: Household, before: Gemeente, due_date: dt.date | None = None) -> int:
    """After a change: if the paying gemeente moved away from the file's gemeente, one handover task per
    open child (for its casusregisseur, or the toegang role of its gemeente); if it moved back, those
    tasks lapse. Keyed per child, so running it twice makes no second task. Returns the children handed over."""
    after = paying_gemeente(household)
    if after.pk == before.pk:
        return 0
    children = list(Child.objects.filter(household=household, closed_on__isnull=True).select_related("owner"))
    if after.pk == household.gemeente_id:
        for task in Task.objects.open().filter(key__in=[f"overdracht:{c.pk}" for c in children]):
            task_cancel(user=user, task=task, reason=f"Woonplaats weer in {after.name}: geen overdracht nodig.")
        return 0
    for child in children:
        owner = child.owner
        if owner is not None and not (owner.is_active and owner.serves(child.gemeente_id)):
            owner = None  # a casusregisseur who left: the team picks it up
        title = f"Overdracht aan {after.name}: het gezag woont daar (woonplaatsbeginsel)"
        task = task_create(
            user=user,
            child=child,
            kind=TaskKind.HANDOVER,
            due_date=due_date or today() + dt.timedelta(days=HANDOVER_DAYS),
            title=title,
            owner=owner,
            owner_role="" if owner else Role.TOEGANG,
            origin=TaskOrigin.MOVE,
            key=f"overdracht:{child.pk}",
        )
        if task.title != title:  # moved on again before the handover: the open task names the new gemeente
            task.title = title
            as_user(task, user).save(update_fields=["title"])
    return len(children)
