"""Declarations (JW323, JW325): hand-computed outcomes, every refusal, idempotency and the official examples.

The trajectory of every test: allocation 5001, 45A48 (segment 5, P × Q) at € 95,00 an hour, 7 hours a week,
so its daily cost is exactly € 95,00 (7/7 hours a day); 1 March to 31 December 2026.
"""

import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cases.models import Declaration, DeclarationStatus, Product, Trajectory
from imports.models import ImportKind, ImportRun, ImportStatus
from imports.runner import run_import

from ..factories import ChildFactory, GemeenteFactory, ProviderFactory, TrajectoryFactory, UserFactory, ensure_catalogue
from . import declaration_messages as msg

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "ijw" / "berichten"
D = dt.date
MARCH, APRIL, MAY = (D(2026, 3, 1), D(2026, 3, 31)), (D(2026, 4, 1), D(2026, 4, 30)), (D(2026, 5, 1), D(2026, 5, 31))


@pytest.fixture
def user(db):
    diemen = GemeenteFactory(code="0384", name="Diemen")
    ensure_catalogue()
    return UserFactory(username="beheer_decl", role="beheer", gemeenten=[diemen])


@pytest.fixture
def trajectory(user):
    provider = ProviderFactory(agb_code="65656055", name="Zorggroep West")
    child = ChildFactory(gemeente=user.gemeenten.get(), bsn="999900006")
    return TrajectoryFactory(
        child=child,
        provider=provider,
        allocation_number="5001",
        start_date=D(2026, 3, 1),
        planned_end_date=D(2026, 12, 31),
        volume=Decimal("7"),
        frequency="2",
    )


def do_import(tmp_path, files: dict, user, *, dry_run=False):
    paths = []
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(path)
    run = ImportRun.objects.create(kind=ImportKind.IJW, file_name="test", dry_run=dry_run, started_by=user)
    report = run_import(run, paths)
    run.refresh_from_db()
    return run, report


def hours(month, n, ref, **kwargs):
    return msg.line("5001", month[0], month[1], n, 9500, ref=ref, **kwargs)


def test_three_months_are_kept_per_trajectory_and_month(user, trajectory, tmp_path):
    files = {
        "maart.xml": msg.jw323([hours(MARCH, 30, "R3")], period=MARCH, number="DN3"),
        "april.xml": msg.jw323([hours(APRIL, 30, "R4")], period=APRIL, number="DN4"),
        "mei.xml": msg.jw323([hours(MAY, 20, "R5")], period=MAY, number="DN5"),
    }

    run, report = do_import(tmp_path, files, user)

    assert run.status == ImportStatus.DONE, report.lines()
    rows = list(
        Declaration.objects.order_by("month").values_list("month", "amount", "volume", "status", "provider__name")
    )
    assert rows == [
        (D(2026, 3, 1), Decimal("2850.00"), Decimal("30.00"), "submitted", "Zorggroep West"),  # 30 × € 95
        (D(2026, 4, 1), Decimal("2850.00"), Decimal("30.00"), "submitted", "Zorggroep West"),
        (D(2026, 5, 1), Decimal("1900.00"), Decimal("20.00"), "submitted", "Zorggroep West"),  # 20 × € 95
    ]
    assert report.counts["declaratieregel (JW323)|nieuw"] == 3
    # History with the importing user.
    assert Declaration.history.filter(history_user=user).count() == 3


def test_importing_twice_changes_nothing(user, trajectory, tmp_path):
    data = msg.jw323([hours(MARCH, 30, "R3"), hours(APRIL, 30, "R4")], period=(MARCH[0], APRIL[1]))
    do_import(tmp_path, {"a.xml": data}, user)

    run, report = do_import(tmp_path, {"a.xml": data}, user)

    assert run.status == ImportStatus.DONE
    assert report.counts["declaratieregel (JW323)|ongewijzigd"] == 2
    assert Declaration.objects.count() == 2
    assert Declaration.history.count() == 2


def test_a_jw325_approves_all_but_the_rejected_line_and_twice_is_the_same(user, trajectory, tmp_path):
    lines = [hours(MARCH, 30, "R3"), hours(APRIL, 30, "R4")]
    do_import(tmp_path, {"d.xml": msg.jw323(lines, period=(MARCH[0], APRIL[1]), message_id="777")}, user)
    answer = msg.jw325("777", lines, {"R4": ["0611"]})

    run, report = do_import(tmp_path, {"antwoord.xml": answer}, user)
    run2, report2 = do_import(tmp_path, {"antwoord.xml": answer}, user)

    assert run.status == ImportStatus.DONE, report.lines()
    assert dict(Declaration.objects.values_list("reference", "status")) == {"R3": "approved", "R4": "rejected"}
    assert dict(Declaration.objects.values_list("reference", "approved_amount")) == {
        "R3": Decimal("2850.00"),
        "R4": Decimal("0.00"),
    }
    assert Declaration.objects.get(reference="R4").answer_codes == "0611"
    assert run2.status == ImportStatus.DONE and report2.counts["declaratie-antwoord (JW325)|ongewijzigd"] == 2


def test_a_credit_reverses_its_debit_and_a_new_debit_may_follow(user, trajectory, tmp_path):
    do_import(tmp_path, {"a.xml": msg.jw323([hours(MARCH, 30, "R3")], period=MARCH, number="DN1")}, user)
    correction = msg.jw323(
        [hours(MARCH, 30, "R3", dc="C"), hours(MARCH, 28, "R3b")], period=MARCH, number="DN2"
    )  # net 28 × € 95 - ... : -2850 + 2660

    run, report = do_import(tmp_path, {"b.xml": correction}, user)

    assert run.status == ImportStatus.DONE, report.lines()
    assert sum(Declaration.objects.values_list("amount", flat=True)) == Decimal("2660.00")


# --- refusals: each names the value, writes nothing, and the CLI fails (also as a dry run) -------------------


def refused(tmp_path, user, data, *, name="fout.xml"):
    before = list(Declaration.objects.values_list("pk", "status"))
    run, report = do_import(tmp_path, {name: data}, user)
    assert run.status == ImportStatus.REFUSED
    assert list(Declaration.objects.values_list("pk", "status")) == before
    return [(p.field, p.value, p.message) for p in report.problems]


def test_unknown_allocation_is_refused(user, trajectory, tmp_path):
    data = msg.jw323([msg.line("9999", *MARCH, 30, 9500, ref="R1")], period=MARCH)

    assert refused(tmp_path, user, data) == [
        (
            "ToewijzingNummer",
            "9999",
            "Toewijzing 9999 is niet bekend in jeugdregie; importeer eerst de toewijzing (JW301) of leg het traject "
            "vast met dit toewijzingnummer (TR338).",
        )
    ]


def test_a_period_outside_the_allocation_is_refused(user, trajectory, tmp_path):
    february = (D(2026, 2, 1), D(2026, 2, 28))
    data = msg.jw323([hours(february, 10, "R2")], period=february)

    assert refused(tmp_path, user, data) == [
        (
            "ProductPeriode",
            "2026-02-01 - 2026-02-28",
            "De prestatie valt buiten toewijzing 5001, die loopt van 01-03-2026 tot en met 31-12-2026 (TR307/TR308).",
        )
    ]


def test_amounts_that_do_not_add_up_are_refused(user, trajectory, tmp_path):
    data = msg.jw323(
        [hours(MARCH, 30, "R3"), hours(APRIL, 30, "R4", amount_cents=285001)], period=(MARCH[0], APRIL[1]), total=1000
    )

    assert refused(tmp_path, user, data) == [
        (
            "TotaalIngediendBedrag",
            "€ 10,00",
            "Het totaal klopt niet met de prestaties: die tellen op tot € 5.700,01 (debet min credit).",
        ),
        ("IngediendBedrag", "€ 2.850,01", "Het bedrag is niet volume × tarief: 30 × € 95,00 = € 2.850,00 (TR346)."),
    ]


def test_a_credit_without_its_debit_is_refused(user, trajectory, tmp_path):
    data = msg.jw323([hours(MARCH, 30, "R3", dc="C")], period=MARCH)

    assert refused(tmp_path, user, data) == [
        (
            "ReferentieNummer",
            "R3",
            "Van deze creditprestatie is geen debetprestatie bekend (TR323); een credit draait een eerder "
            "gedeclareerde prestatie met hetzelfde referentienummer terug.",
        )
    ]


def test_a_second_debit_for_a_declared_period_and_a_changed_line_are_refused(user, trajectory, tmp_path):
    do_import(tmp_path, {"a.xml": msg.jw323([hours(MARCH, 30, "R3")], period=MARCH, number="DN1")}, user)

    problems = refused(
        tmp_path, user, msg.jw323([hours(MARCH, 30, "R3x"), hours(MARCH, 31, "R3")], period=MARCH, number="DN2")
    )

    assert [(field, value) for field, value, _ in problems] == [
        ("ReferentieNummer", "R3"),  # the same reference with another amount (TR314)
        ("ProductPeriode", "2026-03-01 - 2026-03-31"),  # R3x: March is declared and not credited (TR389)
    ]
    assert "al gedeclareerd (prestatie R3)" in problems[1][2]


def test_a_jw325_for_an_unknown_declaration_or_with_a_wrong_total_is_refused(user, trajectory, tmp_path):
    lines = [hours(MARCH, 30, "R3")]
    assert refused(tmp_path, user, msg.jw325("123", lines, {}))[0][:2] == ("DeclaratieIdentificatie", "123")
    do_import(tmp_path, {"d.xml": msg.jw323(lines, period=MARCH, message_id="555")}, user)

    problems = refused(tmp_path, user, msg.jw325("555", lines, {}, approved=100))

    assert problems == [
        (
            "TotaalToegekendBedrag",
            "€ 1,00",
            "Het toegekende totaal klopt niet met de afgewezen prestaties: toegekend is dan € 2.850,00.",
        )
    ]


def test_the_command_fails_on_a_refused_file_also_as_a_dry_run(user, trajectory, tmp_path):
    good = tmp_path / "goed.xml"
    good.write_bytes(msg.jw323([hours(MARCH, 30, "R3")], period=MARCH, number="DN1"))
    bad = tmp_path / "fout.xml"
    bad.write_bytes(msg.jw323([msg.line("9999", *APRIL, 30, 9500, ref="R9")], period=APRIL, number="DN9"))

    for extra in (["--dry-run"], []):
        out = StringIO()
        with pytest.raises(CommandError, match="fout.xml"):
            call_command("import_ijw", str(good), str(bad), *extra, stdout=out, stderr=StringIO())
        assert "Toewijzing 9999 is niet bekend" in out.getvalue()
    # The good file went in with the real run (files are all or nothing each); the dry run wrote nothing.
    assert list(Declaration.objects.values_list("reference", flat=True)) == ["R3"]
    out = StringIO()
    call_command("import_ijw", str(good), "--dry-run", stdout=out, stderr=StringIO())  # exit 0: nothing refused


# --- the official examples (../shared/ijw/berichten) ----------------------------------------------------------


def test_official_examples_are_refused_with_their_reasons(user, tmp_path):
    provider = ProviderFactory(agb_code="65656055", name="Zorggroep West")
    allocations = (("10072", "999900006", "45A03"), ("10073", "999900018", "45A04"), ("10074", "999900018", "45A03"))
    for number, bsn, code in allocations:
        child = Trajectory.objects.filter(child__bsn=bsn).first()
        child = child.child if child else ChildFactory(gemeente=user.gemeenten.get(), bsn=bsn)
        product = Product.objects.get(code=code)
        TrajectoryFactory(
            child=child,
            provider=provider,
            product=product,
            allocation_number=number,
            start_date=D(2026, 1, 1),
            planned_end_date=D(2026, 12, 31),
            unit="04",
            tariff=None,
        )

    run, report = do_import(tmp_path, {"JW323.xml": (EXAMPLES / "JW323.xml").read_bytes()}, user)

    # RN004 is declared twice as a debit, and once for March in an April declaration; allocation 10073 is
    # declared for two clients (RN002 for 999900006, RN004 for 999900018).
    assert run.status == ImportStatus.REFUSED
    assert [(p.where, p.field, p.value) for p in report.problems] == [
        ("JW323 prestatie RN004", "ReferentieNummer", "RN004"),
        ("JW323 prestatie RN004", "ProductPeriode", "2026-03-01 - 2026-03-31"),
        ("JW323 prestatie RN002", "Bsn", "•••••0006"),
    ]
    assert "twee keer als debet" in report.problems[0].message
    assert "TR319" in report.problems[1].message
    assert report.problems[2].message == "Dit BSN hoort niet bij toewijzing 10073 (TR304)."
    assert Declaration.objects.count() == 0

    run, report = do_import(tmp_path, {"JW325.xml": (EXAMPLES / "JW325.xml").read_bytes()}, user)

    assert run.status == ImportStatus.REFUSED
    assert [(p.field, p.value) for p in report.problems] == [("DeclaratieIdentificatie", "765432198")]


def test_the_status_of_an_answered_line_is_never_overwritten_by_another_answer(user, trajectory, tmp_path):
    lines = [hours(MARCH, 30, "R3")]
    do_import(tmp_path, {"d.xml": msg.jw323(lines, period=MARCH, message_id="556")}, user)
    do_import(tmp_path, {"a.xml": msg.jw325("556", lines, {})}, user)

    problems = refused(tmp_path, user, msg.jw325("556", lines, {"R3": ["0611"]}))

    assert problems[0][:2] == ("ReferentieNummer", "R3")
    assert Declaration.objects.get().status == DeclarationStatus.APPROVED
