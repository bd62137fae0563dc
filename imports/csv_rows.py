"""CSV import, one row at a time: the column set (docs/import.md), and every check a row must pass.

Nothing here writes: a row that passes comes out as a Row, with codes normalised and the references
looked up (gemeente, provider, product); a row that does not adds its problems to the report.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from cases.codes import EndReason, Frequency, ReferrerType, Unit
from cases.formatting import date as dutch_date
from cases.models import daily_cost
from cases.terms import actual_start_problem, trajectory_terms, volume_impossible
from cases.validators import bsn_is_valid

from .common import mask_bsn, parse_date, parse_decimal
from .lookups import Lookups

# column -> required. The order is the order of docs/import.md and docs/voorbeeld_import.csv.
COLUMNS = {
    "gemeentecode": True,
    "kindreferentie": True,
    "geboortedatum": True,
    "verwijzer": False,
    "verwijsdatum": False,
    "aanbieder_agb": True,
    "productcode": True,
    "startdatum": True,
    "geplande_einddatum": True,
    "einddatum": False,
    "reden_einde": False,
    "volume": True,
    "eenheid": False,
    "frequentie": True,
    "tarief": False,
    "toewijzingnummer": False,
    "voornaam": False,
    "tussenvoegsel": False,
    "achternaam": False,
    "bsn": False,
    "werkelijke_start": False,
}

# TextChoices.values rebuilds its list on every call: these run for every row.
END_REASONS = frozenset(EndReason.values)
FREQUENCIES = frozenset(Frequency.values)
REFERRERS = frozenset(ReferrerType.values)
UNITS = frozenset(Unit.values)
EMPTY_CELLS = dict.fromkeys(COLUMNS, "")
REFERRER_ALIASES = {"02p": "02P", "poh": "02P", "poh-jeugd": "02P"}
MAX_BIRTH_AGE_YEARS = 30


@dataclass(slots=True)
class Row:
    line: int
    gemeente_id: int
    child_ref: str
    birth_date: dt.date
    first_name: str
    name_prefix: str
    last_name: str
    bsn: str
    referrer: str
    referral_date: dt.date | None
    provider_agb: str
    product_code: str
    start: dt.date
    planned_end: dt.date
    end: dt.date | None
    end_reason: str
    volume: Decimal
    unit: str
    frequency: str
    tariff: Decimal | None
    allocation_number: str
    actual_start: dt.date | None = None
    # The terms and daily cost the trajectory gets if it is new (cases.terms, Trajectory.daily_cost): they need no
    # database, so the reader thread works them out and the writer only uses them.
    new_terms: dict | None = None

    @property
    def child_key(self) -> tuple:
        return (self.gemeente_id, self.child_ref)

    @property
    def trajectory_key(self) -> tuple:
        if self.allocation_number:
            return ("toewijzing", self.allocation_number)
        return (self.gemeente_id, self.child_ref, self.provider_agb, self.product_code, self.start)


def count_lines(path: Path) -> int:
    """Data lines in the file (for progress), counted in binary blocks: flat memory."""
    lines = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            lines += block.count(b"\n")
    return max(lines - 1, 0)


def sniff_delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") >= header_line.count(",") else ","


class RowChecker:
    """Checks the header and the rows of one file; `problem(line, field, value, message)` reports.

    Reads no database (the lookups are loaded before): CsvImport runs it in a thread of its own."""

    def __init__(self, *, lookups: Lookups, problem):
        self.lookups = lookups
        self._problem = problem
        self.today = timezone.localdate()

    def header(self, columns: list[str]) -> dict | None:
        names = [c.strip().lower().replace(" ", "_") for c in columns]
        ok = True
        for position, name in enumerate(names, start=1):
            if name not in COLUMNS:
                self._problem(1, f"kolom {position}", name, "Onbekende kolom; zie docs/import.md voor de kolommen.")
                ok = False
        if len(set(names)) != len(names):
            self._problem(1, "kopregel", "", "Een kolom komt meer dan eens voor.")
            ok = False
        for name, required in COLUMNS.items():
            if required and name not in names:
                self._problem(1, name, "", f"Verplichte kolom '{name}' ontbreekt.")
                ok = False
        return {name: position for position, name in enumerate(names)} if ok else None

    def parse(self, line: int, values: list[str], index: dict, width: int) -> Row | None:
        if len(values) != width:
            self._problem(line, "regel", "", f"De regel heeft {len(values)} velden; de kopregel heeft er {width}.")
            return None
        refused = False
        # Each cell stripped once, and a column the file lacks read as empty: get() is called ~24 times a row.
        cells = EMPTY_CELLS | {name: values[position].strip() for name, position in index.items()}
        get = cells.__getitem__

        def problem(field: str, value: str, message: str) -> None:
            nonlocal refused
            refused = True
            self._problem(line, field, value, message)

        def required(name: str) -> str:
            value = get(name)
            if not value:
                problem(name, "", "Dit veld is verplicht.")
            return value

        def date(name: str, *, needed: bool) -> dt.date | None:
            value = required(name) if needed else get(name)
            if not value:
                return None
            parsed = parse_date(value)
            if parsed is None:
                problem(name, value, "Geen geldige datum; gebruik dd-mm-jjjj of jjjj-mm-dd.")
            return parsed

        gemeente_code = required("gemeentecode")
        if gemeente_code:
            gemeente_code = gemeente_code.zfill(4)
            if message := self.lookups.gemeente_problem(gemeente_code):
                problem("gemeentecode", gemeente_code, message)
        child_ref = required("kindreferentie")
        if len(child_ref) > 40:
            problem("kindreferentie", child_ref[:40], "De referentie is langer dan 40 tekens.")
        birth_date = date("geboortedatum", needed=True)
        if birth_date and birth_date > self.today:
            problem("geboortedatum", get("geboortedatum"), "De geboortedatum ligt in de toekomst.")
        elif birth_date and self.today.year - birth_date.year > MAX_BIRTH_AGE_YEARS:
            problem("geboortedatum", get("geboortedatum"), "Deze geboortedatum past niet bij een jeugdige.")

        bsn = get("bsn")
        if bsn and not bsn_is_valid(bsn):
            problem("bsn", mask_bsn(bsn), "Dit is geen geldig BSN (het voldoet niet aan de elfproef).")

        referrer = get("verwijzer")
        referrer = REFERRER_ALIASES.get(referrer.lower(), referrer.zfill(2) if referrer.isdigit() else referrer)
        referral_date = date("verwijsdatum", needed=False)
        if referrer and referrer not in REFERRERS:
            problem(
                "verwijzer",
                get("verwijzer"),
                "Onbekende verwijzer; gebruik een COD327-code (01-06, 08) of 02P voor POH-Jeugd.",
            )
        if bool(referrer) != bool(get("verwijsdatum")):
            problem("verwijzer", referrer, "Vul verwijzer en verwijsdatum allebei in, of allebei niet.")

        agb = required("aanbieder_agb")
        if agb and (message := self.lookups.provider_problem(agb)):
            problem("aanbieder_agb", agb, message)
        product_code = required("productcode").upper()
        if product_code and (message := self.lookups.product_problem(product_code)):
            problem("productcode", product_code, message)

        start = date("startdatum", needed=True)
        planned_end = date("geplande_einddatum", needed=True)
        end = date("einddatum", needed=False)
        end_reason = get("reden_einde").zfill(2) if get("reden_einde") else ""
        if start and planned_end and planned_end < start:
            problem("geplande_einddatum", get("geplande_einddatum"), "De geplande einddatum ligt vóór de startdatum.")
        if start and end and end < start:
            problem("einddatum", get("einddatum"), "De einddatum ligt vóór de startdatum.")
        if start and referral_date and start < referral_date:
            problem(
                "startdatum",
                get("startdatum"),
                f"Het traject start vóór de verwijzing van {dutch_date(referral_date)}.",
            )
        actual_start = date("werkelijke_start", needed=False)
        if actual_start and start and planned_end:
            # The rule of the toegang's form and the JW305 import (cases.terms).
            if message := actual_start_problem(
                actual_start=actual_start,
                referral_date=referral_date,
                planned_end=planned_end,
                end=end,
                today=self.today,
            ):
                problem("werkelijke_start", get("werkelijke_start"), message)
        if end and not end_reason:
            problem("reden_einde", "", "Bij een einddatum hoort een reden van beëindiging (JZ588).")
        if end_reason and end_reason not in END_REASONS:
            problem("reden_einde", get("reden_einde"), "Onbekende reden van beëindiging (JZ588).")
        if end_reason and not end:
            problem("reden_einde", end_reason, "Een reden van beëindiging zonder einddatum.")

        volume_text = required("volume")
        volume = parse_decimal(volume_text) if volume_text else None
        if volume_text and (volume is None or volume <= 0):
            problem("volume", get("volume"), "Het volume moet een getal groter dan nul zijn.")
        elif volume is not None and (volume != round(volume, 2) or volume >= Decimal("1e8")):
            problem("volume", get("volume"), "Het volume heeft te veel cijfers (hooguit 8 voor en 2 na de komma).")
        unit = get("eenheid").zfill(2) if get("eenheid") else ""
        if unit and unit not in UNITS:
            problem("eenheid", get("eenheid"), "Onbekende eenheid (WJ756).")
        frequency = required("frequentie")
        if frequency and frequency not in FREQUENCIES:
            problem("frequentie", frequency, "Onbekende frequentie (WMO757: 1, 2, 4 of 6).")
        tariff = None
        if get("tarief"):
            tariff = parse_decimal(get("tarief"))
            if tariff is None or tariff < 0 or tariff != round(tariff, 2) or tariff >= Decimal("1e8"):
                problem("tarief", get("tarief"), "Het tarief moet een bedrag in euro's zijn, bijvoorbeeld 95,00.")
        allocation_number = get("toewijzingnummer")
        if len(allocation_number) > 20:
            problem("toewijzingnummer", allocation_number[:20], "Het toewijzingnummer is langer dan 20 tekens.")
        names = {name: get(name) for name in ("voornaam", "tussenvoegsel", "achternaam")}
        for name, limit in (("voornaam", 80), ("tussenvoegsel", 20), ("achternaam", 120)):
            if len(names[name]) > limit:
                problem(name, names[name][:20], f"Langer dan {limit} tekens.")

        if refused:
            return None
        product = self.lookups.products[product_code]
        # The same limit as the toegang's form (cases.terms): a volume that cannot be delivered is refused.
        impossible = volume_impossible(
            volume=volume, unit=unit or product.unit, frequency=frequency, start=start, planned_end=planned_end
        )
        if impossible:
            problem("volume", get("volume"), impossible)
            return None
        new_terms = trajectory_terms(product, self.lookups.providers[agb], tariff=tariff).as_fields()
        new_terms["daily_cost"] = daily_cost(
            tariff=new_terms["tariff"], volume=volume, frequency=frequency, start=start, planned_end=planned_end
        )
        return Row(
            line=line,
            gemeente_id=self.lookups.gemeenten[gemeente_code].pk,
            child_ref=child_ref,
            birth_date=birth_date,
            first_name=names["voornaam"],
            name_prefix=names["tussenvoegsel"],
            last_name=names["achternaam"],
            bsn=bsn,
            referrer=referrer,
            referral_date=referral_date,
            provider_agb=agb,
            product_code=product_code,
            start=start,
            planned_end=planned_end,
            end=end,
            end_reason=end_reason,
            volume=volume,
            unit=unit or product.unit,
            frequency=frequency,
            tariff=tariff,
            allocation_number=allocation_number,
            actual_start=actual_start,
            new_terms=new_terms,
        )
