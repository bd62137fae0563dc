"""The inzagelog (NEN 7513): every page that shows a child's data calls `log_read`; refusals log themselves.

    log_read(request, children, event="zoekresultaten")

writes one row per gemeente of the children shown (in practice one), with all their ids, in a single
INSERT: a search page of 50 children costs one insert, not fifty. Each row says who (user and role at
the time), when, from which address and session (a hash of its key), which page, and the result.
Refused attempts (a 403 or 404 for a logged-in user) are written by `ReadLogMiddleware`, with the
user and what was asked for, so a search for another gemeente's files leaves a trace.

The privacy officer reads the log in the admin (Beheer → Inzagelog): per child ("wie heeft dit
dossier gezien", search by dossiernummer), per employee, per period, and as CSV.
"""

import hashlib
from collections.abc import Iterable

from axes.helpers import get_client_ip_address
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import CaseAccessLog, Child


def _request_fields(request) -> dict:
    session_key = getattr(getattr(request, "session", None), "session_key", None) or ""
    match = getattr(request, "resolver_match", None)
    return {
        "user": request.user,
        "role": getattr(request.user, "role", ""),
        # The same address as the login throttle uses: behind a proxy, X-Forwarded-For (TRUSTED_PROXY_COUNT).
        "client_address": get_client_ip_address(request) or None,
        "session": hashlib.sha256(session_key.encode()).hexdigest()[:16] if session_key else "",
        "page": (match.view_name if match else "")[:80],
    }


def child_ids_text(ids: Iterable[int]) -> str:
    """ ",12,345,": the stored form of a list of child ids (search it with `child_ids__contains=",12,"`)."""
    ids = sorted(set(ids))
    return "," + ",".join(str(pk) for pk in ids) + "," if ids else ""


def log_read(request, children: Iterable[Child], *, event: str = "inzage dossier", opened: Child | None = None) -> None:
    """Log that this request shows these children's data. Nothing is written for an empty list.

    `opened` is the file the page is about (the case file with its siblings listed): its row names
    that child, so "the files this user opened" reads the child column; a plain list names none.
    """
    by_gemeente: dict[int, list[Child]] = {}
    for child in children:
        by_gemeente.setdefault(child.gemeente_id, []).append(child)
    if not by_gemeente:
        return
    common = _request_fields(request)
    rows = []
    for gemeente_id, shown in by_gemeente.items():
        single = shown[0] if len(shown) == 1 else None
        if opened is not None and opened.gemeente_id == gemeente_id:
            single = opened
        rows.append(
            CaseAccessLog(
                **common,
                gemeente_id=gemeente_id,
                child=single,
                case_number=single.case_number if single else "",
                child_ids=child_ids_text(child.pk for child in shown),
                action=event[:60],
            )
        )
    CaseAccessLog.objects.bulk_create(rows)


def log_refused(request, *, event: str, child_ids: Iterable[int] = ()) -> None:
    """Log a refused attempt: the user, what they asked for (the URL's ids, never its query), and from where.

    No gemeente: the beheerders of the user's own gemeenten see it (cases.admin), and `child_ids` names
    the file concerned, if known, for the privacy officer only.
    """
    match = getattr(request, "resolver_match", None)
    kwargs = match.kwargs if match else {}
    CaseAccessLog.objects.create(
        **_request_fields(request),
        result=CaseAccessLog.Result.REFUSED,
        action=event[:60],
        child_ids=child_ids_text(child_ids),
        object_ref=" ".join(f"{key}={value}" for key, value in sorted(kwargs.items()))[:80],
    )


class ReadLogMiddleware:
    """Writes the refused attempts: a 404 or 403 raised by a view for a logged-in user.

    A 404 is what an outsider gets for another gemeente's file (no hint that it exists), so every
    404 of a logged-in user is logged as a refusal; a mistyped URL that matches no view is not.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or getattr(request, "resolver_match", None) is None:
            return None
        if isinstance(exception, Http404):
            log_refused(request, event="geweigerd: niet gevonden of andere gemeente")
        elif isinstance(exception, PermissionDenied):
            log_refused(request, event="geweigerd: niet voor deze rol")
        return None
