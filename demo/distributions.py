"""What the generator draws from: who refers, what is asked, ages, households, what follows care.

Shares and weights (DOMAIN.md §5-6 where a figure exists) and the texts the demo users write.
"""

from cases.codes import EndReason, ReferrerType
from cases.models import ReviewOutcome
from referrals.models import ReferralOutcome, RequestCategory

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

# --- extensions, ends and reviews -------------------------------------------------------------------

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
