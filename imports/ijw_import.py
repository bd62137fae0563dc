"""iJw import: messages into children, referrals, trajectories and extensions.

Rules (issue 5, DOMAIN.md §5a):
- Each file is all or nothing (a savepoint per file); a refused file is named in the report.
- An allocation is found by its ToewijzingNummer; the BSN in the message must be the child's.
- A JW305/JW307/JW317 whose JW301 has not arrived waits in IjwPendingMessage and is applied when
  the JW301 comes in. Nothing is guessed.
- A JW301 older (Toewijzingsdatum/-tijd) than the one already applied changes nothing, so messages
  can arrive in any order and twice. A re-issued JW301 with RedenWijziging 04 and a later end date
  is a granted extension.
- JW315 creates the referral (COD327 verwijzer); it is linked to the allocation by ReferentieAanbieder.
"""

import datetime as dt
import hashlib
import json
import os
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from cases.codes import EndReason, Frequency, ReferrerType, Unit
from cases.formatting import date
from cases.models import Child, Extension, ExtensionStatus, Household, Trajectory
from cases.services import extension_check_transition
from cases.terms import trajectory_terms
from cases.validators import bsn_is_valid
from referrals.models import Referral, RequestCategory

from .common import bsn_digest, database_refusal, fmt_date, mask_bsn
from .history import HistoryWriter
from .ijw import Message, MessageError, read_message
from .lookups import Lookups
from .models import IjwAllocation, IjwPendingMessage, IjwReferral
from .report import Problem, Report

EXTENSION_CODE = "04"  # JZ002 herbeoordeling: verlenging toewijzing
WAITING_ORDER = {"JW305": 0, "JW317": 1, "JW307": 2}  # start before change before stop

LABEL = {
    "JW301": "toewijzing (JW301)",
    "JW305": "start zorg (JW305)",
    "JW307": "stop zorg (JW307)",
    "JW315": "verzoek om toewijzing (JW315)",
    "JW317": "verzoek om wijziging (JW317)",
}


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def message_files(paths: list[Path]) -> list[tuple[Path, str]]:
    """Every .xml file named or inside a named folder (sorted, so a folder imports the same way twice)."""
    files = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for folder, _dirs, names in sorted(os.walk(path)):
                for name in sorted(names):
                    if name.lower().endswith(".xml"):
                        full = Path(folder) / name
                        files.append((full, str(full.relative_to(path.parent))))
        else:
            files.append((path, path.name))
    return files


class IjwImport:
    def __init__(self, paths, *, user, report: Report, progress, reason: str, run=None):
        self.paths = paths
        self.user = user
        self.report = report
        self.progress = progress
        self.run_row = run
        self.writer = HistoryWriter(user=user, reason=reason)
        self.lookups = Lookups(user)

    def run(self, *, dry_run: bool) -> None:
        files = message_files(self.paths)
        self.progress.set_total(len(files))
        # One outer transaction with a savepoint per file: a refused file leaves nothing, and a dry
        # run sees the effect of earlier files on later ones exactly as the real import would.
        with transaction.atomic():
            for path, name in files:
                self._file(path, name)
                self.progress.advance()
            if dry_run:
                transaction.set_rollback(True)

    # --- one file ------------------------------------------------------------------------------

    def _file(self, path: Path, name: str) -> None:
        try:
            message = read_message(path, name)
            self._check(message)
            self.counts: list = []
            self.notes: list = []
            try:
                with transaction.atomic():
                    self._apply(message)
            except (IntegrityError, DataError) as exc:
                # A rule the checks above missed: the database refuses, and so does the import.
                raise MessageError.one(message.file, message.kind, "database", "", database_refusal(exc)) from None
        except MessageError as exc:
            for problem in exc.problems:
                self.report.problem(problem)
            self.report.refused_files.append(name)
            return
        self.report.files_ok += 1
        for kind, outcome in self.counts:
            self.report.count(kind, outcome)
        for note in message.notes + self.notes:
            self.report.note(f"{name}: {note}")

    def _check(self, message: Message) -> None:
        """Everything that can be checked before writing; every problem of the file at once."""
        problems = []

        def problem(where, field, value, text):
            problems.append(Problem(message.file, where, field, value, text))

        if text := self.lookups.gemeente_problem(message.gemeente_code):
            problem(message.kind, "gemeente", message.gemeente_code, text)
        if text := self.lookups.provider_problem(message.provider_agb):
            problem(message.kind, "aanbieder", message.provider_agb, text)
        if not bsn_is_valid(message.bsn):
            problem(
                message.kind, "Bsn", mask_bsn(message.bsn), "Dit is geen geldig BSN (het voldoet niet aan de elfproef)."
            )
        for item in message.items:
            where = message.where(item)
            code = item.get("product_code", "")
            if message.kind in ("JW301", "JW315"):
                if not code:
                    problem(
                        where,
                        "Product",
                        "",
                        "Een toewijzing zonder productcode (aspecifiek) kan jeugdregie niet vastleggen.",
                    )
                elif text := self.lookups.product_problem(code):
                    problem(where, "Product", code, text)
            if message.kind == "JW301":
                if not (item["volume"] and item["unit"] and item["frequency"]):
                    problem(
                        where,
                        "Omvang",
                        "",
                        "Een toewijzing zonder omvang (volume, eenheid, frequentie) kan jeugdregie niet vastleggen.",
                    )
                elif Decimal(item["volume"]) <= 0:
                    problem(where, "Volume", item["volume"], "Het volume moet groter zijn dan nul.")
                elif item["unit"] not in Unit.values or item["frequency"] not in Frequency.values:
                    problem(where, "Omvang", f"{item['unit']}/{item['frequency']}", "Onbekende eenheid of frequentie.")
                if not item["end"]:
                    problem(where, "Einddatum", "", "Een toewijzing zonder einddatum kan jeugdregie niet vastleggen.")
                elif _date(item["end"]) < _date(item["start"]):
                    problem(where, "Einddatum", item["end"], f"De einddatum ligt vóór de ingangsdatum {item['start']}.")
            if message.kind in ("JW305", "JW307") and not item["allocation_number"]:
                problem(
                    where,
                    "ToewijzingNummer",
                    "",
                    "Zonder toewijzingnummer kan jeugdregie het bericht aan geen toewijzing koppelen.",
                )
            if message.kind in ("JW305", "JW307") and item["status"] not in ("1", "2", "3"):
                problem(where, "StatusAanlevering", item["status"], "Onbekende status aanlevering (COD467).")
            if message.kind == "JW307":
                if item["end_reason"] not in EndReason.values:
                    problem(where, "RedenBeeindiging", item["end_reason"], "Onbekende reden van beëindiging (JZ588).")
                if _date(item["end"]) < _date(item["begin"]):
                    problem(where, "Einddatum", item["end"], f"De einddatum ligt vóór de begindatum {item['begin']}.")
            if message.kind == "JW315" and item["referrer_type"] not in ReferrerType.values:
                problem(where, "Verwijzer", item["referrer_type"], "Onbekende verwijzer (COD327).")
        if message.kind == "JW315" and not message.birth_date:
            problem(message.kind, "Geboortedatum", "", "Zonder geboortedatum kan jeugdregie geen dossier aanmaken.")
        if problems:
            raise MessageError(problems)

    def _apply(self, message: Message) -> None:
        self.gemeente = self.lookups.gemeenten[message.gemeente_code]
        self.provider = self.lookups.providers[message.provider_agb]
        self.referrals_made: dict = {}
        apply_item = getattr(self, f"_{message.kind.lower()}")
        for item in message.items:
            apply_item(message, item)
        if not message.items:
            self.counts.append((LABEL[message.kind], "niet vastgelegd"))

    # --- shared ---------------------------------------------------------------------------------

    def _child(self, message: Message) -> Child:
        """The child with this BSN (it must be of the message's gemeente), or a new case file."""
        child = Child.objects.filter(bsn=message.bsn).first()
        if child is not None:
            if child.gemeente_id != self.gemeente.pk:
                raise MessageError.one(
                    message.file,
                    message.kind,
                    "Bsn",
                    mask_bsn(message.bsn),
                    f"Dit BSN hoort bij een dossier van een andere gemeente dan {self.gemeente.name}.",
                )
            return child
        name = " ".join(p for p in (message.name_prefix, message.last_name) if p) or "onbekend"
        household = self.writer.create([Household(gemeente=self.gemeente, name=f"Gezin {name}"[:120])], Household)[0]
        child = Child(
            gemeente=self.gemeente,
            household=household,
            first_name=message.first_name[:80],
            name_prefix=message.name_prefix[:20],
            last_name=(message.last_name or "onbekend")[:120],
            birth_date=message.birth_date,
            bsn=message.bsn,
        )
        child = self.writer.create([child], Child)[0]
        self.counts.append(("jeugdige", "nieuw"))
        self.counts.append(("huishouden", "nieuw"))
        return child

    def _allocation(self, message: Message, item: dict) -> IjwAllocation | None:
        """The known allocation for a start/stop/change, checked against the message's BSN and gemeente."""
        number = item["allocation_number"]
        allocation = (
            IjwAllocation.objects.select_related("trajectory__child__gemeente", "trajectory__product")
            .filter(allocation_number=number)
            .first()
        )
        if allocation is None:
            return None
        child = allocation.trajectory.child
        where = message.where(item)
        if child.bsn != message.bsn:
            raise MessageError.one(
                message.file, where, "Bsn", mask_bsn(message.bsn), f"Dit BSN hoort niet bij toewijzing {number}."
            )
        allowed = self.lookups.allowed_gemeente_ids
        if allowed is not None and child.gemeente_id not in allowed:
            raise MessageError.one(
                message.file, where, "ToewijzingNummer", number, f"U werkt niet voor gemeente {child.gemeente.name}."
            )
        if child.gemeente.code != message.gemeente_code:
            self.notes.append(
                f"{message.kind} is gericht aan gemeente {message.gemeente_code}, maar toewijzing {number} is van "
                f"{child.gemeente.name} ({child.gemeente.code}); verwerkt op die toewijzing."
            )
        return allocation

    def _allocation_or_wait(self, message: Message, item: dict) -> IjwAllocation | None:
        """The allocation for a start/stop/change, or None once the message waits for its JW301."""
        allocation = self._allocation(message, item)
        if allocation is None:
            self._wait(message, item)
        return allocation

    def _wait(self, message: Message, item: dict) -> None:
        """Keep a start/stop/change for an allocation that has not arrived (dates and codes, no BSN)."""
        payload = {**item, "gemeente_code": message.gemeente_code, "message_date": message.message_date.isoformat()}
        digest_bsn = bsn_digest(message.bsn)
        content = json.dumps([message.kind, item["allocation_number"], digest_bsn, payload], sort_keys=True)
        IjwPendingMessage.objects.get_or_create(
            content_digest=hashlib.sha256(content.encode()).hexdigest(),
            defaults={
                "kind": message.kind,
                "gemeente": self.gemeente,
                "allocation_number": item["allocation_number"],
                "bsn_digest": digest_bsn,
                "payload": payload,
                "file_name": message.file[:255],
                "received_in": self.run_row if self.run_row and self.run_row.pk else None,
            },
        )
        self.counts.append((LABEL[message.kind], "wacht"))
        self.notes.append(
            f"{message.kind} voor toewijzing {item['allocation_number']} wacht op die toewijzing (JW301); "
            "het wordt verwerkt zodra de toewijzing is geïmporteerd."
        )

    def _update(self, trajectory: Trajectory, fields: list[str]) -> None:
        trajectory.version += 1
        self.writer.update([trajectory], Trajectory, fields)

    # --- JW301 toewijzing ------------------------------------------------------------------------

    @staticmethod
    def _allocation_tariff(item: dict, volume: Decimal) -> Decimal | None:
        """The price per unit this allocation states itself, if it does; trajectory_terms decides the rest."""
        if item["unit"] == Unit.EUROS:
            return Decimal("1.00")  # the volume is an amount in euros
        if item["budget_cents"] and item["frequency"] == Frequency.TOTAL:
            # A budget (eurocents) for the whole allocation: price per unit = budget / total volume.
            return (Decimal(item["budget_cents"]) / 100 / volume).quantize(Decimal("0.01"))
        return None

    def _jw301(self, message: Message, item: dict) -> None:
        number = item["allocation_number"]
        where = message.where(item)
        allocated_at = timezone.make_aware(dt.datetime.fromisoformat(item["allocated_at"]))
        product = self.lookups.products[item["product_code"]]
        start, end = _date(item["start"]), _date(item["end"])
        volume = Decimal(item["volume"])
        link = None
        if item["provider_reference"]:
            link = (
                IjwReferral.objects.select_related("referral")
                .filter(provider=self.provider, provider_reference=item["provider_reference"])
                .first()
            )
        allocation = (
            IjwAllocation.objects.select_related("trajectory__child", "trajectory__product")
            .filter(allocation_number=number)
            .first()
        )
        if allocation is None:
            adopted = Trajectory.objects.select_related("child", "product").filter(allocation_number=number).first()
            if adopted is None:
                self._new_allocation(message, item, product, start, end, volume, allocated_at, link)
                return
            # Known from an earlier CSV import: from now on the messages keep it up to date.
            allocation = IjwAllocation.objects.create(
                allocation_number=number,
                trajectory=adopted,
                provider_reference=item["provider_reference"],
                allocated_at=allocated_at - dt.timedelta(microseconds=1),
                allocation_start=start,
            )
        trajectory = allocation.trajectory
        if trajectory.child.bsn != message.bsn:
            raise MessageError.one(
                message.file, where, "Bsn", mask_bsn(message.bsn), f"Dit BSN hoort niet bij toewijzing {number}."
            )
        if trajectory.product.code != product.code:
            raise MessageError.one(
                message.file,
                where,
                "Product",
                product.code,
                f"Toewijzing {number} is voor product {trajectory.product.code}; "
                "een toewijzing verandert niet van product.",
            )
        if allocated_at < allocation.allocated_at:
            self.counts.append((LABEL["JW301"], "ongewijzigd"))
            self.notes.append(f"toewijzing {number} is ouder dan de al verwerkte versie; niets veranderd.")
            return
        old_end = trajectory.planned_end_date
        values = {
            "start_date": allocation.actual_start or start,
            "planned_end_date": end,
            "volume": volume,
            "unit": item["unit"],
            "frequency": item["frequency"],
            "tariff": trajectory.tariff,
        }
        if item["budget_cents"] or item["unit"] == Unit.EUROS:
            # A re-issue that prices the allocation: the same rule as a new trajectory's, at its own financing.
            tariff = self._allocation_tariff(item, volume)
            values["tariff"] = trajectory_terms(
                product, self.provider, tariff=tariff, financing=trajectory.financing
            ).tariff
        if trajectory.referral_id is None and link is not None and link.referral.child_id == trajectory.child_id:
            values["referral_id"] = link.referral_id
        if trajectory.end_date and values["start_date"] > trajectory.end_date:
            raise MessageError.one(
                message.file, where, "Ingangsdatum", item["start"], "De ingangsdatum ligt na het einde van de zorg."
            )
        fields = [name for name, value in values.items() if getattr(trajectory, name) != value]
        for name in fields:
            setattr(trajectory, name, values[name])
        if fields:
            self._update(trajectory, fields)
        if (allocation.allocated_at, allocation.allocation_start) != (allocated_at, start):
            allocation.allocated_at, allocation.allocation_start = allocated_at, start
            allocation.save(update_fields=["allocated_at", "allocation_start"])
        self.counts.append((LABEL["JW301"], "gewijzigd" if fields else "ongewijzigd"))
        if item["change_reason"] == EXTENSION_CODE and end > old_end:
            self._granted_extension(message, item, trajectory, volume, allocated_at)

    def _new_allocation(self, message, item, product, start, end, volume, allocated_at, link) -> None:
        child = self._child(message)
        referral = link.referral if link is not None and link.referral.child_id == child.pk else None
        trajectory = Trajectory(
            child=child,
            referral=referral,
            provider=self.provider,
            product=product,
            start_date=start,
            planned_end_date=end,
            volume=volume,
            unit=item["unit"],
            frequency=item["frequency"],
            allocation_number=item["allocation_number"],
            **trajectory_terms(product, self.provider, tariff=self._allocation_tariff(item, volume)).as_fields(),
        )
        trajectory = self.writer.create([trajectory], Trajectory)[0]
        allocation = IjwAllocation.objects.create(
            allocation_number=item["allocation_number"],
            trajectory=trajectory,
            provider_reference=item["provider_reference"],
            allocated_at=allocated_at,
            allocation_start=start,
        )
        self.counts.append((LABEL["JW301"], "nieuw"))
        if item["change_reason"] == EXTENSION_CODE:
            # The re-issue came before (or without) the original: the allocation was extended once.
            self._granted_extension(message, item, trajectory, volume, allocated_at)
        self._apply_waiting(allocation, message)

    def _granted_extension(self, message: Message, item: dict, trajectory: Trajectory, volume: Decimal, allocated_at):
        """A re-issued allocation (JZ002 04) is the gemeente's decision on an extension.

        It takes the toets's path: the request's row locked, the transition checked against
        Extension.TRANSITIONS (cases.services.extension_check_transition), the importing user as the
        decider and a reason. Unlike the toets, it does not move the trajectory's end: the allocation
        itself already did, and it may do so after a stop (messages arrive in any order).
        """
        number, end = item["allocation_number"], _date(item["end"])
        requests = trajectory.extensions.select_for_update()
        # The request this allocation answers: the open one, else one that asked for this very date and
        # was decided in jeugdregie already (the allocation may not decide it a second time).
        extension = (
            requests.filter(status=ExtensionStatus.PENDING).first()
            or requests.filter(requested_end_date=end).order_by("-requested_at", "-pk").first()
        )
        new = extension is None
        if new:
            # The gemeente extended without a request: request and decision come in this one message.
            extension = Extension(
                trajectory=trajectory, requested_end_date=end, reason="Verlenging door de gemeente (iJw JW301)"
            )
        decision = ExtensionStatus.APPROVED if end >= extension.requested_end_date else ExtensionStatus.SHORTENED
        try:
            extension_check_transition(extension, decision)
        except ValidationError:
            raise MessageError.one(
                message.file,
                message.where(item),
                "ToewijzingEinddatum",
                item["end"],
                f"Toewijzing {number} verlengt tot {date(end)}, maar de verlengingsaanvraag tot die datum is in "
                f"jeugdregie al afgehandeld ({extension.get_status_display().lower()}); het bericht is niet verwerkt.",
            ) from None
        extension.status = decision
        extension.granted_end_date = end
        extension.granted_volume = volume if extension.requested_volume is not None else None
        extension.decision_reason = f"Verlengd via iJw-toewijzing {number} (JW301, JZ002 04 herbeoordeling verlenging)"
        extension.decided_by = self.user
        extension.decided_at = allocated_at
        if new:
            self.writer.create([extension], Extension)
            self.counts.append(("verlenging", "nieuw"))
            return
        self.writer.update(
            [extension],
            Extension,
            ["status", "granted_end_date", "granted_volume", "decision_reason", "decided_by", "decided_at"],
        )
        self.counts.append(("verlenging", "gewijzigd"))

    def _apply_waiting(self, allocation: IjwAllocation, message: Message) -> None:
        waiting = sorted(
            IjwPendingMessage.objects.filter(allocation_number=allocation.allocation_number),
            key=lambda p: (WAITING_ORDER.get(p.kind, 9), p.payload.get("message_date", ""), p.pk),
        )
        digest = bsn_digest(allocation.trajectory.child.bsn)
        for pending in waiting:
            if pending.bsn_digest != digest:
                self.notes.append(
                    f"een wachtend {pending.kind} voor toewijzing {allocation.allocation_number} heeft een ander BSN; "
                    "het blijft wachten."
                )
                continue
            waiting_message = Message(
                kind=pending.kind,
                file=f"{pending.file_name} (wachtte)",
                gemeente_code=pending.payload["gemeente_code"],
                provider_agb=message.provider_agb,
                message_id="",
                message_date=_date(pending.payload["message_date"]),
                bsn=message.bsn,
            )
            getattr(self, f"_{pending.kind.lower()}")(waiting_message, pending.payload)
            pending.delete()
            self.notes.append(f"wachtend {pending.kind} voor toewijzing {allocation.allocation_number} is nu verwerkt.")

    # --- JW305 start zorg, JW307 stop zorg ---------------------------------------------------------

    def _jw305(self, message: Message, item: dict) -> None:
        allocation = self._allocation_or_wait(message, item)
        if allocation is None:
            return
        trajectory = allocation.trajectory
        begin = _date(item["begin"])
        if item["status"] == "3":  # verwijderen aanlevering: back to the allocation's start
            if allocation.actual_start != begin:
                self.counts.append((LABEL["JW305"], "ongewijzigd"))
                return
            allocation.actual_start = None
            new_start = allocation.allocation_start
        else:
            allocation.actual_start = new_start = begin
        where = message.where(item)
        if new_start > trajectory.planned_end_date:
            raise MessageError.one(
                message.file,
                where,
                "Begindatum",
                item["begin"],
                f"De zorg start na de einddatum van de toewijzing ({fmt_date(trajectory.planned_end_date)}).",
            )
        if trajectory.end_date and new_start > trajectory.end_date:
            raise MessageError.one(
                message.file,
                where,
                "Begindatum",
                item["begin"],
                f"De zorg start na de stop van {fmt_date(trajectory.end_date)}.",
            )
        allocation.save(update_fields=["actual_start"])
        if trajectory.start_date == new_start:
            self.counts.append((LABEL["JW305"], "ongewijzigd"))
            return
        trajectory.start_date = new_start
        self._update(trajectory, ["start_date"])
        self.counts.append((LABEL["JW305"], "gewijzigd"))

    def _jw307(self, message: Message, item: dict) -> None:
        allocation = self._allocation_or_wait(message, item)
        if allocation is None:
            return
        trajectory = allocation.trajectory
        end = _date(item["end"])
        if item["status"] == "3":  # verwijderen aanlevering: the care did not stop after all
            if trajectory.end_date != end:
                self.counts.append((LABEL["JW307"], "ongewijzigd"))
                return
            new_end, new_reason = None, ""
        else:
            new_end, new_reason = end, item["end_reason"]
        if (trajectory.end_date, trajectory.end_reason) == (new_end, new_reason):
            self.counts.append((LABEL["JW307"], "ongewijzigd"))
            return
        if new_end and new_end < trajectory.start_date:
            raise MessageError.one(
                message.file,
                message.where(item),
                "Einddatum",
                item["end"],
                f"De zorg stopt vóór de start van {fmt_date(trajectory.start_date)}.",
            )
        trajectory.end_date, trajectory.end_reason = new_end, new_reason
        self._update(trajectory, ["end_date", "end_reason"])
        self.counts.append((LABEL["JW307"], "gewijzigd"))

    # --- JW315 verzoek om toewijzing, JW317 verzoek om wijziging ----------------------------------------

    def _jw315(self, message: Message, item: dict) -> None:
        reference = item["provider_reference"]
        if IjwReferral.objects.filter(provider=self.provider, provider_reference=reference).exists():
            self.counts.append((LABEL["JW315"], "ongewijzigd"))
            return
        child = self._child(message)
        referrer = (item["referrer_type"], item["referrer_name"], item["referrer_agb"])
        start = _date(item["start"])
        referral = self.referrals_made.get(referrer)
        if referral is None:
            referral = Referral(
                child=child,
                # The request's date, but never after the care it asks for (wachttijd would turn negative).
                date=min(message.message_date, start) if start else message.message_date,
                source=item["referrer_type"],
                referrer_name=item["referrer_name"][:120],
                referrer_agb=item["referrer_agb"],
                request_category=RequestCategory.OTHER,
            )
            referral = self.writer.create([referral], Referral)[0]
            self.referrals_made[referrer] = referral
            self.counts.append(("verwijzing", "nieuw"))
        IjwReferral.objects.create(provider=self.provider, provider_reference=reference, referral=referral)
        self.counts.append((LABEL["JW315"], "nieuw"))
        allocation = (
            IjwAllocation.objects.select_related("trajectory")
            .filter(provider_reference=reference, trajectory__provider=self.provider, trajectory__child=child)
            .first()
        )
        if allocation is not None and allocation.trajectory.referral_id is None:
            trajectory = allocation.trajectory
            trajectory.referral = referral
            self._update(trajectory, ["referral"])
            self.counts.append(("traject", "gewijzigd"))

    def _jw317(self, message: Message, item: dict) -> None:
        allocation = self._allocation_or_wait(message, item)
        if allocation is None:
            return
        trajectory = allocation.trajectory
        end = _date(item["end"])
        number = item["allocation_number"]
        if end is None or end <= trajectory.planned_end_date:
            self.counts.append((LABEL["JW317"], "niet vastgelegd"))
            self.notes.append(
                f"het verzoek voor toewijzing {number} vraagt geen latere einddatum; dat is geen verlenging."
            )
            return
        if trajectory.extensions.filter(requested_end_date=end).exists():
            self.counts.append((LABEL["JW317"], "ongewijzigd"))
            return
        if trajectory.end_date is not None or trajectory.extensions.filter(status=ExtensionStatus.PENDING).exists():
            self.counts.append((LABEL["JW317"], "niet vastgelegd"))
            self.notes.append(
                f"het verzoek voor toewijzing {number} is niet vastgelegd: "
                "het traject is beëindigd of er loopt al een aanvraag."
            )
            return
        volume = Decimal(item["volume"]) if item.get("volume") else None
        reason_label = {"1": "verandering cliëntsituatie", "2": "wijziging zorgplan"}.get(item["request_reason"], "")
        extension = Extension(
            trajectory=trajectory,
            requested_end_date=end,
            requested_volume=volume if volume and volume != trajectory.volume else None,
            reason=f"Verzoek om wijziging van de aanbieder (WJ758 {item['request_reason']} {reason_label}), "
            f"referentie {item['provider_reference']}",
        )
        self.writer.create([extension], Extension)
        self.counts.append((LABEL["JW317"], "nieuw"))
        self.counts.append(("verlenging", "nieuw"))
