"""The verblijf list: every child in residential care of the chosen gemeente (regie/residential.py)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from cases.access import chosen_gemeente, role_required
from cases.models import Role
from cases.readlog import log_read

from .residential import NEW_START_DAYS, residential_children, residential_counts, residential_rows

PAGE_SIZE = 50


@role_required(Role.REGISSEUR)
def residential(request):
    gemeente, gemeenten = chosen_gemeente(request)
    today = timezone.localdate()
    # Paged: a large gemeente has thousands of children in residential care.
    page = Paginator(residential_children([gemeente.pk], today), PAGE_SIZE).get_page(request.GET.get("pagina"))
    rows = residential_rows([gemeente.pk], today, page.object_list)
    log_read(request, [row.child for row in rows], event="verblijf")
    counts = residential_counts(gemeente, today, cached=False)
    context = {
        "nav": "regie",
        "gemeente": gemeente,
        "gemeenten": gemeenten,
        "today": today,
        "rows": rows,
        "page": page,
        "switch_query": f"gemeente={gemeente.code}&" if len(gemeenten) > 1 else "",
        "total": counts["residential_count"],
        "new": counts["residential_new"],
        "undecided": sum(1 for row in rows if not row.decided_since_start),
        "new_start_days": NEW_START_DAYS,
    }
    return render(request, "regie/residential.html", context)
