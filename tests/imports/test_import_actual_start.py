"""Issue 12: the actual start of care as a CSV column, and one rule for an impossible start on every path:
before the referral or after the end is refused with a Dutch message naming the value, nothing written."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from cases import services
from cases.models import Trajectory

from ..factories import ChildFactory, ReferralFactory, TrajectoryFactory, ambulant_product
from . import ijw_messages as msg
from .test_import_csv import HEADER, do_import, setup, snapshot, write  # noqa: F401 - setup is a fixture
from .test_import_ijw import do_import as ijw_import
from .test_import_ijw import files, user  # noqa: F401 - user is a fixture

COLUMNS = HEADER + ";werkelijke_start"
# Referral 6 January 2025, allocated 3 February 2025 until 2 February 2026.
ROW = "0384;K-{n};14-02-2012;02;06-01-2025;42420001;45A48;03-02-2025;02-02-2026;{end};{reason};2;04;2;;{start}\n"


def _csv(tmp_path, *rows, name="import.csv"):
    return write(tmp_path, COLUMNS + "\n" + "".join(ROW.format(**row) for row in rows), name=name)


def test_the_csv_column_werkelijke_start_is_the_actual_start(setup, tmp_path):  # noqa: F811
    path = _csv(
        tmp_path,
        {"n": 1, "end": "", "reason": "", "start": "17-02-2025"},
        {"n": 2, "end": "", "reason": "", "start": ""},
    )
    run, report = do_import(path, setup)
    assert report.ok, report.lines()
    starts = dict(Trajectory.objects.values_list("child__external_reference", "actual_start_date"))
    # K-2 has no cell: running care from an export started on its allocated start.
    assert starts == {"K-1": dt.date(2025, 2, 17), "K-2": dt.date(2025, 2, 3)}
    # Imported again with the cell empty: a start already known is never cleared.
    do_import(_csv(tmp_path, {"n": 1, "end": "", "reason": "", "start": ""}, name="again.csv"), setup)
    assert Trajectory.objects.get(child__external_reference="K-1").actual_start_date == dt.date(2025, 2, 17)


@pytest.mark.parametrize(
    "row, message",
    [
        (
            {"end": "", "reason": "", "start": "02-01-2025"},
            "De start van de zorg (02-01-2025) ligt vóór de verwijzing van 06-01-2025.",
        ),
        (
            {"end": "31-03-2025", "reason": "31", "start": "01-04-2025"},
            "De start van de zorg (01-04-2025) ligt na het einde (31-03-2025).",
        ),
        (
            {"end": "", "reason": "", "start": "03-02-2026"},
            "De start van de zorg (03-02-2026) ligt na de geplande einddatum van de toewijzing (02-02-2026).",
        ),
    ],
)
def test_an_impossible_werkelijke_start_refuses_the_file(setup, tmp_path, row, message):  # noqa: F811
    before = snapshot()
    good = {"n": 1, "end": "", "reason": "", "start": "17-02-2025"}
    run, report = do_import(_csv(tmp_path, good, {"n": 2, **row}), setup)
    assert not report.ok
    [problem] = report.problems
    assert (problem.where, problem.field, problem.value, problem.message) == (
        "regel 3",
        "werkelijke_start",
        row["start"],
        message,
    )
    assert snapshot() == before


def test_a_jw305_before_the_referral_is_refused(user, tmp_path):  # noqa: F811
    messages = [
        ("1_jw315", msg.jw315("R-1", day=dt.date(2025, 1, 20))),
        ("2_jw301", msg.jw301("1001", reference="R-1", allocated=dt.datetime(2025, 1, 30, 10, 0))),
    ]
    ijw_import(files(tmp_path, messages), user)
    run, report = ijw_import(files(tmp_path, [("3", msg.jw305("1001", begin=dt.date(2025, 1, 10)))], "b"), user)
    assert not report.ok
    assert report.problems[0].message == "De start van de zorg (10-01-2025) ligt vóór de verwijzing van 20-01-2025."
    assert Trajectory.objects.get().actual_start_date is None


def test_a_jw305_after_the_allocations_end_is_refused(user, tmp_path):  # noqa: F811
    ijw_import(files(tmp_path, [("1", msg.jw301("1001"))]), user)  # 3 February 2025 - 2 February 2026
    run, report = ijw_import(files(tmp_path, [("2", msg.jw305("1001", begin=dt.date(2026, 2, 3)))], "b"), user)
    assert not report.ok
    assert report.problems[0].value == "2026-02-03"
    assert report.problems[0].message == (
        "De start van de zorg (03-02-2026) ligt na de geplande einddatum van de toewijzing (02-02-2026)."
    )


def test_the_toegang_cannot_record_a_start_after_the_end(frozen_today, toegang_a, gemeente_a):
    trajectory = TrajectoryFactory(
        child=ChildFactory(gemeente=gemeente_a), actual_start_date=None, end_date=dt.date(2025, 3, 31), end_reason="34"
    )
    with pytest.raises(ValidationError) as error:
        services.trajectory_record_start(
            user=toegang_a, trajectory=trajectory, version=trajectory.version, actual_start_date=dt.date(2025, 4, 1)
        )
    assert error.value.message_dict["actual_start_date"] == [
        "De start van de zorg (01-04-2025) ligt na het einde (31-03-2025)."
    ]


def test_a_new_trajectory_cannot_start_care_after_its_planned_end(frozen_today, toegang_a, gemeente_a):
    child = ChildFactory(gemeente=gemeente_a)
    with pytest.raises(ValidationError) as error:
        services.trajectory_start(
            user=toegang_a,
            child=child,
            referral=ReferralFactory(child=child, date=dt.date(2025, 12, 1)),
            provider=TrajectoryFactory(child=child).provider,
            product=ambulant_product(),
            start_date=dt.date(2026, 1, 5),
            planned_end_date=dt.date(2026, 2, 27),
            volume=2,
            frequency="2",
            actual_start_date=dt.date(2026, 3, 1),
        )
    assert error.value.message_dict["actual_start_date"] == [
        "De start van de zorg (01-03-2026) ligt na de geplande einddatum van de toewijzing (27-02-2026)."
    ]


def test_moving_the_planned_end_before_the_start_of_care_is_refused(frozen_today, toegang_a, gemeente_a):
    trajectory = TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a), actual_start_date=dt.date(2025, 2, 20))
    with pytest.raises(ValidationError) as error:
        services.trajectory_change(
            user=toegang_a,
            trajectory=trajectory,
            version=trajectory.version,
            provider=trajectory.provider,
            start_date=trajectory.start_date,
            planned_end_date=dt.date(2025, 2, 14),
            volume=trajectory.volume,
            frequency=trajectory.frequency,
            outside_budget=False,
            outside_budget_reason="",
        )
    assert error.value.message_dict["planned_end_date"] == [
        "De geplande einddatum (14-02-2025) ligt vóór de start van de zorg (20-02-2025)."
    ]


def test_the_cli_fails_on_a_refused_file_also_in_a_dry_run_and_a_partial_folder(setup, user, tmp_path):  # noqa: F811
    bad = _csv(tmp_path, {"n": 1, "end": "", "reason": "", "start": "02-01-2025"})
    for extra in (["--dry-run"], []):
        with pytest.raises(CommandError, match="proefimport vond problemen" if extra else "Het bestand is geweigerd"):
            call_command("import_csv", str(bad), *extra, stdout=StringIO(), stderr=StringIO())
    assert not Trajectory.objects.exists()
    folder = files(tmp_path, [("1", msg.jw301("1001")), ("2", msg.jw305("1002", begin=dt.date(2025, 1, 1)))], "map")
    folder = folder[0].parent
    (folder / "3.xml").write_text("geen xml")
    with pytest.raises(CommandError, match="Niet elk bestand is geïmporteerd"):
        call_command("import_ijw", str(folder), "--user", user.username, stdout=StringIO(), stderr=StringIO())
    assert Trajectory.objects.filter(allocation_number="1001").exists()  # the good file went in
