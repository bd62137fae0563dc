"""Writes on the child and the household, and the inzagelog of a case file."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ..models import CaseAccessLog, Child, Gemeente, Household, Role
from ..validators import bsn_is_valid
from .common import as_user, today
from .household import Address, address_clean, household_handover


def _require_gemeente(user, gemeente: Gemeente) -> None:
    if not user.gemeenten.filter(pk=gemeente.pk).exists():
        raise ValidationError({"gemeente": "U werkt niet voor deze gemeente."})


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


_REGISTRAR = object()  # default owner: the user who registers, if a toegangsmedewerker


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
    household_address: Address | None = None,
    owner=_REGISTRAR,
) -> Child:
    """Register a child, with an existing household of the same gemeente or a new one.

    The casusregisseur is whoever registers (a toegangsmedewerker) unless `owner` names another, or
    None to leave the child unassigned (imports do).
    """
    _require_gemeente(user, gemeente)
    errors = {}
    if birth_date > today():
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
    address = Address()
    if household_address is not None and not household_address.is_empty:
        if household is not None:
            errors["household_postcode"] = (
                "Het adres hoort bij een nieuw huishouden; wijzig een bestaand adres op de pagina van het huishouden."
            )
        else:
            address = address_clean(household_address, errors, prefix="household_")
    if owner is _REGISTRAR:
        owner = user if user.role == Role.TOEGANG else None
    elif owner is not None and (
        owner.role != Role.TOEGANG or not owner.is_active or not owner.gemeenten.filter(pk=gemeente.pk).exists()
    ):
        errors["owner"] = "De casusregisseur moet een toegangsmedewerker van deze gemeente zijn."
    if errors:
        raise ValidationError(errors)
    joins_household = household is not None
    with transaction.atomic():
        if household is None:
            household = Household(
                gemeente=gemeente,
                name=household_name.strip(),
                lead_worker=owner,
                postcode=address.postcode,
                house_number=address.house_number,
                city=address.city,
                residence_gemeente=address.residence_gemeente,
            )
            as_user(household, user)
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
                owner=owner,
            ),
            user,
        )
        try:
            with transaction.atomic():
                child.save()
        except IntegrityError:
            # Two registrations of the same BSN at once: the unique constraint decides.
            raise ValidationError({"bsn": "Er bestaat al een dossier met dit BSN."}) from None
        if joins_household:
            # A child joining a household whose gezaghebbende lives in another gemeente is handed over too.
            household_handover(user=user, household=Household.objects.get(pk=household.pk), before=gemeente)
    return child


def case_file_read(*, user, child: Child, action: str = "inzage dossier") -> None:
    """Log a read of a case file (NEN 7513: who, when, which child, which gemeente)."""
    CaseAccessLog.objects.create(
        user=user, child=child, case_number=child.case_number, gemeente_id=child.gemeente_id, action=action
    )


def case_files_listed(*, user, children, action: str) -> None:
    """Log that a page listed these children (names, case numbers): one insert for the whole list."""
    CaseAccessLog.objects.bulk_create(
        CaseAccessLog(
            user=user, child_id=child.pk, case_number=child.case_number, gemeente_id=child.gemeente_id, action=action
        )
        for child in {child.pk: child for child in children}.values()
    )
