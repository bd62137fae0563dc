"""The functioneel beheerder's import pages: upload, proefimport report, confirm, progress, report as CSV."""

from collections import Counter

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases.access import role_required
from cases.csv_export import csv_response
from cases.models import Role

from . import services
from .models import ImportKind, ImportRun
from .report import Report
from .uploads import UploadError

RECENT = 20
MAX_FILES = 10_000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that accepts several files (Django docs: 'Uploading multiple files')."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="Soort bestand",
        choices=ImportKind.choices,
        widget=forms.RadioSelect,
        initial=ImportKind.CSV,
    )
    files = MultipleFileField(
        label="Bestand(en)",
        widget=MultipleFileInput(attrs={"accept": ".csv,.txt,.xml,.zip"}),
        help_text="Een CSV-bestand (kolommen: zie de handleiding), of iJw-berichten: .xml-bestanden of een .zip ermee.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.uploads = []

    def clean(self):
        data = super().clean()
        uploads = data.get("files") or []
        kind = data.get("kind")
        if kind == ImportKind.CSV and len(uploads) != 1:
            self.add_error("files", "Kies precies één CSV-bestand.")
        elif len(uploads) > MAX_FILES:
            self.add_error("files", f"Kies hooguit {MAX_FILES} bestanden tegelijk.")
        elif kind == ImportKind.IJW and any(not u.name.lower().endswith((".xml", ".zip")) for u in uploads):
            self.add_error("files", "iJw-berichten zijn .xml-bestanden (los of samen in een .zip).")
        self.uploads = uploads
        return data


def _own_run(request, pk: int) -> ImportRun:
    # A beheerder sees the imports they started: the report can name children's references.
    return get_object_or_404(ImportRun, pk=pk, started_by=request.user)


@role_required(Role.BEHEER)
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.import_check(user=request.user, kind=form.cleaned_data["kind"], files=form.uploads)
        except UploadError as exc:
            form.add_error("files", str(exc))
        else:
            return redirect("imports:run", pk=run.pk)
    runs = ImportRun.objects.filter(started_by=request.user).order_by("-created_at")[:RECENT]
    return render(request, "imports/upload.html", {"form": form, "runs": runs, "nav": "import"})


def _context(run: ImportRun) -> dict:
    report = run.report or {}
    counts = dict(Report(counts=Counter(report.get("counts") or {})).table())
    elapsed = ((run.finished_at or timezone.now()) - run.started_at).total_seconds() if run.started_at else 0
    return {
        "run": run,
        "counts": counts,
        "outcomes": ["nieuw", "gewijzigd", "ongewijzigd", "wacht", "niet vastgelegd"],
        "problems": report.get("problems", []),
        "notes": report.get("notes", []),
        "refused_files": report.get("refused_files", []),
        "percent": int(100 * run.done / run.total) if run.total else 0,
        "rate": run.done / elapsed if elapsed > 0 else 0,
        "can_confirm": services.can_confirm(run),
        "nav": "import",
    }


@role_required(Role.BEHEER)
def run_detail(request, pk: int):
    run = _own_run(request, pk)
    template = "imports/run.html#status" if request.htmx else "imports/run.html"
    return render(request, template, _context(run))


@require_POST
@role_required(Role.BEHEER)
def run_confirm(request, pk: int):
    checked = _own_run(request, pk)
    try:
        run = services.import_confirm(user=request.user, checked=checked)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("imports:run", pk=checked.pk)
    return redirect("imports:run", pk=run.pk)


@role_required(Role.BEHEER)
def run_report_csv(request, pk: int):
    run = _own_run(request, pk)
    if not run.is_finished:
        raise Http404("Dit verslag is nog niet klaar.")
    # Values come from the uploaded file: csv_response sends every text cell through the formula guard.
    return csv_response(
        f"importverslag-{run.pk}.csv",
        ["bestand", "plaats", "veld", "waarde", "probleem"],
        (
            [problem["file"], problem["where"], problem["field"], problem["value"], problem["message"]]
            for problem in (run.report or {}).get("problems", [])
        ),
    )


__all__ = ["upload", "run_detail", "run_confirm", "run_report_csv"]
