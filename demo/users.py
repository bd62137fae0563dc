"""The demo users: one login per role, their gemeenten and the beheerder's admin permissions."""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db.models import Q
from simple_history.utils import bulk_create_with_history

from cases.models import Gemeente, Role, User
from demo.figures import PROEFDORP, VOORBEELDSTAD
from demo.history import BATCH

DEMO_PASSWORD = "demo-jeugdregie"

# username, first name, last name, role, gemeente codes
DEMO_USERS = (
    ("toegang", "Fatima", "El Idrissi", Role.TOEGANG, ("9901",)),  # team lead of the toegang team
    ("toegang.jansen", "Peter", "Jansen", Role.TOEGANG, ("9901",)),
    ("toegang.bakker", "Sanne", "Bakker", Role.TOEGANG, ("9901",)),
    ("toegang.ozturk", "Emre", "Öztürk", Role.TOEGANG, ("9901",)),
    ("toets", "Joost", "van Dijk", Role.TOETS, ("9901",)),
    ("regisseur", "Marloes", "Verbeek", Role.REGISSEUR, ("9901",)),
    ("beleid", "Ruud", "Hendriks", Role.BELEID, ("9901",)),
    ("beheer", "Anouk", "Smit", Role.BEHEER, ("9901", "9902")),
    ("toegang.proefdorp", "Bram", "Kuipers", Role.TOEGANG, ("9902",)),
    # Proefdorp's extensions need a toetser of Proefdorp to decide them.
    ("toets.proefdorp", "Esra", "Yıldız", Role.TOETS, ("9902",)),
)
TEAM_VOORBEELDSTAD = ("toegang", "toegang.jansen", "toegang.bakker", "toegang.ozturk")
# The beheerder's admin permissions: the reference data (DOMAIN.md §2), the read-only access log.
# Case data (children, referrals, trajectories) is not a beheerder's to read (minimum data, §8).
BEHEER_PERMISSIONS = {
    "gemeente": ("add", "change", "view"),
    "youthpopulation": ("add", "change", "delete", "view"),
    "segmentbudget": ("add", "change", "delete", "view"),
    "user": ("add", "change", "view"),
    "segment": ("add", "change", "view"),
    "product": ("add", "change", "view"),
    "provider": ("add", "change", "view"),
    "caseaccesslog": ("view",),
}


def write_users() -> dict:
    password = make_password(DEMO_PASSWORD)  # hashed once: the same password for every demo login
    users = [
        User(
            username=username,
            first_name=first,
            last_name=last,
            role=role,
            password=password,
            email=f"{username}@voorbeeldstad.example",
            is_staff=(role == Role.BEHEER),
        )
        for username, first, last, role, _ in DEMO_USERS
    ]
    users = {u.username: u for u in bulk_create_with_history(users, User, batch_size=BATCH)}
    wanted = Q()
    for model, actions in BEHEER_PERMISSIONS.items():
        wanted |= Q(content_type__model=model, codename__in=[f"{a}_{model}" for a in actions])
    permissions = Permission.objects.filter(wanted, content_type__app_label="cases")
    PermThrough = User.user_permissions.through
    PermThrough.objects.bulk_create([PermThrough(user_id=users["beheer"].pk, permission_id=p.pk) for p in permissions])
    reassign = Permission.objects.get(content_type__app_label="cases", codename="reassign_children")
    PermThrough.objects.create(user_id=users["toegang"].pk, permission_id=reassign.pk)  # the team lead
    return users


def give_gemeenten(users: dict, gemeenten: dict) -> None:
    Through = User.gemeenten.through
    Through.objects.bulk_create(
        [
            Through(user_id=users[username].pk, gemeente_id=gemeenten[code].pk)
            for username, *_, codes in DEMO_USERS
            for code in codes
        ]
    )


def format_logins() -> str:
    names = dict(Gemeente.objects.filter(code__in=[VOORBEELDSTAD[0], PROEFDORP[0]]).values_list("code", "name"))
    lines = [f"Demo-inloggegevens (wachtwoord voor iedereen: {DEMO_PASSWORD}):"]
    for username, first, last, role, codes in DEMO_USERS:
        where = " + ".join(names.get(code, code) for code in codes)
        lines.append(f"  {username:<20}{Role(role).label:<24}{first + ' ' + last:<22}{where}")
    return "\n".join(lines)
