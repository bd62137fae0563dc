"""iJw import: the example messages, generated message sets in any order and twice, and refusals."""

import datetime as dt
import random
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from cases.models import Child, Extension, Product, Segment, Trajectory
from imports.models import IjwPendingMessage, ImportKind, ImportRun, ImportStatus
from imports.runner import run_import
from referrals.models import Referral

from ..factories import GemeenteFactory, ProviderFactory, UserFactory, ensure_catalogue
from . import ijw_messages as msg

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "ijw" / "berichten"


@pytest.fixture
def user(db):
    diemen = GemeenteFactory(code="0384", name="Diemen")
    amsterdam = GemeenteFactory(code="0363", name="Amsterdam")
    ProviderFactory(agb_code="42420001", name="Jeugdhulp Noord")
    ProviderFactory(agb_code="65656055", name="Zorggroep West")
    ensure_catalogue()
    Product.objects.filter(code="45A48").update(tariff=Decimal("95.00"))
    return UserFactory(username="beheer_ijw", role="beheer", gemeenten=[diemen, amsterdam])


def do_import(paths, user, *, dry_run=False):
    run = ImportRun.objects.create(kind=ImportKind.IJW, file_name="test", dry_run=dry_run, started_by=user)
    report = run_import(run, [Path(p) for p in paths])
    run.refresh_from_db()
    return run, report


def files(tmp_path, messages, folder="berichten"):
    """Write messages (name, bytes) into a folder; returns their paths in the given order."""
    target = tmp_path / folder
    target.mkdir(exist_ok=True)
    paths = []
    for name, data in messages:
        path = target / f"{name}.xml"
        path.write_bytes(data)
        paths.append(path)
    return paths


def snapshot():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in ("cases", "referrals") and model is not ImportRun
    }


def add_national_products():
    """55A11/55A12 are in the example messages but not in the national list: the beheerder adds them."""
    segment = Segment.objects.get(number=5)
    for code, unit in (("55A11", "04"), ("55A12", "16")):
        Product.objects.create(
            code=code,
            description=f"Landelijk {code}",
            category="55",
            segment=segment,
            financing="inspanning",
            unit=unit,
            tariff=Decimal("80.00"),
        )


# --- the example messages of ../shared/ijw/berichten ------------------------------------------------


def test_example_messages_import_into_the_right_records(user):
    examples = [EXAMPLES / f"{kind}.xml" for kind in ("JW307", "JW305", "JW301", "JW317")]

    # Products 55A11/55A12 are unknown: the JW301 is refused, saying so; its start and stop wait.
    run, report = do_import(examples, user)
    assert run.status == ImportStatus.PARTIAL
    assert report.refused_files == ["JW301.xml"]
    assert [p.message for p in report.problems] == [
        "Productcode 55A11 is niet bekend in jeugdregie; voeg het product eerst toe in het beheer.",
        "Productcode 55A12 is niet bekend in jeugdregie; voeg het product eerst toe in het beheer.",
    ]
    assert Trajectory.objects.count() == 0
    assert IjwPendingMessage.objects.count() == 4

    add_national_products()
    run, report = do_import([EXAMPLES / "JW301.xml"], user)

    assert run.status == ImportStatus.DONE, report.lines()
    child = Child.objects.get()
    assert (child.first_name, child.name_prefix, child.last_name, child.birth_date, child.bsn) == (
        "Tom",
        "de",
        "Wit",
        dt.date(2010, 2, 14),
        "999900006",
    )
    assert child.gemeente.code == "0384"
    first, second = Trajectory.objects.order_by("allocation_number")
    assert (first.allocation_number, first.product.code, first.volume, first.unit, first.frequency) == (
        "300201",
        "55A11",
        Decimal("2"),
        "04",
        "2",
    )
    # Start from the JW305, planned end from the JW301, end and reason from the JW307.
    assert (first.start_date, first.planned_end_date, first.end_date, first.end_reason) == (
        dt.date(2026, 4, 3),
        dt.date(2026, 7, 14),
        dt.date(2026, 7, 17),
        "31",
    )
    assert (second.start_date, second.unit, second.end_date) == (dt.date(2026, 4, 15), "16", dt.date(2026, 7, 17))
    assert first.daily_cost == Decimal("22.8571")  # 2 hours a week × €80 / 7
    assert IjwPendingMessage.objects.count() == 0
    # The JW305/JW307 name gemeente 0363 while the allocation is 0384's: applied, and said so.
    assert any("gericht aan gemeente 0363" in note for note in report.notes)


def test_example_jw317_without_changed_allocation_records_no_extension(user):
    run, report = do_import([EXAMPLES / "JW317.xml"], user)

    assert run.status == ImportStatus.DONE
    assert Extension.objects.count() == 0
    assert any("nieuwe producten (45A03)" in note for note in report.notes)


@pytest.mark.parametrize(
    ("name", "where", "field", "value", "text"),
    [
        ("JW315", "JW315 regel 44", "ToewijzingEinddatum", "2027-06-31", "'2027-06-31' is geen geldige datum."),
        ("JW318", "JW318 regel 33", "RetourCode", "", "Element 'RetourCode' hoort hier niet volgens het schema."),
    ],
)
def test_invalid_examples_are_refused_clearly(user, name, where, field, value, text):
    before = snapshot()

    run, report = do_import([EXAMPLES / f"{name}.xml"], user)

    assert run.status == ImportStatus.REFUSED
    assert snapshot() == before
    problem = report.problems[0]
    assert (problem.file, problem.where, problem.field, problem.value) == (f"{name}.xml", where, field, value)
    assert problem.message.startswith(text)


def test_message_types_that_are_not_imported_are_refused(user):
    run, report = do_import([EXAMPLES / "JW302.xml"], user)

    assert run.status == ImportStatus.REFUSED
    assert "Berichttype JW302 wordt niet geïmporteerd" in report.problems[0].message


def test_unknown_gemeente_and_unknown_product_are_refused(user, tmp_path):
    paths = files(tmp_path, [("a", msg.jw301("1001", gemeente="0518")), ("b", msg.jw301("1002", product="45A03"))])
    Product.objects.filter(code="45A03").update(active=False)

    run, report = do_import(paths, user)

    assert run.status == ImportStatus.REFUSED
    messages = [p.message for p in report.problems]
    assert "Gemeente met CBS-code 0518 wordt niet bediend door jeugdregie" in messages[0]
    assert messages[1] == "Product 45A03 is niet meer actief in jeugdregie."
    assert Trajectory.objects.count() == 0


# --- generated message sets ---------------------------------------------------------------------------


def lifecycle():
    """Every imported type for one allocation: request, allocation, start, change request, extension, stop."""
    return [
        ("1_jw315", msg.jw315("R-1", referrer="03", day=dt.date(2025, 1, 20))),
        ("2_jw301", msg.jw301("1001", reference="R-1", allocated=dt.datetime(2025, 1, 30, 10, 0))),
        ("3_jw305", msg.jw305("1001", begin=dt.date(2025, 2, 10))),
        ("4_jw317", msg.jw317("1001", end=dt.date(2026, 8, 2), volume=3)),
        (
            "5_jw301_verlenging",
            msg.jw301(
                "1001",
                reference="R-1",
                end=dt.date(2026, 8, 2),
                volume=3,
                change_reason="04",
                allocated=dt.datetime(2026, 1, 20, 14, 30),
            ),
        ),
        ("6_jw307", msg.jw307("1001", begin=dt.date(2025, 2, 10), end=dt.date(2026, 6, 30), reason="34")),
    ]


def state():
    trajectory = Trajectory.objects.select_related("referral").get(allocation_number="1001")
    return {
        "trajectory": (
            trajectory.start_date,
            trajectory.planned_end_date,
            trajectory.end_date,
            trajectory.end_reason,
            trajectory.volume,
            trajectory.daily_cost,
        ),
        "referral": (trajectory.referral.source, trajectory.referral.date) if trajectory.referral else None,
        "extensions": sorted((e.status, e.granted_end_date) for e in trajectory.extensions.all()),
        "children": Child.objects.count(),
        "referrals": Referral.objects.count(),
        "waiting": IjwPendingMessage.objects.count(),
    }


def test_every_message_type_in_order(user, tmp_path):
    run, report = do_import(files(tmp_path, lifecycle()), user)

    assert run.status == ImportStatus.DONE, report.lines()
    trajectory = Trajectory.objects.get(allocation_number="1001")
    assert trajectory.referral.source == "03"  # jeugdarts, from the JW315, linked by ReferentieAanbieder
    assert trajectory.start_date == dt.date(2025, 2, 10)  # JW305
    assert (trajectory.planned_end_date, trajectory.volume) == (dt.date(2026, 8, 2), Decimal("3"))  # JW301 04
    assert (trajectory.end_date, trajectory.end_reason) == (dt.date(2026, 6, 30), "34")  # JW307
    extension = trajectory.extensions.get()
    # The provider's JW317 became a request; the re-issued JW301 (JZ002 04) granted it.
    assert extension.reason.startswith("Verzoek om wijziging van de aanbieder (WJ758 2")
    assert (extension.status, extension.requested_end_date, extension.granted_end_date) == (
        "approved",
        dt.date(2026, 8, 2),
        dt.date(2026, 8, 2),
    )
    assert trajectory.daily_cost == Decimal("40.7143")  # 3 hours a week × €95 / 7, recomputed on update
    assert state()["waiting"] == 0


def test_an_ijw_extension_is_decided_by_the_importing_user_with_a_reason(user, tmp_path):
    run, report = do_import(files(tmp_path, lifecycle()), user)

    assert run.status == ImportStatus.DONE, report.lines()
    extension = Extension.objects.get()
    assert (extension.status, extension.decided_by, extension.decided_at) == (
        "approved",
        user,
        timezone.make_aware(dt.datetime(2026, 1, 20, 14, 30)),  # the allocation's Toewijzingsdatum/-tijd
    )
    assert extension.decision_reason.startswith("Verlengd via iJw-toewijzing 1001")
    latest = extension.history.first()
    assert (latest.history_user, latest.history_change_reason) == (user, f"import test #{run.pk}")


def test_an_extension_without_a_request_is_recorded_as_decided_by_the_importing_user(user, tmp_path):
    do_import(files(tmp_path, [("toewijzing", msg.jw301("1001"))]), user)
    extended = msg.jw301("1001", end=dt.date(2026, 8, 2), change_reason="04", allocated=dt.datetime(2026, 1, 20, 9))

    run, report = do_import(files(tmp_path, [("verlenging", extended)], "later"), user)

    extension = Extension.objects.get()
    assert (extension.status, extension.requested_end_date, extension.granted_end_date) == (
        "approved",
        dt.date(2026, 8, 2),
        dt.date(2026, 8, 2),
    )
    assert extension.decided_by == user
    assert extension.decision_reason.startswith("Verlengd via iJw-toewijzing 1001")
    assert dict(report.table())["verlenging"] == {"nieuw": 1}


def test_an_allocation_may_not_decide_an_extension_the_toets_has_refused(user, tmp_path):
    from cases.services import extension_decide

    do_import(files(tmp_path, [("a", msg.jw301("1001")), ("b", msg.jw317("1001", end=dt.date(2026, 8, 2)))]), user)
    toets = UserFactory(username="toets_ijw", role="toets")
    extension_decide(user=toets, extension=Extension.objects.get(), decision="refused", reason="Doelen bereikt")
    extended = msg.jw301("1001", end=dt.date(2026, 8, 2), change_reason="04", allocated=dt.datetime(2026, 1, 20, 9))

    run, report = do_import(files(tmp_path, [("verlenging", extended)], "later"), user)

    assert run.status == ImportStatus.REFUSED
    assert report.refused_files == ["verlenging.xml"]
    problem = report.problems[0]
    assert (problem.field, problem.value) == ("ToewijzingEinddatum", "2026-08-02")
    assert problem.message == (
        "Toewijzing 1001 verlengt tot 02-08-2026, maar de verlengingsaanvraag tot die datum is in jeugdregie al "
        "afgehandeld (afgewezen); het bericht is niet verwerkt."
    )
    extension = Extension.objects.get()
    assert (extension.status, extension.decided_by, extension.granted_end_date) == ("refused", toets, None)
    assert Trajectory.objects.get().planned_end_date == dt.date(2026, 2, 2)  # the allocation was not applied


def test_extending_again_after_a_shortening_is_a_new_extension(user, tmp_path):
    versions = [
        ("a", msg.jw301("1001", allocated=dt.datetime(2025, 1, 30, 9))),
        ("b", msg.jw301("1001", end=dt.date(2026, 8, 2), change_reason="04", allocated=dt.datetime(2026, 1, 20, 9))),
        ("c", msg.jw301("1001", end=dt.date(2026, 5, 1), change_reason="05", allocated=dt.datetime(2026, 2, 1, 9))),
        ("d", msg.jw301("1001", end=dt.date(2026, 8, 2), change_reason="04", allocated=dt.datetime(2026, 3, 1, 9))),
    ]

    run, report = do_import(files(tmp_path, versions), user)

    assert run.status == ImportStatus.DONE, report.lines()
    assert Trajectory.objects.get().planned_end_date == dt.date(2026, 8, 2)
    assert [(e.status, e.granted_end_date, e.decided_by) for e in Extension.objects.order_by("pk")] == [
        ("approved", dt.date(2026, 8, 2), user),
        ("approved", dt.date(2026, 8, 2), user),
    ]


def test_any_order_gives_the_same_records(user, tmp_path):
    messages = lifecycle()
    do_import(files(tmp_path, messages, "in_volgorde"), user)
    expected = state()
    expected_extensions = expected.pop("extensions")

    orders = [list(reversed(messages))] + [random.Random(seed).sample(messages, len(messages)) for seed in (1, 2, 3)]
    for number, order in enumerate(orders):
        for model in (Extension, Trajectory, Referral, Child):
            model.history.all().delete()
        Extension.objects.all().delete()
        IjwPendingMessage.objects.all().delete()
        from imports.models import IjwAllocation, IjwReferral

        IjwAllocation.objects.all().delete()
        IjwReferral.objects.all().delete()
        Trajectory.objects.all().delete()
        Referral.objects.all().delete()
        Child.objects.all().delete()

        run, report = do_import(files(tmp_path, order, f"volgorde_{number}"), user)

        assert run.status == ImportStatus.DONE, report.lines()
        got = state()
        extensions = got.pop("extensions")
        assert got == expected, [name for name, _ in order]
        # However the messages arrive, the allocation was extended once, to the same date.
        assert [e[1] for e in extensions] == [e[1] for e in expected_extensions]
        assert all(status in ("approved", "shortened") for status, _ in extensions)


def test_importing_twice_and_duplicates_change_nothing(user, tmp_path):
    messages = lifecycle()
    paths = files(tmp_path, messages)
    do_import(paths, user)
    before = snapshot()
    trajectories = list(Trajectory.objects.values())

    # The whole set again, plus every message delivered twice in one run.
    run, report = do_import(paths + files(tmp_path, messages, "nog_eens"), user)

    assert run.status == ImportStatus.DONE
    assert snapshot() == before
    assert list(Trajectory.objects.values()) == trajectories
    assert (run.created, run.updated) == (0, 0)


def test_an_older_allocation_arriving_late_changes_nothing(user, tmp_path):
    newer = msg.jw301("1001", end=dt.date(2026, 8, 2), change_reason="04", allocated=dt.datetime(2026, 1, 20, 9))
    older = msg.jw301("1001", end=dt.date(2026, 2, 2), allocated=dt.datetime(2025, 1, 30, 9))
    do_import(files(tmp_path, [("nieuw", newer)]), user)

    run, report = do_import(files(tmp_path, [("oud", older)], "later"), user)

    assert Trajectory.objects.get().planned_end_date == dt.date(2026, 8, 2)
    assert dict(report.table())["toewijzing (JW301)"] == {"ongewijzigd": 1}
    assert Extension.objects.get().granted_end_date == dt.date(2026, 8, 2)


def test_a_stop_before_its_allocation_waits_and_is_reported(user, tmp_path):
    run, report = do_import(files(tmp_path, [("stop", msg.jw307("1001"))]), user)

    assert run.status == ImportStatus.DONE and run.waiting == 1
    assert Trajectory.objects.count() == 0
    assert "JW307 voor toewijzing 1001 wacht op die toewijzing (JW301)" in report.notes[0]
    waiting = IjwPendingMessage.objects.get()
    # The waiting message keeps dates and codes; the BSN only as a keyed hash.
    assert msg.BSN not in str(waiting.payload) and waiting.bsn_digest != msg.BSN

    do_import(files(tmp_path, [("toewijzing", msg.jw301("1001"))], "later"), user)

    trajectory = Trajectory.objects.get()
    assert (trajectory.end_date, trajectory.end_reason) == (dt.date(2025, 12, 19), "31")
    assert IjwPendingMessage.objects.count() == 0


def test_a_waiting_message_for_another_bsn_keeps_waiting(user, tmp_path):
    do_import(files(tmp_path, [("stop", msg.jw307("1001", bsn="111222333"))]), user)

    do_import(files(tmp_path, [("toewijzing", msg.jw301("1001"))], "later"), user)

    assert Trajectory.objects.get().end_date is None
    assert IjwPendingMessage.objects.count() == 1


def test_a_message_whose_bsn_does_not_match_the_allocation_is_refused(user, tmp_path):
    do_import(files(tmp_path, [("toewijzing", msg.jw301("1001"))]), user)

    run, report = do_import(files(tmp_path, [("start", msg.jw305("1001", bsn="111222333"))], "later"), user)

    assert run.status == ImportStatus.REFUSED
    assert report.problems[0].message == "Dit BSN hoort niet bij toewijzing 1001."
    assert report.problems[0].value == "•••••2333"
    assert "111222333" not in str(run.report)


def test_a_bsn_of_another_gemeente_is_refused(user, tmp_path):
    do_import(files(tmp_path, [("a", msg.jw301("1001"))]), user)

    run, report = do_import(files(tmp_path, [("b", msg.jw301("2001", gemeente="0363"))], "later"), user)

    assert run.status == ImportStatus.REFUSED
    assert "andere gemeente dan Amsterdam" in report.problems[0].message


def test_budget_and_euro_allocations_set_the_price(user, tmp_path):
    paths = files(
        tmp_path,
        [
            ("budget", msg.jw301("1001", volume=10, frequency="6", budget=120000)),
            ("euro", msg.jw301("1002", volume=5000, unit="83", frequency="6")),
        ],
    )

    do_import(paths, user)

    assert Trajectory.objects.get(allocation_number="1001").tariff == Decimal("120.00")  # €1,200 / 10 hours
    assert Trajectory.objects.get(allocation_number="1002").tariff == Decimal("1.00")


def test_a_budget_for_taakgericht_care_sets_no_price(user, tmp_path):
    Product.objects.filter(code="45A48").update(financing="taak")

    do_import(files(tmp_path, [("budget", msg.jw301("1001", volume=10, frequency="6", budget=120000))]), user)

    trajectory = Trajectory.objects.get()
    assert (trajectory.financing, trajectory.tariff, trajectory.outside_budget) == ("taak", None, False)


def test_a_file_in_a_folder_that_fails_leaves_the_others_in(user, tmp_path):
    paths = files(tmp_path, [("a_goed", msg.jw301("1001")), ("b_fout", msg.jw301("1002", product="45X99"))])

    run, report = do_import([paths[0].parent], user)

    assert run.status == ImportStatus.PARTIAL
    assert report.refused_files == ["berichten/b_fout.xml"]
    assert list(Trajectory.objects.values_list("allocation_number", flat=True)) == ["1001"]


def test_dry_run_writes_nothing(user, tmp_path):
    before = snapshot()

    run, report = do_import(files(tmp_path, lifecycle()), user, dry_run=True)

    assert run.status == ImportStatus.CHECKED
    assert snapshot() == before
    assert dict(report.table())["toewijzing (JW301)"] == {"gewijzigd": 1, "nieuw": 1}


def test_history_is_written_as_the_importing_user(user, tmp_path):
    run, _ = do_import(files(tmp_path, lifecycle()), user)

    records = Trajectory.history.all()
    assert records.count() >= 4  # created, start, extension, stop
    assert {r.history_user_id for r in records} == {user.pk}
    assert {r.history_change_reason for r in records} == {f"import test #{run.pk}"}


def test_external_entities_are_never_resolved(user, tmp_path):
    evil = tmp_path / "xxe.xml"
    evil.write_text(
        '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<m:Bericht xmlns:m="http://www.istandaarden.nl/ijw/3_2/jw301/schema">&x;</m:Bericht>'
    )

    run, report = do_import([evil], user)

    assert run.status == ImportStatus.REFUSED
    assert "root:" not in str(run.report)


def test_command_imports_a_folder(user, tmp_path):
    folder = files(tmp_path, lifecycle())[0].parent
    out = StringIO()

    call_command("import_ijw", str(folder), "--user", user.username, stdout=out, stderr=StringIO())

    assert "Import berichten: Geïmporteerd" in out.getvalue()
    assert "toewijzing (JW301): 1 gewijzigd, 1 nieuw" in out.getvalue()
    assert Trajectory.objects.count() == 1


def test_a_change_request_alone_hands_its_child_to_the_flag_engine(
    user, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    do_import(files(tmp_path, [("toewijzing", msg.jw301("1001"))]), user)
    asked = []
    monkeypatch.setattr("imports.after.request_evaluation", lambda child_ids: asked.extend(child_ids))

    with django_capture_on_commit_callbacks(execute=True):
        do_import(files(tmp_path, [("verzoek", msg.jw317("1001"))], "later"), user)

    assert Extension.objects.get().status == "pending"
    assert asked == [Child.objects.get().pk]


def test_a_database_refusal_refuses_only_that_file(user, tmp_path, monkeypatch):
    from django.db import IntegrityError

    from imports.ijw_import import IjwImport

    original = IjwImport._jw305

    def refuse_start(self, message, item):
        original(self, message, item)
        raise IntegrityError("trajectory_planned_end_after_start")  # after a write: it must be undone

    monkeypatch.setattr(IjwImport, "_jw305", refuse_start)
    paths = files(tmp_path, [("a_toewijzing", msg.jw301("1001")), ("b_start", msg.jw305("1001"))])

    run, report = do_import(paths, user)

    assert run.status == ImportStatus.PARTIAL and report.refused_files == ["b_start.xml"]
    assert report.problems[0].message.startswith("De database weigert deze gegevens")
    assert Trajectory.objects.get().start_date == dt.date(2025, 2, 3)  # the start was rolled back
