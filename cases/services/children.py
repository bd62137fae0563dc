"""Writes on the child and the household. The inzagelog is cases/readlog.py."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ..models import Child, Gemeente, Household, Role
from ..validators import bsn_is_valid
from .common import as_user, today
from .household import Address, address_clean, household_handover


def _require_gemeente(user, gemeente: Gemeente) -> None:
    if not user.serves(gemeente.pk):
        raise ValidationError({"gemeente": "U werkt niet voor deze gemeente."})


# A jeugdige is at most a young adult; anything before this is a typing error (0001-01-01, 1015 for 2015).
EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)

# One neutral answer when a BSN is on a file the user may not see: it says neither where nor whose.
BSN_ELSEWHERE = (
    "Dit BSN kan hier niet worden geregistreerd. Neem contact op met de functioneel beheerder; uw poging is vastgelegd."
)


def child_possible_duplicates(*, user, first_name: str, last_name: str, birth_date: dt.date | None, bsn: str = ""):
    """Children this user can see that may be the same child: same name and birth date, or same BSN.

    Only the user's own gemeenten are searched: the check, run while typing, must not tell whether a
    BSN is on another gemeente's file (that would tell the youth-care status of a child elsewhere).
    """
    visible = Child.objects.visible_to(user)
    matches = Child.objects.none()
    if first_name and last_name and birth_date:
        matches = visible.filter(
            first_name__iexact=first_name.strip(), last_name__iexact=last_name.strip(), birth_date=birth_date
        )
    if bsn:
        matches = matches | visible.filter(bsn=bsn)
    return matches.select_related("gemeente").distinct()


def child_bsn_elsewhere(*, user, bsn: str) -> Child | None:
    """The file with this BSN in a gemeente the user does not serve, if any — for the inzagelog only."""
    if not bsn:
        return None
    return Child.objects.filter(bsn=bsn).exclude(gemeente__in=user.gemeenten.all()).first()


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
    elif birth_date < EARLIEST_BIRTH_DATE:
        errors["birth_date"] = "Deze geboortedatum kan niet kloppen: vul een datum na 1 januari 1900 in."
    if bsn and not bsn_is_valid(bsn):
        errors["bsn"] = "Dit is geen geldig BSN (het voldoet niet aan de elfproef)."
    elif bsn and Child.objects.visible_to(user).filter(bsn=bsn).exists():
        errors["bsn"] = (
            "Er bestaat al een dossier met dit BSN. Zoek het dossier op in plaats van een nieuw aan te maken."
        )
    elif bsn and Child.objects.filter(bsn=bsn).exists():
        errors["bsn"] = BSN_ELSEWHERE
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
    elif owner is not None and (owner.role != Role.TOEGANG or not owner.is_active or not owner.serves(gemeente.pk)):
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
            raise ValidationError({"bsn": BSN_ELSEWHERE}) from None
        if joins_household:
            # A child joining a household whose gezaghebbende lives in another gemeente is handed over too.
            household_handover(user=user, household=Household.objects.get(pk=household.pk), before=gemeente)
    return child
