"""The verblijf list: every child in residential care of the chosen gemeente (regie/residential.py)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from cases.access import chosen_gemeente, role_required
from cases.models import Role
from cases.readlog import log_read

from .residential import NEW_START_DAYS, residential_children, residential_rows

PAGE_SIZE = 50


@role_required(Role.REGISSEUR)
def residential(request):
    gemeente, gemeenten = chosen_gemeente(request)
    today = timezone.localdate()
    # One pass over the gemeente's trajectories gives the ordered children (three small numbers each, a few
    # thousand in a large gemeente), their count, the new starts and the page; only the page's 50 are read
    # in full. (A count, a page and the counts as three queries were three such passes: 520 ms.)
    children = list(residential_children([gemeente.pk], today))
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("pagina"))
    rows = residential_rows([gemeente.pk], today, page.object_list)
    log_read(request, [row.child for row in rows], event="verblijf")
    context = {
        "nav": "regie",
        "gemeente": gemeente,
        "gemeenten": gemeenten,
        "today": today,
        "rows": rows,
        "page": page,
        "switch_query": f"gemeente={gemeente.code}&" if len(gemeenten) > 1 else "",
        "total": len(children),
        "new": sum(1 for _, old in children if old == 0),
        "undecided": sum(1 for row in rows if not row.decided_since_start),
        "new_start_days": NEW_START_DAYS,
    }
    return render(request, "regie/residential.html", context)
