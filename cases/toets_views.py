"""The toetsmedewerker's pages: the queue of pending extension requests and the decision on one."""

import datetime as dt
from typing import NamedTuple

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from . import services
from .access import role_required
from .case_file import describe_changes, history_of
from .forms import ExtensionDecisionForm, parse_case_number, run_service
from .models import Extension, ExtensionStatus, Role, Trajectory, whole_months
from .readlog import log_read
from .terms import norm_text, volume_norm_exceeded
from .toets_forms import QueueFilterForm
from .toets_rows import queue_row_html

QUEUE_PAGE_SIZE = 25
HISTORY_PER_TRAJECTORY = 5


class QueueRow(NamedTuple):
    """What the queue filters and orders by, one row per pending request (a tuple: some 2,000 of them
    in the largest gemeente, made several times faster than a frozen dataclass)."""

    pk: int
    child_id: int
    product_id: int
    provider_id: int
    segment: int
    first_name: str = ""  # read only for a name search
    last_name: str = ""


def _queue_rows(user, *, names: bool) -> list[QueueRow]:
    """Pending requests of the user's gemeenten, most urgent first: the request whose trajectory runs out
    soonest (or already has), then the oldest.

    The gemeente's requests are found once, in this one query (Extension.visible_to, an index); the count,
    the filter choices, the filters and the search work on its rows, and only the page's rows are read in
    full (four joins over the national tables took seconds). The children's names are read
    only for a search by name (`names`): without one, 1,953 child rows less to visit in the largest gemeente."""
    name_fields = ("trajectory__child__first_name", "trajectory__child__last_name") if names else ()
    rows = (
        # The gemeente's pending requests come from their partial index (Extension.visible_to), then only
        # their trajectories are read.
        Extension.objects.visible_to(user)
        .filter(status=ExtensionStatus.PENDING)
        .order_by("trajectory__planned_end_date", "requested_at", "pk")
        .values_list(
            "pk",
            "trajectory__child_id",
            "trajectory__product_id",
            "trajectory__provider_id",
            "trajectory__product__segment__number",
            *name_fields,
        )
    )
    return [QueueRow(*row) for row in rows]


def _page_extensions(ids: list[int]) -> list[Extension]:
    """The page's requests, in the queue's order, with what a toetser weighs beside each: only the fields the
    page shows or weighs (a model instance costs a call or two per field loaded; the child's other personal data
    stays in the database)."""
    extensions = (
        Extension.objects.filter(pk__in=ids)
        .select_related(
            "trajectory__child__gemeente", "trajectory__product", "trajectory__provider", "trajectory__referral"
        )
        .only(
            *("requested_end_date", "requested_volume", "reason", "requested_at"),
            *("trajectory__start_date", "trajectory__actual_start_date", "trajectory__planned_end_date"),
            *("trajectory__end_date", "trajectory__norm_months", "trajectory__volume", "trajectory__unit"),
            "trajectory__frequency",
            *("trajectory__child__first_name", "trajectory__child__name_prefix", "trajectory__child__last_name"),
            "trajectory__child__gemeente__name",
            *("trajectory__product__code", "trajectory__product__description", "trajectory__product__unit"),
            *("trajectory__product__norm_volume", "trajectory__product__norm_frequency"),
            "trajectory__provider__name",
            "trajectory__referral__source",
        )
    )
    order = {pk: n for n, pk in enumerate(ids)}
    extensions = sorted(extensions, key=lambda e: order[e.pk])
    decided = _decided_by_trajectory([e.trajectory_id for e in extensions])
    for e in extensions:
        e.trajectory.decided_extensions = decided.get(e.trajectory_id, [])
    return extensions


class Decided(NamedTuple):
    """An earlier, decided request of a trajectory in the queue: what the row shows of it."""

    status: str
    decided_at: dt.datetime | None
    granted_end_date: dt.date | None


def _decided_by_trajectory(trajectory_ids: list[int]) -> dict[int, list[Decided]]:
    """The earlier, decided requests of these trajectories, oldest first (a plain query and a dict: the
    prefetch machinery cost more calls than the rows it read)."""
    decided = (
        Extension.objects.filter(trajectory_id__in=trajectory_ids)
        .exclude(status=ExtensionStatus.PENDING)
        .order_by("requested_at")
        .values_list("trajectory_id", "status", "decided_at", "granted_end_date")
    )
    by_trajectory = {}
    for trajectory_id, *values in decided:
        by_trajectory.setdefault(trajectory_id, []).append(Decided(*values))
    return by_trajectory


SEARCH_KEY = "toets_zoek"  # the search term lives in the session: names never go into a URL


def _narrowed(rows: list[QueueRow], term: str, form) -> list[QueueRow]:
    """Apply the filters (product, provider, segment: ids in the URL) and the search (in the session)."""
    if form.is_valid():
        data = form.cleaned_data
        if data["product"]:
            rows = [r for r in rows if r.product_id == data["product"]]
        if data["provider"]:
            rows = [r for r in rows if r.provider_id == data["provider"]]
        if data["segment"]:
            rows = [r for r in rows if r.segment == data["segment"]]
    if term:
        case_pk = parse_case_number(term)
        if case_pk is not None:
            rows = [r for r in rows if r.child_id == case_pk]
        else:
            for word in term.casefold().split():
                rows = [r for r in rows if word in r.first_name.casefold() or word in r.last_name.casefold()]
    return rows


def _weigh(extension: Extension, today) -> Extension:
    """Add the figures a toetser weighs: running time now, total if granted, against the norm."""
    trajectory = extension.trajectory
    trajectory.running = trajectory.running_months(today)
    months = whole_months(trajectory.start_date, extension.requested_end_date)
    extension.total_months_if_granted = months
    extension.beyond_norm = months > trajectory.norm_months
    extension.waiting_days = (today - timezone.localtime(extension.requested_at).date()).days
    extension.days_left = (trajectory.planned_end_date - today).days
    # Volume against the product's norm, over the period the extension would run (the rule the forms apply).
    extension.volume_if_granted = extension.requested_volume or trajectory.volume
    extension.norm_volume_text = norm_text(trajectory.product)
    extension.volume_above_norm = volume_norm_exceeded(
        trajectory.product,
        volume=extension.volume_if_granted,
        unit=trajectory.unit,
        frequency=trajectory.frequency,
        start=trajectory.start_date,
        planned_end=max(extension.requested_end_date, trajectory.start_date),
    )
    return extension


def _attach_history(extensions) -> None:
    """The last changes of each trajectory, in one query for the whole page."""
    ids = [e.trajectory_id for e in extensions]
    by_trajectory = {}
    for change in describe_changes(history_of(Trajectory).filter(id__in=ids), "Traject"):
        by_trajectory.setdefault(change.object_id, []).append(change)
    for extension in extensions:
        changes = by_trajectory.get(extension.trajectory_id, [])
        extension.trajectory_changes = list(reversed(changes))[:HISTORY_PER_TRAJECTORY]


@role_required(Role.TOETS)
def extension_queue(request):
    if request.method == "POST":
        # Search by case number or name: kept in the session and redirected, so no name is in a URL.
        request.session[SEARCH_KEY] = "" if "wissen" in request.POST else request.POST.get("zoek", "").strip()[:80]
        return redirect(request.get_full_path())
    today = timezone.localdate()
    term = request.session.get(SEARCH_KEY, "")
    pending = _queue_rows(request.user, names=bool(term) and parse_case_number(term) is None)
    form = QueueFilterForm(
        request.GET or None,
        product_ids={r.product_id for r in pending},
        provider_ids={r.provider_id for r in pending},
    )
    rows = _narrowed(pending, term, form)
    paginator = Paginator(rows, QUEUE_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("pagina"))
    extensions = [_weigh(e, today) for e in _page_extensions([r.pk for r in page.object_list])]
    granted = (ExtensionStatus.APPROVED, ExtensionStatus.SHORTENED)
    for e in extensions:
        e.earlier_granted = sum(1 for d in e.trajectory.decided_extensions if d.status in granted)
    _attach_history(extensions)
    log_read(request, [e.trajectory.child for e in extensions], event="wachtrij verlengingen")
    query = request.GET.copy()
    query.pop("pagina", None)
    context = {
        "page": page,
        "extensions": extensions,
        "rows": [queue_row_html(e) for e in extensions],
        "today": today,
        "nav": "toets",
        "form": form,
        "term": term,
        "filter_query": query.urlencode(),
    }
    return render(request, "cases/toets/queue.html", context)


@role_required(Role.TOETS)
def extension_decide(request, pk):
    extension = get_object_or_404(
        Extension.objects.filter(trajectory__in=Trajectory.objects.visible_to(request.user)).select_related(
            "trajectory__child__gemeente",
            "trajectory__child__household",
            "trajectory__product__segment",
            "trajectory__provider",
            "trajectory__referral",
            "requested_by",
            "decided_by",
        ),
        pk=pk,
    )
    trajectory = extension.trajectory
    child = trajectory.child
    log_read(request, [child], event="inzage verlengingsaanvraag")
    today = timezone.localdate()
    _weigh(extension, today)
    form = ExtensionDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        decided = run_service(
            form,
            lambda: services.extension_decide(user=request.user, extension=extension, **data),
        )
        if decided:
            messages.success(
                request,
                f"Besluit vastgelegd voor {child.full_name} ({child.case_number}): "
                f"{decided.get_status_display().lower()}.",
            )
            return redirect("cases:extension_queue")
    earlier = (
        Extension.objects.filter(trajectory=trajectory)
        .exclude(pk=extension.pk)
        .select_related("decided_by", "requested_by")
        .order_by("requested_at")
    )
    context = {
        "extension": extension,
        "trajectory": trajectory,
        "child": child,
        "earlier": earlier,
        "changes": list(reversed(describe_changes(history_of(Trajectory).filter(id=trajectory.pk), "Traject"))),
        "form": form,
        "today": today,
        "nav": "toets",
    }
    return render(request, "cases/toets/decide.html", context)
