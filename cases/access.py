"""Who may see what. Every case view goes through `visible_child_or_404`; nothing else decides."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import CASE_READER_ROLES, Child


def role_required(*roles: str):
    """Allow only users with one of `roles` (login is enforced for every view by middleware)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied("Deze pagina hoort niet bij uw rol.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


CASE_READERS = CASE_READER_ROLES  # the roles whose pages open case files (the nav uses the same list)


def visible_child_or_404(user, pk: int, *, queryset=None) -> Child:
    """The child if the user serves its gemeente; a 404 otherwise (no hint that it exists)."""
    base = queryset if queryset is not None else Child.objects
    return get_object_or_404(base.visible_to(user), pk=pk)


def chosen_gemeente(request, *, required: bool = True):
    """The gemeente asked for in the URL (?gemeente=CODE) among the user's own, and those gemeenten.

    No code: the user's first gemeente. A code the user does not serve, or that does not exist, is a 404
    (the same answer either way, so the page reveals nothing about other gemeenten). One rule for every
    page that works on one gemeente at a time: the regisseur's pages and the reports alike. A user who
    serves no gemeente gets a 404, or with `required=False` (None, []) so the page can say whom to ask.
    """
    gemeenten = list(request.user.gemeenten.order_by("name"))
    if not gemeenten:
        if required:
            raise Http404("U bent aan geen gemeente gekoppeld.")
        return None, []
    code = request.GET.get("gemeente", "")
    if not code:
        return gemeenten[0], gemeenten
    chosen = next((g for g in gemeenten if g.code == code), None)
    if chosen is None:
        raise Http404("Onbekende gemeente.")
    return chosen, gemeenten
