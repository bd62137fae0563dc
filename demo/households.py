"""The household as the worker knows it: an address in the gemeente's postcode range, the parents or a
voogd with gezag, and a few families whose gezaghebbende moved to the other demo gemeente, each child
with its open handover task (woonplaatsbeginsel, cases/residence.py).

Drawn from its own seeded generator, so the case files' draws (and so the calibrated figures) do not
change. Set-based, with history, like the rest of the demo.
"""

import datetime as dt
import random
import string

from simple_history.utils import bulk_create_with_history

from cases.models import Child, Guardian, GuardianRelation, Household, Role, Task, TaskKind, TaskOrigin
from demo.figures import PROEFDORP, VOORBEELDSTAD
from demo.history import BATCH, given_timestamps, mark, model_field, store_as_logged

# Postcode ranges and woonplaatsen. Voorbeeldstad is modelled on Leidschendam-Voorburg (2261-2275);
# Proefdorp is fictional and gets a range of its own.
AREAS = {
    VOORBEELDSTAD[0]: (("Voorburg", 2271, 2275, 5), ("Leidschendam", 2261, 2267, 4), ("Stompwijk", 2264, 2264, 1)),
    PROEFDORP[0]: (("Proefdorp", 2641, 2645, 1),),
}
# Certified institutions (gecertificeerde instellingen) that take up a voogdij, with an office address.
VOOGDEN = (
    "Jeugdbescherming west",
    "William Schrikker Stichting Jeugdbescherming",
    "Leger des Heils Jeugdbescherming & Reclassering",
)
MOTHERS = ("Samira", "Linda", "Fatma", "Sanne", "Marieke", "Nadia", "Esther", "Yasmin", "Kim", "Ilse", "Hatice")
FATHERS = ("Mohamed", "Mark", "Dennis", "Ahmet", "Jeroen", "Rachid", "Bas", "Kevin", "Erik", "Youssef", "Tim")
LETTERS = [a + b for a in string.ascii_uppercase for b in string.ascii_uppercase if a + b not in ("SA", "SD", "SS")]
MOVES = {VOORBEELDSTAD[0]: 6, PROEFDORP[0]: 2}  # households whose gezaghebbende moved to the other gemeente
HANDOVER_DAYS = 14


def draw_address(rng: random.Random, code: str) -> dict:
    city, low, high, _ = rng.choices(AREAS[code], weights=[a[3] for a in AREAS[code]])[0]
    number = str(rng.randint(1, 240))
    suffix = rng.random()
    if suffix < 0.08:
        number += rng.choice("abc")
    elif suffix < 0.12:
        number += f"-{rng.randint(1, 4)}"
    return {"postcode": f"{rng.randint(low, high)} {rng.choice(LETTERS)}", "house_number": number, "city": city}


def give_addresses(households, gemeente) -> None:
    """Set an address on each (unsaved) household of the gemeente, drawn from its own generator."""
    rng = random.Random(f"adressen-{gemeente.code}")
    for household in households:
        for name, value in draw_address(rng, gemeente.code).items():
            setattr(household, name, value)
        household.residence_gemeente = gemeente


def _surname(household_name: str) -> str:
    name = household_name.removeprefix("Gezin ").strip()
    first, _, rest = name.partition(" ")
    return f"{first.lower()} {rest}" if rest and first.lower() in ("de", "van", "el") else name


def write_guardians(gemeenten: dict, staff: dict, clock, today: dt.date) -> None:
    """Parents and voogden for every demo household, then the moves and their handover tasks."""
    for code, gemeente in gemeenten.items():
        toegang = staff[code]
        rng = random.Random(f"gezag-{code}")
        other = next(g for c, g in gemeenten.items() if c != code)
        households = list(Household.objects.filter(gemeente=gemeente).order_by("pk"))
        guardians = []
        movers = set(rng.sample(range(len(households)), min(MOVES.get(code, 0), len(households))))
        moved_entries = []
        for n, household in enumerate(households):
            when = clock.at(household.created_at.date(), 9, 16)
            surname = _surname(household.name)
            mother = Guardian(household=household, name=f"{rng.choice(MOTHERS)} {surname}", relation="moeder")
            father = Guardian(household=household, name=f"{rng.choice(FATHERS)} {surname}", relation="vader")
            if n in movers:
                # The mother has gezag alone and moved to the other demo gemeente; the children stay
                # with their father (no gezag) until the file is handed over.
                father.has_gezag = False
                moved = today - dt.timedelta(days=rng.randint(2, 25))
                address = draw_address(rng, other.code)
                moved_mother = Guardian(
                    household=household,
                    name=mother.name,
                    relation=GuardianRelation.MOTHER,
                    lives_in_household=False,
                    residence_gemeente=other,
                    **address,
                )
                moved_entries.append(
                    (
                        mark(moved_mother, toegang, when),
                        {"lives_in_household": True, "residence_gemeente": None, **dict.fromkeys(address, "")},
                        [
                            (
                                clock.at(moved, 11),
                                toegang,
                                {"lives_in_household": False, "residence_gemeente": other, **address},
                            )
                        ],
                    )
                )
                guardians.append(mark(father, toegang, when))
                household.moved_on = moved
                continue
            kind = rng.random()
            if kind < 0.55:  # two parents at home, both with gezag
                guardians += [mark(mother, toegang, when), mark(father, toegang, when)]
            elif kind < 0.80:  # one parent at home
                guardians.append(mark(mother if rng.random() < 0.8 else father, toegang, when))
            elif kind < 0.95:  # separated: both with gezag, one at another address of the gemeente
                father.lives_in_household = False
                father.residence_gemeente = gemeente
                for name, value in draw_address(rng, code).items():
                    setattr(father, name, value)
                guardians += [mark(mother, toegang, when), mark(father, toegang, when)]
            else:  # a voogd (GI) has gezag; the child lives with pleegouders
                voogd = Guardian(
                    household=household,
                    name=rng.choice(VOOGDEN),
                    relation=GuardianRelation.GUARDIAN,
                    lives_in_household=False,
                    residence_gemeente=gemeente,
                    **draw_address(rng, code),
                )
                foster = Guardian(
                    household=household,
                    name=f"{rng.choice(MOTHERS)} {rng.choice(('Bos', 'Kramer', 'Peters'))}",
                    relation=GuardianRelation.FOSTER,
                    has_gezag=False,
                )
                guardians += [mark(voogd, toegang, when), mark(foster, toegang, when)]
        bulk_create_with_history(guardians, Guardian, batch_size=BATCH)
        if moved_entries:
            store_as_logged(Guardian, moved_entries)
        _handover_tasks([h for h in households if hasattr(h, "moved_on")], other, toegang, clock)


def _handover_tasks(households, other, toegang, clock) -> None:
    """Each open child of a moved household gets its handover task, as `household_handover` makes it."""
    moved_on = {h.pk: h.moved_on for h in households}
    children = Child.objects.filter(household__in=households, closed_on__isnull=True).select_related("owner")
    tasks = []
    for child in children:
        moved = moved_on[child.household_id]
        owner = child.owner if child.owner is not None and child.owner.is_active else None
        tasks.append(
            mark(
                Task(
                    child=child,
                    gemeente_id=child.gemeente_id,
                    kind=TaskKind.HANDOVER,
                    title=f"Overdracht aan {other.name}: het gezag woont daar (woonplaatsbeginsel)",
                    due_date=moved + dt.timedelta(days=HANDOVER_DAYS),
                    owner=owner,
                    owner_role="" if owner else Role.TOEGANG,
                    origin=TaskOrigin.MOVE,
                    key=f"overdracht:{child.pk}",
                    created_by=toegang,
                    created_at=clock.at(moved, 11, 5),
                ),
                toegang,
                clock.at(moved, 11, 5),
            )
        )
    with given_timestamps(model_field(Task, "created_at")):
        bulk_create_with_history(tasks, Task, batch_size=BATCH)
