"""The regisseur's pages: the Top N queue (with CSV), decisions and flags on a case, escalations, patterns.

Every read starts from the user's gemeenten: a case of another gemeente is a 404, and so is a
?gemeente= the user does not serve (cases.access.chosen_gemeente, as in the reports).
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from cases import formatting
from cases.access import CASE_READERS, chosen_gemeente, role_required, visible_child_or_404
from cases.csv_export import csv_response
from cases.models import Gemeente, Role
from cases.readlog import log_read

from . import services as regie_services
from .forms import DecisionForm, ManualFlagForm, QueueFilterForm, ResolveFlagForm
from .models import Decision, DecisionKind, Flag, FlagCode, QueueVisit, RegieSettings
from .patterns import flagged_patterns
from .ranking import QueueFilters, queue_providers, regie_settings, top_cases, weights
from .waiting import per_provider, waiting_list, waiting_norm_weeks


@dataclass
class QueuePage:
    gemeente: Gemeente
    gemeenten: list
    form: QueueFilterForm
    filters: QueueFilters
    settings: RegieSettings
    rows: list
    today: dt.date


def _queue(request) -> QueuePage:
    gemeente, gemeenten = chosen_gemeente(request)
    today = timezone.localdate()
    form = QueueFilterForm(request.GET, providers=queue_providers(gemeente, today))
    data = form.cleaned_data if form.is_valid() else {}
    filters = QueueFilters(
        flag=data.get("signaal") or "",
        segment=data.get("segment"),
        source=data.get("verwijzer") or "",
        provider=data.get("aanbieder"),
    )
    settings = regie_settings(gemeente)
    rows = top_cases(gemeente, today=today, filters=filters, settings=settings)
    return QueuePage(gemeente, gemeenten, form, filters, settings, rows, today)


@role_required(Role.REGISSEUR)
def queue(request):
    page = _queue(request)
    log_read(request, [row.child for row in page.rows], event="Top 32")
    if not page.filters.any:
        # What the regisseur saw, so Mijn werk can show which cases entered the top N since.
        visit = QueueVisit(
            user=request.user, gemeente=page.gemeente, seen_at=timezone.now(), child_ids=[r.child.pk for r in page.rows]
        )
        QueueVisit.objects.bulk_create(
            [visit],
            update_conflicts=True,
            unique_fields=["user", "gemeente"],
            update_fields=["seen_at", "child_ids"],
        )
    weight_by_code = weights(page.gemeente)
    context = {
        "nav": "regie",
        "gemeente": page.gemeente,
        "gemeenten": page.gemeenten,
        "form": page.form,
        "filters": page.filters,
        "rows": page.rows,
        "today": page.today,
        "top_n": page.settings.top_n,
        "cost_jump_percent": page.settings.cost_jump_percent,
        "weights": [(label, weight_by_code.get(code, 0)) for code, label in FlagCode.choices],
        "csv_url": reverse("regie:queue_csv") + ("?" + request.GET.urlencode() if request.GET else ""),
    }
    return render(request, "regie/queue.html", context)


@role_required(Role.REGISSEUR)
def queue_csv(request):
    """The queue as CSV: case number (never name or BSN), score, flags and numbers."""
    page = _queue(request)
    gemeente, rows, today = page.gemeente, page.rows, page.today
    log_read(request, [row.child for row in rows], event="Top 32 CSV")
    header = [
        "rang",
        "dossiernummer",
        "score",
        "signalen",
        "toelichting",
        "kosten dit jaar",
        "verplicht",
        "looptijd (maanden)",
        "verwijzer",
        "aanbieder",
        "lopende trajecten gezin",
        "terug omdat",
    ]
    lines = (
        [
            row.rank,
            row.child.case_number,
            row.score,
            " ".join(row.flag_codes),
            " | ".join(f.sentence for f in row.flags),
            round(row.cost_this_year),
            round(row.committed),
            row.running_months,
            ", ".join(row.sources),
            ", ".join(row.providers),
            row.household_open,
            row.back_because,
        ]
        for row in rows
    )
    return csv_response(f"top-{gemeente.code}-{today:%Y-%m-%d}.csv", header, lines)


def _back(child_pk, anchor="signalen"):
    return redirect(reverse("cases:child_detail", args=[child_pk]) + f"#{anchor}")


def _report_errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _post_only(request):
    # Checked after the visibility rule, so another gemeente's case is a 404 whatever the method.
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


@role_required(Role.REGISSEUR)
def decision_create(request, pk):
    child = visible_child_or_404(request.user, pk)
    if not_allowed := _post_only(request):
        return not_allowed
    form = DecisionForm(request.POST, prefix="besluit")
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        messages.error(request, "Het besluit is niet opgeslagen.")
        return _back(child.pk, "besluit")
    try:
        decision = regie_services.decision_record(user=request.user, child=child, **form.cleaned_data)
    except ValidationError as exc:
        _report_errors(request, exc)
        messages.error(request, "Het besluit is niet opgeslagen.")
        return _back(child.pk, "besluit")
    messages.success(
        request,
        f"Besluit vastgelegd: {decision.get_kind_display().lower()}. De casus staat tot "
        f"{formatting.date(decision.follow_up_date)} niet in de Top, tenzij hij verslechtert.",
    )
    return _back(child.pk)


@role_required(Role.REGISSEUR)
def flag_create(request, pk):
    child = visible_child_or_404(request.user, pk)
    if not_allowed := _post_only(request):
        return not_allowed
    form = ManualFlagForm(request.POST, prefix="signaal")
    try:
        if not form.is_valid():
            raise ValidationError("Geef de reden van het signaal.")
        regie_services.flag_raise_manual(user=request.user, child=child, **form.cleaned_data)
    except ValidationError as exc:
        _report_errors(request, exc)
        return _back(child.pk)
    messages.success(request, "Het signaal is toegevoegd.")
    return _back(child.pk)


@role_required(Role.REGISSEUR)
def flag_resolve(request, pk):
    flag = get_object_or_404(Flag.objects.visible_to(request.user).select_related("child"), pk=pk)
    if not_allowed := _post_only(request):
        return not_allowed
    form = ResolveFlagForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Geef aan waarom het signaal is afgehandeld.")
        regie_services.flag_resolve(user=request.user, flag=flag, **form.cleaned_data)
    except ValidationError as exc:
        _report_errors(request, exc)
        return _back(flag.child_id)
    messages.success(request, f"Signaal '{flag.get_code_display().lower()}' is afgehandeld.")
    return _back(flag.child_id)


# --- management views -----------------------------------------------------------------------------


@role_required(Role.REGISSEUR, Role.BELEID)
def escalations(request):
    """Bestuurlijke opschalingen, newest first. Beleid sees case numbers only (minimum data): no names,
    no free-text motivation and no cost per case; the regisseur sees all three."""
    gemeente, gemeenten = chosen_gemeente(request)
    decisions = list(
        Decision.objects.visible_to(request.user)
        .filter(gemeente=gemeente, kind=DecisionKind.ESCALATE)
        .select_related("child", "decided_by")
        .order_by("-decided_at")[:200]
    )
    log_read(request, [d.child for d in decisions], event="opschalingen")
    context = {
        "nav": "escalations",
        "gemeente": gemeente,
        "gemeenten": gemeenten,
        "decisions": decisions,
        "today": timezone.localdate(),
        "show_names": request.user.role == Role.REGISSEUR,
    }
    return render(request, "regie/escalations.html", context)


@role_required(Role.REGISSEUR)
def patterns(request):
    gemeente, gemeenten = chosen_gemeente(request)
    today = timezone.localdate()
    groups = flagged_patterns(gemeente, today)
    context = {
        "nav": "patterns",
        "gemeente": gemeente,
        "gemeenten": gemeenten,
        "today": today,
        "sections": [
            ("verwijzer", "Naar verwijzer", groups["source"]),
            ("aanbieder", "Naar aanbieder", groups["provider"]),
            ("segment", "Naar segment", groups["segment"]),
        ],
    }
    return render(request, "regie/patterns.html", context)


@role_required(*CASE_READERS)
def waiting(request):
    """De wachtlijst: every child waiting for care, with weeks waiting, provider and product, whether the
    family was informed and any bridging care; the longest wait first."""
    gemeente, gemeenten = chosen_gemeente(request)
    today = timezone.localdate()
    rows = waiting_list(gemeente, today)
    log_read(request, [row.child for row in rows], event="wachtlijst")
    norm_weeks = waiting_norm_weeks(gemeente)
    for row in rows:
        row.over_norm = row.days > 7 * norm_weeks  # in days, as the wachttijd rule compares
    context = {
        "nav": "waiting",
        "gemeente": gemeente,
        "gemeenten": gemeenten,
        "today": today,
        "rows": rows,
        "providers": per_provider(rows),
        "norm_weeks": norm_weeks,
    }
    return render(request, "regie/waiting.html", context)
