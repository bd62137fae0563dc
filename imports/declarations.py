"""Declarations (issue 12): the lines of a JW323 or a declarations CSV, checked all at once, then written.

Both sources come here as DeclarationLine. Every rule is checked before anything is written and every
problem of the file is reported together; the caller's savepoint makes the file all or nothing. The
iJw technical rules (TR...) these checks follow are named beside them (../shared/ijw/codelijsten/
WJ001_Retourcode.md).

Idempotent: a line is identified by (provider, ReferentieNummer, debit/credit). A line already there
with the same content is 'ongewijzigd'; one with other content is refused (TR314).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from cases.codes import Unit
from cases.formatting import date as dutch_date
from cases.formatting import euro
from cases.models import DebitCredit, Declaration, DeclarationStatus, Trajectory
from cases.validators import bsn_is_valid

from .common import mask_bsn
from .history import HistoryWriter
from .ijw import MessageError
from .lookups import Lookups
from .report import Problem

CENT = Decimal("0.01")


@dataclass(slots=True)
class DeclarationLine:
    where: str  # "JW323 prestatie RN001" or "regel 12"
    provider_agb: str
    bsn: str
    reference: str
    allocation_number: str
    product_code: str  # "" when the source does not state it (CSV)
    begin: dt.date
    end: dt.date
    volume: Decimal
    unit: str  # "" when the source does not state it (CSV): the allocation's unit
    tariff: Decimal | None  # per unit, when stated
    debit_credit: str
    amount: Decimal  # euros, signed: a credit is negative
    approved: Decimal | None = None  # CSV only: what the gemeente's books say was approved


@dataclass
class Declared:
    """What one file declares beyond its lines."""

    file: str
    kind: str  # "JW323" or "CSV"
    source: str  # DeclarationSource
    gemeente_code: str = ""  # JW323: the addressed gemeente
    number: str = ""
    message_id: str = ""
    period: tuple[dt.date, dt.date] | None = None  # JW323 DeclaratiePeriode
    total: Decimal | None = None  # JW323 TotaalIngediendBedrag, signed


def _month_end(day: dt.date) -> dt.date:
    next_month = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return next_month - dt.timedelta(days=1)


IN_CHUNK = 5000  # values per IN (...): SQLite allows 32,766 parameters, and a large CSV has more lines


def _in_chunks(make_queryset, values) -> list:
    """The rows of make_queryset(chunk) for every chunk of `values`: a fixed number of queries per 5,000."""
    values = sorted(values)
    return [row for i in range(0, len(values), IN_CHUNK) for row in make_queryset(values[i : i + IN_CHUNK])]


def _overlap(a_start, a_end, b_start, b_end) -> bool:
    return a_start <= b_end and b_start <= a_end


def declarations_import(
    declared: Declared, lines: list[DeclarationLine], *, lookups: Lookups, writer: HistoryWriter
) -> list[tuple[str, int]]:
    """Check every line, then write the new ones; returns [(outcome, n)]. Raises MessageError with every problem."""
    problems: list[Problem] = []

    def problem(where: str, field: str, value: str, text: str) -> None:
        problems.append(Problem(declared.file, where, field, value, text))

    # --- the file as a whole ------------------------------------------------------------------------
    if declared.gemeente_code and (text := lookups.gemeente_problem(declared.gemeente_code)):
        problem(declared.kind, "gemeente", declared.gemeente_code, text)
    if declared.total is not None:
        net = sum((line.amount for line in lines), Decimal("0"))
        if net != declared.total:
            problem(
                declared.kind,
                "TotaalIngediendBedrag",
                euro(declared.total, 2),
                f"Het totaal klopt niet met de prestaties: die tellen op tot {euro(net, 2)} (debet min credit).",
            )
    if declared.number and declared.message_id and lines:
        other = (
            Declaration.objects.filter(provider__agb_code=lines[0].provider_agb, declaration_number=declared.number)
            .exclude(message_id=declared.message_id)
            .exists()
        )
        if other:
            problem(
                declared.kind,
                "DeclaratieNummer",
                declared.number,
                "Deze aanbieder heeft dit declaratienummer al voor een andere declaratie gebruikt (TR333).",
            )

    # --- each line on its own -------------------------------------------------------------------------
    seen: set = set()
    for agb in sorted({line.provider_agb for line in lines}):
        if text := lookups.provider_problem(agb):
            problem(declared.kind, "aanbieder", agb, text)
    for line in lines:
        if not bsn_is_valid(line.bsn):
            problem(line.where, "Bsn", mask_bsn(line.bsn), "Dit is geen geldig BSN (het voldoet niet aan de elfproef).")
        key = (line.provider_agb, line.reference, line.debit_credit)
        if key in seen:
            problem(
                line.where,
                "ReferentieNummer",
                line.reference,
                f"Dit referentienummer staat twee keer als {DebitCredit(line.debit_credit).label.lower()} "
                "in het bestand (TR314).",
            )
        seen.add(key)
        if line.end < line.begin:
            problem(line.where, "Einddatum", line.end.isoformat(), "De einddatum ligt vóór de begindatum.")
        elif line.begin.replace(day=1) != line.end.replace(day=1):
            problem(
                line.where,
                "ProductPeriode",
                f"{line.begin.isoformat()} - {line.end.isoformat()}",
                "Een prestatie beslaat ten hoogste één kalendermaand (TR387/TR388).",
            )
        if declared.period and not (declared.period[0] <= line.begin and line.end <= declared.period[1]):
            problem(
                line.where,
                "ProductPeriode",
                f"{line.begin.isoformat()} - {line.end.isoformat()}",
                f"De prestatie valt buiten de declaratieperiode {dutch_date(declared.period[0])} - "
                f"{dutch_date(declared.period[1])} (TR319).",
            )
        if line.volume <= 0:
            problem(line.where, "GeleverdVolume", str(line.volume), "Het geleverde volume moet groter zijn dan nul.")
        if line.tariff is not None and line.unit != Unit.EUROS:
            expected = (line.volume * line.tariff).quantize(CENT)
            if expected != abs(line.amount):
                problem(
                    line.where,
                    "IngediendBedrag",
                    euro(abs(line.amount), 2),
                    f"Het bedrag is niet volume × tarief: {line.volume} × {euro(line.tariff, 2)} = "
                    f"{euro(expected, 2)} (TR346).",
                )
        if line.approved is not None and line.approved not in (Decimal("0"), line.amount):
            problem(
                line.where,
                "toegekend",
                euro(line.approved, 2),
                f"Het toegekende bedrag is 0 (afgewezen) of gelijk aan het gedeclareerde bedrag "
                f"{euro(line.amount, 2)}; een deel toekennen kent de iJw-standaard niet.",
            )

    # --- against what jeugdregie knows (a fixed number of queries) ---------------------------------------
    numbers = {line.allocation_number for line in lines}
    trajectories = {
        t.allocation_number: t
        for t in _in_chunks(
            lambda chunk: Trajectory.objects.select_related(
                "child__gemeente", "product", "provider", "ijw_allocation"
            ).filter(allocation_number__in=chunk),
            numbers,
        )
    }
    references = {line.reference for line in lines}
    existing = {
        (d.provider.agb_code, d.reference, d.debit_credit): d
        for d in _in_chunks(
            lambda chunk: Declaration.objects.select_related("provider").filter(
                provider__agb_code__in={line.provider_agb for line in lines}, reference__in=chunk
            ),
            references,
        )
    }
    trajectory_ids = [t.pk for t in trajectories.values()]
    months = [line.begin for line in lines]
    booked = []  # debits of these trajectories in these months, with whether they were credited
    if trajectory_ids and months:
        debits = _in_chunks(
            lambda chunk: Declaration.objects.select_related("provider").filter(
                trajectory_id__in=chunk,
                debit_credit=DebitCredit.DEBIT,
                period_end__gte=min(months).replace(day=1),
                period_start__lte=_month_end(max(line.end for line in lines)),
            ),
            trajectory_ids,
        )
        credited = set(
            _in_chunks(
                lambda chunk: Declaration.objects.filter(
                    debit_credit=DebitCredit.CREDIT,
                    provider_id__in={d.provider_id for d in debits},
                    reference__in=chunk,
                ).values_list("provider_id", "reference"),
                {d.reference for d in debits},
            )
        )
        booked = [d for d in debits if (d.provider_id, d.reference) not in credited]

    allowed = lookups.allowed_gemeente_ids
    new: list[tuple[DeclarationLine, Trajectory]] = []
    unchanged = 0
    for line in lines:
        trajectory = trajectories.get(line.allocation_number)
        if trajectory is None:
            problem(
                line.where,
                "ToewijzingNummer",
                line.allocation_number,
                f"Toewijzing {line.allocation_number} is niet bekend in jeugdregie; importeer eerst de toewijzing "
                "(JW301) of leg het traject vast met dit toewijzingnummer (TR338).",
            )
            continue
        child = trajectory.child
        if child.bsn != line.bsn:
            problem(
                line.where,
                "Bsn",
                mask_bsn(line.bsn),
                f"Dit BSN hoort niet bij toewijzing {line.allocation_number} (TR304).",
            )
            continue
        if allowed is not None and child.gemeente_id not in allowed:
            problem(
                line.where,
                "ToewijzingNummer",
                line.allocation_number,
                f"U werkt niet voor gemeente {child.gemeente.name}.",
            )
            continue
        if declared.gemeente_code and child.gemeente.code != declared.gemeente_code:
            problem(
                line.where,
                "ToewijzingNummer",
                line.allocation_number,
                f"Toewijzing {line.allocation_number} is van gemeente {child.gemeente.name} ({child.gemeente.code}), "
                f"niet van gemeente {declared.gemeente_code} aan wie de declaratie gericht is.",
            )
            continue
        if trajectory.provider.agb_code != line.provider_agb:
            problem(
                line.where,
                "ToewijzingNummer",
                line.allocation_number,
                f"Toewijzing {line.allocation_number} is aan {trajectory.provider.name} gegeven, niet aan de "
                f"aanbieder met AGB-code {line.provider_agb}.",
            )
            continue
        if line.product_code and line.product_code != trajectory.product.code:
            problem(
                line.where,
                "ProductCode",
                line.product_code,
                f"Toewijzing {line.allocation_number} is voor product {trajectory.product.code} (TR340).",
            )
        if line.unit and line.unit != trajectory.unit:
            problem(
                line.where,
                "Eenheid",
                line.unit,
                f"De eenheid past niet bij die van toewijzing {line.allocation_number} ({trajectory.unit}) (TR341).",
            )
        allocation = getattr(trajectory, "ijw_allocation", None)
        first = min(trajectory.start_date, allocation.allocation_start) if allocation else trajectory.start_date
        last = trajectory.planned_end_date
        if trajectory.end_date and trajectory.end_date < last:
            last = trajectory.end_date
        if line.begin < first or line.end > last:
            problem(
                line.where,
                "ProductPeriode",
                f"{line.begin.isoformat()} - {line.end.isoformat()}",
                f"De prestatie valt buiten toewijzing {line.allocation_number}, die loopt van {dutch_date(first)} "
                f"tot en met {dutch_date(last)} (TR307/TR308).",
            )
        known = existing.get((line.provider_agb, line.reference, line.debit_credit))
        if known is not None:
            same = (
                known.trajectory_id == trajectory.pk
                and (known.period_start, known.period_end) == (line.begin, line.end)
                and known.amount == line.amount
                and known.volume == line.volume
            )
            if same:
                unchanged += 1
            else:
                problem(
                    line.where,
                    "ReferentieNummer",
                    line.reference,
                    "Deze prestatie is al aangeleverd met andere gegevens (TR314); corrigeer met een creditregel "
                    "en een nieuwe prestatie met een nieuw referentienummer.",
                )
            continue
        new.append((line, trajectory))

    # --- credits reverse a debit; a new debit may not overlap a standing one ------------------------------
    new_debits = {(line.provider_agb, line.reference): (line, t) for line, t in new if line.debit_credit == "D"}
    credited_now = set()
    for line, trajectory in new:
        if line.debit_credit != DebitCredit.CREDIT:
            continue
        debit = existing.get((line.provider_agb, line.reference, "D"))
        if debit is not None:
            debit_values = (debit.trajectory_id, debit.period_start, debit.period_end, debit.amount)
        elif (line.provider_agb, line.reference) in new_debits:
            d_line, d_trajectory = new_debits[(line.provider_agb, line.reference)]
            debit_values = (d_trajectory.pk, d_line.begin, d_line.end, d_line.amount)
        else:
            problem(
                line.where,
                "ReferentieNummer",
                line.reference,
                "Van deze creditprestatie is geen debetprestatie bekend (TR323); een credit draait een eerder "
                "gedeclareerde prestatie met hetzelfde referentienummer terug.",
            )
            continue
        if debit_values != (trajectory.pk, line.begin, line.end, -line.amount):
            problem(
                line.where,
                "IngediendBedrag",
                euro(line.amount, 2),
                f"De credit moet de debetprestatie {line.reference} precies terugdraaien: dezelfde toewijzing en "
                f"periode en {euro(-debit_values[3], 2)} credit.",
            )
            continue
        credited_now.add((line.provider_agb, line.reference))
    # Standing (uncredited) debits per trajectory, so each new debit is compared with its own trajectory's only.
    standing: dict[int, list] = {}
    for d in booked:
        if (d.provider.agb_code, d.reference) not in credited_now:
            standing.setdefault(d.trajectory_id, []).append((d.period_start, d.period_end, d.reference))
    for line, trajectory in new:
        if line.debit_credit != DebitCredit.DEBIT or (line.provider_agb, line.reference) in credited_now:
            continue
        periods = standing.setdefault(trajectory.pk, [])
        for start, end, reference in periods:
            if reference != line.reference and _overlap(start, end, line.begin, line.end):
                problem(
                    line.where,
                    "ProductPeriode",
                    f"{line.begin.isoformat()} - {line.end.isoformat()}",
                    f"Voor toewijzing {line.allocation_number} is deze periode al gedeclareerd (prestatie {reference}) "
                    "en niet gecrediteerd (TR389).",
                )
                break
        periods.append((line.begin, line.end, line.reference))

    if problems:
        raise MessageError(problems)

    providers = lookups.providers
    rows = []
    for line, trajectory in new:
        status, approved = DeclarationStatus.SUBMITTED, None
        if line.approved is not None:
            approved = line.approved
            status = DeclarationStatus.APPROVED if line.approved == line.amount else DeclarationStatus.REJECTED
        rows.append(
            Declaration(
                trajectory=trajectory,
                provider=providers[line.provider_agb],
                month=line.begin.replace(day=1),
                period_start=line.begin,
                period_end=line.end,
                volume=line.volume,
                unit=line.unit or trajectory.unit,
                debit_credit=line.debit_credit,
                amount=line.amount,
                reference=line.reference,
                declaration_number=declared.number[:12],
                message_id=declared.message_id[:20],
                source=declared.source,
                status=status,
                approved_amount=approved,
            )
        )
    writer.create(rows, Declaration)
    return [("nieuw", len(rows)), ("ongewijzigd", unchanged)]


# --- JW325: the gemeente's answer -------------------------------------------------------------------------

# Retourcodes that are no objection: 0200 "geen opmerking", 8001 "declaratie is volledig toegewezen".
APPROVING_CODES = frozenset({"0200", "8001"})


def declaration_answer(
    *,
    file: str,
    provider_agb: str,
    answers_message_id: str,
    number: str,
    has_answer: bool,
    header_codes: list[str],
    total: Decimal | None,
    approved_total: Decimal | None,
    answered: list[dict],
    lookups: Lookups,
    writer: HistoryWriter,
) -> list[tuple[str, int]]:
    """Apply a JW325 to the lines of the JW323 it answers. Listed lines with a remark are rejected,
    the others approved in full. Raises MessageError with every problem; nothing is written then."""
    problems: list[Problem] = []

    def problem(where: str, field: str, value: str, text: str) -> None:
        problems.append(Problem(file, where, field, value, text))

    lines = list(
        Declaration.objects.select_related("trajectory__child__gemeente", "provider").filter(
            provider__agb_code=provider_agb, message_id=answers_message_id
        )
    )
    if not lines:
        raise MessageError(
            [
                Problem(
                    file,
                    "JW325",
                    "DeclaratieIdentificatie",
                    answers_message_id,
                    f"De declaratie (JW323) met berichtidentificatie {answers_message_id} van de aanbieder met "
                    f"AGB-code {provider_agb} is niet bekend in jeugdregie; importeer eerst die declaratie.",
                )
            ]
        )
    allowed = lookups.allowed_gemeente_ids
    if allowed is not None and any(d.trajectory.child.gemeente_id not in allowed for d in lines):
        problem(
            "JW325", "DeclaratieIdentificatie", answers_message_id, "U werkt niet voor de gemeente van deze declaratie."
        )
    if number and number != lines[0].declaration_number:
        problem(
            "JW325",
            "DeclaratieNummer",
            number,
            f"Deze declaratie heeft declaratienummer {lines[0].declaration_number}, niet {number}.",
        )
    by_key = {(d.reference, d.debit_credit): d for d in lines}
    rejected: dict = {}
    if not has_answer:
        # No DeclaratieAntwoord: the whole message was refused at the header (e.g. 0001 technical).
        codes = [c for c in header_codes if c not in APPROVING_CODES]
        rejected = {key: codes for key in by_key}
    for item in answered:
        key = (item["reference"], item["debit_credit"])
        where = f"JW325 prestatie {item['reference']}"
        line = by_key.get(key)
        if line is None:
            problem(
                where,
                "ReferentieNummer",
                item["reference"],
                "Deze prestatie staat niet in de declaratie die wordt beantwoord.",
            )
            continue
        if line.trajectory.child.bsn != item["bsn"]:
            problem(where, "Bsn", mask_bsn(item["bsn"]), "De prestatie hoort niet bij deze cliënt (TR304).")
            continue
        remarks = [c for c in item["codes"] if c not in APPROVING_CODES]
        if remarks:
            rejected[key] = remarks
    declared_total = sum((d.amount for d in lines), Decimal("0"))
    approved_sum = sum((d.amount for key, d in by_key.items() if key not in rejected), Decimal("0"))
    if total is not None and total != declared_total:
        problem(
            "JW325",
            "TotaalIngediendBedrag",
            euro(total, 2),
            f"De beantwoorde declaratie heeft in jeugdregie een totaal van {euro(declared_total, 2)}.",
        )
    if approved_total is not None and approved_total != approved_sum:
        problem(
            "JW325",
            "TotaalToegekendBedrag",
            euro(approved_total, 2),
            f"Het toegekende totaal klopt niet met de afgewezen prestaties: toegekend is dan {euro(approved_sum, 2)}.",
        )
    changed, unchanged = [], 0
    for key, line in by_key.items():
        codes = rejected.get(key)
        status = DeclarationStatus.REJECTED if codes is not None else DeclarationStatus.APPROVED
        values = (status, Decimal("0.00") if codes is not None else line.amount, " ".join(codes or [])[:60])
        current = (line.status, line.approved_amount, line.answer_codes)
        if current == values:
            unchanged += 1
            continue
        if line.status != DeclarationStatus.SUBMITTED:
            problem(
                f"JW325 prestatie {line.reference}",
                "ReferentieNummer",
                line.reference,
                f"Deze prestatie is al beantwoord ({line.get_status_display().lower()}); een ander antwoord op "
                "dezelfde declaratie wordt niet overgenomen.",
            )
            continue
        line.status, line.approved_amount, line.answer_codes = values
        changed.append(line)
    if problems:
        raise MessageError(problems)
    # Few distinct outcomes per answer: one UPDATE per outcome (Django's bulk_update writes a CASE per row and
    # took most of a JW325's time), then the history rows in bulk, as the importing user.
    outcomes: dict = {}
    for line in changed:
        outcomes.setdefault((line.status, line.answer_codes, line.approved_amount == 0), []).append(line.pk)
    for (status, codes, zero), pks in outcomes.items():
        amount = Decimal("0.00") if zero else F("amount")
        Declaration.objects.filter(pk__in=pks).update(status=status, answer_codes=codes, approved_amount=amount)
    Declaration.history.bulk_history_create(
        changed, update=True, default_user=writer.user, default_change_reason=writer.reason, default_date=timezone.now()
    )
    return [("gewijzigd", len(changed)), ("ongewijzigd", unchanged)]
