"""Changing a trajectory to a lighter product (afschalen, issue 11): the old ends, the new follows it."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from . import services
from .access import role_required
from .codes import EndReason
from .forms import ProductChoiceField, TrajectoryFields, run_service, usable_products
from .models import Role
from .readlog import log_read
from .views import PREVIEW, _back_to_file, _conflict, _preview, _visible_trajectory_or_404


class TrajectoryReplaceForm(TrajectoryFields):
    product = ProductChoiceField(queryset=None, label="Nieuw product")
    end_reason = forms.ChoiceField(
        label="Reden beëindiging van het huidige traject (JZ588)",
        choices=[("", "— kies —"), *EndReason.choices],
        error_messages={"required": "Kies de reden van beëindiging."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    # Outside the budget or not carries over from the trajectory it replaces.
    outside_budget = None
    outside_budget_reason = None
    field_order = ["product", "provider", "start_date", "planned_end_date", "volume", "frequency", "end_reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = usable_products()
        self.fields["start_date"].label = "Start nieuw traject"
        self.fields["start_date"].help_text = "Het huidige traject eindigt de dag ervoor."


@role_required(Role.TOEGANG)
def trajectory_replace(request, pk):
    """Omzetten: end this trajectory and start one of another product that follows it."""
    trajectory = _visible_trajectory_or_404(request.user, pk)
    log_read(request, [trajectory.child], event="formulier traject omzetten")
    initial = {
        "provider": trajectory.provider_id,
        "start_date": timezone.localdate(),
        "planned_end_date": trajectory.planned_end_date,
        "frequency": trajectory.frequency,
        "end_reason": EndReason.BY_GEMEENTE,
        "version": trajectory.version,
    }
    form = TrajectoryReplaceForm(request.POST or None, initial=initial)
    title = f"Traject {trajectory.product.code} omzetten naar een ander product"
    if request.htmx and PREVIEW in request.POST:
        form.is_valid()
        product = form.cleaned_data.get("product")
        preview = None
        if product is not None:
            preview = _preview(form, product, tariff=product.tariff, financing=product.financing, unit=product.unit)
        return render(request, "cases/trajectory_form.html#preview", {"preview": preview})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = run_service(
                form, lambda: services.trajectory_replace(user=request.user, trajectory=trajectory, **data)
            )
        except services.ConflictError as conflict:
            return _conflict(request, trajectory, form, conflict, title=title)
        if new:
            messages.success(
                request,
                f"Traject {trajectory.product.code} is beëindigd; {new.product.code} bij {new.provider.name} "
                "volgt het op.",
            )
            return redirect(_back_to_file(trajectory))
    context = {"child": trajectory.child, "trajectory": trajectory, "form": form, "title": title}
    return render(request, "cases/trajectory_form.html", context)
