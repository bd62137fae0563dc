"""iJw files go in batches (imports.ijw_batch): what batching must not change, and what it must keep small."""

import datetime as dt
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Child, Household, Trajectory
from imports import ijw_import
from imports.ijw_import import IjwImport
from imports.models import IjwAllocation, IjwPendingMessage, ImportStatus
from imports.progress import Progress
from imports.report import Report
from referrals.models import AllocationRequest, Referral

from . import ijw_messages as msg
from .test_import_ijw import do_import, files, user  # noqa: F401 (the fixture)

OTHER_BSN = "123456782"  # elfproef-valid


def bsn(n: int) -> str:
    """An elfproef-valid 9-digit test number per n."""
    base = 20000000 + n * 7
    while True:
        digits = f"{base:08d}"
        check = sum(int(d) * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2), strict=True)) % 11
        if check < 10:
            return digits + str(check)
        base += 1


def allocation_files(n: int) -> list[tuple[str, bytes]]:
    """Per allocation the four messages of its life: request, allocation, start, stop."""
    messages = []
    for i in range(n):
        number, reference, client = str(5000 + i), f"R-{i}", bsn(i)
        messages += [
            (f"{i:03d}_a", msg.jw315(reference, bsn=client)),
            (f"{i:03d}_b", msg.jw301(number, reference=reference, bsn=client)),
            (f"{i:03d}_c", msg.jw305(number, bsn=client)),
            (f"{i:03d}_d", msg.jw307(number, bsn=client)),
        ]
    return messages


def test_a_refused_file_in_the_middle_of_a_batch_writes_nothing_and_its_neighbours_go_in(user, tmp_path):  # noqa: F811
    late_stop = msg.jw307("2001", begin=dt.date(2025, 2, 10), end=dt.date(2025, 2, 20))
    paths = files(
        tmp_path,
        [
            ("a_stop", late_stop),  # waits for its allocation
            # Creates a child, household, trajectory and allocation, then applies the waiting stop, which ends
            # the care before the allocation starts: the whole file is refused, and all it wrote undone.
            ("b_toewijzing", msg.jw301("2001", start=dt.date(2025, 3, 1))),
            ("c_toewijzing", msg.jw301("2002", bsn=OTHER_BSN)),
        ],
    )

    run, report = do_import([paths[0].parent], user)

    assert run.status == ImportStatus.PARTIAL
    assert report.refused_files == ["berichten/b_toewijzing.xml"]
    assert report.problems[0].message == "De zorg stopt vóór de start van 01-03-2025."
    assert list(Child.objects.values_list("bsn", flat=True)) == [OTHER_BSN]
    assert Household.objects.count() == 1
    assert list(Trajectory.objects.values_list("allocation_number", flat=True)) == ["2002"]
    assert list(IjwAllocation.objects.values_list("allocation_number", flat=True)) == ["2002"]
    assert list(Trajectory.history.values_list("allocation_number", flat=True)) == ["2002"]
    assert list(Child.history.values_list("bsn", flat=True)) == [OTHER_BSN]
    # The stop still waits: the refused allocation did not take it along.
    assert list(IjwPendingMessage.objects.values_list("allocation_number", flat=True)) == ["2001"]


def test_messages_refer_to_records_made_by_earlier_files_of_the_same_batch(user, tmp_path):  # noqa: F811
    paths = files(
        tmp_path,
        [
            ("a_verzoek", msg.jw315("R-1")),
            ("b_toewijzing", msg.jw301("3001", reference="R-1")),
            ("c_start", msg.jw305("3001", begin=dt.date(2025, 2, 10))),
            ("d_stop", msg.jw307("3001", begin=dt.date(2025, 2, 10), end=dt.date(2025, 12, 19))),
        ],
    )

    run, report = do_import(paths, user)

    assert run.status == ImportStatus.DONE, report.problems
    trajectory = Trajectory.objects.get()
    referral = Referral.objects.get()
    assert (trajectory.child_id, trajectory.referral_id) == (referral.child_id, referral.pk)
    assert (trajectory.actual_start_date, trajectory.end_date) == (dt.date(2025, 2, 10), dt.date(2025, 12, 19))
    assert trajectory.version == 3
    assert AllocationRequest.objects.get().allocated_on is not None  # the JW301 answered the JW315
    # Each message that changed the trajectory left its history row, in order, as the importing user.
    history = list(trajectory.history.order_by("history_date", "history_id"))
    assert [(h.history_type, h.version, h.end_date) for h in history] == [
        ("+", 1, None),
        ("~", 2, None),
        ("~", 3, dt.date(2025, 12, 19)),
    ]
    assert {(h.history_user_id, h.history_change_reason) for h in history} == {(user.pk, f"import test #{run.pk}")}
    assert Child.history.get().history_user_id == user.pk
    assert Referral.history.get().history_user_id == user.pk


def queries_to_import(user, tmp_path, n: int) -> int:  # noqa: F811
    folder = Path(files(tmp_path, allocation_files(n), folder=f"set{n}")[0]).parent
    importer = IjwImport([folder], user=user, report=Report(), progress=Progress(None), reason="test")
    with CaptureQueriesContext(connection) as queries:
        importer.run(dry_run=False)
    assert importer.report.ok and Trajectory.objects.filter(allocation_number=str(5000)).exists()
    return len(queries)


def test_the_queries_of_a_batch_do_not_grow_with_its_messages(user, tmp_path):  # noqa: F811
    # 8 or 32 messages in one batch: the import's savepoint and the batch's (4 queries), 6 reads (allocations,
    # CSV trajectories to adopt, children, referral links, requests, waiting messages), one insert per kind
    # of new record (households, children, referrals, trajectories, allocations, links, requests) and one
    # per kind of history row (households, children, referrals, trajectories).
    assert {n: queries_to_import(user, tmp_path, n) for n in (2, 8)} == {2: 21, 8: 21}


def test_the_queries_grow_with_the_batches_not_with_the_messages(user, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setattr(ijw_import, "BATCH_FILES", 8)
    assert queries_to_import(user, tmp_path, 8) == 2 + 4 * 19  # 32 messages in 4 batches of 8, one transaction
