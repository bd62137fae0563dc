"""One batch of iJw files: what they read, loaded in a few queries, and what they write, in bulk at the end.

The handlers (ijw_allocations, ijw_care, ijw_referrals, ijw_extensions) read the records a message
refers to from the batch's indexes instead of one query each, and record what they create, change and
delete here. A file that is refused is undone in memory (`undo(mark)`): every change made through the
batch is journalled, so a refused file leaves nothing while the files around it go in. `flush()`
writes the batch: new rows in bulk in the order their foreign keys need, changed rows with bulk_update,
then every history row, as the message that made it left the record (a trajectory created by a JW301
and stopped by a JW307 of the same batch gets its '+' and its '~', as before).
"""

from collections import defaultdict
from functools import cache

from django.db.models import Q

from cases.models import Child, Extension, Household, Trajectory
from referrals.models import AllocationRequest, Referral

from .history import HistoryWriter
from .ijw import Message
from .models import IjwAllocation, IjwPendingMessage, IjwReferral

# New rows are written in this order: each one's foreign keys point at rows written before it.
WRITE_ORDER = (
    Household,
    Child,
    Referral,
    Trajectory,
    IjwAllocation,
    IjwReferral,
    AllocationRequest,
    Extension,
    IjwPendingMessage,
)
_MISSING = object()


@cache
def tracked_fields(model) -> list:
    """The fields simple-history copies into a history row (looked up once: `model.history` builds a manager)."""
    return model.history.model.tracked_fields


def child_key(record):
    """The child of a referral or trajectory (or a child itself), without a query, also one new in this batch."""
    if isinstance(record, Child):
        return record.pk or ("new", id(record))
    return record.child_id or ("new", id(record.child))


def same(a, b) -> bool:
    """The same record, also when one of them is new in this batch (no id yet)."""
    return a is b or (a.pk is not None and a.pk == b.pk)


class Batch:
    def __init__(self, writer: HistoryWriter):
        self.writer = writer
        self.children: dict[str, Child] = {}  # by BSN
        self.allocations: dict[str, IjwAllocation] = {}  # by allocation number
        self.by_reference: dict[str, list[IjwAllocation]] = defaultdict(list)  # by ReferentieAanbieder
        self.adoptable: dict[str, Trajectory] = {}  # CSV trajectories by allocation number
        self.ijw_referrals: dict[tuple, IjwReferral] = {}  # by (provider id, reference)
        self.requests: dict[tuple, AllocationRequest] = {}  # by (provider id, reference)
        self.pending: dict[str, list[IjwPendingMessage]] = defaultdict(list)  # by allocation number
        self.pending_digests: dict[str, IjwPendingMessage] = {}
        self.extensions: dict[int, list[Extension]] = defaultdict(list)  # by id(trajectory), oldest first
        self.new: list = []
        self.deleted: list = []
        self.changed: dict[int, tuple] = {}  # id(obj) -> (obj, fields)
        self.history: list[tuple] = []  # (obj, history type, values)
        self.journal: list = []

    # --- reading: everything the batch's messages refer to, in a few queries ----------------------

    def load(self, messages: list[Message]) -> None:
        bsns, numbers, references, extensions = set(), set(), set(), False
        for message in messages:
            bsns.add(message.bsn)
            for item in message.items:
                if item.get("allocation_number"):
                    numbers.add(item["allocation_number"])
                if item.get("provider_reference"):
                    references.add(item["provider_reference"])
                extensions |= message.kind == "JW317" or item.get("change_reason") == "04"
        known: dict = {}

        def one(obj):
            """One instance per row, whichever query brought it: a change made through one is seen by all."""
            return known.setdefault((type(obj), obj.pk), obj)

        allocations = (
            IjwAllocation.objects.select_related(
                "trajectory__child__gemeente", "trajectory__product", "trajectory__referral"
            )
            .filter(Q(allocation_number__in=numbers) | Q(provider_reference__in=references))
            .order_by("pk")
        )
        for allocation in allocations:
            trajectory = one(allocation.trajectory)
            trajectory.child = one(trajectory.child)
            allocation.trajectory = trajectory
            self.allocations[allocation.allocation_number] = allocation
            if allocation.provider_reference:
                self.by_reference[allocation.provider_reference].append(allocation)
        adoptable = (
            Trajectory.objects.select_related("child__gemeente", "product", "referral")
            .filter(allocation_number__in=numbers - set(self.allocations))
            .order_by("pk")
        )
        for trajectory in adoptable:
            trajectory = one(trajectory)
            trajectory.child = one(trajectory.child)
            self.adoptable.setdefault(trajectory.allocation_number, trajectory)
        for child in Child.objects.filter(bsn__in=bsns):
            self.children[child.bsn] = one(child)
        for link in IjwReferral.objects.select_related("referral").filter(provider_reference__in=references):
            self.ijw_referrals[(link.provider_id, link.provider_reference)] = link
        for request in AllocationRequest.objects.filter(provider_reference__in=references).order_by("pk"):
            self.requests.setdefault((request.provider_id, request.provider_reference), request)
        for pending in IjwPendingMessage.objects.filter(allocation_number__in=numbers).order_by("pk"):
            self.pending[pending.allocation_number].append(pending)
            self.pending_digests[pending.content_digest] = pending
        if extensions:
            # Locked, as the toets locks the request it decides (cases.services.extension_check_transition).
            trajectories = {id(a.trajectory): a.trajectory for a in self.allocations.values()}
            trajectories |= {id(t): t for t in self.adoptable.values()}
            by_pk = {t.pk: t for t in trajectories.values()}
            requests = Extension.objects.select_for_update().filter(trajectory_id__in=by_pk)
            for extension in requests.order_by("requested_at", "pk"):
                extension.trajectory = by_pk[extension.trajectory_id]
                self.extensions[id(extension.trajectory)].append(extension)

    # --- writing, journalled so a refused file can be undone --------------------------------------

    def mark(self) -> int:
        return len(self.journal)

    def undo(self, mark: int) -> None:
        while len(self.journal) > mark:
            self.journal.pop()()

    def put(self, index: dict, key, value) -> None:
        old = index.get(key, _MISSING)
        index[key] = value
        self.journal.append(lambda: index.pop(key) if old is _MISSING else index.__setitem__(key, old))

    def forget(self, index: dict, key) -> None:
        old = index.pop(key)
        self.journal.append(lambda: index.__setitem__(key, old))

    def append(self, items: list, value) -> None:
        items.append(value)
        self.journal.append(items.pop)

    def create(self, obj, *, history: bool = True):
        if isinstance(obj, Trajectory):
            obj.refresh_daily_cost()
        self.append(self.new, obj)
        if history:
            self._snapshot(obj, "+")
        return obj

    def change(self, obj, values: dict, *, history: bool = True) -> None:
        """Set `values` on `obj` (a trajectory's version and daily cost follow) and write them at the flush."""
        fields = set(values)
        if isinstance(obj, Trajectory):
            fields |= {"version", "daily_cost"}
            values = {**values, "version": obj.version + 1}
        old = {name: getattr(obj, name) for name in fields}
        key = id(obj)
        old_entry = self.changed.get(key)
        for name, value in values.items():
            setattr(obj, name, value)
        if isinstance(obj, Trajectory):
            obj.refresh_daily_cost()
        self.changed[key] = (obj, fields | (old_entry[1] if old_entry else set()))

        def restore():
            for name, value in old.items():
                setattr(obj, name, value)
            if old_entry is None:
                del self.changed[key]
            else:
                self.changed[key] = old_entry

        self.journal.append(restore)
        if history:
            self._snapshot(obj, "~")

    def delete(self, obj) -> None:
        self.append(self.deleted, obj)

    def _snapshot(self, obj, history_type: str) -> None:
        values = {}
        for field in tracked_fields(type(obj)):
            value = getattr(obj, field.attname)
            if value is None and field.is_relation and field.is_cached(obj):
                value = field.get_cached_value(obj)  # a record of this batch: its id is known at the flush
            values[field.attname] = value
        self.append(self.history, (obj, history_type, values))

    # --- the flush ---------------------------------------------------------------------------------

    def flush(self) -> None:
        deleted = {id(obj) for obj in self.deleted}
        new_ids = {id(obj) for obj in self.new}
        by_model = defaultdict(list)
        for obj in self.new:
            if id(obj) not in deleted:
                by_model[type(obj)].append(obj)
        for model in WRITE_ORDER:
            if by_model[model]:
                self.writer.insert(by_model[model], model)
        updates = defaultdict(list)
        fields = defaultdict(set)
        for obj, names in self.changed.values():
            if id(obj) not in new_ids and id(obj) not in deleted:
                updates[type(obj)].append(obj)
                fields[type(obj)] |= names
        for model, objs in updates.items():
            self.writer.update_rows(objs, model, sorted(fields[model]))
        gone = [obj.pk for obj in self.deleted if id(obj) not in new_ids]
        if gone:
            IjwPendingMessage.objects.filter(pk__in=gone).delete()
        rows = defaultdict(list)
        for obj, history_type, values in self.history:
            rows[type(obj)].append((obj, history_type, values))
        for model, entries in rows.items():
            self.writer.history_rows(model, entries)
