"""The toegangsmedewerker's pages: find, register and read a case file; log trajectories, extensions, reviews."""

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import formatting, services
from .access import CASE_READERS, role_required, visible_child_or_404
from .case_file import load_case_file
from .forms import (
    ChildRegisterForm,
    ExtensionRequestForm,
    ReviewPlanForm,
    ReviewRecordForm,
    TrajectoryChangeForm,
    TrajectoryEndForm,
    TrajectoryStartForm,
    parse_case_number,
    run_service,
)
from .models import Child, Household, Role, StopReview, Trajectory
from .readlog import log_read, log_refused

SEARCH_LIMIT = 50


def _search(user, query: str):
    children = Child.objects.visible_to(user).select_related("gemeente", "household")
    query = query.strip()
    if not query:
        return children.none()
    case_pk = parse_case_number(query)
    if case_pk is not None and query.lower().startswith("jr"):
        return children.filter(pk=case_pk)
    for word in query.split():
        date = _parse_date(word)
        if date:
            children = children.filter(birth_date=date)
        else:
            children = children.filter(
                Q(first_name__istartswith=word) | Q(last_name__istartswith=word) | Q(name_prefix__iexact=word)
            )
    return children


def _parse_date(text: str):
    import datetime as dt

    for fmt in ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


@role_required(*CASE_READERS)
def search(request):
    query = request.GET.get("q", "")
    results = (
        _search(request.user, query)
        .annotate(open_count=Count("trajectories", filter=Q(trajectories__end_date__isnull=True)))
        .order_by("last_name", "first_name", "birth_date")[: SEARCH_LIMIT + 1]
    )
    results = list(results)
    log_read(request, results[:SEARCH_LIMIT], event="zoekresultaten")
    context = {
        "query": query,
        "results": results[:SEARCH_LIMIT],
        "truncated": len(results) > SEARCH_LIMIT,
        "nav": "search",
    }
    template = "cases/search.html#results" if request.htmx else "cases/search.html"
    return render(request, template, context)


@role_required(Role.TOEGANG)
def child_register(request):
    form = ChildRegisterForm(request.POST or None, user=request.user, initial=_register_initial(request))
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = list(
            services.child_possible_duplicates(
                user=request.user,
                first_name=data["first_name"],
                last_name=data["last_name"],
                birth_date=data["birth_date"],
                bsn=data["bsn"],
            )
        )
        log_read(request, duplicates, event="mogelijke dubbele dossiers")
        elsewhere = services.child_bsn_elsewhere(user=request.user, bsn=data["bsn"])
        if elsewhere is not None:
            # For the privacy officer: who tried to register a child whose BSN is on another gemeente's file.
            log_refused(request, event="registratie: BSN bekend bij andere gemeente", child_ids=[elsewhere.pk])
            form.add_error("bsn", services.BSN_ELSEWHERE)
        elif duplicates and not data["confirm_new"]:
            form.add_error(
                "confirm_new",
                "Er zijn mogelijke dubbele dossiers. Controleer ze en bevestig dat dit een ander kind is.",
            )
        else:
            child = run_service(
                form,
                lambda: services.child_register(
                    user=request.user,
                    gemeente=data["gemeente"],
                    first_name=data["first_name"],
                    name_prefix=data["name_prefix"],
                    last_name=data["last_name"],
                    birth_date=data["birth_date"],
                    bsn=data["bsn"],
                    household=form.household,
                    household_name=data["household_name"],
                ),
            )
            if child:
                messages.success(request, f"Dossier {child.case_number} is aangemaakt voor {child.full_name}.")
                return redirect("cases:child_detail", pk=child.pk)
    context = {"form": form, "duplicates": duplicates, "nav": "register"}
    return render(request, "cases/child_register.html", context)


def _register_initial(request):
    initial = {}
    sibling = request.GET.get("broer_zus")
    if sibling:
        initial["sibling_case_number"] = sibling
    return initial


@role_required(Role.TOEGANG)
@require_POST
def child_duplicates(request):
    """htmx: possible duplicates while the form is being filled in, before anything is saved."""
    form = ChildRegisterForm(request.POST, user=request.user)
    form.is_valid()  # partial input is normal here; use what parsed
    data = form.cleaned_data
    duplicates = list(
        services.child_possible_duplicates(
            user=request.user,
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            birth_date=data.get("birth_date"),
            bsn=data.get("bsn", ""),
        )
    )
    log_read(request, duplicates, event="mogelijke dubbele dossiers")
    context = {"duplicates": duplicates}
    return render(request, "cases/child_register.html#duplicates", context)


@role_required(*CASE_READERS)
def child_detail(request, pk):
    child = visible_child_or_404(request.user, pk, queryset=Child.objects.select_related("gemeente", "household"))
    today = timezone.localdate()
    siblings = list(
        Child.objects.visible_to(request.user)
        .filter(household=child.household)
        .exclude(pk=child.pk)
        .annotate(open_count=Count("trajectories", filter=Q(trajectories__end_date__isnull=True)))
    )
    log_read(request, [child, *siblings], event="inzage dossier", opened=child)
    context = {"child": child, "siblings": siblings, "today": today, **load_case_file(child, today)}
    return render(request, "cases/child_detail.html", context)


@role_required(*CASE_READERS)
def household_detail(request, pk):
    household = get_object_or_404(Household.objects.visible_to(request.user), pk=pk)
    today = timezone.localdate()
    open_trajectories = (
        Trajectory.objects.open_on(today).select_related("provider", "product__segment").with_costs(today)
    )
    children = list(
        Child.objects.visible_to(request.user)
        .filter(household=household)
        .prefetch_related(Prefetch("trajectories", queryset=open_trajectories, to_attr="open_trajectories"))
        .order_by("birth_date")
    )
    for child in children:
        child.age = child.age_on(today)
    log_read(request, children, event="inzage huishouden")
    context = {
        "household": household,
        "children": children,
        "open_total": sum(len(c.open_trajectories) for c in children),
        "children_in_care": sum(1 for c in children if c.open_trajectories),
        "today": today,
    }
    return render(request, "cases/household_detail.html", context)


def _visible_trajectory_or_404(user, pk) -> Trajectory:
    return get_object_or_404(
        Trajectory.objects.visible_to(user).select_related("child", "product", "provider", "referral"), pk=pk
    )


def _back_to_file(trajectory_or_child):
    child_id = getattr(trajectory_or_child, "child_id", None) or trajectory_or_child.pk
    return reverse("cases:child_detail", args=[child_id])


@role_required(Role.TOEGANG)
def trajectory_start(request, pk):
    child = visible_child_or_404(request.user, pk)
    log_read(request, [child], event="formulier traject starten")
    form = TrajectoryStartForm(request.POST or None, child=child)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        trajectory = run_service(
            form,
            lambda: services.trajectory_start(user=request.user, child=child, **data),  # field names = arguments
        )
        if trajectory:
            messages.success(request, f"Traject {trajectory.product.code} bij {trajectory.provider.name} is gestart.")
            return redirect(_back_to_file(child))
    context = {"child": child, "form": form, "title": "Traject starten", "no_referrals": not child.referrals.exists()}
    return render(request, "cases/trajectory_form.html", context)


@role_required(Role.TOEGANG)
def trajectory_change(request, pk):
    trajectory = _visible_trajectory_or_404(request.user, pk)
    log_read(request, [trajectory.child], event="formulier traject wijzigen")
    initial = {name: getattr(trajectory, name) for name in TrajectoryChangeForm.base_fields}
    form = TrajectoryChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = run_service(
                form,
                lambda: services.trajectory_change(user=request.user, trajectory=trajectory, **data),
            )
        except services.ConflictError as conflict:
            return _conflict(request, trajectory, form, conflict)
        if changed:
            messages.success(request, "Het traject is gewijzigd.")
            return redirect(_back_to_file(trajectory))
    context = {"child": trajectory.child, "trajectory": trajectory, "form": form, "title": "Traject wijzigen"}
    return render(request, "cases/trajectory_form.html", context)


def _conflict(request, trajectory, form, conflict, template="cases/trajectory_form.html", title="Traject wijzigen"):
    """Show the conflict, keep what the user typed, and show what is stored now."""
    current = Trajectory.objects.select_related("provider").get(pk=trajectory.pk)
    form.add_error(None, conflict.message)
    data = form.data.copy()
    data["version"] = current.version  # a deliberate second save applies on top of the newer version
    form.data = data
    context = {"child": trajectory.child, "trajectory": current, "form": form, "title": title, "conflict": current}
    return render(request, template, context, status=409)


@role_required(Role.TOEGANG)
def trajectory_end(request, pk):
    trajectory = _visible_trajectory_or_404(request.user, pk)
    log_read(request, [trajectory.child], event="formulier traject beëindigen")
    form = TrajectoryEndForm(
        request.POST or None, initial={"version": trajectory.version, "end_date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ended = run_service(
                form,
                lambda: services.trajectory_end(
                    user=request.user,
                    trajectory=trajectory,
                    version=data["version"],
                    end_date=data["end_date"],
                    end_reason=data["end_reason"],
                ),
            )
        except services.ConflictError as conflict:
            return _conflict(request, trajectory, form, conflict, "cases/simple_form.html", "Traject beëindigen")
        if ended:
            messages.success(request, "Het traject is beëindigd.")
            return redirect(_back_to_file(trajectory))
    context = {"child": trajectory.child, "trajectory": trajectory, "form": form, "title": "Traject beëindigen"}
    return render(request, "cases/simple_form.html", context)


@role_required(Role.TOEGANG)
def extension_request(request, pk):
    trajectory = _visible_trajectory_or_404(request.user, pk)
    log_read(request, [trajectory.child], event="formulier verlenging aanvragen")
    form = ExtensionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        extension = run_service(
            form,
            lambda: services.extension_request(user=request.user, trajectory=trajectory, **data),
        )
        if extension:
            messages.success(request, "De verlenging is aangevraagd en staat klaar voor de toets.")
            return redirect(_back_to_file(trajectory))
    context = {"child": trajectory.child, "trajectory": trajectory, "form": form, "title": "Verlenging aanvragen"}
    return render(request, "cases/simple_form.html", context)


@role_required(Role.TOEGANG)
def review_plan(request, pk):
    trajectory = _visible_trajectory_or_404(request.user, pk)
    log_read(request, [trajectory.child], event="formulier review plannen")
    form = ReviewPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        review = run_service(
            form,
            lambda: services.review_plan(
                user=request.user, trajectory=trajectory, due_date=form.cleaned_data["due_date"]
            ),
        )
        if review:
            messages.success(request, f"Stopstrategie-review gepland uiterlijk {formatting.date(review.due_date)}.")
            return redirect(_back_to_file(trajectory))
    title = "Stopstrategie-review plannen"
    context = {"child": trajectory.child, "trajectory": trajectory, "form": form, "title": title}
    return render(request, "cases/simple_form.html", context)


@role_required(Role.TOEGANG)
def review_record(request, pk):
    review = get_object_or_404(
        StopReview.objects.filter(trajectory__in=Trajectory.objects.visible_to(request.user)).select_related(
            "trajectory__child", "trajectory__product", "trajectory__provider"
        ),
        pk=pk,
    )
    trajectory = review.trajectory
    log_read(request, [trajectory.child], event="formulier review vastleggen")
    form = ReviewRecordForm(request.POST or None, initial={"done_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = run_service(
            form,
            lambda: services.review_record(user=request.user, review=review, **data),
        )
        if done:
            messages.success(request, "De review is vastgelegd.")
            return redirect(_back_to_file(trajectory))
    context = {"child": trajectory.child, "trajectory": trajectory, "form": form, "title": "Review vastleggen"}
    return render(request, "cases/simple_form.html", context)
