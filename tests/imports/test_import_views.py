"""The beheerder's upload page: proefimport report, confirm, progress polling, report as CSV, access."""

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Trajectory
from imports.models import ImportRun, ImportStatus
from jeugdregie.celery import app as celery_app

from ..conftest import assert_accessible, login, screenshot
from ..factories import GemeenteFactory, ProviderFactory, UserFactory, ensure_catalogue
from . import ijw_messages as msg

HEADER = ";".join(
    ["gemeentecode", "kindreferentie", "geboortedatum", "aanbieder_agb", "productcode", "startdatum"]
    + ["geplande_einddatum", "volume", "frequentie"]
)
GOOD = (
    HEADER
    + "\n9901;K-1;14-02-2012;42420001;45A48;03-02-2025;02-02-2026;2;2"
    + "\n9901;K-2;01-03-2013;42420001;45A48;03-02-2025;02-02-2026;2;2\n"
)


@pytest.fixture(autouse=True)
def eager_celery(monkeypatch, settings, tmp_path):
    # The page enqueues the import; without a worker in the tests it runs in the request (as on `make run`).
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"


@pytest.fixture
def provider(db):
    ensure_catalogue()
    return ProviderFactory(agb_code="42420001", name="Jeugdhulp Noord")


def upload(client, name, content, kind="csv"):
    files = content if isinstance(content, list) else [SimpleUploadedFile(name, content.encode(), "text/csv")]
    return client.post(reverse("imports:upload"), {"kind": kind, "files": files})


def test_beheerder_checks_then_confirms_a_csv(client, beheer_a, provider, django_capture_on_commit_callbacks):
    client.force_login(beheer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, "export.csv", GOOD)
    checked = ImportRun.objects.get()
    assert response.url == reverse("imports:run", args=[checked.pk])
    assert (checked.dry_run, checked.status) == (True, ImportStatus.CHECKED)
    assert Trajectory.objects.count() == 0

    page = client.get(response.url).content.decode()
    assert "Proefimport: export.csv" in page and "Wat er zou veranderen" in page
    assert "Importeren bevestigen" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:confirm", args=[checked.pk]))
    done = ImportRun.objects.exclude(pk=checked.pk).get()
    assert (done.dry_run, done.status, done.started_by) == (False, ImportStatus.DONE, beheer_a)
    assert Trajectory.objects.count() == 2
    assert not Path(done.stored_path).exists()  # the upload is removed once imported
    # Confirming the same proefimport twice imports nothing twice.
    response = client.post(reverse("imports:confirm", args=[checked.pk]), follow=True)
    assert "kan niet (meer) worden bevestigd" in response.content.decode()
    assert ImportRun.objects.count() == 2


def test_a_bad_file_shows_its_problems_and_cannot_be_confirmed(
    client, beheer_a, provider, django_capture_on_commit_callbacks
):
    client.force_login(beheer_a)
    bad = GOOD.replace("02-02-2026;2;2\n9901;K-2", "02-02-2026;0;2\n9901;K-2")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, "fout.csv", bad)

    page = client.get(response.url).content.decode()
    assert "Het bestand is geweigerd" in page
    assert "regel 2" in page and "Het volume moet een getal groter dan nul zijn." in page
    assert "Importeren bevestigen" not in page
    run = ImportRun.objects.get()
    assert client.post(reverse("imports:confirm", args=[run.pk])).status_code == 302
    assert ImportRun.objects.count() == 1


def test_ijw_messages_can_be_uploaded_together(client, beheer_a, provider, django_capture_on_commit_callbacks):
    client.force_login(beheer_a)
    files = [
        SimpleUploadedFile("stop.xml", msg.jw307("1001", gemeente="9901"), "text/xml"),
        SimpleUploadedFile("toewijzing.xml", msg.jw301("1001", gemeente="9901"), "text/xml"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, None, files, kind="ijw")
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.CHECKED, run.report
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:confirm", args=[run.pk]))
    assert Trajectory.objects.get().end_reason == "31"  # the stop waited for its allocation, then applied


def test_upload_form_errors(client, beheer_a):
    client.force_login(beheer_a)
    response = upload(client, "a.csv", [SimpleUploadedFile("a.txt", b"x"), SimpleUploadedFile("b.txt", b"y")])
    assert "Kies precies één CSV-bestand." in response.content.decode()
    response = upload(client, None, [SimpleUploadedFile("a.csv", b"x")], kind="ijw")
    assert "iJw-berichten zijn .xml-bestanden (los of samen in een .zip)." in response.content.decode()
    assert ImportRun.objects.count() == 0


def test_polling_returns_only_the_status_fragment(client, beheer_a):
    run = ImportRun.objects.create(
        kind="csv", file_name="x.csv", started_by=beheer_a, status=ImportStatus.RUNNING, total=10, done=4
    )
    client.force_login(beheer_a)

    fragment = client.get(reverse("imports:run", args=[run.pk]), headers={"HX-Request": "true"}).content.decode()

    assert fragment.lstrip().startswith('<div id="import-status"')
    assert 'hx-trigger="every 1s"' in fragment and "4 van 10 regels" in fragment
    run.status = ImportStatus.DONE
    run.save()
    fragment = client.get(reverse("imports:run", args=[run.pk]), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment  # finished: polling stops


def test_progress_is_shown_in_dutch_figures(client, beheer_a):
    run = ImportRun.objects.create(
        kind="csv", file_name="x.csv", started_by=beheer_a, status=ImportStatus.RUNNING, total=100_000, done=12_345
    )
    client.force_login(beheer_a)

    fragment = client.get(reverse("imports:run", args=[run.pk]), headers={"HX-Request": "true"}).content.decode()

    assert "12.345 van 100.000 regels" in fragment
    assert ">12%</progress>" in fragment


def test_report_csv_never_carries_a_formula(client, beheer_a, provider, django_capture_on_commit_callbacks):
    client.force_login(beheer_a)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "aanval.csv", GOOD.replace("14-02-2012", '=HYPERLINK("http://x")'))
    run = ImportRun.objects.get()

    response = client.get(reverse("imports:report_csv", args=[run.pk]))

    assert response["Content-Disposition"] == f'attachment; filename="importverslag-{run.pk}.csv"'
    assert response.content.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the BOM
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["bestand", "plaats", "veld", "waarde", "probleem"]
    assert rows[1][3] == '\'=HYPERLINK("http://x")'


@pytest.mark.parametrize("persona", ["toegang_a", "toets_a", "regisseur_a", "beleid_a"])
def test_other_roles_may_not_import(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("imports:upload")).status_code == 403


def test_another_beheerders_run_is_not_found(client, beheer_a):
    other = UserFactory(role="beheer", gemeenten=[GemeenteFactory(code="9902")])
    run = ImportRun.objects.create(kind="csv", file_name="x.csv", started_by=other, status=ImportStatus.DONE)
    client.force_login(beheer_a)
    for name in ("imports:run", "imports:report_csv"):
        assert client.get(reverse(name, args=[run.pk])).status_code == 404
    assert client.post(reverse("imports:confirm", args=[run.pk])).status_code == 404


@pytest.mark.parametrize("n", [3, 30])
def test_upload_page_queries_do_not_grow_with_the_runs(client, beheer_a, n, django_assert_max_num_queries):
    ImportRun.objects.bulk_create(
        [ImportRun(kind="csv", file_name=f"{i}.csv", started_by=beheer_a, status=ImportStatus.DONE) for i in range(n)]
    )
    client.force_login(beheer_a)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("imports:upload")).status_code == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_beheerder_imports_a_csv_in_the_browser(page, beheer_a, tmp_path):
    ensure_catalogue()
    ProviderFactory(agb_code="42420001", name="Jeugdhulp Noord")
    export = tmp_path / "export.csv"
    export.write_text(GOOD, encoding="utf-8")
    login(page, "beheer_a")  # a beheerder lands in the admin; the import page is in the app's menu
    page.goto("/beheer/import/")
    assert page.get_by_role("heading", name="Importeren").is_visible()
    assert page.get_by_role("link", name="Importeren").get_attribute("aria-current") == "page"
    assert_accessible(page)
    page.get_by_label("CSV-bestand").check()
    page.get_by_label("Bestand(en)").set_input_files(str(export))
    page.get_by_role("button", name="Controleren (proefimport)").click()

    assert page.get_by_role("heading", name="Proefimport: export.csv").is_visible()
    assert page.get_by_text("Proefimport klaar").is_visible()
    assert Trajectory.objects.count() == 0
    assert_accessible(page)
    screenshot(page, "beheer-import-proef")

    page.get_by_role("button", name="Importeren bevestigen").click()
    assert page.get_by_role("heading", name="Import: export.csv").is_visible()
    assert page.get_by_text("Geïmporteerd", exact=True).is_visible()
    assert Trajectory.objects.count() == 2
    assert_accessible(page)
    screenshot(page, "beheer-import-klaar")


def test_unconfirmed_uploads_are_removed_after_a_day(client, beheer_a, settings):
    import os
    import time

    from imports.uploads import KEEP_SECONDS, store_upload

    stale = store_upload([SimpleUploadedFile("oud.csv", b"x")])
    old = time.time() - KEEP_SECONDS - 60
    os.utime(stale, (old, old))
    fresh = store_upload([SimpleUploadedFile("nieuw.csv", b"x")])

    assert not stale.exists() and fresh.exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_beheerder_sees_why_a_file_is_refused(page, beheer_a, tmp_path):
    ensure_catalogue()
    ProviderFactory(agb_code="42420001", name="Jeugdhulp Noord")
    export = tmp_path / "fout.csv"
    export.write_text(GOOD.replace("02-02-2026;2;2\n9901;K-2", "31-02-2026;0;2\n9901;K-2"), encoding="utf-8")
    login(page, "beheer_a")
    page.goto("/beheer/import/")
    page.get_by_label("Bestand(en)").set_input_files(str(export))
    page.get_by_role("button", name="Controleren (proefimport)").click()

    assert page.get_by_role("heading", name="2 problemen").is_visible()
    assert page.get_by_text("Het bestand is geweigerd: er is niets geïmporteerd.").is_visible()
    assert page.get_by_role("cell", name="Het volume moet een getal groter dan nul zijn.").is_visible()
    assert page.get_by_role("button", name="Importeren bevestigen").count() == 0
    assert_accessible(page)
    screenshot(page, "beheer-import-geweigerd")


def _zip(members):
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as zipped:
        for name, data in members.items():
            zipped.writestr(name, data)
    return buffer.getvalue()


def test_ijw_messages_in_a_zip(client, beheer_a, provider, django_capture_on_commit_callbacks):
    client.force_login(beheer_a)
    archive = _zip(
        {
            "map/stop.xml": msg.jw307("1001", gemeente="9901"),
            "../../buiten.xml": msg.jw301("1001", gemeente="9901"),  # a path from the archive is never used
            "leesmij.txt": b"niet importeren",
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, None, [SimpleUploadedFile("berichten.zip", archive, "application/zip")], kind="ijw")
    run = ImportRun.objects.get()
    assert sorted(p.name for p in Path(run.stored_path).iterdir()) == ["buiten.xml", "stop.xml"]
    assert run.status == ImportStatus.CHECKED and run.report["files_ok"] == 2


def test_a_broken_or_empty_zip_is_refused_on_the_form(client, beheer_a):
    client.force_login(beheer_a)
    response = upload(client, None, [SimpleUploadedFile("kapot.zip", b"geen zip")], kind="ijw")
    assert "Dit zip-bestand is beschadigd of geen zip-bestand." in response.content.decode()
    response = upload(client, None, [SimpleUploadedFile("leeg.zip", _zip({"a.txt": b"x"}))], kind="ijw")
    assert "Er staan geen .xml-berichten in het zip-bestand." in response.content.decode()
    assert ImportRun.objects.count() == 0


def test_the_beheerder_reaches_the_import_page_from_the_admin(client, beheer_a):
    client.force_login(beheer_a)
    response = client.get(reverse("admin:index"))
    assert f'href="{reverse("imports:upload")}"' in response.content.decode()
