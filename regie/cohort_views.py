"""The regisseur's pages on the effect of the Top N (peildatum, cohort then and now) and the knelpunten.

A cohort and a knelpunt belong to a gemeente: one of a gemeente the user does not serve is a 404, and
the cohort's cases are limited to those the user may see (Child.objects.visible_to).
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from cases import formatting
from cases.access import chosen_gemeente, role_required
from cases.forms import run_service
from cases.models import Child, Role
from cases.readlog import log_read

from .cohort import cohort_compare, cohort_take
from .cohort_forms import CohortTakeForm, KnelpuntForm
from .effects import decision_effects
from .knelpunten import knelpunt_create, knelpunt_rows, knelpunt_update
from .models import Cohort, Knelpunt


@role_required(Role.REGISSEUR)
def cohorts(request):
    """Effect van de Top N: the latest peildatum compared with today, the earlier ones, and taking a new one."""
    gemeente, gemeenten = chosen_gemeente(request)
    form = CohortTakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cohort = run_service(
            form, lambda: cohort_take(user=request.user, gemeente=gemeente, note=form.cleaned_data["note"])
        )
        if cohort:
            messages.success(
                request,
                f"Peildatum {formatting.date(cohort.peildatum)} vastgelegd: de Top {cohort.top_n} van vandaag "
                "staat vast en wordt vanaf nu met de stand van dat moment vergeleken.",
            )
            return redirect("regie:cohort", cohort.pk)
    all_cohorts = list(Cohort.objects.filter(gemeente=gemeente).select_related("taken_by").order_by("-peildatum"))
    latest = all_cohorts[0] if all_cohorts else None
    return _render_cohort(request, gemeente, gemeenten, latest, all_cohorts, form)


@role_required(Role.REGISSEUR)
def cohort(request, pk):
    chosen = get_object_or_404(
        Cohort.objects.filter(gemeente__in=request.user.gemeenten.all()).select_related("gemeente", "taken_by"),
        pk=pk,
    )
    all_cohorts = list(
        Cohort.objects.filter(gemeente=chosen.gemeente).select_related("taken_by").order_by("-peildatum")
    )
    gemeenten = list(request.user.gemeenten.order_by("name"))
    return _render_cohort(request, chosen.gemeente, gemeenten, chosen, all_cohorts, CohortTakeForm())


def _render_cohort(request, gemeente, gemeenten, chosen, all_cohorts, form):
    today = timezone.localdate()
    comparison = None
    if chosen is not None:
        comparison = cohort_compare(chosen, on=today, children=Child.objects.visible_to(request.user))
        log_read(request, [row.member.child for row in comparison.members], event="effect Top N")
    context = {
        "nav": "effect",
        "gemeente": gemeente,
        "gemeenten": gemeenten,
        "cohort": chosen,
        "cohorts": all_cohorts,
        "comparison": comparison,
        "effects": decision_effects(gemeente, year=today.year, as_of=today),
        "form": form,
        "today": today,
        "taken_today": any(c.peildatum == today for c in all_cohorts),
    }
    return render(request, "regie/cohort.html", context)


@role_required(Role.REGISSEUR)
def knelpunten(request):
    """The knelpunten register of a gemeente: each with its linked decisions and their cost; add one."""
    gemeente, gemeenten = chosen_gemeente(request)
    form = KnelpuntForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        knelpunt = run_service(
            form,
            lambda: knelpunt_create(
                user=request.user,
                gemeente=gemeente,
                title=data["title"],
                description=data["description"],
                status=data["status"],
            ),
        )
        if knelpunt:
            messages.success(request, f"Knelpunt '{knelpunt.title}' vastgelegd.")
            return redirect(f"{request.path}?gemeente={gemeente.code}")
    context = {
        "nav": "knelpunten",
        "gemeente": gemeente,
        "gemeenten": gemeenten,
        "rows": knelpunt_rows(gemeente),
        "form": form,
    }
    return render(request, "regie/knelpunten.html", context)


@role_required(Role.REGISSEUR)
def knelpunt_edit(request, pk):
    knelpunt = get_object_or_404(
        Knelpunt.objects.filter(gemeente__in=request.user.gemeenten.all()).select_related("gemeente"), pk=pk
    )
    initial = {"title": knelpunt.title, "description": knelpunt.description, "status": knelpunt.status}
    form = KnelpuntForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = run_service(
            form,
            lambda: knelpunt_update(
                user=request.user,
                knelpunt=knelpunt,
                title=data["title"],
                description=data["description"],
                status=data["status"],
            ),
        )
        if done:
            messages.success(request, f"Knelpunt '{done.title}' bijgewerkt.")
            return redirect(f"{reverse('regie:knelpunten')}?gemeente={knelpunt.gemeente.code}")
    decisions = list(
        knelpunt.decisions.filter(child__in=Child.objects.visible_to(request.user))
        .select_related("child", "decided_by")
        .order_by("-decided_at")
    )
    log_read(request, [d.child for d in decisions], event="knelpunt")
    context = {"nav": "knelpunten", "knelpunt": knelpunt, "form": form, "decisions": decisions}
    return render(request, "regie/knelpunt_edit.html", context)
