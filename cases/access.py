"""Who may see what. Every case view goes through `visible_child_or_404`; nothing else decides."""

from functools import wraps

from django.core.exceptions import PermissionDenied
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
