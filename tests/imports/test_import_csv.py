"""CSV import: the documented column set, all or nothing, dry run, idempotent, Dutch report."""

import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from cases.models import Child, Household, Product, Trajectory
from imports import csv_import
from imports.models import ImportKind, ImportRun, ImportStatus
from imports.runner import change_reason, history_marks, run_import, touched_children
from referrals.models import Referral

from ..factories import GemeenteFactory, ProviderFactory, UserFactory, ensure_catalogue

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "voorbeeld_import.csv"
HEADER = (
    "gemeentecode;kindreferentie;geboortedatum;verwijzer;verwijsdatum;aanbieder_agb;productcode;startdatum;"
    "geplande_einddatum;einddatum;reden_einde;volume;eenheid;frequentie;tarief"
)


@pytest.fixture
def setup(db):
    """The two gemeenten the example names, its providers, a tariff, and a beheerder who serves both."""
    diemen = GemeenteFactory(code="0384", name="Diemen")
    amsterdam = GemeenteFactory(code="0363", name="Amsterdam")
    ProviderFactory(agb_code="42420001", name="Jeugdhulp Noord")
    ProviderFactory(agb_code="65656055", name="Zorggroep West", contracted=False)
    ensure_catalogue()
    Product.objects.filter(code="45A48").update(tariff=Decimal("95.00"))
    user = UserFactory(username="beheer_import", role="beheer", gemeenten=[diemen, amsterdam])
    return user


def do_import(path, user, *, dry_run=False):
    run = ImportRun.objects.create(kind=ImportKind.CSV, file_name=Path(path).name, dry_run=dry_run, started_by=user)
    report = run_import(run, [Path(path)])
    run.refresh_from_db()
    return run, report


def snapshot():
    """Row counts of every table jeugdregie has, history included."""
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in ("cases", "referrals") and model is not ImportRun
    }


def write(tmp_path, text, name="import.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_example_file_imports_into_the_right_records(setup):
    run, report = do_import(EXAMPLE, setup)

    assert run.status == ImportStatus.DONE, report.lines()
    assert Child.objects.count() == 3
    sanne = Child.objects.get(external_reference="K-10001")
    assert (sanne.first_name, sanne.name_prefix, sanne.last_name, sanne.birth_date) == (
        "Sanne",
        "de",
        "Vries",
        dt.date(2012, 2, 14),
    )
    assert sanne.gemeente.code == "0384"
    first, second = sanne.trajectories.order_by("start_date")
    assert first.tariff == Decimal("95.00")
    # bulk_create skips save(): the import computes the daily cost itself (2 hours a week × €95 / 7).
    assert first.daily_cost == Decimal("27.1429")
    assert second.volume == Decimal("1.5")
    assert second.tariff == Decimal("95.00")  # empty cell: the product's tariff in force
    assert second.referral.source == "02P"  # POH-Jeugd
    ended = Trajectory.objects.get(allocation_number="300311")
    assert (ended.end_date, ended.end_reason, ended.unit) == (dt.date(2025, 4, 30), "34", "14")
    assert ended.outside_budget and ended.outside_budget_reason == "Niet-gecontracteerde aanbieder"
    assert Referral.objects.count() == 4
    assert run.created == 3 + 3 + 4 + 4  # households, children, trajectories, referrals


def test_import_writes_history_as_the_user_with_the_file_as_reason(setup):
    run, _ = do_import(EXAMPLE, setup)

    for model in (Trajectory, Child, Household, Referral):
        records = model.history.all()
        assert records.count() == model.objects.count()
        assert {r.history_user_id for r in records} == {setup.pk}
        assert {r.history_change_reason for r in records} == {f"import voorbeeld_import.csv #{run.pk}"}


def test_importing_the_same_file_twice_changes_nothing(setup):
    do_import(EXAMPLE, setup)
    before = snapshot()
    fields_before = list(Trajectory.objects.order_by("pk").values())

    run, report = do_import(EXAMPLE, setup)

    assert snapshot() == before
    assert list(Trajectory.objects.order_by("pk").values()) == fields_before
    assert (run.created, run.updated, run.unchanged) == (0, 0, 8)
    assert dict(report.table())["traject"] == {"ongewijzigd": 4}


def test_dry_run_reports_without_writing(setup):
    before = snapshot()

    run, report = do_import(EXAMPLE, setup, dry_run=True)

    assert run.status == ImportStatus.CHECKED
    assert dict(report.table())["traject"] == {"nieuw": 4}
    assert snapshot() == before


def test_dry_run_after_a_change_reports_updated_and_unchanged(setup, tmp_path):
    do_import(EXAMPLE, setup)
    changed = EXAMPLE.read_text(encoding="utf-8").replace("02-02-2026", "02-05-2026")
    path = write(tmp_path, changed)
    before = snapshot()

    _, report = do_import(path, setup, dry_run=True)

    assert dict(report.table())["traject"] == {"gewijzigd": 1, "ongewijzigd": 3}
    assert snapshot() == before


def test_a_changed_row_updates_the_trajectory_with_history(setup, tmp_path):
    do_import(EXAMPLE, setup)
    path = write(tmp_path, EXAMPLE.read_text(encoding="utf-8").replace("02-02-2026", "02-05-2026"))

    run, _ = do_import(path, setup)

    trajectory = Trajectory.objects.get(child__external_reference="K-10001", start_date=dt.date(2025, 2, 3))
    assert trajectory.planned_end_date == dt.date(2026, 5, 2)
    assert trajectory.version == 2
    latest = trajectory.history.first()
    assert latest.history_type == "~" and latest.history_change_reason.endswith(f"#{run.pk}")


def test_taakgericht_care_gets_no_price_per_case_and_keeps_its_financing(setup, tmp_path):
    row = "0384;K-1;14-02-2012;02;06-01-2025;42420001;45A48;03-02-2025;02-02-2026;;;2;04;2;{}\n"
    Product.objects.filter(code="45A48").update(financing="taak")
    do_import(write(tmp_path, HEADER + "\n" + row.format("95,00")), setup)
    trajectory = Trajectory.objects.get()
    assert (trajectory.financing, trajectory.tariff, trajectory.daily_cost) == ("taak", None, None)

    # The product becomes inspanningsgericht later: the trajectory keeps the terms it was allocated with.
    Product.objects.filter(code="45A48").update(financing="inspanning")
    run, report = do_import(write(tmp_path, HEADER + "\n" + row.format("99,00"), name="later.csv"), setup)

    assert dict(report.table())["traject"] == {"ongewijzigd": 1}
    trajectory.refresh_from_db()
    assert (trajectory.financing, trajectory.tariff) == ("taak", None)


def _rows(n, *, bad_line=None):
    lines = [HEADER]
    for i in range(n):
        start = "2025-02-03"
        line = f"0384;K-{i:06d};14-02-2012;02;2025-01-06;42420001;45A48;{start};2026-02-02;;;2;04;2;95,00"
        if bad_line is not None and len(lines) + 1 == bad_line:
            line = line.replace("2026-02-02", "2024-12-31")  # planned end before start
        lines.append(line)
    return "\n".join(lines) + "\n"


def test_a_bad_row_in_the_middle_of_a_large_file_imports_nothing(setup, tmp_path, monkeypatch):
    # Small chunks, so several chunks are written before the bad row is met and must be rolled back.
    monkeypatch.setattr(csv_import, "CHUNK_SIZE", 100)
    path = write(tmp_path, _rows(1500, bad_line=1201), name="groot.csv")
    before = snapshot()

    run, report = do_import(path, setup)

    assert run.status == ImportStatus.REFUSED
    assert snapshot() == before
    assert report.problem_count == 1
    problem = report.problems[0]
    assert (problem.file, problem.where, problem.field, problem.value) == (
        "groot.csv",
        "regel 1201",
        "geplande_einddatum",
        "2024-12-31",
    )
    assert problem.message == "De geplande einddatum ligt vóór de startdatum."
    assert run.report["problems"][0]["where"] == "regel 1201"


def test_the_report_names_every_problem(setup, tmp_path):
    text = (
        HEADER + "\n"
        "0384;K-1;31-02-2012;02;06-01-2025;42420001;45A48;03-02-2025;02-02-2026;;;2;04;2;\n"
        "0999;K-2;14-02-2012;02;06-01-2025;42420001;45A48;03-02-2025;02-02-2026;;;2;04;2;\n"
        "0384;K-3;14-02-2012;07;06-01-2025;42420001;99X99;03-02-2025;02-02-2026;;;0;04;9;\n"
        "0384;K-4;14-02-2012;02;06-01-2025;11112222;45A48;03-02-2025;02-02-2026;01-03-2025;;2;04;2;\n"
    )
    run, report = do_import(write(tmp_path, text), setup)

    assert run.status == ImportStatus.REFUSED
    found = {(p.where, p.field): p for p in report.problems}
    assert found[("regel 2", "geboortedatum")].message.startswith("Geen geldige datum")
    assert "0999" in found[("regel 3", "gemeentecode")].message
    assert "niet bediend door jeugdregie" in found[("regel 3", "gemeentecode")].message
    assert found[("regel 4", "verwijzer")].value == "07"
    assert "99X99 is niet bekend" in found[("regel 4", "productcode")].message
    assert found[("regel 4", "volume")].message == "Het volume moet een getal groter dan nul zijn."
    assert ("regel 4", "frequentie") in found
    assert "11112222" in found[("regel 5", "aanbieder_agb")].message
    assert ("regel 5", "reden_einde") in found
    assert Child.objects.count() == 0


def test_dutch_and_iso_dates_comma_separator_and_bom(setup, tmp_path):
    text = (
        "gemeentecode,kindreferentie,geboortedatum,aanbieder_agb,productcode,startdatum,geplande_einddatum,"
        "volume,frequentie,tarief\n"
        '384,K-1,14-02-2012,42420001,45A48,2025-02-03,2/2/2026,"1,5",2,"95,00"\n'
        "0384,K-2,2013-03-01,42420001,45a48,03.02.2025,2026-02-02,2,2,\n"
    )
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeff".encode() + text.encode("utf-8"))  # the BOM Excel writes

    run, report = do_import(path, setup)

    assert run.status == ImportStatus.DONE, report.lines()
    first = Trajectory.objects.get(child__external_reference="K-1")
    assert (first.start_date, first.planned_end_date, first.volume) == (
        dt.date(2025, 2, 3),
        dt.date(2026, 2, 2),
        Decimal("1.5"),
    )
    assert first.child.gemeente.code == "0384"  # Excel drops the leading zero
    second = Trajectory.objects.get(child__external_reference="K-2")
    assert (second.start_date, second.product.code, second.referral) == (dt.date(2025, 2, 3), "45A48", None)


def test_header_problems_are_reported(setup, tmp_path):
    run, report = do_import(write(tmp_path, "gemeentecode;kind;geboortedatum\n0384;K;01-01-2015\n"), setup)

    assert run.status == ImportStatus.REFUSED
    messages = [str(p) for p in report.problems]
    assert any("kolom 2" in m and "Onbekende kolom" in m for m in messages)
    assert any("Verplichte kolom 'productcode' ontbreekt" in m for m in messages)


def test_file_that_is_not_utf8_is_refused(setup, tmp_path):
    path = write(tmp_path, _rows(2).replace("K-000001", "K-Jürgen"), encoding="latin-1")

    run, report = do_import(path, setup)

    assert run.status == ImportStatus.REFUSED
    assert "geen UTF-8" in report.problems[0].message


def test_bsn_never_appears_in_the_report(setup, tmp_path):
    text = (
        HEADER + ";bsn\n"
    ) + "0384;K-1;14-02-2012;02;06-01-2025;42420001;45A48;03-02-2025;02-02-2026;;;2;04;2;;123456789\n"

    run, report = do_import(write(tmp_path, text), setup)

    assert run.status == ImportStatus.REFUSED
    assert "123456789" not in str(run.report)
    assert report.problems[0].value == "•••••6789"


def test_a_valid_bsn_is_stored_and_matches_a_child_registered_by_hand(setup, tmp_path):
    from ..factories import ChildFactory

    known = ChildFactory(gemeente=setup.gemeenten.get(code="0384"), bsn="999900006")
    text = (
        HEADER + ";bsn\n"
    ) + "0384;K-9;14-05-2014;02;06-01-2025;42420001;45A48;03-02-2025;02-02-2026;;;2;04;2;;999900006\n"

    run, _ = do_import(write(tmp_path, text), setup)

    assert run.status == ImportStatus.DONE
    known.refresh_from_db()
    assert known.external_reference == "K-9"
    assert Child.objects.count() == 1 and known.trajectories.count() == 1


def test_user_may_import_only_for_own_gemeenten(setup, tmp_path):
    outsider = UserFactory(role="beheer", gemeenten=[GemeenteFactory(code="0518", name="Den Haag")])

    run, report = do_import(EXAMPLE, outsider)

    assert run.status == ImportStatus.REFUSED
    assert "U werkt niet voor gemeente Diemen (0384)" in report.problems[0].message


def test_command_dry_run_and_refusal(setup, tmp_path):
    out = StringIO()
    call_command("import_csv", str(EXAMPLE), "--dry-run", "--user", setup.username, stdout=out, stderr=StringIO())
    assert "Proefimport" in out.getvalue() and "traject: 4 nieuw" in out.getvalue()
    assert Trajectory.objects.count() == 0

    bad = write(tmp_path, _rows(3, bad_line=3))
    out = StringIO()
    with pytest.raises(CommandError, match="geweigerd"):
        call_command("import_csv", str(bad), stdout=out, stderr=StringIO())
    assert "regel 3, geplande_einddatum '2024-12-31'" in out.getvalue()


def test_imported_children_are_handed_to_the_flag_engine(setup, monkeypatch, django_capture_on_commit_callbacks):
    asked = []
    monkeypatch.setattr("imports.after.request_evaluation", lambda child_ids: asked.extend(child_ids))

    with django_capture_on_commit_callbacks(execute=True):
        do_import(EXAMPLE, setup, dry_run=True)
    assert asked == []  # a dry run flags nothing

    with django_capture_on_commit_callbacks(execute=True):
        do_import(EXAMPLE, setup)
    assert sorted(asked) == sorted(Child.objects.values_list("pk", flat=True))


def test_the_children_an_import_touched_are_read_from_its_own_history_rows(setup):
    earlier, _ = do_import(EXAMPLE, setup)  # the same children, written by an earlier run
    Trajectory.objects.update(volume=7)  # so the second run changes every trajectory back
    marks = history_marks()

    run, _ = do_import(EXAMPLE, setup)

    children = set(Child.objects.values_list("pk", flat=True))
    assert set(touched_children(change_reason(run), marks).values_list("pk", flat=True)) == children
    # Rows before the marks are not this run's: the earlier run's history is not read again.
    assert not touched_children(change_reason(earlier), marks).exists()
    assert set(touched_children(change_reason(earlier)).values_list("pk", flat=True)) == children


def test_a_large_import_is_flagged_per_gemeente_and_the_flags_appear(
    setup, monkeypatch, django_capture_on_commit_callbacks
):
    from regie.models import Flag

    monkeypatch.setattr("imports.after.WHOLE_GEMEENTE_FROM", 2)  # the example has 3 children
    per_child = []
    monkeypatch.setattr("imports.after.request_evaluation", lambda child_ids: per_child.extend(child_ids))
    with django_capture_on_commit_callbacks(execute=True):
        do_import(EXAMPLE, setup)
    assert per_child == []  # one evaluation of the gemeente instead, in-process here (no broker)
    flagged = set(Flag.objects.filter(active=True).values_list("child_id", flat=True))
    assert flagged and flagged <= set(Child.objects.values_list("pk", flat=True))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics are PostgreSQL's (CI runs it)")
def test_a_large_import_refreshes_the_planner_statistics_before_flagging(setup, monkeypatch):
    def estimated_trajectories():
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'cases_trajectory'")
            return cursor.fetchone()[0]

    assert estimated_trajectories() <= 0  # a fresh table: never analysed (-1) or believed empty
    monkeypatch.setattr("imports.after.ANALYZE_FROM_ROWS", 5)
    do_import(EXAMPLE, setup)
    assert estimated_trajectories() == Trajectory.objects.count() == 4


def test_a_rule_only_the_database_knows_refuses_the_file_with_a_report(setup, tmp_path, monkeypatch):
    # Simulate a check the row validation does not know about: the database's constraint decides.
    def too_late(self, rows):
        from django.db import IntegrityError

        raise IntegrityError("trajectory_volume_positive")

    monkeypatch.setattr(csv_import.CsvImport, "_write_rows", too_late)
    before = snapshot()

    run, report = do_import(EXAMPLE, setup)

    assert run.status == ImportStatus.REFUSED and snapshot() == before
    assert report.problems[0].where == "regels 2-5"
    assert report.problems[0].message.startswith("De database weigert deze gegevens")


def test_problems_found_while_reading_and_while_writing_come_in_the_order_the_lines_were_met(
    setup, tmp_path, monkeypatch
):
    # Rows are read and checked a chunk ahead of the writing (a thread of their own); a chunk's own problems
    # (here a child given two birth dates) are found when it is written, after the lines read up to then.
    monkeypatch.setattr(csv_import, "CHUNK_SIZE", 2)
    text = (
        HEADER + "\n"
        "0384;K-1;14-02-2012;02;06-01-2025;42420001;45A48;03-02-2025;02-02-2026;;;2;04;2;\n"
        "0384;K-1;15-02-2012;02;06-01-2025;42420001;45A48;04-02-2025;02-02-2026;;;2;04;2;\n"
        "0384;K-2;31-02-2012;02;06-01-2025;42420001;45A48;03-02-2025;02-02-2026;;;2;04;2;\n"
        "0384;K-3;14-02-2012;02;06-01-2025;42420001;45A48;03-02-2025;02-02-2026;;;2;04;2;\n"
        "0384;K-3;16-02-2012;02;06-01-2025;42420001;45A48;04-02-2025;02-02-2026;;;2;04;2;\n"
        "0384;K-4;14-02-2012;02;06-01-2025;42420001;45A48;03-02-2025;02-02-2026;;;0;04;2;\n"
    )
    run, report = do_import(write(tmp_path, text), setup)

    assert run.status == ImportStatus.REFUSED and run.done == 6
    assert [(p.where, p.field) for p in report.problems] == [
        ("regel 4", "geboortedatum"),  # read before the first chunk (lines 2-3) was written
        ("regel 3", "geboortedatum/bsn"),
        ("regel 7", "volume"),
        ("regel 6", "geboortedatum/bsn"),
    ]
    assert Child.objects.count() == 0
