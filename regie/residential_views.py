"""The verblijf list: every child in residential care of the chosen gemeente (regie/residential.py)."""

from django.shortcuts import render
from django.utils import timezone

from cases.access import chosen_gemeente, role_required
from cases.models import Role
from cases.readlog import log_read

from .residential import NEW_START_DAYS, residential_rows


@role_required(Role.REGISSEUR)
def residential(request):
    gemeente, gemeenten = chosen_gemeente(request)
    today = timezone.localdate()
    rows = residential_rows([gemeente.pk], today)
    log_read(request, [row.child for row in rows], event="verblijf")
    context = {
        "nav": "regie",
        "gemeente": gemeente,
        "gemeenten": gemeenten,
        "today": today,
        "rows": rows,
        "new": sum(1 for row in rows if row.new),
        "undecided": sum(1 for row in rows if not row.decided_since_start),
        "new_start_days": NEW_START_DAYS,
    }
    return render(request, "regie/residential.html", context)
