"""The worker's own work on a file: change the casusregisseur, add and close tasks, write in the journal."""

import datetime as dt

from django.contrib import messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from . import formatting, services
from .access import CASE_READERS, role_required, visible_child_or_404
from .forms import run_service
from .models import Child, Role, Task
from .readlog import log_read
from .work_forms import JournalForm, OwnerForm, TaskCancelForm, TaskForm


def _file(child, anchor):
    return reverse("cases:child_detail", args=[child.pk]) + f"#{anchor}"


def _visible_task_or_404(user, pk) -> Task:
    return get_object_or_404(Task.objects.visible_to(user).select_related("child", "owner", "gemeente"), pk=pk)


@role_required(Role.TOEGANG)
def owner_change(request, pk):
    child = visible_child_or_404(request.user, pk, queryset=Child.objects.select_related("owner", "household"))
    log_read(request, [child], event="formulier casusregisseur")
    form = OwnerForm(request.POST or None, gemeente_id=child.gemeente_id, initial={"owner": child.owner})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changed = run_service(
            form,
            lambda: services.child_set_owner(
                user=request.user, child=child, owner=data["owner"], reason=data["reason"]
            ),
        )
        if changed:
            messages.success(request, "De casusregisseur is gewijzigd.")
            return redirect(_file(child, "h-kind"))
    context = {"child": child, "form": form, "title": "Casusregisseur wijzigen"}
    return render(request, "cases/simple_form.html", context)


@role_required(*CASE_READERS)
def task_add(request, pk):
    child = visible_child_or_404(request.user, pk)
    log_read(request, [child], event="formulier taak")
    form = TaskForm(request.POST or None, gemeente_id=child.gemeente_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        task = run_service(
            form,
            lambda: services.task_create(
                user=request.user,
                child=child,
                kind=data["kind"],
                title=data["title"],
                due_date=data["due_date"],
                owner=data["owner"],
                owner_role=data["owner_role"],
            ),
        )
        if task:
            messages.success(request, f"Taak toegevoegd, uiterlijk {formatting.date(task.due_date)}.")
            return redirect(_file(child, "taken"))
    context = {"child": child, "form": form, "title": "Taak toevoegen"}
    return render(request, "cases/simple_form.html", context)


@role_required(*CASE_READERS)
def task_done(request, pk):
    task = _visible_task_or_404(request.user, pk)  # first the 404: a GET tells nothing about another's task
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = TaskCancelForm()
    if run_service(form, lambda: services.task_done(user=request.user, task=task)):
        messages.success(request, "Taak afgerond.")
    else:
        messages.error(request, " ".join(form.non_field_errors()))
    return redirect(request.POST.get("next") or _file(task.child, "taken"))


@role_required(*CASE_READERS)
def task_cancel(request, pk):
    task = _visible_task_or_404(request.user, pk)
    log_read(request, [task.child], event="formulier taak laten vervallen")
    form = TaskCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_service(
            form, lambda: services.task_cancel(user=request.user, task=task, reason=form.cleaned_data["reason"])
        ):
            messages.success(request, "Taak vervallen verklaard.")
            return redirect(_file(task.child, "taken"))
    context = {"child": task.child, "form": form, "title": f"Taak laten vervallen: {task.title}"}
    return render(request, "cases/simple_form.html", context)


@role_required(*CASE_READERS)
def journal_add(request, pk):
    child = visible_child_or_404(request.user, pk)
    log_read(request, [child], event="formulier journaal")
    initial = {"event_date": timezone.localdate()}
    if request.GET.get("correctie"):
        initial["corrects"] = request.GET["correctie"]
    form = JournalForm(request.POST or None, child=child, initial=initial)
    if request.method == "POST" and not form.is_valid():
        # Also the service's own checks on the fields that did parse: every error at once.
        data = form.cleaned_data
        errors = services.journal_errors(
            user=request.user,
            child=child,
            kind=data.get("kind", "-") if "kind" not in form.errors else "",
            text=data.get("text", "-") if "text" not in form.errors else "-",
            event_date=data.get("event_date") if "event_date" not in form.errors else dt.date.min,
        )
        for field, message in errors.items():
            if field not in form.errors:
                form.add_error(None if field == "__all__" else field, message)
    elif request.method == "POST":
        data = form.cleaned_data
        note = run_service(
            form,
            lambda: services.journal_add(
                user=request.user,
                child=child,
                kind=data["kind"],
                text=data["text"],
                event_date=data["event_date"],
                corrects=data["corrects"],
            ),
        )
        if note:
            messages.success(request, "Notitie vastgelegd in het journaal.")
            return redirect(_file(child, "journaal"))
    context = {"child": child, "form": form, "title": "Notitie in het journaal"}
    return render(request, "cases/simple_form.html", context)
