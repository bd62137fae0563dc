"""Woonplaatsbeginsel: which gemeente pays for a child's care.

The rule as jeugdregie applies it (issue #10, after Jeugdwet art. 1.1 "woonplaats"): the gemeente where
the gezaghebbende lives. A gezaghebbende who lives in the household lives at the household's address;
otherwise the first gezaghebbende recorded counts with their own address (a separated parent, a voogd).
When neither is known, the gemeente of the file pays — the address is then simply not yet recorded.
"""

from collections.abc import Iterable

from .models import Gemeente, Guardian, Household


def paying_gemeente(household: Household, guardians: Iterable[Guardian] | None = None) -> Gemeente:
    """The paying gemeente. Pass the household's guardians if already loaded (ordered as recorded)."""
    if guardians is None:
        guardians = household.guardians.select_related("residence_gemeente").order_by("pk")
    with_gezag = [g for g in sorted(guardians, key=lambda g: g.pk) if g.has_gezag]
    if any(g.lives_in_household for g in with_gezag):
        if household.residence_gemeente_id is not None:
            return household.residence_gemeente
    elif with_gezag and with_gezag[0].residence_gemeente_id is not None:
        return with_gezag[0].residence_gemeente
    return household.gemeente
