"""What the regio buys in the demo: the products it uses (tariff, volumes, durations) and its providers."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from cases.codes import Frequency, Unit


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
    norm_volume: Decimal | None = None  # the normenkader's Q per week, where the regio set one


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
    ProductPlan("45A56", 2, 20, Decimal("134"), (1.5, 2, 3), W, (6, 12), 9, 0.8, norm_volume=Decimal("2.5")),
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
    ProductPlan("45A52", 5, 10, Decimal("92"), (3, 4, 5), W, (6,), 9, 0.8, norm_volume=Decimal("4")),  # intensief
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
