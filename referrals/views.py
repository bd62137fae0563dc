from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from cases.access import role_required, visible_child_or_404
from cases.forms import run_service
from cases.models import Role
from cases.readlog import log_read

from . import services
from .forms import ReferralForm, ReferralOutcomeForm
from .models import Referral


@role_required(Role.TOEGANG)
def referral_add(request, child_pk):
    child = visible_child_or_404(request.user, child_pk)
    log_read(request, [child], event="formulier verwijzing toevoegen")
    form = ReferralForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        referral = run_service(form, lambda: services.referral_add(user=request.user, child=child, **data))
        if referral:
            messages.success(request, f"De verwijzing door {referral.get_source_display().lower()} is vastgelegd.")
            return redirect("cases:child_detail", pk=child.pk)
    return render(request, "cases/simple_form.html", {"child": child, "form": form, "title": "Verwijzing toevoegen"})


@role_required(Role.TOEGANG)
def referral_outcome(request, pk):
    referral = get_object_or_404(Referral.objects.visible_to(request.user).select_related("child"), pk=pk)
    log_read(request, [referral.child], event="formulier uitkomst verwijzing")
    form = ReferralOutcomeForm(request.POST or None, initial={"outcome_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        done = run_service(
            form, lambda: services.referral_record_outcome(user=request.user, referral=referral, **form.cleaned_data)
        )
        if done:
            messages.success(request, "De uitkomst van de verwijzing is vastgelegd.")
            return redirect("cases:child_detail", pk=referral.child_id)
    context = {"child": referral.child, "form": form, "title": "Uitkomst verwijzing vastleggen", "referral": referral}
    return render(request, "cases/simple_form.html", context)
