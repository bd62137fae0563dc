"""CSV import: one row per trajectory (column set in docs/import.md), all or nothing per file.

The file is streamed in chunks of CHUNK_SIZE rows; each chunk is checked row by row and then written
set-based (a handful of queries per chunk, whatever its size) with history. Everything runs in one
transaction that is rolled back when any row is wrong or when it is a dry run, so a dry run reports
exactly what the real import would do and leaves nothing behind.
"""

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import DataError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from cases.codes import EndReason, Frequency, ReferrerType, Unit
from cases.models import Child, Household, Trajectory
from cases.terms import trajectory_terms
from cases.validators import bsn_is_valid
from referrals.models import Referral, RequestCategory

from .common import database_refusal, mask_bsn, parse_date, parse_decimal
from .history import HistoryWriter
from .lookups import Lookups
from .report import Problem, Report

CHUNK_SIZE = 5000

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
}

# TextChoices.values rebuilds its list on every call: these run for every row.
END_REASONS = frozenset(EndReason.values)
FREQUENCIES = frozenset(Frequency.values)
REFERRERS = frozenset(ReferrerType.values)
UNITS = frozenset(Unit.values)
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


class CsvImport:
    def __init__(self, path: Path, *, user, report: Report, progress, display_name: str, reason: str):
        self.path = Path(path)
        self.user = user
        self.report = report
        self.progress = progress
        self.name = display_name
        self.writer = HistoryWriter(user=user, reason=reason)
        self.lookups = Lookups(user)
        self.today = timezone.localdate()
        self._terms: dict[tuple, dict] = {}

    def _terms_fields(self, product, provider, tariff, financing=None) -> dict:
        """trajectory_terms as model fields, once per combination: it would run for every row."""
        key = (product.pk, provider.pk, tariff, financing)
        fields = self._terms.get(key)
        if fields is None:
            fields = self._terms[key] = trajectory_terms(
                product, provider, tariff=tariff, financing=financing
            ).as_fields()
        return fields

    # --- entry point ---------------------------------------------------------------------------

    def run(self, *, dry_run: bool) -> None:
        self.progress.set_total(count_lines(self.path))
        with transaction.atomic():
            self._stream()
            if dry_run or not self.report.ok:
                # All or nothing: a single bad row, or a dry run, leaves the database as it was.
                transaction.set_rollback(True)

    def _problem(self, line: int, field: str, value: str, message: str) -> None:
        where = f"regel {line}" if line else "bestand"
        self.report.problem(Problem(self.name, where, field, value, message))

    def _stream(self) -> None:
        try:
            with open(self.path, encoding="utf-8-sig", newline="") as handle:
                header_line = handle.readline()
                if not header_line.strip():
                    self._problem(1, "kopregel", "", "Het bestand is leeg of heeft geen kopregel.")
                    return
                delimiter = sniff_delimiter(header_line)
                columns = next(csv.reader([header_line], delimiter=delimiter))
                index = self._check_header(columns)
                if index is None:
                    return
                reader = csv.reader(handle, delimiter=delimiter)
                chunk: list[Row] = []
                keys: set = set()
                for values in reader:
                    line = reader.line_num + 1  # +1: the header line was read before the reader
                    self.progress.advance()
                    if not any(v.strip() for v in values):
                        continue
                    row = self._parse(line, values, index, len(columns))
                    if row is None:
                        continue
                    if row.trajectory_key in keys or len(chunk) >= CHUNK_SIZE:
                        # A repeated trajectory goes to the next chunk, where it meets the first as an
                        # existing record (unchanged or updated), the same as across chunks.
                        self._write_chunk(chunk)
                        chunk, keys = [], set()
                    chunk.append(row)
                    keys.add(row.trajectory_key)
                self._write_chunk(chunk)
        except UnicodeDecodeError as exc:
            self._problem(
                0, "tekenset", "", f"Het bestand is geen UTF-8-tekst (byte {exc.start}); sla het op als CSV UTF-8."
            )
        except csv.Error as exc:
            self._problem(0, "opmaak", "", f"Het bestand is geen geldige CSV: {exc}.")

    def _check_header(self, columns: list[str]) -> dict | None:
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

    # --- one row -----------------------------------------------------------------------------

    def _parse(self, line: int, values: list[str], index: dict, width: int) -> Row | None:
        if len(values) != width:
            self._problem(line, "regel", "", f"De regel heeft {len(values)} velden; de kopregel heeft er {width}.")
            return None
        before = self.report.problem_count

        def get(name: str) -> str:
            position = index.get(name)
            return values[position].strip() if position is not None else ""

        def problem(field: str, value: str, message: str) -> None:
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
                "startdatum", get("startdatum"), f"Het traject start vóór de verwijzing van {referral_date:%d-%m-%Y}."
            )
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

        if self.report.problem_count != before:
            return None
        product = self.lookups.products[product_code]
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
        )

    # --- one chunk, set-based ------------------------------------------------------------------

    def _write_chunk(self, rows: list[Row]) -> None:
        if not rows:
            return
        try:
            with transaction.atomic():  # a savepoint: a refused chunk leaves the transaction usable
                self._write_rows(rows)
        except (IntegrityError, DataError) as exc:
            # A rule the row checks missed: the database refuses, and so does the file.
            where = f"regels {rows[0].line}-{rows[-1].line}"
            self.report.problem(Problem(self.name, where, "database", "", database_refusal(exc)))

    def _write_rows(self, rows: list[Row]) -> None:
        children = self._children(rows)
        if children is None or not self.report.ok:
            return  # the file is refused anyway; keep checking rows, skip the writes
        referrals = self._referrals(rows, children)
        self._trajectories(rows, children, referrals)

    def _children(self, rows: list[Row]) -> dict | None:
        by_gemeente: dict[int, set] = {}
        for row in rows:
            by_gemeente.setdefault(row.gemeente_id, set()).add(row.child_ref)
        query = Q()
        for gemeente_id, refs in by_gemeente.items():
            query |= Q(gemeente_id=gemeente_id, external_reference__in=refs)
        existing = {(c.gemeente_id, c.external_reference): c for c in Child.objects.filter(query)}
        bsns = {row.bsn for row in rows if row.bsn}
        bsn_owner = {c.bsn: c for c in Child.objects.filter(bsn__in=bsns)} if bsns else {}

        first_row: dict[tuple, Row] = {}
        new: dict[tuple, Child] = {}
        changed: dict[int, Child] = {}
        ok = True
        for row in rows:
            key = row.child_key
            if key in first_row:
                first = first_row[key]
                if (row.birth_date, row.bsn) != (first.birth_date, first.bsn):
                    self._problem(
                        row.line,
                        "geboortedatum/bsn",
                        "",
                        f"Deze jeugdige ({row.child_ref}) staat op regel {first.line} "
                        "met een andere geboortedatum of BSN.",
                    )
                    ok = False
                continue
            first_row[key] = row
            child = existing.get(key)
            owner = bsn_owner.get(row.bsn) if row.bsn else None
            if child is None and owner is not None:
                if owner.gemeente_id != row.gemeente_id:
                    self._problem(
                        row.line, "bsn", mask_bsn(row.bsn), "Dit BSN hoort bij een dossier van een andere gemeente."
                    )
                    ok = False
                    continue
                if owner.external_reference and owner.external_reference != row.child_ref:
                    self._problem(
                        row.line,
                        "bsn",
                        mask_bsn(row.bsn),
                        "Dit BSN hoort bij een jeugdige met een andere kindreferentie.",
                    )
                    ok = False
                    continue
                child = owner  # known by BSN (registered by hand): link it to its reference
                child.external_reference = row.child_ref
                changed[child.pk] = child
                existing[key] = child
            if child is None:
                new[key] = Child(
                    gemeente_id=row.gemeente_id,
                    external_reference=row.child_ref,
                    birth_date=row.birth_date,
                    first_name=row.first_name,
                    name_prefix=row.name_prefix,
                    last_name=row.last_name or "onbekend",
                    bsn=row.bsn or None,
                )
                continue
            if row.bsn and child.bsn and child.bsn != row.bsn:
                self._problem(row.line, "bsn", mask_bsn(row.bsn), "Het BSN wijkt af van het BSN in het dossier.")
                ok = False
                continue
            if row.bsn and not child.bsn:
                if owner is not None and owner.pk != child.pk:
                    self._problem(row.line, "bsn", mask_bsn(row.bsn), "Dit BSN hoort al bij een ander dossier.")
                    ok = False
                    continue
                child.bsn = row.bsn
                changed[child.pk] = child
            if child.birth_date != row.birth_date:
                child.birth_date = row.birth_date
                changed[child.pk] = child
            for attr, value in (
                ("first_name", row.first_name),
                ("name_prefix", row.name_prefix),
                ("last_name", row.last_name),
            ):
                # Names are optional in the file: an empty cell never wipes a name typed in jeugdregie.
                if value and getattr(child, attr) != value:
                    setattr(child, attr, value)
                    changed[child.pk] = child
        if not ok or not self.report.ok:
            return None

        if new:
            households = [
                Household(
                    gemeente_id=c.gemeente_id,
                    name=f"Huishouden {c.last_name if c.last_name != 'onbekend' else c.external_reference}"[:120],
                )
                for c in new.values()
            ]
            households = self.writer.create(households, Household)
            for child, household in zip(new.values(), households, strict=True):
                child.household_id = household.pk
            created = self.writer.create(list(new.values()), Child)
            for key, child in zip(new, created, strict=True):
                existing[key] = child
            self.report.count("huishouden", "nieuw", len(households))
            self.report.count("jeugdige", "nieuw", len(created))
        if changed:
            self.writer.update(
                list(changed.values()),
                Child,
                ["external_reference", "bsn", "birth_date", "first_name", "name_prefix", "last_name"],
            )
            self.report.count("jeugdige", "gewijzigd", len(changed))
        return existing

    def _referrals(self, rows: list[Row], children: dict) -> dict:
        wanted = {}
        for row in rows:
            if row.referrer:
                child = children[row.child_key]
                wanted[(child.pk, row.referrer, row.referral_date)] = child
        if not wanted:
            return {}
        existing = {
            (r.child_id, r.source, r.date): r for r in Referral.objects.filter(child_id__in={key[0] for key in wanted})
        }
        new = [
            Referral(child_id=child_id, source=source, date=date, request_category=RequestCategory.OTHER)
            for (child_id, source, date) in wanted
            if (child_id, source, date) not in existing
        ]
        for referral in self.writer.create(new, Referral):
            existing[(referral.child_id, referral.source, referral.date)] = referral
        self.report.count("verwijzing", "nieuw", len(new))
        self.report.count("verwijzing", "ongewijzigd", len(wanted) - len(new))
        return existing

    def _trajectories(self, rows: list[Row], children: dict, referrals: dict) -> None:
        child_ids = {c.pk for c in children.values()}
        allocation_numbers = {row.allocation_number for row in rows if row.allocation_number}
        existing_by_key = {}
        existing_by_allocation = {}
        query = Q(child_id__in=child_ids)
        if allocation_numbers:
            query |= Q(allocation_number__in=allocation_numbers)
        for t in Trajectory.objects.filter(query).select_related("provider", "product"):
            existing_by_key[(t.child_id, t.provider.agb_code, t.product.code, t.start_date)] = t
            if t.allocation_number:
                existing_by_allocation[t.allocation_number] = t

        new, changed = [], []
        unchanged = 0
        for row in rows:
            child = children[row.child_key]
            referral = referrals.get((child.pk, row.referrer, row.referral_date)) if row.referrer else None
            provider = self.lookups.providers[row.provider_agb]
            product = self.lookups.products[row.product_code]
            if row.allocation_number:
                current = existing_by_allocation.get(row.allocation_number)
                if current is not None and current.child_id != child.pk:
                    self._problem(
                        row.line,
                        "toewijzingnummer",
                        row.allocation_number,
                        "Dit toewijzingnummer hoort bij een traject van een andere jeugdige.",
                    )
                    continue
            else:
                current = existing_by_key.get((child.pk, row.provider_agb, row.product_code, row.start))
            values = {
                "provider_id": provider.pk,
                "product_id": product.pk,
                "start_date": row.start,
                "planned_end_date": row.planned_end,
                "end_date": row.end,
                "end_reason": row.end_reason,
                "volume": row.volume,
                "unit": row.unit,
                "frequency": row.frequency,
                "referral_id": referral.pk if referral else None,
            }
            if current is None:
                terms = self._terms_fields(product, provider, row.tariff)
                new.append(Trajectory(child_id=child.pk, allocation_number=row.allocation_number, **terms, **values))
                continue
            if referral is None:
                values["referral_id"] = current.referral_id  # a row without referrer keeps the link
            if row.tariff is not None:
                # A tariff in the file is this allocation's price, by the same rule as a new trajectory's;
                # the financing it was allocated with stays.
                values["tariff"] = self._terms_fields(product, provider, row.tariff, current.financing)["tariff"]
            fields = [name for name, value in values.items() if getattr(current, name) != value]
            if not fields:
                unchanged += 1
                continue
            for name in fields:
                setattr(current, name, values[name])
            current.version += 1
            changed.append((current, fields))
        if not self.report.ok:
            return
        self.writer.create(new, Trajectory)
        if changed:
            fields = sorted({name for _, names in changed for name in names})
            self.writer.update([t for t, _ in changed], Trajectory, fields)
        self.report.count("traject", "nieuw", len(new))
        self.report.count("traject", "gewijzigd", len(changed))
        self.report.count("traject", "ongewijzigd", unchanged)
