"""iJw 3.2 code lists used as stored values (see ../shared/ijw/codelijsten/)."""

from django.db import models


class ReferrerType(models.TextChoices):
    """COD327 Code verwijzer. POH-Jeugd is first-class here but maps back to 02 (huisarts)."""

    GEMEENTE = "01", "Gemeente / toegang"
    HUISARTS = "02", "Huisarts"
    POH_JEUGD = "02P", "POH-Jeugd (namens huisarts)"
    JEUGDARTS = "03", "Jeugdarts (JGZ)"
    GI = "04", "Gecertificeerde instelling (GI)"
    MEDISCH_SPECIALIST = "05", "Medisch specialist"
    GEEN = "06", "Zelfverwijzer / geen verwijzer"
    RECHTER = "08", "Rechter / Officier van Justitie"


class Unit(models.TextChoices):
    """WJ756 Eenheid."""

    MINUTE = "01", "Minuut"
    HOUR = "04", "Uur"
    DAY = "14", "Etmaal"
    DAY_PART = "16", "Dagdeel (4 uur)"
    PIECES_OUTPUT = "82", "Stuks (output)"
    EUROS = "83", "Euro's"
    PIECES_EFFORT = "84", "Stuks (inspanning)"


class Frequency(models.TextChoices):
    """WMO757 Frequentie."""

    PER_DAY = "1", "Per dag"
    PER_WEEK = "2", "Per week"
    PER_MONTH = "4", "Per maand"
    TOTAL = "6", "Totaal binnen geldigheidsduur toewijzing"


class EndReason(models.TextChoices):
    """JZ588 Reden beëindiging."""

    DECEASED = "02", "Overlijden"
    PAUSED = "20", "Levering is tijdelijk beëindigd"
    AS_PLANNED = "31", "Levering is volgens plan beëindigd"
    EARLY_CLIENT = "32", "Voortijdig afgesloten, door cliënt"
    EARLY_PROVIDER = "33", "Voortijdig afgesloten, door aanbieder"
    EARLY_AGREED = "34", "Voortijdig afgesloten, in overleg"
    EARLY_EXTERNAL = "35", "Voortijdig afgesloten, externe oorzaak"
    BY_GEMEENTE = "36", "Geïnitieerd door de gemeente"
    CHANGE_REQUEST = "37", "In verband met wijzigingsverzoek"
    OTHER_PROVIDER = "38", "Overstap naar andere aanbieder"
    OTHER_DOMAIN = "39", "Uitstroom naar ander domein (Wmo, Wlz, Zvw)"


class ProductCategory(models.TextChoices):
    """JZ020 Productcategorie (the current codes, 40-55)."""

    PERSONAL_CARE = "40", "Persoonlijke verzorging"
    DAY_TREATMENT = "41", "Dagbehandeling"
    TRANSPORT = "42", "Vervoerdiensten"
    STAY_WITH_TREATMENT = "43", "Jeugdhulp verblijf (incl. behandeling)"
    STAY_WITHOUT_TREATMENT = "44", "Jeugdhulp verblijf (excl. behandeling)"
    AMBULANT = "45", "Jeugdhulp ambulant"
    CRISIS = "46", "Jeugdhulp crisis"
    YOUTH_PROBATION = "47", "Jeugdreclassering"
    CHILD_PROTECTION = "48", "Jeugdbescherming"
    PREVENTIVE_JUSTICE = "49", "Activiteiten in het preventief justitieel kader"
    CUSTOM = "50", "Maatwerkarrangementen jeugd"
    BASIC_MENTAL_HEALTH = "51", "Generalistische basis-ggz"
    SPECIALIST_MENTAL_HEALTH = "52", "Specialistische ggz"
    PAEDIATRICS = "53", "Kindergeneeskunde"
    YOUTH_MENTAL_HEALTH = "54", "Jeugd-ggz"
    NATIONAL = "55", "Landelijk ingekochte zorg"


class Financing(models.TextChoices):
    """Bekostigingsvorm."""

    EFFORT = "inspanning", "Inspanningsgericht (P × Q)"
    OUTPUT = "output", "Outputgericht (vaste prijs per traject)"
    TASK = "taak", "Taakgericht (geen prijs per casus)"
