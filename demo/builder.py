"""Demo data: two fictional gemeenten to click through, calibrated to real council figures.

Voorbeeldstad (CBS code 9901) reproduces the 2024 Leidschendam-Voorburg figures of DOMAIN.md §5:
per segment the spend and the number of youths with care in 2024. Proefdorp (9902) is the same
generator at about 150 youths, there to show that one gemeente never sees the other.

The build has two halves:

- `plan_demo` draws everything in memory from one seeded random generator (pure Python, no
  database) and calibrates it: the number of youths per segment in 2024 is met by construction,
  the spend by one factor per segment on the tariffs (printed, so nobody mistakes it for luck).
- `write_demo` stores the plan set-based and with history (bulk_create_with_history, or for rows
  that changed after they were logged, `_store_as_logged`): a "+" row for the first logging and a
  "~" row for each later event — a referral's outcome, a decided extension, the end of a
  trajectory — each dated on the day it happened and attributed to the demo user whose role does
  that work.

Financing: DOMAIN.md §4 says segments 1-4 are bought taakgericht from 1 January 2027. Everything
allocated before that date was P × Q (the catalogue's inspanningsgericht products), so the 2024
spend per segment, including segment 2, is a real P × Q sum. Trajectories of segments 1-4 that
start on or after TASK_FINANCING_FROM get no per-case price, as the services would give them.
"""

import copy
import datetime as dt
import math
import random
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from cases.codes import EndReason, Financing, Frequency, ReferrerType, Unit
from cases.models import (
    Child,
    Extension,
    ExtensionStatus,
    Gemeente,
    Household,
    Product,
    Provider,
    ReviewOutcome,
    Role,
    Segment,
    SegmentBudget,
    StopReview,
    Trajectory,
    User,
    YouthPopulation,
    daily_cost,
)
from cases.product_catalogue import load_catalogue
from referrals.models import Referral, ReferralOutcome, RequestCategory

DEFAULT_SEED = 2024
DEMO_PASSWORD = "demo-jeugdregie"
VOORBEELDSTAD = ("9901", "Voorbeeldstad")
PROEFDORP = ("9902", "Proefdorp")
LOGGED_FROM = dt.date(2021, 1, 1)  # the gemeente logs in jeugdregie from here on
# Care is drawn as a steady flow from PROCESS_FROM; children whose care ended before LOGGED_FROM are
# left out, those still in care then are the files carried over at go-live. Without that run-in
# 2021-2023 would show a ramp (1,100 youths in 2021) instead of a gemeente in steady state.
PROCESS_FROM = dt.date(2019, 1, 1)
CALIBRATION_YEAR = 2024
TASK_FINANCING_FROM = dt.date(2027, 1, 1)
BATCH = 500

# DOMAIN.md §5, Leidschendam-Voorburg 2024: segment -> (spend in €, youths with care in the year).
TARGETS = {
    1: (Decimal("5980316"), 155),
    2: (Decimal("2410000"), 383),
    3: (Decimal("1356117"), 51),
    4: (Decimal("1573090"), 96),
    5: (Decimal("11061082"), 1959),
}
TARGET_YOUTHS_TOTAL = 2600  # "about 2,600 youths in care" (issue 2)
VOORBEELDSTAD_POPULATION = 17000  # youths 0-17; about 1 in 7, as in Haaglanden
PROEFDORP_SHARE = 0.058  # Proefdorp is ~150 youths in care: 5.8% of Voorbeeldstad
PROEFDORP_POPULATION = 1050

# Tariff index by year, relative to 2024 (the yearly indexation of Dutch youth-care tariffs). A
# trajectory keeps the tariff in force when it was allocated; the product carries this year's.
TARIFF_INDEX = {2021: 0.87, 2022: 0.895, 2023: 0.945, 2024: 1.0, 2025: 1.045, 2026: 1.08}


def tariff_index(year: int) -> float:
    if year in TARIFF_INDEX:
        return TARIFF_INDEX[year]
    last = max(TARIFF_INDEX)
    return TARIFF_INDEX[last] * 1.03 ** (year - last)


# --- what the regio buys: products, tariffs, durations ------------------------------------------


@dataclass(frozen=True)
class ProductPlan:
    """How the demo uses one product of the national list (the beheerder's tariff and norm).

    durations: median and spread (lognormal sigma) of how long care with this product really
    lasts, in months; planned: the months a first allocation covers.
    """

    code: str
    segment: int
    weight: int
    tariff: Decimal  # per unit, 2024 price level, before calibration
    volumes: tuple
    frequency: str = Frequency.PER_WEEK
    planned: tuple = (6, 12)
    median: float = 8.0
    sigma: float = 0.7
    norm: int | None = None
    unit: str | None = None  # set where the national default does not fit the regio's contract


W, T = Frequency.PER_WEEK, Frequency.TOTAL
PRODUCTS = [
    # 1 verblijf en crisis: volumes in etmalen per week
    ProductPlan("44A07", 1, 30, Decimal("97"), (7,), W, (12,), 30, 0.8, norm=24),  # pleegzorg
    ProductPlan("43A07", 1, 25, Decimal("380"), (7,), W, (12,), 14, 0.7),  # verblijf incl. behandeling
    ProductPlan("43A10", 1, 14, Decimal("222"), (7,), W, (12,), 24, 0.7, norm=24),  # gezinshuis
    ProductPlan("46A03", 1, 18, Decimal("465"), (7,), W, (1, 2, 3), 1.6, 0.7),  # crisis verblijf (norm 6)
    ProductPlan("43A12", 1, 5, Decimal("610"), (7,), W, (6,), 6, 0.5, norm=6),  # JeugdzorgPlus
    ProductPlan("43A08", 1, 8, Decimal("245"), (2, 3), W, (12,), 15, 0.7),  # deeltijdverblijf (weekends)
    # 2 hoog specialistisch (GGZ, forensisch): hours per week, direct and indirect time
    ProductPlan("45A53", 2, 55, Decimal("128"), (1.5, 2, 2.5), W, (12,), 11, 0.8),
    ProductPlan("45A56", 2, 20, Decimal("134"), (1.5, 2, 3), W, (6, 12), 9, 0.8),
    ProductPlan("45A57", 2, 15, Decimal("131"), (2, 3), W, (6, 12), 10, 0.8),
    ProductPlan("49A01", 2, 10, Decimal("112"), (1.5, 2), W, (6,), 8, 0.7),
    # 3 dagbesteding / dagbehandeling: dagdelen per week
    ProductPlan("41A04", 3, 45, Decimal("132"), (8, 10), W, (12,), 16, 0.7),
    ProductPlan("41A03", 3, 35, Decimal("100"), (6, 8), W, (12,), 14, 0.7),
    ProductPlan("41A18", 3, 20, Decimal("72"), (6, 8), W, (12,), 24, 0.7, norm=24),
    # 4 onderwijs-jeugdhulp: an arrangement in school, contracted per dagdeel (not the national hour)
    ProductPlan("45A49", 4, 70, Decimal("106"), (4, 6, 8), W, (10,), 22, 0.6, unit=Unit.DAY_PART),
    ProductPlan("45A71", 4, 30, Decimal("75"), (4, 6, 8), W, (10,), 22, 0.6, unit=Unit.DAY_PART),
    # 5 veel voorkomend: hours per week (direct and indirect time), or a total for short products
    ProductPlan("45A48", 5, 36, Decimal("86"), (1.5, 2, 2.5, 3), W, (12,), 10, 0.9),
    ProductPlan("45A51", 5, 16, Decimal("92"), (2, 2.5, 3), W, (6, 12), 8, 0.9),
    ProductPlan("45A70", 5, 16, Decimal("63"), (2, 3, 4), W, (12,), 14, 0.9),
    ProductPlan("45A52", 5, 10, Decimal("92"), (3, 4, 5), W, (6,), 9, 0.8),  # intensief, thuis
    ProductPlan("45A06", 5, 8, Decimal("99"), (10, 14, 18), T, (3,), 2.5, 0.4, norm=3),
    ProductPlan("51A01", 5, 8, Decimal("95"), (10, 12, 15), T, (6,), 5, 0.5, norm=6),
    ProductPlan("40A11", 5, 5, Decimal("49"), (4, 6, 8), W, (12,), 18, 0.9),
]
PRODUCTS_BY_SEGMENT = defaultdict(list)
for _product in PRODUCTS:
    PRODUCTS_BY_SEGMENT[_product.segment].append(_product)


@dataclass(frozen=True)
class ProviderPlan:
    agb: str
    name: str
    segments: tuple
    contracted: bool = True


# Fictitious names; AGB codes are 8 digits in a block no real provider is expected to share.
PROVIDERS = [
    ProviderPlan("98900001", "Pleegzorg Zuidvleugel", (1,)),
    ProviderPlan("98900002", "Gezinshuizen De Vlonder", (1,)),
    ProviderPlan("98900003", "Jeugdhulp Duinrand", (1, 5)),
    ProviderPlan("98900004", "Crisisopvang Kustlicht", (1,)),
    ProviderPlan("98900005", "Stichting Molenwiek Wonen", (1, 3)),
    ProviderPlan("98900006", "GGZ Polderlicht Jeugd", (2,)),
    ProviderPlan("98900007", "Kinder- en Jeugdpsychiatrie Veenstra", (2,)),
    ProviderPlan("98900008", "Forensisch Jeugdteam Zuidhaven", (2,)),
    ProviderPlan("98900009", "Praktijk voor Jeugd-GGZ De Kade", (2, 5)),
    ProviderPlan("98900010", "Dagbehandeling De Kleine Haven", (3,)),
    ProviderPlan("98900011", "Behandelcentrum Wilgenhof", (3, 2)),
    ProviderPlan("98900012", "OnderwijsZorg Meander", (4,)),
    ProviderPlan("98900013", "Schoolzorgteam De Brug", (4, 5)),
    ProviderPlan("98900014", "Jeugd- en Gezinspraktijk Zonnewijzer", (5,)),
    ProviderPlan("98900015", "Ambulante Hulp Lindehof", (5,)),
    ProviderPlan("98900016", "Kindertherapie Regenboogpad", (5,)),
    ProviderPlan("98900017", "Opvoedpraktijk Het Bruggetje", (5,)),
    ProviderPlan("98900018", "Gezinscoaching Anker", (5,)),
    ProviderPlan("98900019", "Praktijk Talentvol", (5, 3)),
    ProviderPlan("98900020", "Zorgboerderij De Hooiberg", (3,)),
    # Not contracted: care bought here is buiten-budgettaire inzet.
    ProviderPlan("98900021", "Particuliere Jeugdkliniek Noorderlicht", (1, 2), False),
    ProviderPlan("98900022", "Kamertrainingscentrum De Sprong", (1,), False),
    ProviderPlan("98900023", "Zorgboerderij Het Weidse Veld", (3, 5), False),
    ProviderPlan("98900024", "Jeugdcoach Van Houten", (5,), False),
]
# Share of trajectories placed with a non-contracted provider, per segment.
NON_CONTRACTED_SHARE = {1: 0.08, 2: 0.05, 3: 0.06, 4: 0.0, 5: 0.025}
MAATWERK_SHARE = 0.01
MAATWERK_REASON = "Maatwerk: geen passend gecontracteerd aanbod"
NON_CONTRACTED_REASONS = (
    "Niet-gecontracteerde aanbieder",
    "Spoedplaatsing buiten de regio",
    "Wachtlijst bij gecontracteerde aanbieders",
)

# --- referrals -------------------------------------------------------------------------------

# DOMAIN.md §5, CBS referrers of trajectories (2021). POH-Jeugd refers under the GP's code 02; the
# national figure counts it as huisarts, so the 35.5% is split between the two.
REFERRER_SHARES = {
    ReferrerType.HUISARTS: 25.5,
    ReferrerType.POH_JEUGD: 10.0,
    ReferrerType.GEMEENTE: 31.3,
    ReferrerType.GEEN: 15.1,
    ReferrerType.GI: 9.3,
    ReferrerType.MEDISCH_SPECIALIST: 4.8,
    ReferrerType.JEUGDARTS: 2.8,
    ReferrerType.RECHTER: 0.4,
}
# Referrals that do not lead to specialised care, per referral that does (Zoetermeer: POH-Jeugd
# refers 40% on, so 1.5 stay in the voorliggend veld or need nothing for each one referred on).
UNREFERRED_PER_REFERRED = {
    ReferrerType.GEMEENTE: 0.6,
    ReferrerType.HUISARTS: 0.08,
    ReferrerType.POH_JEUGD: 1.5,
    ReferrerType.JEUGDARTS: 0.8,
    ReferrerType.MEDISCH_SPECIALIST: 0.05,
    ReferrerType.GEEN: 0.15,
    ReferrerType.GI: 0.0,
    ReferrerType.RECHTER: 0.0,
}
OTHER_OUTCOMES = (
    (ReferralOutcome.LIGHT_HELP, 60),
    (ReferralOutcome.NO_HELP, 28),
    (ReferralOutcome.WLZ, 4),
    (ReferralOutcome.OTHER, 8),
)
REFERRER_NAMES = {
    ReferrerType.HUISARTS: (
        "Huisartsenpraktijk De Linde",
        "Huisartsen Vlietzicht",
        "Gezondheidscentrum Oostpoort",
        "Huisartsenpraktijk Van Eijk",
        "Huisartsen Molenbuurt",
        "Praktijk Dokter Aydin",
    ),
    ReferrerType.POH_JEUGD: ("POH-Jeugd De Linde", "POH-Jeugd Vlietzicht", "POH-Jeugd Oostpoort"),
    ReferrerType.GEMEENTE: ("Jeugd- en Gezinsteam Noord", "Jeugd- en Gezinsteam Zuid", "Jeugd- en Gezinsteam Centrum"),
    ReferrerType.GI: ("Jeugdbescherming Zuidvleugel", "Gecertificeerde Instelling Kustregio"),
    ReferrerType.MEDISCH_SPECIALIST: (
        "Kinderarts, Ziekenhuis Vlietland-Oost",
        "Kinderpsychiater, Ziekenhuis Duinzicht",
    ),
    ReferrerType.JEUGDARTS: ("JGZ Jeugdarts Noord", "JGZ Jeugdarts Zuid"),
    ReferrerType.RECHTER: ("Kinderrechter", "Officier van Justitie"),
    ReferrerType.GEEN: ("",),
}
C = RequestCategory
REQUEST_CATEGORIES = {
    1: ((C.SAFETY, 35), (C.FAMILY, 25), (C.BEHAVIOUR, 20), (C.MENTAL, 10), (C.DEVELOPMENT, 10)),
    2: ((C.MENTAL, 60), (C.BEHAVIOUR, 25), (C.SAFETY, 10), (C.DEVELOPMENT, 5)),
    3: ((C.DEVELOPMENT, 60), (C.BEHAVIOUR, 30), (C.SCHOOL, 10)),
    4: ((C.SCHOOL, 55), (C.BEHAVIOUR, 30), (C.DEVELOPMENT, 15)),
    5: (
        (C.PARENTING, 25),
        (C.BEHAVIOUR, 20),
        (C.MENTAL, 20),
        (C.FAMILY, 15),
        (C.DEVELOPMENT, 10),
        (C.SCHOOL, 5),
        (C.OTHER, 5),
    ),
    0: ((C.PARENTING, 35), (C.SCHOOL, 20), (C.BEHAVIOUR, 15), (C.FAMILY, 15), (C.MENTAL, 10), (C.OTHER, 5)),
}

# --- children and households ------------------------------------------------------------------

AGE_AT_START = {  # (from, to, weight) in years, per segment of the first care
    1: ((0, 4, 15), (4, 12, 30), (12, 17.9, 55)),
    2: ((5, 12, 35), (12, 17.9, 65)),
    3: ((2, 6, 40), (6, 14, 60)),
    4: ((5, 12, 60), (12, 16, 40)),
    5: ((0, 4, 10), (4, 12, 45), (12, 17.9, 45)),
}
HOUSEHOLD_SIZES = ((1, 84), (2, 11), (3, 4), (4, 1))  # children in care per household
# A child in this segment also gets concurrent care in another: (segment, probability).
COMPANIONS = {
    1: ((2, 0.4), (5, 0.35)),
    3: ((5, 0.4), (2, 0.25)),
    4: ((5, 0.25),),
    2: ((5, 0.25), (5, 0.1)),
    5: ((5, 0.12), (5, 0.05)),
}
# Complex cases: two more kinds of care start alongside the first (stapeling, DOMAIN.md §6).
COMPLEX = {1: ((2, 5), 0.12), 3: ((2, 5), 0.12), 2: ((5, 5), 0.04)}
ADULT_CARE = 0.15  # share of care that runs on past 18 (verlengde jeugdhulp); the rest moves to the Wmo
FOLLOW_UP_AFTER_SWITCH = 0.9  # an overstap (JZ588 38) continues with another provider
RE_ENTRY = 0.12  # new specialised care after an end (the "Outcome in Zicht" re-entry figure)

FIRST_NAMES = (
    "Noah",
    "Emma",
    "Daan",
    "Sophie",
    "Mohammed",
    "Yara",
    "Liam",
    "Julia",
    "Sem",
    "Mila",
    "Luuk",
    "Tess",
    "Lucas",
    "Zoë",
    "Finn",
    "Sara",
    "Milan",
    "Nora",
    "Levi",
    "Evi",
    "Jayden",
    "Anna",
    "Adam",
    "Lotte",
    "Ayoub",
    "Fenna",
    "Bram",
    "Noor",
    "Sven",
    "Lieke",
    "Youssef",
    "Isa",
    "Thijs",
    "Saar",
    "Ryan",
    "Femke",
    "Jesse",
    "Amira",
    "Ömer",
    "Elif",
    "Kevin",
    "Chloé",
    "Dylan",
    "Romy",
    "Mees",
    "Liv",
    "Hamza",
    "Sanne",
    "Gijs",
    "Roos",
    "Ilias",
    "Maud",
    "Stijn",
    "Jade",
    "Rayan",
    "Fleur",
    "Tygo",
    "Aya",
    "Owen",
    "Lina",
)
LAST_NAMES = (
    ("de", "Vries"),
    ("", "Jansen"),
    ("van", "Dijk"),
    ("", "Bakker"),
    ("", "Visser"),
    ("", "Smit"),
    ("", "Meijer"),
    ("de", "Boer"),
    ("", "Mulder"),
    ("de", "Groot"),
    ("", "Bos"),
    ("", "Vos"),
    ("", "Peters"),
    ("", "Hendriks"),
    ("van", "Leeuwen"),
    ("", "Dekker"),
    ("", "Brouwer"),
    ("de", "Wit"),
    ("", "Dijkstra"),
    ("", "Smits"),
    ("de", "Graaf"),
    ("van der", "Meer"),
    ("van der", "Linden"),
    ("", "Kok"),
    ("", "Jacobs"),
    ("de", "Haan"),
    ("", "Vermeulen"),
    ("van den", "Berg"),
    ("van der", "Heijden"),
    ("", "Schouten"),
    ("van", "Beek"),
    ("", "Willems"),
    ("van", "Vliet"),
    ("", "Hoekstra"),
    ("", "Maas"),
    ("", "Verhoeven"),
    ("", "Koster"),
    ("van", "Dam"),
    ("", "Prins"),
    ("", "Blom"),
    ("", "Huisman"),
    ("", "Yilmaz"),
    ("", "Kaya"),
    ("", "El Amrani"),
    ("", "Bouzid"),
    ("", "Demir"),
    ("", "Öztürk"),
    ("", "Ramdin"),
    ("", "Nguyen"),
    ("", "Kramer"),
    ("", "Postma"),
    ("", "Wouters"),
    ("", "Kuijpers"),
    ("", "Sedney"),
    ("", "Mahabier"),
    ("", "Benali"),
    ("", "Çelik"),
)

# username, first name, last name, role, gemeente codes
DEMO_USERS = (
    ("toegang", "Fatima", "El Idrissi", Role.TOEGANG, ("9901",)),
    ("toets", "Joost", "van Dijk", Role.TOETS, ("9901",)),
    ("regisseur", "Marloes", "Verbeek", Role.REGISSEUR, ("9901",)),
    ("beleid", "Ruud", "Hendriks", Role.BELEID, ("9901",)),
    ("beheer", "Anouk", "Smit", Role.BEHEER, ("9901", "9902")),
    ("toegang.proefdorp", "Bram", "Kuipers", Role.TOEGANG, ("9902",)),
    # Proefdorp's extensions need a toetser of Proefdorp to decide them.
    ("toets.proefdorp", "Esra", "Yıldız", Role.TOETS, ("9902",)),
)
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


# --- the plan -------------------------------------------------------------------------------------


@dataclass(eq=False)
class HouseholdPlan:
    name: str
    created: dt.date


@dataclass(eq=False)
class ChildPlan:
    birth_date: dt.date
    anchor: dt.date  # first contact with the gemeente: siblings are grouped by it
    first_name: str = ""
    name_prefix: str = ""
    last_name: str = ""
    household: HouseholdPlan | None = None
    registered: dt.date | None = None


@dataclass(eq=False)
class ReferralPlan:
    child: ChildPlan
    date: dt.date
    source: str
    referrer_name: str
    request_category: str
    outcome: str = ""
    outcome_date: dt.date | None = None


@dataclass(eq=False)
class ExtensionPlan:
    requested_on: dt.date
    requested_end: dt.date
    requested_volume: Decimal | None
    reason: str
    status: str = ExtensionStatus.PENDING
    decided_on: dt.date | None = None
    granted_end: dt.date | None = None
    granted_volume: Decimal | None = None
    decision_reason: str = ""


@dataclass(eq=False)
class ReviewPlan:
    planned_on: dt.date
    due: dt.date
    done: dt.date | None = None
    outcome: str = ""
    note: str = ""


@dataclass(eq=False)
class TrajectoryPlan:
    child: ChildPlan
    referral: ReferralPlan
    product: ProductPlan
    provider: ProviderPlan
    start: dt.date
    planned_end: dt.date  # as first allocated
    volume: Decimal  # as first allocated
    frequency: str
    final_planned_end: dt.date
    final_volume: Decimal
    end: dt.date | None = None
    end_reason: str = ""
    outside_budget_reason: str = ""
    extensions: list = field(default_factory=list)
    reviews: list = field(default_factory=list)
    tariff: Decimal | None = None
    financing: str = Financing.EFFORT
    daily_cost: Decimal | None = None

    def overlaps(self, first: dt.date, last: dt.date) -> bool:
        return self.start <= last and (self.end is None or self.end >= first)


@dataclass(eq=False)
class GemeentePlan:
    code: str
    name: str
    population: int
    youth_targets: dict
    spend_targets: dict | None  # None: not calibrated (Proefdorp follows Voorbeeldstad's tariffs)
    children: list = field(default_factory=list)
    referrals: list = field(default_factory=list)
    trajectories: list = field(default_factory=list)
    households: list = field(default_factory=list)


@dataclass
class DemoPlan:
    today: dt.date
    seed: int
    scale: float
    gemeenten: list
    tariffs: dict  # product code -> tariff per unit at today's price level (None: taakgericht)
    factors: dict  # segment -> calibration factor applied to the base tariffs


def _days(months: float) -> int:
    return max(1, round(months * 30.4375))


def _birthday(birth_date: dt.date, years: int) -> dt.date:
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:  # 29 February
        return birth_date.replace(year=birth_date.year + years, day=28)


def _pick(rng: random.Random, weighted):
    items, weights = zip(*weighted, strict=True)
    return rng.choices(items, weights=weights)[0]


class _Generator:
    """Draws one gemeente's children, referrals and trajectories from a shared random generator."""

    def __init__(self, rng: random.Random, today: dt.date, plan: GemeentePlan):
        self.rng = rng
        self.today = today
        self.plan = plan
        self.year_first = dt.date(CALIBRATION_YEAR, 1, 1)
        self.year_last = dt.date(CALIBRATION_YEAR, 12, 31)
        self.youths = defaultdict(set)  # segment -> ids of children with care in the calibration year
        self.contracted = {s: [p for p in PROVIDERS if p.contracted and s in p.segments] for s in TARGETS}
        self.uncontracted = {s: [p for p in PROVIDERS if not p.contracted and s in p.segments] for s in TARGETS}

    # -- dates

    def random_day(self, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=self.rng.randint(0, max((last - first).days, 0)))

    def care_start(self, segment: int) -> dt.date:
        if segment == 4 and self.rng.random() < 0.7:
            # Onderwijs-jeugdhulp starts with the school year.
            year = self.rng.randint(PROCESS_FROM.year, self.today.year)
            day = self.random_day(dt.date(year, 8, 20), dt.date(year, 10, 31))
            if PROCESS_FROM <= day <= self.today:
                return day
        return self.random_day(PROCESS_FROM, self.today)

    # -- children

    def new_child(self, segment: int, first_care: dt.date) -> ChildPlan:
        low, high, _ = _pick(self.rng, [((a, b, w), w) for a, b, w in AGE_AT_START[segment]])
        age_days = int(self.rng.uniform(low, high) * 365.25)
        child = ChildPlan(birth_date=first_care - dt.timedelta(days=max(age_days, 30)), anchor=first_care)
        self.plan.children.append(child)
        return child

    def referral(self, child: ChildPlan, on: dt.date, segment: int, source: str | None = None) -> ReferralPlan:
        source = source or _pick(self.rng, REFERRER_SHARES.items())
        referral = ReferralPlan(
            child=child,
            date=max(on, child.birth_date),
            source=source,
            referrer_name=self.rng.choice(REFERRER_NAMES[source]),
            request_category=_pick(self.rng, REQUEST_CATEGORIES[segment]),
        )
        self.plan.referrals.append(referral)
        return referral

    def waiting_days(self) -> int:
        # Wachttijd from referral to start: mostly within 8 weeks, a tail beyond it.
        return _pick(self.rng, (((0, 14), 30), ((15, 42), 40), ((43, 70), 20), ((71, 150), 10)))

    # -- trajectories

    def client(self, segment: int) -> None:
        """A new child whose care starts in `segment`, with concurrent care elsewhere at times."""
        start = self.care_start(segment)
        child = self.new_child(segment, start)
        low, high = self.waiting_days()
        referral = self.referral(child, start - dt.timedelta(days=self.rng.randint(low, high)), segment)
        self.chain(child, referral, segment, start, depth=0)
        companions = COMPANIONS.get(segment, ())
        if segment in COMPLEX and self.rng.random() < COMPLEX[segment][1]:
            companions = [(other, 1.0) for other in COMPLEX[segment][0]]
        for other, probability in companions:
            if self.rng.random() < probability:
                companion_start = start + dt.timedelta(days=self.rng.randint(0, 90))
                if companion_start > self.today:
                    continue
                own = self.rng.random() < 0.5
                companion_referral = (
                    self.referral(child, companion_start - dt.timedelta(days=self.rng.randint(0, 30)), other)
                    if own
                    else referral
                )
                self.chain(child, companion_referral, other, companion_start, depth=1)

    def chain(self, child, referral, segment, start, depth, product=None, avoid=None) -> None:
        """One trajectory, then what follows it: another provider after a switch, or re-entry."""
        trajectory = self.trajectory(child, referral, segment, start, product, avoid)
        if trajectory.end is None or depth >= 3:
            return
        if trajectory.end_reason == EndReason.OTHER_PROVIDER and self.rng.random() < FOLLOW_UP_AFTER_SWITCH:
            next_start = trajectory.end + dt.timedelta(days=1)
            if next_start <= self.today:
                self.chain(child, referral, segment, next_start, depth + 1, trajectory.product, trajectory.provider)
        elif self.rng.random() < RE_ENTRY:
            next_start = trajectory.end + dt.timedelta(days=self.rng.randint(30, 330))
            if next_start <= self.today:
                again = segment if self.rng.random() < 0.6 else 5
                new_referral = self.referral(child, next_start - dt.timedelta(days=self.rng.randint(7, 40)), again)
                self.chain(child, new_referral, again, next_start, depth + 1)

    def provider(self, segment: int, avoid: ProviderPlan | None) -> tuple[ProviderPlan, str]:
        rng = self.rng
        if self.uncontracted[segment] and rng.random() < NON_CONTRACTED_SHARE[segment]:
            return rng.choice(self.uncontracted[segment]), rng.choice(NON_CONTRACTED_REASONS)
        options = [p for p in self.contracted[segment] if p is not avoid] or self.contracted[segment]
        # A few large providers and a tail of small ones.
        provider = rng.choices(options, weights=[1 / (i + 1) for i in range(len(options))])[0]
        return provider, (MAATWERK_REASON if rng.random() < MAATWERK_SHARE else "")

    def trajectory(self, child, referral, segment, start, product=None, avoid=None) -> TrajectoryPlan:
        rng = self.rng
        product = product or _pick(rng, [(p, p.weight) for p in PRODUCTS_BY_SEGMENT[segment]])
        provider, outside_reason = self.provider(segment, avoid)
        volume = Decimal(str(rng.choice(product.volumes)))
        planned_end = start + dt.timedelta(days=_days(rng.choice(product.planned)) - 1)
        intended_end = start + dt.timedelta(days=_days(rng.lognormvariate(math.log(product.median), product.sigma)) - 1)
        eighteen = _birthday(child.birth_date, 18)
        to_wmo = intended_end >= eighteen and rng.random() >= ADULT_CARE
        if to_wmo:
            intended_end = max(start, eighteen - dt.timedelta(days=1))
        trajectory = TrajectoryPlan(
            child=child,
            referral=referral,
            product=product,
            provider=provider,
            start=start,
            planned_end=planned_end,
            volume=volume,
            frequency=product.frequency,
            final_planned_end=planned_end,
            final_volume=volume,
            outside_budget_reason=outside_reason,
        )
        refused = self.extensions(trajectory, intended_end)
        if refused is not None:
            intended_end = min(intended_end, max(trajectory.final_planned_end, refused))
        if intended_end <= self.today:
            trajectory.end = intended_end
            trajectory.end_reason = (
                EndReason.OTHER_DOMAIN
                if to_wmo and intended_end < eighteen
                else self.end_reason(trajectory, refused is not None)
            )
        self.reviews(trajectory)
        if referral.outcome == "":
            referral.outcome = ReferralOutcome.SPECIALISED
            referral.outcome_date = max(referral.date, start - dt.timedelta(days=rng.randint(0, 7)))
        self.plan.trajectories.append(trajectory)
        if trajectory.overlaps(self.year_first, self.year_last):
            self.youths[segment].add(id(child))
        return trajectory

    def extensions(self, trajectory: TrajectoryPlan, intended_end: dt.date) -> dt.date | None:
        """Extension requests while care runs past its planned end; returns the day of a refusal."""
        rng = self.rng
        while intended_end > trajectory.final_planned_end:
            current_end = trajectory.final_planned_end
            requested_on = max(trajectory.start, current_end - dt.timedelta(days=rng.randint(14, 42)))
            if requested_on > self.today or rng.random() < 0.15:
                return None  # nobody asked (yet): the care runs on past its planned end
            months = rng.choice((3, 6, 6, 12, 12))
            requested_volume = None
            if (
                trajectory.frequency == Frequency.PER_WEEK
                and trajectory.final_volume == trajectory.volume
                and rng.random() < 0.2
            ):
                # Afschalen (once): continue with fewer hours or dagdelen a week.
                requested_volume = max(Decimal("1"), (trajectory.final_volume * 3 / 4 * 2).to_integral_value() / 2)
            extension = ExtensionPlan(
                requested_on=requested_on,
                requested_end=current_end + dt.timedelta(days=_days(months)),
                requested_volume=requested_volume,
                reason=rng.choice(EXTENSION_REASONS),
            )
            trajectory.extensions.append(extension)
            decided_on = requested_on + dt.timedelta(days=rng.randint(1, 21))
            if intended_end <= self.today:
                decided_on = min(decided_on, intended_end)
            if decided_on > self.today:
                return None  # still in the toets queue
            extension.decided_on = decided_on
            draw = rng.random()
            if draw < 0.72:
                extension.status = ExtensionStatus.APPROVED
                extension.granted_end = extension.requested_end
                extension.granted_volume = requested_volume
                extension.decision_reason = rng.choice(APPROVE_REASONS)
            elif draw < 0.86 and (extension.requested_end - current_end).days > 2:
                extension.status = ExtensionStatus.SHORTENED
                extension.granted_end = current_end + (extension.requested_end - current_end) / 2
                extension.granted_volume = requested_volume
                extension.decision_reason = rng.choice(SHORTEN_REASONS)
            else:
                extension.status = ExtensionStatus.REFUSED
                extension.decision_reason = rng.choice(REFUSE_REASONS)
                return decided_on
            trajectory.final_planned_end = extension.granted_end
            if extension.granted_volume is not None:
                trajectory.final_volume = extension.granted_volume
        return None

    def end_reason(self, trajectory: TrajectoryPlan, refused: bool) -> str:
        rng = self.rng
        if refused:
            return _pick(rng, ((EndReason.BY_GEMEENTE, 50), (EndReason.AS_PLANNED, 50)))
        if trajectory.end < trajectory.final_planned_end - dt.timedelta(days=30):
            return _pick(rng, EARLY_END_REASONS)
        return _pick(rng, ON_TIME_END_REASONS)

    def reviews(self, trajectory: TrajectoryPlan) -> None:
        """Stop-strategy reviews on longer care: done, planned or overdue."""
        rng, today = self.rng, self.today
        last = trajectory.end or today
        if (last - trajectory.start).days < 180:
            return
        if trajectory.end_reason in (EndReason.BY_GEMEENTE, EndReason.OTHER_DOMAIN):
            done = max(trajectory.start, trajectory.end - dt.timedelta(days=rng.randint(10, 40)))
            outcome = ReviewOutcome.END if trajectory.end_reason == EndReason.BY_GEMEENTE else ReviewOutcome.WLZ
            self.review(trajectory, done, done, outcome)
            return
        if trajectory.end is not None:
            if rng.random() < 0.3:
                done = self.random_day(trajectory.start + dt.timedelta(days=150), trajectory.end)
                self.review(trajectory, done, done, _pick(rng, DONE_OUTCOMES))
            return
        draw = rng.random()
        if draw < 0.35:
            done = self.random_day(trajectory.start + dt.timedelta(days=150), today)
            self.review(trajectory, done, done, _pick(rng, DONE_OUTCOMES))
            if rng.random() < 0.6:
                self.review(trajectory, done, done + dt.timedelta(days=rng.randint(90, 200)))
        elif draw < 0.5:
            self.review(
                trajectory,
                today - dt.timedelta(days=rng.randint(60, 150)),
                today + dt.timedelta(days=rng.randint(1, 90)),
            )
        elif draw < 0.6:
            due = today - dt.timedelta(days=rng.randint(1, 120))
            self.review(trajectory, due - dt.timedelta(days=rng.randint(30, 120)), due)  # overdue

    def review(self, trajectory, planned_on, due, outcome="", done=None) -> None:
        planned_on = min(max(planned_on - dt.timedelta(days=self.rng.randint(20, 90)), trajectory.start), self.today)
        review = ReviewPlan(planned_on=planned_on, due=max(due, trajectory.start))
        if outcome:
            review.done = min(due, self.today)
            review.outcome = outcome
            review.note = REVIEW_NOTES[outcome]
        trajectory.reviews.append(review)

    def leave_out_care_ended_before_go_live(self) -> None:
        still_in_care = {id(t.child) for t in self.plan.trajectories if t.end is None or t.end >= LOGGED_FROM}
        self.plan.children = [c for c in self.plan.children if id(c) in still_in_care]
        self.plan.referrals = [r for r in self.plan.referrals if id(r.child) in still_in_care]
        self.plan.trajectories = [t for t in self.plan.trajectories if id(t.child) in still_in_care]

    # -- referrals that did not lead to specialised care

    def other_referrals(self) -> None:
        rng, today = self.rng, self.today
        first_referral = {}
        for referral in self.plan.referrals:
            known = first_referral.get(id(referral.child))
            if known is None or referral.date < known.date:
                first_referral[id(referral.child)] = referral
        for referral in list(self.plan.referrals):
            ratio = UNREFERRED_PER_REFERRED[referral.source]
            count = int(ratio) + (rng.random() < ratio - int(ratio))
            for _ in range(count):
                date = referral.date - dt.timedelta(days=rng.randint(0, 120))
                child = referral.child
                earlier = first_referral[id(child)].date - dt.timedelta(days=rng.randint(60, 400))
                if rng.random() < 0.4 and earlier >= PROCESS_FROM and earlier > child.birth_date:
                    date = earlier  # first light help, specialised care later
                else:
                    child = self.new_child(5, max(date, LOGGED_FROM))
                    date = child.anchor
                other = self.referral(child, date, 0, referral.source)
                other.outcome = _pick(rng, OTHER_OUTCOMES)
                other.outcome_date = min(other.date + dt.timedelta(days=rng.randint(1, 30)), today)
        # Referrals still waiting for a decision; those older than 8 weeks raise the wachttijd flag.
        waiting = max(2, round(sum(self.plan.youth_targets.values()) * 0.016))
        for _ in range(waiting):
            date = today - dt.timedelta(days=rng.randint(3, 120))
            self.referral(self.new_child(5, date), date, 5)

    # -- households

    def households(self) -> None:
        """Group children into households; siblings close in time, so their care overlaps."""
        rng = self.rng
        children = sorted(self.plan.children, key=lambda c: c.anchor)
        i = 0
        while i < len(children):
            size = _pick(rng, HOUSEHOLD_SIZES)
            members = children[i : i + size]
            i += size
            prefix, last_name = rng.choice(LAST_NAMES)
            household = HouseholdPlan(
                name=f"Gezin {prefix + ' ' if prefix else ''}{last_name}", created=min(c.anchor for c in members)
            )
            self.plan.households.append(household)
            members.sort(key=lambda c: c.birth_date)
            for n, child in enumerate(members):
                child.household, child.name_prefix, child.last_name = household, prefix, last_name
                child.first_name = rng.choice(FIRST_NAMES)
                if n and (child.birth_date - members[n - 1].birth_date).days < 300 and rng.random() < 0.9:
                    # Siblings born at least ~15 months apart (twins aside), still before their first care.
                    moved = members[n - 1].birth_date + dt.timedelta(days=rng.randint(420, 900))
                    if moved < child.anchor:
                        child.birth_date = moved
                    else:
                        child.birth_date = members[n - 1].birth_date  # a twin
                if n and child.first_name == members[n - 1].first_name:
                    child.first_name = rng.choice(FIRST_NAMES)

    def build(self) -> None:
        for segment in (1, 3, 4, 2, 5):  # segment 5 last: the others' companions count towards it
            while len(self.youths[segment]) < self.plan.youth_targets[segment]:
                self.client(segment)
        self.leave_out_care_ended_before_go_live()
        self.other_referrals()
        for child_referrals in _by_child(self.plan.referrals).values():
            registered = min(r.date for r in child_referrals)
            child_referrals[0].child.registered = registered
            child_referrals[0].child.anchor = min(child_referrals[0].child.anchor, registered)
        self.households()


EXTENSION_REASONS = (
    "Behandeldoelen nog niet bereikt",
    "Terugval na een goede periode",
    "Vervolgplek nog niet beschikbaar",
    "Afbouw vraagt meer tijd",
    "Nieuwe hulpvraag in het gezin",
    "Wachten op plek in vervolgtraject",
)
APPROVE_REASONS = (
    "Onderbouwing voldoende; binnen de normen",
    "Voortgang aangetoond, doelen bijgesteld",
    "Akkoord, met afbouwplan",
)
SHORTEN_REASONS = ("Korter toegekend: afbouw binnen drie maanden", "Korter toegekend, daarna review stopstrategie")
REFUSE_REASONS = (
    "Doelen behaald; afsluiten volgens plan",
    "Geen onderbouwing van de voortgang",
    "Passender hulp in het voorliggend veld",
)
EARLY_END_REASONS = (
    (EndReason.AS_PLANNED, 40),
    (EndReason.EARLY_CLIENT, 20),
    (EndReason.EARLY_PROVIDER, 8),
    (EndReason.EARLY_AGREED, 15),
    (EndReason.EARLY_EXTERNAL, 4),
    (EndReason.OTHER_PROVIDER, 7),
    (EndReason.OTHER_DOMAIN, 4),
    (EndReason.BY_GEMEENTE, 2),
)
ON_TIME_END_REASONS = (
    (EndReason.AS_PLANNED, 78),
    (EndReason.EARLY_AGREED, 4),
    (EndReason.OTHER_PROVIDER, 6),
    (EndReason.OTHER_DOMAIN, 5),
    (EndReason.CHANGE_REQUEST, 4),
    (EndReason.BY_GEMEENTE, 3),
)
DONE_OUTCOMES = ((ReviewOutcome.CONTINUE, 65), (ReviewOutcome.SCALE_DOWN, 35))
REVIEW_NOTES = {
    ReviewOutcome.CONTINUE: "Doelen in zicht; voortzetten tot de geplande einddatum",
    ReviewOutcome.SCALE_DOWN: "Afschalen naar lagere intensiteit",
    ReviewOutcome.END: "Beëindigen: doelen behaald, nazorg via het voorliggend veld",
    ReviewOutcome.WLZ: "Langdurige zorg nodig: route naar de Wlz ingezet",
}


def _by_child(referrals) -> dict:
    grouped = defaultdict(list)
    for referral in referrals:
        grouped[id(referral.child)].append(referral)
    return grouped


# --- calibration ------------------------------------------------------------------------------------


def _price(trajectory: TrajectoryPlan, factors: dict) -> None:
    """The tariff in force when the trajectory was allocated, and its daily cost (as Trajectory.save)."""
    product = trajectory.product
    if product.segment != 5 and trajectory.start >= TASK_FINANCING_FROM:
        trajectory.financing, trajectory.tariff, trajectory.daily_cost = Financing.TASK, None, None
        return
    base = product.tariff * Decimal(str(factors.get(product.segment, 1.0)))
    trajectory.tariff = (base * Decimal(str(tariff_index(trajectory.start.year)))).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    trajectory.financing = Financing.EFFORT
    trajectory.daily_cost = daily_cost(
        tariff=trajectory.tariff,
        volume=trajectory.final_volume,
        frequency=trajectory.frequency,
        start=trajectory.start,
        planned_end=trajectory.final_planned_end,
    )


def period_cost(trajectory: TrajectoryPlan, first: dt.date, last: dt.date, as_of: dt.date) -> Decimal:
    """What `Trajectory.objects.with_cost_in_period` computes, in Python (for calibrating before writing)."""
    if trajectory.daily_cost is None:
        return Decimal("0")
    until = min(trajectory.end or as_of, last)
    days = max((until - max(trajectory.start, first)).days + 1, 0)
    return trajectory.daily_cost * days


def spend_by_segment(plan: GemeentePlan, year: int, as_of: dt.date) -> dict:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    spend = defaultdict(Decimal)
    for trajectory in plan.trajectories:
        spend[trajectory.product.segment] += period_cost(trajectory, first, last, as_of)
    return spend


def calibrate(gemeenten: list, today: dt.date) -> dict:
    """One factor per segment on the base tariffs so the calibrated gemeente's spend meets its target."""
    factors = {}
    for plan in gemeenten:
        for trajectory in plan.trajectories:
            _price(trajectory, factors)
    anchor = next(p for p in gemeenten if p.spend_targets)
    produced = spend_by_segment(anchor, CALIBRATION_YEAR, today)
    for segment, target in anchor.spend_targets.items():
        factors[segment] = float(target / produced[segment]) if produced[segment] else 1.0
    for plan in gemeenten:
        for trajectory in plan.trajectories:
            _price(trajectory, factors)
    return factors


def current_tariffs(factors: dict, today: dt.date) -> dict:
    tariffs = {}
    for product in PRODUCTS:
        if product.segment != 5 and today >= TASK_FINANCING_FROM:
            tariffs[product.code] = None
        else:
            base = product.tariff * Decimal(str(factors.get(product.segment, 1.0)))
            tariffs[product.code] = (base * Decimal(str(tariff_index(today.year)))).quantize(Decimal("0.01"))
    return tariffs


def plan_demo(*, seed: int = DEFAULT_SEED, scale: float = 1.0, today: dt.date) -> DemoPlan:
    """Everything the demo holds, drawn and calibrated in memory. Same seed and day, same plan."""
    if today.year <= CALIBRATION_YEAR:
        raise ValueError(f"De demodata ijkt op het afgeronde jaar {CALIBRATION_YEAR}; vandaag ligt daar niet na.")
    rng = random.Random(seed)
    voorbeeldstad = GemeentePlan(
        code=VOORBEELDSTAD[0],
        name=VOORBEELDSTAD[1],
        population=round(VOORBEELDSTAD_POPULATION * scale),
        youth_targets={s: max(1, round(youths * scale)) for s, (_, youths) in TARGETS.items()},
        spend_targets={s: (spend * Decimal(str(scale))).quantize(Decimal("1")) for s, (spend, _) in TARGETS.items()},
    )
    proefdorp = GemeentePlan(
        code=PROEFDORP[0],
        name=PROEFDORP[1],
        population=PROEFDORP_POPULATION,
        youth_targets={s: max(2, round(youths * PROEFDORP_SHARE)) for s, (_, youths) in TARGETS.items()},
        spend_targets=None,
    )
    gemeenten = [voorbeeldstad, proefdorp]
    for gemeente in gemeenten:
        _Generator(rng, today, gemeente).build()
    factors = calibrate(gemeenten, today)
    return DemoPlan(
        today=today,
        seed=seed,
        scale=scale,
        gemeenten=gemeenten,
        tariffs=current_tariffs(factors, today),
        factors=factors,
    )


# --- writing ----------------------------------------------------------------------------------------


def demo_exists() -> bool:
    return Gemeente.objects.filter(code=VOORBEELDSTAD[0]).exists()


@contextmanager
def _given_timestamps(*fields):
    """bulk_create fills auto_now_add fields with 'now'; demo rows carry the day they were logged."""
    saved = [(f, f.auto_now_add) for f in fields]
    for f, _ in saved:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f, value in saved:
            f.auto_now_add = value


class _Clock:
    """Aware datetimes on a day at a fixed office hour, never later than now."""

    def __init__(self):
        self.now = timezone.now()
        self.zone = timezone.get_current_timezone()

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        moment = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.zone)
        return min(moment, self.now)


def _mark(instance, user, when):
    instance._history_user = user
    instance._history_date = when
    return instance


def _field(model, name):
    return model._meta.get_field(name)


def write_demo(plan: DemoPlan) -> dict:
    """Store the plan. The caller runs this in one transaction."""
    clock = _Clock()
    users = _write_users()
    beheer = users["beheer"]
    gemeenten = {
        g.code: g
        for g in bulk_create_with_history(
            [Gemeente(code=g.code, name=g.name) for g in plan.gemeenten],
            Gemeente,
            batch_size=BATCH,
            default_user=beheer,
        )
    }
    _give_gemeenten(users, gemeenten)
    # A slowly growing youth population, as entered by the beheerder each year.
    bulk_create_with_history(
        [
            YouthPopulation(
                gemeente=gemeenten[g.code],
                year=year,
                count=round(g.population * (0.985 + 0.005 * (year - LOGGED_FROM.year))),
            )
            for g in plan.gemeenten
            for year in range(LOGGED_FROM.year, plan.today.year + 1)
        ],
        YouthPopulation,
        batch_size=BATCH,
        default_user=beheer,
    )
    segments = {s.number: s for s in Segment.objects.all()}
    _write_budgets(plan, gemeenten, segments, beheer)
    products = _write_products(plan, beheer)
    providers = {
        p.agb_code: p
        for p in bulk_create_with_history(
            [Provider(agb_code=p.agb, name=p.name, contracted=p.contracted) for p in PROVIDERS],
            Provider,
            batch_size=BATCH,
            default_user=beheer,
        )
    }
    for gemeente_plan in plan.gemeenten:
        staff = {
            "toegang": users["toegang" if gemeente_plan.code == VOORBEELDSTAD[0] else "toegang.proefdorp"],
            "toets": users["toets" if gemeente_plan.code == VOORBEELDSTAD[0] else "toets.proefdorp"],
        }
        _write_cases(gemeente_plan, gemeenten[gemeente_plan.code], products, providers, staff, clock)
    return users


def _write_users() -> dict:
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
    return users


def _give_gemeenten(users: dict, gemeenten: dict) -> None:
    Through = User.gemeenten.through
    Through.objects.bulk_create(
        [
            Through(user_id=users[username].pk, gemeente_id=gemeenten[code].pk)
            for username, *_, codes in DEMO_USERS
            for code in codes
        ]
    )


def _write_budgets(plan: DemoPlan, gemeenten: dict, segments: dict, beheer) -> None:
    """Budget per segment per year, a little under the calibrated spend: the structural overrun of §1."""
    rows = []
    for gemeente_plan in plan.gemeenten:
        share = Decimal("1") if gemeente_plan.spend_targets else Decimal(str(PROEFDORP_SHARE))
        base = gemeente_plan.spend_targets or {s: spend for s, (spend, _) in TARGETS.items()}
        for year in range(LOGGED_FROM.year, plan.today.year + 1):
            for number, spend in base.items():
                amount = spend * share * Decimal(str(tariff_index(year) * 0.96))
                rows.append(
                    SegmentBudget(
                        gemeente=gemeenten[gemeente_plan.code],
                        segment=segments[number],
                        year=year,
                        amount=(amount / 1000).quantize(Decimal("1")) * 1000,
                    )
                )
    bulk_create_with_history(rows, SegmentBudget, batch_size=BATCH, default_user=beheer)


def _write_products(plan: DemoPlan, beheer) -> dict:
    """Set tariff, financing, unit and norm on the products the demo uses, as a beheerder would."""
    products = {p.code: p for p in Product.objects.filter(code__in=[p.code for p in PRODUCTS])}
    for product_plan in PRODUCTS:
        product = products[product_plan.code]
        product.tariff = plan.tariffs[product_plan.code]
        product.financing = Financing.TASK if product.tariff is None else Financing.EFFORT
        product.unit = product_plan.unit or product.unit
        product.norm_months = product_plan.norm or product.norm_months
    bulk_update_with_history(
        list(products.values()),
        Product,
        ["tariff", "financing", "unit", "norm_months"],
        batch_size=BATCH,
        default_user=beheer,
    )
    return products


def _store_as_logged(model, entries) -> None:
    """Store rows as they stand today, with their history as it happened.

    entries: (instance as it stands today, its field values when first logged, [(when, user, values)]
    for each later change in order). The rows go in with one bulk_create; the history manager then
    writes the "+" row of the first logging and a "~" row per change. (Inserting the first state and
    replaying the changes with bulk_update_with_history gives the same history, but Django's
    bulk_update builds a CASE per row and field and took three quarters of the build time.)
    """
    model.objects.bulk_create([instance for instance, _, _ in entries], batch_size=BATCH)
    created, changed = [], []
    for instance, first, changes in entries:
        state = copy.copy(instance)
        for name, value in first.items():
            setattr(state, name, value)
        created.append(state)
        for when, user, values in changes:
            state = copy.copy(state)
            for name, value in values.items():
                setattr(state, name, value)
            changed.append(_mark(state, user, when))
    model.history.bulk_history_create(created, batch_size=BATCH)
    model.history.bulk_history_create(changed, batch_size=BATCH, update=True)


def _write_cases(plan: GemeentePlan, gemeente, products, providers, staff, clock) -> None:
    toegang, toets = staff["toegang"], staff["toets"]
    with _given_timestamps(
        _field(Household, "created_at"),
        _field(Child, "created_at"),
        _field(Referral, "created_at"),
        _field(Trajectory, "created_at"),
        _field(Extension, "requested_at"),
    ):
        households = {}
        for household_plan in plan.households:
            when = clock.at(household_plan.created, 9, 15)
            households[id(household_plan)] = _mark(
                Household(gemeente=gemeente, name=household_plan.name, created_at=when), toegang, when
            )
        bulk_create_with_history(list(households.values()), Household, batch_size=BATCH)

        children = {}
        for child_plan in plan.children:
            when = clock.at(child_plan.registered, 9, 20)
            children[id(child_plan)] = _mark(
                Child(
                    gemeente=gemeente,
                    household=households[id(child_plan.household)],
                    first_name=child_plan.first_name,
                    name_prefix=child_plan.name_prefix,
                    last_name=child_plan.last_name,
                    birth_date=child_plan.birth_date,
                    created_at=when,
                ),
                toegang,
                when,
            )
        bulk_create_with_history(list(children.values()), Child, batch_size=BATCH)

        referrals, entries = {}, []
        for rp in plan.referrals:
            when = clock.at(rp.date, 9, 30)
            referral = _mark(
                Referral(
                    child=children[id(rp.child)],
                    date=rp.date,
                    source=rp.source,
                    referrer_name=rp.referrer_name,
                    request_category=rp.request_category,
                    outcome=rp.outcome,
                    outcome_date=rp.outcome_date,
                    created_at=when,
                ),
                toegang,
                when,
            )
            referrals[id(rp)] = referral
            decided = []
            if rp.outcome:
                decided.append(
                    (
                        clock.at(rp.outcome_date, 9, 45),
                        toegang,
                        {"outcome": rp.outcome, "outcome_date": rp.outcome_date},
                    )
                )
            entries.append((referral, {"outcome": "", "outcome_date": None}, decided))
        _store_as_logged(Referral, entries)

        trajectories, entries = [], []
        for tp in plan.trajectories:
            trajectory, first, changes = _trajectory_as_logged(
                tp, children, referrals, products, providers, toegang, toets, clock
            )
            trajectories.append(trajectory)
            entries.append((trajectory, first, changes))
        _store_as_logged(Trajectory, entries)

        extensions, reviews = [], []
        for tp, trajectory in zip(plan.trajectories, trajectories, strict=True):
            for ep in tp.extensions:
                when = clock.at(ep.requested_on, 11)
                extension = _mark(
                    Extension(
                        trajectory=trajectory,
                        requested_end_date=ep.requested_end,
                        requested_volume=ep.requested_volume,
                        reason=ep.reason,
                        requested_by=toegang,
                        requested_at=when,
                    ),
                    toegang,
                    when,
                )
                changes = []
                if ep.decided_on:
                    decision = {
                        "status": ep.status,
                        "decision_reason": ep.decision_reason,
                        "granted_end_date": ep.granted_end,
                        "granted_volume": ep.granted_volume,
                        "decided_by": toets,
                        "decided_at": clock.at(ep.decided_on, 11, 30),
                    }
                    for name, value in decision.items():
                        setattr(extension, name, value)
                    changes.append((extension.decided_at, toets, decision))
                first = {
                    "status": ExtensionStatus.PENDING,
                    "decision_reason": "",
                    "granted_end_date": None,
                    "granted_volume": None,
                    "decided_by": None,
                    "decided_at": None,
                }
                extensions.append((extension, first, changes))
            for rp in tp.reviews:
                when = clock.at(rp.planned_on, 14)
                review = _mark(
                    StopReview(
                        trajectory=trajectory,
                        due_date=rp.due,
                        planned_by=toegang,
                        done_date=rp.done,
                        outcome=rp.outcome,
                        note=rp.note,
                        done_by=toegang if rp.done else None,
                    ),
                    toegang,
                    when,
                )
                done = {"done_date": rp.done, "outcome": rp.outcome, "note": rp.note, "done_by": toegang}
                first = {"done_date": None, "outcome": "", "note": "", "done_by": None}
                reviews.append((review, first, [(clock.at(rp.done, 14, 30), toegang, done)] if rp.done else []))
        _store_as_logged(Extension, extensions)
        _store_as_logged(StopReview, reviews)


def _trajectory_as_logged(tp: TrajectoryPlan, children, referrals, products, providers, toegang, toets, clock):
    """The trajectory as it stands today, as first allocated, and each granted extension and its end."""
    product = products[tp.product.code]

    def cost(planned_end, volume):
        return daily_cost(
            tariff=tp.tariff, volume=volume, frequency=tp.frequency, start=tp.start, planned_end=planned_end
        )

    first = {
        "planned_end_date": tp.planned_end,
        "volume": tp.volume,
        "daily_cost": cost(tp.planned_end, tp.volume),
        "end_date": None,
        "end_reason": "",
        "version": 1,
    }
    changes, planned_end, volume, version = [], tp.planned_end, tp.volume, 1
    for ep in tp.extensions:
        if ep.status in (ExtensionStatus.APPROVED, ExtensionStatus.SHORTENED):
            planned_end, volume, version = ep.granted_end, ep.granted_volume or volume, version + 1
            changes.append(
                (
                    clock.at(ep.decided_on, 11, 30),
                    toets,
                    {
                        "planned_end_date": planned_end,
                        "volume": volume,
                        "daily_cost": cost(planned_end, volume),
                        "version": version,
                    },
                )
            )
    if tp.end:
        version += 1
        changes.append(
            (clock.at(tp.end, 16), toegang, {"end_date": tp.end, "end_reason": tp.end_reason, "version": version})
        )
    when = clock.at(tp.start, 10)
    trajectory = _mark(
        Trajectory(
            child=children[id(tp.child)],
            referral=referrals[id(tp.referral)],
            provider=providers[tp.provider.agb],
            product=product,
            start_date=tp.start,
            planned_end_date=planned_end,
            volume=volume,
            unit=product.unit,
            frequency=tp.frequency,
            tariff=tp.tariff,
            financing=tp.financing,
            norm_months=product.effective_norm_months,
            daily_cost=cost(planned_end, volume),
            end_date=tp.end,
            end_reason=tp.end_reason,
            version=version,
            outside_budget=bool(tp.outside_budget_reason),
            outside_budget_reason=tp.outside_budget_reason,
            created_at=when,
        ),
        toegang,
        when,
    )
    return trajectory, first, changes


def build_demo(*, seed: int = DEFAULT_SEED, scale: float = 1.0, today: dt.date | None = None) -> dict:
    """Plan, write (in one transaction) and measure the demo. Returns what the command prints."""
    today = today or timezone.localdate()
    started, cpu_started = time.perf_counter(), time.process_time()
    plan = plan_demo(seed=seed, scale=scale, today=today)
    planned = time.perf_counter()
    with transaction.atomic():
        if not Product.objects.exists():
            # Migration 0003 loads the catalogue; only a flushed database (a test) lacks it.
            load_catalogue(Segment, Product)
        write_demo(plan)
    written = time.perf_counter()
    report = {
        "plan": plan,
        "gemeenten": [measure(Gemeente.objects.get(code=g.code), today, g) for g in plan.gemeenten],
        "seconds_plan": planned - started,
        "seconds_write": written - planned,
    }
    report["seconds_total"] = time.perf_counter() - started
    # CPU time of this process: wall time also counts waiting for a busy machine or disk.
    report["seconds_cpu"] = time.process_time() - cpu_started
    return report


# --- measuring (from the database, as the KPI pages will) ------------------------------------------


def measure(gemeente: Gemeente, today: dt.date, plan: GemeentePlan | None = None, year: int = CALIBRATION_YEAR) -> dict:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    in_year = Trajectory.objects.filter(child__gemeente=gemeente, start_date__lte=last).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first)
    )
    spend = {
        row["product__segment__number"]: row["total"] or Decimal("0")
        for row in in_year.with_cost_in_period(first, last, as_of=today)
        .values("product__segment__number")
        .annotate(total=Sum("period_cost"))
    }
    youths = dict(in_year.values_list("product__segment__number").annotate(n=Count("child", distinct=True)))
    trajectories = Trajectory.objects.filter(child__gemeente=gemeente)
    extensions = Counter(
        Extension.objects.filter(trajectory__child__gemeente=gemeente).values_list("status", flat=True)
    )
    reviews = StopReview.objects.filter(trajectory__child__gemeente=gemeente)
    household_sizes = Counter(
        Child.objects.filter(gemeente=gemeente, trajectories__isnull=False)
        .values("household")
        .annotate(n=Count("id", distinct=True))
        .values_list("n", flat=True)
    )
    # DOMAIN.md §5 gives the referrers of trajectories, so count trajectories by their referral's source.
    sources = Counter(dict(trajectories.values_list("referral__source").annotate(n=Count("id"))))
    open_now = trajectories.filter(end_date__isnull=True)
    return {
        "gemeente": gemeente,
        "year": year,
        "spend": spend,
        "youths": youths,
        "youths_total": in_year.values("child").distinct().count(),
        "spend_targets": plan.spend_targets if plan else None,
        "youth_targets": plan.youth_targets if plan else None,
        "children": Child.objects.filter(gemeente=gemeente).count(),
        "trajectories": trajectories.count(),
        "open": open_now.count(),
        "open_past_planned_end": open_now.filter(planned_end_date__lt=today).count(),
        "outside_budget": trajectories.filter(outside_budget=True).count(),
        "extensions": extensions,
        "reviews_done": reviews.filter(done_date__isnull=False).count(),
        "reviews_planned": reviews.filter(done_date__isnull=True, due_date__gte=today).count(),
        "reviews_overdue": reviews.filter(done_date__isnull=True, due_date__lt=today).count(),
        "households_multi": sum(size * n for size, n in household_sizes.items() if size >= 2),
        "sources": sources,
        "referrals": Referral.objects.filter(child__gemeente=gemeente).count(),
    }


# --- the printed report -----------------------------------------------------------------------------


def _euro(amount) -> str:
    return "€ " + f"{amount:,.0f}".replace(",", ".")


def _int(number) -> str:
    return f"{number:,}".replace(",", ".")


def _pct(value, target) -> str:
    if not target:
        return "n.v.t."
    return f"{100 * (float(value) - float(target)) / float(target):+.1f}%".replace(".", ",")


def format_report(report: dict) -> str:
    plan = report["plan"]
    segments = {s.number: s.name for s in Segment.objects.all()}
    lines = []
    for m in report["gemeenten"]:
        gemeente = m["gemeente"]
        calibrated = m["spend_targets"] is not None
        title = f"{gemeente.name} ({gemeente.code})"
        lines.append(
            title
            + (
                f" — geijkt op Leidschendam-Voorburg {m['year']}"
                if calibrated
                else f" — zelfde generator, kleine schaal ({m['year']})"
            )
        )
        header = f"  {'segment':<50}{'uitgaven':>14}"
        if calibrated:
            header += f"{'doel':>14}{'afw.':>8}"
        header += f"{'jeugdigen':>11}" + (f"{'doel':>7}{'afw.':>8}" if calibrated else "")
        lines.append(header)
        for number, name in segments.items():
            spend, youths = m["spend"].get(number, Decimal("0")), m["youths"].get(number, 0)
            row = f"  {str(number) + ' ' + name[:47]:<50}{_euro(spend):>14}"
            if calibrated:
                target = m["spend_targets"].get(number)
                row += f"{_euro(target):>14}{_pct(spend, target):>8}"
            row += f"{_int(youths):>11}"
            if calibrated:
                target = m["youth_targets"].get(number)
                row += f"{_int(target):>7}{_pct(youths, target):>8}"
            lines.append(row)
        total = sum(m["spend"].values(), Decimal("0"))
        total_row = f"  {'totaal':<50}{_euro(total):>14}"
        if calibrated:
            total_target = sum(m["spend_targets"].values())
            total_row += f"{_euro(total_target):>14}{_pct(total, total_target):>8}"
        lines.append(total_row)
        youth_line = f"  Jeugdigen met zorg in {m['year']} (uniek, alle segmenten): {_int(m['youths_total'])}"
        if calibrated:
            target = round(TARGET_YOUTHS_TOTAL * plan.scale)
            youth_line += f" (doel ca. {_int(target)}, {_pct(m['youths_total'], target)})"
        lines.append(youth_line)
        ext = m["extensions"]
        lines.append(
            f"  {_int(m['children'])} jeugdigen, {_int(m['referrals'])} verwijzingen, "
            f"{_int(m['trajectories'])} trajecten "
            f"({_int(m['open'])} lopend, {_int(m['open_past_planned_end'])} voorbij geplande einddatum, "
            f"{_int(m['outside_budget'])} buiten budget); {_int(m['households_multi'])} jeugdigen in een gezin "
            f"met 2+ kinderen in zorg"
        )
        lines.append(
            f"  Verlengingen: {ext.get('pending', 0)} wachten op toets, {ext.get('approved', 0)} toegekend, "
            f"{ext.get('shortened', 0)} korter toegekend, {ext.get('refused', 0)} afgewezen. Reviews: "
            f"{m['reviews_done']} uitgevoerd, {m['reviews_planned']} gepland, {m['reviews_overdue']} te laat"
        )
        total_sources = sum(m["sources"].values()) or 1
        shares = ", ".join(
            f"{ReferrerType(code).label.split(' (')[0].split(' /')[0].lower()} "
            f"{100 * m['sources'].get(code, 0) / total_sources:.1f}% ({national})".replace(".", ",")
            for code, national in REFERRER_SHARES.items()
        )
        lines.append(f"  Verwijzers van trajecten (tussen haakjes landelijk): {shares}")
        lines.append("")
    factors = ", ".join(f"{s}: {f:.2f}".replace(".", ",") for s, f in sorted(plan.factors.items()))
    lines.append(
        f"IJking: basistarieven per segment vermenigvuldigd met {factors} (seed {plan.seed}, schaal "
        f"{plan.scale:g}). Alle segmenten zijn P × Q: taakgerichte bekostiging (segment 1-4) geldt pas "
        f"vanaf {TASK_FINANCING_FROM:%d-%m-%Y}."
    )
    lines.append(
        f"Opgebouwd in {report['seconds_total']:.1f} s (plan {report['seconds_plan']:.1f} s, "
        f"database {report['seconds_write']:.1f} s; processortijd {report['seconds_cpu']:.1f} s)."
    )
    lines.append("")
    lines.append(format_logins())
    return "\n".join(lines)


def format_logins() -> str:
    names = dict(Gemeente.objects.filter(code__in=[VOORBEELDSTAD[0], PROEFDORP[0]]).values_list("code", "name"))
    lines = [f"Demo-inloggegevens (wachtwoord voor iedereen: {DEMO_PASSWORD}):"]
    for username, first, last, role, codes in DEMO_USERS:
        where = " + ".join(names.get(code, code) for code in codes)
        lines.append(f"  {username:<20}{Role(role).label:<24}{first + ' ' + last:<22}{where}")
    return "\n".join(lines)
