"""The role-based home: each role starts where its work is."""

from django.shortcuts import redirect

from cases.models import Role
from reports.views import overview


def home(request):
    role = request.user.role
    if role == Role.TOETS:
        return redirect("cases:extension_queue")
    if role == Role.BEHEER and request.user.is_staff:
        return redirect("admin:index")
    if role == Role.BESTUURDER:
        return redirect("regie:escalations")
    if role in (Role.REGISSEUR, Role.TOEGANG):
        return redirect("werk:mine")
    return overview(request)
