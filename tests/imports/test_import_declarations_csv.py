"""Declarations as CSV: the example in docs/, every row checked, all or nothing, the command's exit code."""

import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cases.models import Declaration
from imports.models import ImportKind, ImportRun, ImportStatus
from imports.runner import run_import

from ..factories import ChildFactory, GemeenteFactory, ProviderFactory, TrajectoryFactory, UserFactory, ensure_catalogue

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "voorbeeld_declaraties.csv"
HEADER = EXAMPLE.read_text(encoding="utf-8").splitlines()[0]


@pytest.fixture
def user(db):
    diemen = GemeenteFactory(code="0384", name="Diemen")
    ensure_catalogue()
    provider = ProviderFactory(agb_code="65656055", name="Zorggroep West")
    TrajectoryFactory(
        child=ChildFactory(gemeente=diemen, bsn="999900006"),
        provider=provider,
        allocation_number="5001",
        start_date=dt.date(2026, 3, 1),
        planned_end_date=dt.date(2026, 12, 31),
        volume=Decimal("7"),
        frequency="2",
    )
    return UserFactory(username="beheer_csv", role="beheer", gemeenten=[diemen])


def do_import(path, user, *, dry_run=False):
    run = ImportRun.objects.create(kind=ImportKind.CSV, file_name=path.name, dry_run=dry_run, started_by=user)
    report = run_import(run, [path])
    run.refresh_from_db()
    return run, report


def test_the_example_imports_and_twice_changes_nothing(user):
    run, report = do_import(EXAMPLE, user)
    again, report2 = do_import(EXAMPLE, user)

    assert run.status == ImportStatus.DONE, report.lines()
    assert list(Declaration.objects.order_by("month").values_list("month", "amount", "status", "source")) == [
        (dt.date(2026, 3, 1), Decimal("2850.00"), "approved", "csv"),
        (dt.date(2026, 4, 1), Decimal("2850.00"), "submitted", "csv"),
        (dt.date(2026, 5, 1), Decimal("1900.00"), "submitted", "csv"),
    ]
    assert again.status == ImportStatus.DONE and report2.counts["declaratieregel (CSV)|ongewijzigd"] == 3


def test_bad_rows_refuse_the_file_with_every_problem_named(user, tmp_path):
    path = tmp_path / "fout.csv"
    path.write_text(
        HEADER
        + "\n65656055;5001;999900006;A1;01-03-2026;31-03-2026;30;04;95,00;2.850,00;D;45A48;;\n"
        + "65656055;7777;999900006;A2;01-04-2026;30-04-2026;30;04;95,00;2.850,00;D;45A48;;\n"
        + "65656055;5001;999900006;A3;01-05-2026;31-05-2026;30;04;95,00;2.850,00;X;45A48;;\n"
        + "65656055;5001;999900006;A4;31-13-2026;31-05-2026;30;04;95,00;2.850,00;D;45A48;;1.000,00\n",
        encoding="utf-8",
    )

    run, report = do_import(path, user)

    assert run.status == ImportStatus.REFUSED
    assert Declaration.objects.count() == 0
    assert [(p.where, p.field, p.value) for p in report.problems] == [
        ("regel 4", "debet_credit", "X"),
        ("regel 5", "begindatum", "31-13-2026"),
    ]  # the row checks come first; the rules against jeugdregie run once every row reads


def test_rules_against_the_allocation_name_the_row(user, tmp_path):
    path = tmp_path / "fout.csv"
    path.write_text(
        HEADER
        + "\n65656055;7777;999900006;A2;01-04-2026;30-04-2026;30;04;95,00;2.850,00;D;45A48;;\n"
        + "65656055;5001;999900006;A5;01-05-2026;31-05-2026;30;04;95,00;2.850,00;D;45A48;;1.000,00\n",
        encoding="utf-8",
    )

    run, report = do_import(path, user)

    assert run.status == ImportStatus.REFUSED
    assert [(p.where, p.field, p.value) for p in report.problems] == [
        ("regel 3", "toegekend", "€ 1.000,00"),
        ("regel 2", "ToewijzingNummer", "7777"),
    ]
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_csv", str(path), "--dry-run", stdout=out, stderr=StringIO())
    assert "Toewijzing 7777 is niet bekend" in out.getvalue()
    assert Declaration.objects.count() == 0
