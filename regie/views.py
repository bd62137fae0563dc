"""The regisseur's pages: the Top N queue (with CSV), decisions and flags on a case, escalations, patterns.

Every read starts from the user's gemeenten: a case of another gemeente is a 404, and so is a
?gemeente= the user does not serve (cases.access.chosen_gemeente, as in the reports).
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, Q, When
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from cases import formatting
from cases.access import CASE_READERS, chosen_gemeente, role_required, visible_child_or_404
from cases.csv_export import csv_response
from cases.forms import parse_case_number, run_service
from cases.models import Child, Gemeente, Role
from cases.readlog import log_read

from . import services as regie_services
from .decisions import decision_outcomes
from .figures import pattern_groups, queue_figures
from .forms import (
    AgendaCaseForm,
    CaseMeetingForm,
    DecisionForm,
    EscalationAnswerForm,
    ManualFlagForm,
    QueueFilterForm,
    ResolveFlagForm,
)
from .knelpunten import LINKABLE, knelpunt_rows
from .models import (
    CaseMeeting,
    CaseMeetingItem,
    Decision,
    DecisionKind,
    Escalation,
    EscalationStatus,
    Flag,
    FlagCode,
    QueueVisit,
    RegieSettings,
)
from .queue_html import queue_rows_html
from .ranking import QueueFilters, regie_settings, top_cases, weights
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
    figures: dict  # regie/figures.py queue_figures: the filter's choices, the verblijf counts


def _queue(request) -> QueuePage:
    gemeente, gemeenten = chosen_gemeente(request)
    today = timezone.localdate()
    figures = queue_figures(gemeente, today)
    form = QueueFilterForm(request.GET, segments=figures["segments"], providers=figures["providers"])
    data = form.cleaned_data if form.is_valid() else {}
    filters = QueueFilters(
        flag=data.get("signaal") or "",
        segment=data.get("segment"),
        source=data.get("verwijzer") or "",
        provider=data.get("aanbieder"),
    )
    settings = regie_settings(gemeente)
    rows = top_cases(gemeente, today=today, filters=filters, settings=settings)
    return QueuePage(gemeente, gemeenten, form, filters, settings, rows, today, figures)


# ?sorteer= on the queue: the rows of the top N in another order (the rank stays the score's).
SORTS = {
    "score": ("score", lambda row: (-row.score, row.rank)),
    "kosten": ("kosten dit jaar", lambda row: (-row.cost_this_year, row.rank)),
    "looptijd": ("looptijd", lambda row: (-row.running_months, row.rank)),
    "vervolg": (
        "vervolgdatum",
        lambda row: (row.decision is None, row.decision["follow_up_date"] if row.decision else None, row.rank),
    ),
}


@role_required(Role.REGISSEUR)
def queue(request):
    page = _queue(request)
    sort = request.GET.get("sorteer", "score")
    if sort not in SORTS:
        sort = "score"
    page.rows.sort(key=SORTS[sort][1])
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
        "rows_html": queue_rows_html(page.rows, page.today),
        "today": page.today,
        "top_n": page.settings.top_n,
        "cost_jump_percent": page.settings.cost_jump_percent,
        "weights": [(label, weight_by_code.get(code, 0)) for code, label in FlagCode.choices],
        "csv_url": reverse("regie:queue_csv") + ("?" + request.GET.urlencode() if request.GET else ""),
        "sort": sort,
        "sort_links": _sort_links(request, sort),
        "residential_count": page.figures["residential_count"],
        "residential_new": page.figures["residential_new"],
    }
    return render(request, "regie/queue.html", context)


def _sort_links(request, current: str) -> dict[str, str]:
    """The queue's URL with each order, keeping the filters."""
    links = {}
    for key in SORTS:
        query = request.GET.copy()
        query["sorteer"] = key
        links[key] = "?" + query.urlencode()
    return links


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
            " | ".join(row.sentences),
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


def latest_decision_pk(child) -> int:
    return Decision.objects.filter(child=child).order_by("-decided_at").values_list("pk", flat=True).first() or 0


@role_required(Role.REGISSEUR)
def decision_create(request, pk):
    """The decision form on a page of its own (the case file's panel posts here too). A refused decision
    comes back with everything typed and every error beside its field, none one round at a time."""
    child = visible_child_or_404(request.user, pk)
    meeting_item = _agenda_item(request, child)
    if request.method == "POST":
        form = DecisionForm(request.POST, prefix="besluit", child=child)
        if form.is_valid():
            data = form.cleaned_data
            decision = run_service(
                form,
                lambda: regie_services.decision_record(
                    user=request.user,
                    child=child,
                    kind=data["kind"],
                    reason=data["reason"],
                    follow_up_date=data["follow_up_date"],
                    actor=data["actor"],
                    seen_decision=data["seen_decision"],
                    trajectory=data["trajectory"],
                    act_by=data["act_by"],
                    end_reason=data["end_reason"],
                    proposed_volume=data["proposed_volume"],
                    proposed_product=data["proposed_product"],
                    question=data["question"],
                    meeting=data["meeting"],
                    meeting_item=meeting_item,
                    knelpunten=list(data["knelpunten"]),
                ),
            )
            if decision:
                messages.success(
                    request,
                    f"Besluit vastgelegd: {decision.get_kind_display().lower()}. De casus staat tot "
                    f"{formatting.date(decision.follow_up_date)} niet in de Top, tenzij hij verslechtert.",
                )
                if meeting_item is not None:
                    return redirect("regie:case_meeting", meeting_item.meeting_id)
                return _back(child.pk, "besluit")
        else:
            # Also the service's own checks on the fields that did parse: every error at once.
            data = form.cleaned_data
            errors = regie_services.decision_errors(
                kind=data.get("kind", DecisionKind.CONTINUE),
                reason=data.get("reason", "-"),
                follow_up_date=data.get("follow_up_date", timezone.localdate() + dt.timedelta(days=1)),
                actor=data.get("actor", "-"),
                today=timezone.localdate(),
                child=child,
                trajectory=data.get("trajectory"),
                act_by=data.get("act_by"),
                end_reason=data.get("end_reason", ""),
                proposed_volume=data.get("proposed_volume"),
                proposed_product=data.get("proposed_product"),
                question=data.get("question", ""),
                meeting=data.get("meeting") if data.get("kind") == DecisionKind.CASE_MEETING else None,
            )
            for field, message in errors.items():
                if field not in form.errors:
                    form.add_error(field, message)
    else:
        initial = {
            "seen_decision": latest_decision_pk(child),
            "meeting_item": meeting_item.pk if meeting_item else None,
        }
        form = DecisionForm(prefix="besluit", child=child, initial=initial)
    log_read(request, [child], event="besluit", opened=child)
    context = {
        "nav": "regie",
        "child": child,
        "form": form,
        "flags": list(Flag.objects.filter(child=child, active=True).order_by("code", "subject_key")),
        "outcomes": decision_outcomes(
            Decision.objects.filter(child=child).select_related("decided_by", "proposed_product")[:5]
        ),
        "today": timezone.localdate(),
        "meeting_item": meeting_item,
    }
    return render(request, "regie/decision_form.html", context)


def _agenda_item(request, child) -> CaseMeetingItem | None:
    """The agenda item a decision from a meeting's minutes answers (?agendapunt= or the hidden field)."""
    raw = request.POST.get("besluit-meeting_item") or request.GET.get("agendapunt") or ""
    if not raw.isdigit():
        return None
    return CaseMeetingItem.objects.filter(pk=int(raw), child=child).select_related("meeting").first()


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


@role_required(Role.REGISSEUR, Role.BELEID, Role.BESTUURDER)
def escalations(request):
    """Bestuurlijke opschalingen, open first, then newest. Beleid and the bestuurder see case numbers
    only (minimum data): no names, no free-text motivation and no cost per case, only the question put
    to the bestuurder; the regisseur sees all. The bestuurder records the answer."""
    gemeente, gemeenten = chosen_gemeente(request)
    rows = list(
        Escalation.objects.for_gemeenten_of(request.user)
        .filter(gemeente=gemeente)
        .select_related("child", "decision__decided_by", "answered_by")
        .order_by(Case(When(status=EscalationStatus.DECIDED, then=1), default=0), "-created_at")[:200]
    )
    log_read(request, [e.child for e in rows], event="opschalingen")
    context = {
        "nav": "escalations",
        "gemeente": gemeente,
        "gemeenten": gemeenten,
        "escalations": rows,
        "today": timezone.localdate(),
        "show_names": request.user.role == Role.REGISSEUR,
        "can_answer": request.user.role == Role.BESTUURDER,
    }
    return render(request, "regie/escalations.html", context)


@role_required(Role.BESTUURDER)
def escalation_answer(request, pk):
    escalation = get_object_or_404(
        Escalation.objects.for_gemeenten_of(request.user).select_related("child", "decision"), pk=pk
    )
    initial = {"status": escalation.status, "answer": escalation.answer, "answer_date": escalation.answer_date}
    form = EscalationAnswerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = run_service(
            form,
            lambda: regie_services.escalation_answer(
                user=request.user,
                escalation=escalation,
                status=data["status"],
                answer=data["answer"],
                answer_date=data["answer_date"],
            ),
        )
        if done:
            messages.success(
                request, f"Opschaling {escalation.child.case_number}: {done.get_status_display().lower()}."
            )
            return redirect(reverse("regie:escalations") + f"?gemeente={escalation.gemeente.code}")
    log_read(request, [escalation.child], event="opschaling")
    context = {"nav": "escalations", "escalation": escalation, "form": form}
    return render(request, "regie/escalation_answer.html", context)


@role_required(Role.REGISSEUR)
def patterns(request):
    gemeente, gemeenten = chosen_gemeente(request)
    today = timezone.localdate()
    groups, computed_at = pattern_groups(gemeente, today)
    for rows in groups.values():
        for row in rows:
            row.html = _pattern_row_html(row)
    context = {
        "nav": "patterns",
        "gemeente": gemeente,
        "gemeenten": gemeenten,
        "today": today,
        "computed_at": computed_at,
        "sections": [
            ("verwijzer", "Naar verwijzer", groups["source"]),
            ("aanbieder", "Naar aanbieder", groups["provider"]),
            ("segment", "Naar segment", groups["segment"]),
        ],
        "knelpunten": knelpunt_rows(gemeente, statuses=LINKABLE),
    }
    return render(request, "regie/patterns.html", context)


def _pattern_row_html(row) -> str:
    """One row of a patterns table, built here: some 600 provider rows in a large gemeente took the
    template engine ~50 ms. Escaped and formatted as the template's filters do."""
    indicative = (
        format_html('<br><span class="muted">waarvan {} indicatief</span>', formatting.euro(row.indicative_cost))
        if row.indicative_cost
        else ""
    )
    return format_html(
        '<tr><th scope="row">{}</th><td class="num">{}</td><td class="num">{}</td><td class="num">{}{}</td>'
        '<td class="num">{} mnd</td><td class="num">{}</td><td class="num">{}</td></tr>',
        row.label,
        row.child_count,
        row.trajectories,
        formatting.euro(row.cost),
        indicative,
        formatting.number(row.median_months, 1),
        row.extensions,
        formatting.percent(row.extended_share, 0),
    )


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


# --- case meetings (casusoverleg) -------------------------------------------------------------------


@role_required(Role.REGISSEUR)
def case_meetings(request):
    """The gemeente's case meetings, coming first, and a form to plan one."""
    gemeente, gemeenten = chosen_gemeente(request)
    form = CaseMeetingForm(request.POST or None, gemeente=gemeente)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        meeting = run_service(
            form,
            lambda: regie_services.case_meeting_plan(
                user=request.user,
                gemeente=gemeente,
                date=data["date"],
                kind=data["kind"],
                participants=list(data["participants"]),
                outside_parties=data["outside_parties"],
            ),
        )
        if meeting:
            messages.success(request, f"Casusoverleg gepland op {formatting.date(meeting.date)}.")
            return redirect("regie:case_meeting", meeting.pk)
    today = timezone.localdate()
    meetings = list(
        CaseMeeting.objects.filter(gemeente=gemeente)
        .annotate(agenda=Count("items"), outcomes=Count("items", filter=Q(items__outcome__isnull=False)))
        .order_by("-date", "-pk")[:100]
    )
    context = {
        "nav": "meetings",
        "gemeente": gemeente,
        "gemeenten": gemeenten,
        "form": form,
        "coming": sorted((m for m in meetings if m.date >= today), key=lambda m: m.date),
        "past": [m for m in meetings if m.date < today],
        "today": today,
    }
    return render(request, "regie/case_meetings.html", context)


@role_required(Role.REGISSEUR)
def case_meeting(request, pk):
    """Agenda and minutes of one meeting: per case why it is there and its outcome (a decision)."""
    meeting = get_object_or_404(
        CaseMeeting.objects.filter(gemeente__in=request.user.gemeenten.all()).prefetch_related("participants"), pk=pk
    )
    form = AgendaCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        number = parse_case_number(form.cleaned_data["case_number"])
        child = Child.objects.visible_to(request.user).filter(pk=number).first() if number else None
        if child is None:
            form.add_error("case_number", "Onbekend dossiernummer.")
        elif run_service(
            form, lambda: regie_services.case_meeting_add_case(user=request.user, meeting=meeting, child=child)
        ):
            messages.success(request, f"Dossier {child.case_number} staat op de agenda.")
            return redirect("regie:case_meeting", meeting.pk)
    items = list(meeting.items.select_related("child", "decision__decided_by", "outcome__decided_by").order_by("pk"))
    log_read(request, [item.child for item in items], event="casusoverleg")
    context = {"nav": "meetings", "meeting": meeting, "items": items, "form": form}
    return render(request, "regie/case_meeting.html", context)
