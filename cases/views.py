"""The toegangsmedewerker's pages: find, register and read a case file; log trajectories, extensions, reviews."""

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import formatting, services
from . import search as search_rules
from .access import CASE_READERS, role_required, visible_child_or_404
from .case_file import load_case_file
from .codes import Frequency
from .forms import (
    AddressForm,
    ChildRegisterForm,
    ExtensionRequestForm,
    GuardianForm,
    GuardianRemoveForm,
    ReviewPlanForm,
    ReviewRecordForm,
    TrajectoryChangeForm,
    TrajectoryEndForm,
    TrajectoryRecordStartForm,
    TrajectoryStartForm,
    run_service,
)
from .models import Child, Guardian, Household, Role, StopReview, Trajectory
from .readlog import log_read, log_refused
from .residence import paying_gemeente
from .terms import cost_preview, trajectory_terms

SEARCH_SESSION_KEY = "case_search"  # the last search, so Back from a file shows its results again


def _search(user, query: search_rules.Query):
    visible = Child.objects.visible_to(user)
    # Only what a result row shows (cases/templatetags/search_rows.py): 51 children, their households
    # and owners are built as model instances, at a call or two a field.
    shown = (
        Child.objects.select_related("gemeente", "household", "owner")
        .only(
            *("first_name", "name_prefix", "last_name", "birth_date", "gemeente__name"),
            *("household__name", "household__postcode", "household__house_number", "household__city"),
            *("owner__first_name", "owner__last_name", "owner__username"),
        )
        .annotate(open_count=Count("trajectories", filter=Q(trajectories__end_date__isnull=True)))
    )
    if query.kind == "case_number":
        return list(shown.filter(pk=query.case_pk).visible_to(user))
    if query.kind == "name":
        # Ranked on the bare visible children; find_by_name reads from `shown` only the visible
        # children it found: the count's join and grouping only for the results shown.
        return search_rules.find_by_name(visible, query, shown=shown)
    return []


@role_required(*CASE_READERS)
def search(request):
    """Search by POST, so no name, birth date or BSN ends up in a URL, a browser history or a server log.

    A BSN opens the one file it belongs to (logged as a search by BSN) and is never kept; any other
    search is kept in the session and shown after a redirect (post/redirect/get), so the browser's
    Back button returns to the results without asking to send the form again.
    """
    message = ""
    if request.method == "POST":
        text = request.POST.get("q", "")[:200]
        query = search_rules.parse_query(text)
        if query.kind in ("bsn", "bsn_invalid"):
            if request.htmx:
                return render(request, "cases/search.html#results", {"query": text, "bsn_pending": True})
            if query.kind == "bsn":
                child = Child.objects.visible_to(request.user).filter(bsn=query.bsn).first()
                if child is not None:
                    log_read(request, [child], event="zoeken op BSN")
                    return redirect("cases:child_detail", pk=child.pk)
                # The same answer whether the BSN is unknown or on a file of another gemeente.
                message = "Geen dossier gevonden met dit BSN in uw gemeenten."
            else:
                message = "Dit is geen geldig BSN (het voldoet niet aan de elfproef)."
            context = {"query": text, "message": message, "results": [], "nav": "search"}
            return render(request, "cases/search.html", context)
        request.session[SEARCH_SESSION_KEY] = text
        if not request.htmx:
            return redirect("cases:search")
    else:
        text = request.session.get(SEARCH_SESSION_KEY, "")
        query = search_rules.parse_query(text)
    results = _search(request.user, query)
    log_read(request, results[: search_rules.SEARCH_LIMIT], event="zoekresultaten")
    context = {
        "query": text,
        "results": results[: search_rules.SEARCH_LIMIT],
        "truncated": len(results) > search_rules.SEARCH_LIMIT,
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
                    household_address=form.household_address(),
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
    child = visible_child_or_404(
        request.user,
        pk,
        queryset=Child.objects.select_related("gemeente", "household__residence_gemeente", "owner"),
    )
    today = timezone.localdate()
    siblings = list(
        Child.objects.visible_to(request.user)
        .filter(household=child.household)
        .exclude(pk=child.pk)
        .annotate(open_count=Count("trajectories", filter=Q(trajectories__end_date__isnull=True)))
    )
    log_read(request, [child, *siblings], event="inzage dossier", opened=child)
    context = {
        "child": child,
        "siblings": siblings,
        "today": today,
        "paying": paying_gemeente(child.household),
        **load_case_file(child, today),
    }
    return render(request, "cases/child_detail.html", context)


@role_required(*CASE_READERS)
def household_detail(request, pk):
    household = get_object_or_404(
        Household.objects.visible_to(request.user).select_related("gemeente", "residence_gemeente", "lead_worker"),
        pk=pk,
    )
    today = timezone.localdate()
    open_trajectories = (
        Trajectory.objects.open_on(today).select_related("provider", "product__segment").with_costs(today)
    )
    children = list(
        Child.objects.visible_to(request.user)
        .filter(household=household)
        .select_related("owner")
        .prefetch_related(Prefetch("trajectories", queryset=open_trajectories, to_attr="open_trajectories"))
        .order_by("birth_date")
    )
    for child in children:
        child.age = child.age_on(today)
    log_read(request, children, event="inzage huishouden")
    guardians = list(household.guardians.select_related("residence_gemeente").order_by("-has_gezag", "pk"))
    context = {
        "household": household,
        "children": children,
        "guardians": guardians,
        "paying": paying_gemeente(household, guardians),
        "open_total": sum(len(c.open_trajectories) for c in children),
        "children_in_care": sum(1 for c in children if c.open_trajectories),
        "today": today,
    }
    return render(request, "cases/household_detail.html", context)


def _visible_household_or_404(user, pk) -> Household:
    return get_object_or_404(Household.objects.visible_to(user), pk=pk)


def _visible_guardian_or_404(user, pk) -> Guardian:
    households = Household.objects.visible_to(user)
    return get_object_or_404(Guardian.objects.filter(household__in=households).select_related("household"), pk=pk)


def _household_form_page(request, household, form, title, **extra):
    context = {"household": household, "form": form, "title": title, **extra}
    return render(request, "cases/household_form.html", context)


@role_required(Role.TOEGANG)
def household_address(request, pk):
    household = _visible_household_or_404(request.user, pk)
    initial = {f: getattr(household, f) for f in ("postcode", "house_number", "city", "residence_gemeente")}
    form = AddressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            form,
            lambda: services.household_update_address(user=request.user, household=household, address=form.address()),
        )
        if saved:
            messages.success(request, _handover_message(saved, "Het adres is opgeslagen."))
            return redirect("cases:household_detail", pk=household.pk)
    return _household_form_page(request, household, form, "Adres van het huishouden")


def _handover_message(household, text: str) -> str:
    paying = paying_gemeente(household)
    if paying.pk != household.gemeente_id:
        return f"{text} De betalende gemeente is nu {paying.name}: er staat een overdrachtstaak klaar voor elk kind."
    return text


def _guardian_arguments(form) -> dict:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "relation": data["relation"],
        "has_gezag": data["has_gezag"],
        "lives_in_household": data["lives_in_household"],
        "address": form.address(),
    }


@role_required(Role.TOEGANG)
def guardian_add(request, pk):
    household = _visible_household_or_404(request.user, pk)
    form = GuardianForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        guardian = run_service(
            form,
            lambda: services.guardian_add(user=request.user, household=household, **_guardian_arguments(form)),
        )
        if guardian:
            messages.success(request, _handover_message(household, f"{guardian.name} is toegevoegd."))
            return redirect("cases:household_detail", pk=household.pk)
    return _household_form_page(request, household, form, "Ouder of gezaghebbende toevoegen")


@role_required(Role.TOEGANG)
def guardian_change(request, pk):
    guardian = _visible_guardian_or_404(request.user, pk)
    household = guardian.household
    fields = ("name", "relation", "has_gezag", "lives_in_household", "postcode", "house_number", "city")
    initial = {f: getattr(guardian, f) for f in fields} | {"residence_gemeente": guardian.residence_gemeente_id}
    form = GuardianForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            form,
            lambda: services.guardian_change(user=request.user, guardian=guardian, **_guardian_arguments(form)),
        )
        if saved:
            messages.success(request, _handover_message(household, "De gegevens zijn opgeslagen."))
            return redirect("cases:household_detail", pk=household.pk)
    return _household_form_page(request, household, form, f"{guardian.name} wijzigen")


@role_required(Role.TOEGANG)
def guardian_remove(request, pk):
    guardian = _visible_guardian_or_404(request.user, pk)
    household = guardian.household
    form = GuardianRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run_service(
            form,
            lambda: (
                services.guardian_remove(user=request.user, guardian=guardian, reason=form.cleaned_data["reason"])
                or True
            ),
        )
        if done:
            messages.success(request, _handover_message(household, f"{guardian.name} is verwijderd."))
            return redirect("cases:household_detail", pk=household.pk)
    title = f"{guardian.name} verwijderen"
    return _household_form_page(request, household, form, title, submit="Verwijderen", guardian=guardian)


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
    if request.htmx and PREVIEW in request.POST:
        form.is_valid()  # partial input is normal while typing; use what parsed
        data = form.cleaned_data
        product, provider = data.get("product"), data.get("provider")
        preview = None
        if product is not None:
            terms = trajectory_terms(product, provider) if provider is not None else None
            preview = _preview(
                form,
                product,
                tariff=terms.tariff if terms else product.tariff,
                financing=product.financing,
                unit=product.unit,
            )
        return render(request, "cases/trajectory_form.html#preview", {"preview": preview})
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
    if request.htmx and PREVIEW in request.POST:
        form.is_valid()
        preview = _preview(
            form, trajectory.product, tariff=trajectory.tariff, financing=trajectory.financing, unit=trajectory.unit
        )
        return render(request, "cases/trajectory_form.html#preview", {"preview": preview})
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


PREVIEW = "_kosten"  # an htmx request for the cost preview of the form as filled in so far


def _preview(form, product, *, tariff, financing, unit):
    """The cost the form would save, before saving (issue 12): the same rules as the trajectory itself."""
    data = form.cleaned_data
    return cost_preview(
        product,
        tariff=tariff,
        financing=financing,
        volume=data.get("volume"),
        unit=unit,
        frequency=data.get("frequency") or Frequency.PER_WEEK,
        start=data.get("start_date"),
        planned_end=data.get("planned_end_date"),
    )


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
def trajectory_record_start(request, pk):
    trajectory = _visible_trajectory_or_404(request.user, pk)
    log_read(request, [trajectory.child], event="formulier start zorg")
    initial = {name: getattr(trajectory, name) for name in TrajectoryRecordStartForm.base_fields}
    form = TrajectoryRecordStartForm(request.POST or None, initial=initial)
    title = "Start zorg en wachten"
    if request.method == "POST" and form.is_valid():
        try:
            recorded = run_service(
                form,
                lambda: services.trajectory_record_start(user=request.user, trajectory=trajectory, **form.cleaned_data),
            )
        except services.ConflictError as conflict:
            return _conflict(request, trajectory, form, conflict, "cases/simple_form.html", title)
        if recorded:
            messages.success(request, "De start van de zorg en de wachtgegevens zijn vastgelegd.")
            return redirect(_back_to_file(trajectory))
    context = {"child": trajectory.child, "trajectory": trajectory, "form": form, "title": title}
    return render(request, "cases/simple_form.html", context)


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
    # Above the norm already: the reason given at the start stands until the worker changes it.
    form = ExtensionRequestForm(request.POST or None, initial={"above_norm_reason": trajectory.above_norm_reason})
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
