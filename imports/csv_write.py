"""CSV import, one chunk at a time, set-based: children, referrals and trajectories in a handful of queries.

Each step reads what exists for the whole chunk at once, decides per row (new, changed, unchanged or
a problem), and writes with history through the HistoryWriter.
"""

from django.db.models import Q
from django.utils import timezone

from cases.models import Child, Household, Trajectory
from cases.terms import trajectory_terms
from referrals.models import Referral, RequestCategory

from .common import mask_bsn
from .csv_rows import Row
from .history import HistoryWriter
from .lookups import Lookups
from .report import Report


class ChunkWriter:
    """Writes the rows of one chunk; `problem(line, field, value, message)` reports what only now shows."""

    def __init__(self, *, writer: HistoryWriter, lookups: Lookups, report: Report, problem):
        self.writer = writer
        self.lookups = lookups
        self.report = report
        self._problem = problem

    def write(self, rows: list[Row]) -> None:
        written = self._children(rows)
        if written is None or not self.report.ok:
            return  # the file is refused anyway; keep checking rows, skip the writes
        children, known = written
        referrals = self._referrals(rows, children, known)
        self._trajectories(rows, children, known, referrals)

    def _children(self, rows: list[Row]) -> tuple[dict, set] | None:
        """The chunk's children by key (new ones written), and the ids of those that existed before it."""
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
                new[key] = {
                    "gemeente_id": row.gemeente_id,
                    "external_reference": row.child_ref,
                    "birth_date": row.birth_date,
                    "first_name": row.first_name,
                    "name_prefix": row.name_prefix,
                    "last_name": row.last_name or "onbekend",
                    "bsn": row.bsn or None,
                }
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

        ids = {key: child.pk for key, child in existing.items()}
        known = set(ids.values())
        if new:
            households = [
                {
                    "gemeente_id": c["gemeente_id"],
                    "name": f"Huishouden {c['last_name'] if c['last_name'] != 'onbekend' else c['external_reference']}"[
                        :120
                    ],
                }
                for c in new.values()
            ]
            household_ids = self.writer.create_values(households, Household)
            for child, household_id in zip(new.values(), household_ids, strict=True):
                child["household_id"] = household_id
            created = self.writer.create_values(list(new.values()), Child)
            ids.update(zip(new, created, strict=True))
            self.report.count("huishouden", "nieuw", len(households))
            self.report.count("jeugdige", "nieuw", len(created))
        if changed:
            self.writer.update(
                list(changed.values()),
                Child,
                ["external_reference", "bsn", "birth_date", "first_name", "name_prefix", "last_name"],
            )
            self.report.count("jeugdige", "gewijzigd", len(changed))
        return ids, known

    def _referrals(self, rows: list[Row], children: dict, known: set) -> dict:
        wanted = dict.fromkeys(
            (children[row.child_key], row.referrer, row.referral_date) for row in rows if row.referrer
        )
        if not wanted:
            return {}
        # A child new in this chunk has no referrals yet: only the children that existed are looked up.
        existing = {
            (r.child_id, r.source, r.date): r.pk
            for r in Referral.objects.filter(child_id__in={key[0] for key in wanted} & known)
        }
        new = [key for key in wanted if key not in existing]
        created = self.writer.create_values(
            [
                {"child_id": child_id, "source": source, "date": date, "request_category": RequestCategory.OTHER}
                for (child_id, source, date) in new
            ],
            Referral,
        )
        existing.update(zip(new, created, strict=True))
        self.report.count("verwijzing", "nieuw", len(new))
        self.report.count("verwijzing", "ongewijzigd", len(wanted) - len(new))
        return existing

    def _trajectories(self, rows: list[Row], children: dict, known: set, referrals: dict) -> None:
        allocation_numbers = {row.allocation_number for row in rows if row.allocation_number}
        existing_by_key = {}
        existing_by_allocation = {}
        # A child new in this chunk has no trajectories yet (an allocation number may belong to anyone's).
        query = Q(child_id__in=known)
        if allocation_numbers:
            query |= Q(allocation_number__in=allocation_numbers)
        for t in Trajectory.objects.filter(query).select_related("provider", "product"):
            existing_by_key[(t.child_id, t.provider.agb_code, t.product.code, t.start_date)] = t
            if t.allocation_number:
                existing_by_allocation[t.allocation_number] = t

        new, changed = [], []
        unchanged = 0
        today = timezone.localdate()
        for row in rows:
            child_id = children[row.child_key]
            referral_id = referrals.get((child_id, row.referrer, row.referral_date)) if row.referrer else None
            provider = self.lookups.providers[row.provider_agb]
            product = self.lookups.products[row.product_code]
            if row.allocation_number:
                current = existing_by_allocation.get(row.allocation_number)
                if current is not None and current.child_id != child_id:
                    self._problem(
                        row.line,
                        "toewijzingnummer",
                        row.allocation_number,
                        "Dit toewijzingnummer hoort bij een traject van een andere jeugdige.",
                    )
                    continue
            else:
                current = existing_by_key.get((child_id, row.provider_agb, row.product_code, row.start))
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
                "referral_id": referral_id,
            }
            if row.actual_start is not None:
                values["actual_start_date"] = row.actual_start
            if current is None:
                # Without the column werkelijke_start, an export of running care started on its start date
                # (the rules read the actual start); an empty cell never clears a start already known.
                values.setdefault("actual_start_date", row.start if row.start <= today else None)
                # The child's gemeente, as the database would set it (migration 0029): no correcting UPDATE.
                new.append(
                    {
                        "child_id": child_id,
                        "gemeente_id": row.gemeente_id,
                        "allocation_number": row.allocation_number,
                        **row.new_terms,  # with the daily cost
                        **values,
                    }
                )
                continue
            if referral_id is None:
                values["referral_id"] = current.referral_id  # a row without referrer keeps the link
            if row.tariff is not None:
                # A tariff in the file is this allocation's price, by the same rule as a new trajectory's;
                # the financing it was allocated with stays.
                values["tariff"] = trajectory_terms(
                    product, provider, tariff=row.tariff, financing=current.financing
                ).tariff
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
        self.writer.create_values(new, Trajectory)
        if changed:
            fields = sorted({name for _, names in changed for name in names})
            self.writer.update([t for t, _ in changed], Trajectory, fields)
        self.report.count("traject", "nieuw", len(new))
        self.report.count("traject", "gewijzigd", len(changed))
        self.report.count("traject", "ongewijzigd", unchanged)
