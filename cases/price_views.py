"""The beheerder's list 'prijs ontbreekt': care without a P × Q price and without an indicative cost.

A data problem, never a silent € 0: an inspanningsgericht product without a tariff, or taakgericht care
with neither a contract for its provider and segment nor a reference tariff. Grouped per product and
provider (the beheerder fixes master data, not case files), one grouped query whatever the numbers.
"""

from django.db.models import Count, Min
from django.shortcuts import render
from django.utils import timezone

from .access import role_required
from .models import Role, Trajectory


@role_required(Role.BEHEER)
def missing_prices(request):
    today = timezone.localdate()
    rows = (
        Trajectory.objects.filter(child__gemeente__in=request.user.gemeenten.all())
        .open_on(today)
        .without_price()
        .values(
            "child__gemeente__name",
            "product__segment__number",
            "product__code",
            "product__description",
            "product_id",
            "provider__name",
            "financing",
        )
        .annotate(trajectories=Count("id"), since=Min("start_date"))
        .order_by("child__gemeente__name", "product__segment__number", "product__code", "provider__name")
    )
    return render(request, "cases/missing_prices.html", {"rows": rows, "today": today, "nav": "prijs"})
