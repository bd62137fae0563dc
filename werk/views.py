"""Mijn werk: each role's home page with its own worklist, and the toegang team's tab."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases import services
from cases.access import chosen_gemeente, role_required
from cases.forms import run_service
from cases.models import Child, Role
from cases.readlog import log_read
from cases.work_forms import team_of

from .digest import daily_digest_set
from .forms import ReassignForm
from .windows import windows_for
from .worklists import UNASSIGNED, Scope, caseloads, recent_files, regisseur_sections, toegang_sections

TEAM_FILES_SHOWN = 200


def _log_listed(request, sections, extra=()) -> None:
    children = [item.child for section in sections for item in section.items] + list(extra)
    log_read(request, {child.pk: child for child in children}.values(), event="inzage werklijst")


@role_required(Role.TOEGANG, Role.REGISSEUR)
def mine(request):
    user = request.user
    today = timezone.localdate()
    if user.role == Role.REGISSEUR:
        gemeente, gemeenten = chosen_gemeente(request)
        scope = Scope(user=user, gemeente_ids=[gemeente.pk], today=today)
        sections = regisseur_sections(scope, windows_for(scope.gemeente_ids), gemeente)
        recent = []
    else:
        gemeente, gemeenten = None, list(user.gemeenten.order_by("name"))
        scope = Scope(user=user, gemeente_ids=[g.pk for g in gemeenten], today=today, owner=user)
        sections = toegang_sections(scope, windows_for(scope.gemeente_ids), tasks_for=user)
        recent = recent_files(user, scope.gemeente_ids)
    _log_listed(request, sections, recent)
    context = {
        "nav": "werk",
        "tab": "mijn",
        "sections": sections,
        "recent": recent,
        "gemeente": gemeente,
        "gemeenten": gemeenten,
        "today": today,
        "overdue_total": sum(s.overdue for s in sections),
    }
    return render(request, "werk/mine.html", context)


def _chosen_owner(request, gemeente):
    """The worker whose files the team tab shows: ?medewerker=<id>, or the unassigned files."""
    raw = request.GET.get("medewerker", "")
    if not raw or raw == "niemand":
        return UNASSIGNED
    worker = team_of(gemeente.pk).filter(pk=raw if raw.isdigit() else 0).first()
    return worker or UNASSIGNED


@role_required(Role.TOEGANG)
def team(request):
    gemeente, gemeenten = chosen_gemeente(request)
    today = timezone.localdate()
    workers = list(team_of(gemeente.pk))
    owner = _chosen_owner(request, gemeente)
    scope = Scope(user=request.user, gemeente_ids=[gemeente.pk], today=today, owner=owner, with_owners=True)
    sections = toegang_sections(scope, windows_for(scope.gemeente_ids))
    files = list(
        Child.objects.filter(scope.children(), closed_on__isnull=True).order_by("last_name", "first_name", "pk")[
            :TEAM_FILES_SHOWN
        ]
    )
    may_reassign = request.user.has_perm("cases.reassign_children")
    form = ReassignForm(
        request.POST or None,
        gemeente_id=gemeente.pk,
        child_choices=[(c.pk, f"{c.case_number} {c.full_name}") for c in files],
    )
    if request.method == "POST":
        if not may_reassign:
            raise PermissionDenied("Alleen een teamleider draagt dossiers in bulk over.")
        if form.is_valid():
            data = form.cleaned_data
            chosen = Child.objects.filter(scope.children(), closed_on__isnull=True)
            if not data["all_of_worker"]:
                chosen = chosen.filter(pk__in=data["children"])
            moved = run_service(
                form,
                lambda: services.children_reassign(
                    user=request.user, children=chosen, owner=data["owner"], reason=data["reason"]
                ),
            )
            if moved:
                messages.success(request, f"{moved} dossier{'s' if moved != 1 else ''} overgedragen.")
                return redirect(f"{reverse('werk:team')}?gemeente={gemeente.code}")
    _log_listed(request, sections, files)
    context = {
        "nav": "werk",
        "tab": "team",
        "gemeente": gemeente,
        "gemeenten": gemeenten,
        "loads": caseloads(gemeente.pk, today, workers),
        "owner": owner,
        "unassigned": owner == UNASSIGNED,
        "sections": sections,
        "files": files,
        "files_capped": len(files) == TEAM_FILES_SHOWN,
        "form": form,
        "may_reassign": may_reassign,
        "today": today,
    }
    return render(request, "werk/team.html", context)


@require_POST
@role_required(Role.TOEGANG, Role.REGISSEUR, Role.TOETS)
def digest_setting(request):
    """The small form at the bottom of Mijn werk: the daily email on or off (the value, not a toggle,
    so a double click does not switch it back)."""
    value = request.POST.get("daily_digest")
    if value not in ("0", "1"):
        return HttpResponseBadRequest("Kies aan of uit.")
    daily_digest_set(user=request.user, on=value == "1")
    messages.success(request, "Dagelijkse e-mail " + ("aangezet." if value == "1" else "uitgezet."))
    home = reverse("cases:extension_queue") if request.user.role == Role.TOETS else reverse("werk:mine")
    return redirect(home + "#s-digest")
