"""The functioneel beheerder's pages: the Django admin, under the same gemeente rules as the app.

Who may use it: active staff users with role "beheer", and superusers. Access is decided by role,
not by Django model permissions, so a beheerder needs no permission set-up (`is_beheerder`).

What a beheerder (not superuser) sees and changes:
- gemeenten they serve, with their jeugdpopulatie and budgets per year (inlines);
- users who share at least one of their gemeenten; they may change only users whose gemeenten
  they all serve (a user who also works for another gemeente stays read-only: otherwise a
  password reset would open that gemeente's cases), and may only assign gemeenten they serve;
- the shared master data: aanbieders, segmenten and producten (tariff, unit, financing, norm);
- the inzagelog (NEN 7513) of their gemeenten, strictly read-only, without BSN.

Deleting is left to superusers: products, segments and providers are referenced by past
trajectories, users by history and the inzagelog; deactivate instead. History pages
("Geschiedenis") show who changed what; reverting from history is switched off, because a
revert would skip the checks of the normal form (to undo, change the value again).

Case data (huishoudens, jeugdigen, verwijzingen, trajecten, verlengingen, reviews) is NOT in the
admin, on purpose: the beheerder manages master data, not cases (minimum data), and every case
write must go through cases/services/ with its validation and conflict check. A case read
belongs in the app, where it is logged.
"""

import logging

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db.models import Q
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from .codes import Financing, Frequency
from .csv_export import csv_response
from .evaluation import request_gemeente_evaluation
from .forms import parse_case_number
from .models import (
    CaseAccessLog,
    Child,
    Gemeente,
    Product,
    Provider,
    Role,
    Segment,
    SegmentBudget,
    TaskContract,
    User,
    YouthPopulation,
)
from .services import children_reassign


def is_beheerder(user) -> bool:
    """May this user use the admin at all?"""
    return bool(
        user.is_authenticated and user.is_active and user.is_staff and (user.is_superuser or user.role == Role.BEHEER)
    )


def served_gemeente_ids(request) -> frozenset[int] | None:
    """The gemeenten the admin user serves; None means all (a superuser). Cached per request."""
    if request.user.is_superuser:
        return None
    if not hasattr(request, "_served_gemeente_ids"):
        request._served_gemeente_ids = frozenset(request.user.gemeenten.values_list("pk", flat=True))
    return request._served_gemeente_ids


def served_gemeenten(request):
    """The Gemeente rows the admin user serves (all of them for a superuser)."""
    served = served_gemeente_ids(request)
    return Gemeente.objects.all() if served is None else Gemeente.objects.filter(pk__in=served)


# urls.py mounts the default admin site; the role rule is installed on it here, beside the
# admin classes it protects. Other staff get the admin login page ("not authorised").
admin.site.has_permission = lambda request: is_beheerder(request.user)
# Roles are the permission model of jeugdregie; Django groups would be a second one.
admin.site.unregister(Group)
# A user's authenticator secret and recovery codes are theirs alone: no admin page shows them. The
# beheerder resets 2FA with an action on the user (UserAdmin.reset_two_factor), which is logged.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)

# Changes to who may see what (role, gemeenten, admin access) and 2FA resets: a line for the privacy
# officer's monitoring, besides the admin's own change history.
audit = logging.getLogger("jeugdregie.audit")


class ServedGemeenteFilter(admin.SimpleListFilter):
    """Filter on gemeente, offering only the gemeenten the admin user serves."""

    title = "gemeente"
    parameter_name = "gemeente"
    field_path = "gemeente"

    def lookups(self, request, model_admin):
        gemeenten = served_gemeenten(request)
        return [(str(g.pk), str(g)) for g in gemeenten]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.field_path: self.value()})
        return queryset


class UserGemeenteFilter(ServedGemeenteFilter):
    field_path = "gemeenten"


class BeheerAdmin(SimpleHistoryAdmin):
    """Role-based permissions, gemeente scoping and view-only history for every beheer page.

    `gemeente_path` is the lookup from the model to its gemeente; None for shared master data.
    """

    gemeente_path: str | None = None
    object_history_template = "admin/jeugdregie_history.html"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        served = served_gemeente_ids(request)
        if self.gemeente_path is None or served is None:
            return queryset
        # A subquery rather than a join keeps one row per object (a user has several gemeenten).
        in_scope = self.model._default_manager.filter(**{f"{self.gemeente_path}__in": served})
        return queryset.filter(pk__in=in_scope.values("pk"))

    def in_scope(self, request, obj) -> bool:
        if obj is None or self.gemeente_path is None or served_gemeente_ids(request) is None:
            return True
        # Asked several times per page; the answer is kept on the instance (one request's).
        if not hasattr(obj, "_in_beheer_scope"):
            obj._in_beheer_scope = self.get_queryset(request).filter(pk=obj.pk).exists()
        return obj._in_beheer_scope

    def has_module_permission(self, request):
        return is_beheerder(request.user)

    def has_view_permission(self, request, obj=None):
        return is_beheerder(request.user) and self.in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return is_beheerder(request.user) and self.in_scope(request, obj)

    def has_add_permission(self, request):
        return is_beheerder(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_beheerder(request.user) and request.user.is_superuser

    # --- history: only for objects in scope, and never a revert ---------------------------------

    def _object_in_scope_or_404(self, request, object_id):
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            # simple-history would otherwise fall back to the history of objects outside the
            # queryset (and show another gemeente's changes).
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._object_in_scope_or_404(request, object_id)
        labels = [self.model._meta.get_field(name).verbose_name for name in self.history_list_display]
        extra_context = {**(extra_context or {}), "history_column_labels": labels}
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._object_in_scope_or_404(request, object_id)
        if request.method != "GET":
            raise PermissionDenied("Terugzetten vanuit de geschiedenis kan niet; wijzig de waarde opnieuw.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return True

    def history_view_title(self, request, obj):
        return f"Geschiedenis: {obj}"


class BeheerInline(admin.TabularInline):
    """Rows of a gemeente the beheerder may already see; the parent admin does the scoping."""

    extra = 0

    def has_view_permission(self, request, obj=None):
        return is_beheerder(request.user)

    def has_change_permission(self, request, obj=None):
        return is_beheerder(request.user)

    def has_add_permission(self, request, obj=None):
        return is_beheerder(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_beheerder(request.user)

    def get_queryset(self, request):
        # Each row's str() names its gemeente: one join instead of a query per row.
        return super().get_queryset(request).select_related("gemeente")


class YouthPopulationInline(BeheerInline):
    model = YouthPopulation
    ordering = ["-year"]


class SegmentBudgetInline(BeheerInline):
    model = SegmentBudget
    ordering = ["-year", "segment__number"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("segment")  # plus the gemeente (BeheerInline)


@admin.register(Gemeente)
class GemeenteAdmin(BeheerAdmin):
    gemeente_path = "pk"
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    inlines = [YouthPopulationInline, SegmentBudgetInline]

    def get_readonly_fields(self, request, obj=None):
        # The CBS code identifies the gemeente in iJw messages; only a superuser corrects it.
        if obj is not None and not request.user.is_superuser:
            return ["code"]
        return []

    def has_add_permission(self, request):
        # A new gemeente is served by nobody yet; a superuser adds it and assigns its beheerder.
        return is_beheerder(request.user) and request.user.is_superuser


class ReassignAllForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=User.objects.none(), label="Nieuwe casusregisseur")
    reason = forms.CharField(label="Reden", max_length=100)

    def __init__(self, *args, served, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            User.objects.filter(role=Role.TOEGANG, is_active=True, gemeenten__in=served).distinct().order_by("username")
        )


def report_access_change(*, user, by, before, after) -> None:
    """Tell the privacy officer (PRIVACY_OFFICER_EMAILS) who changed whose access: a second pair of eyes
    on every role or gemeente change, as the separation of duties asks. Usernames only, no case data."""
    if not settings.PRIVACY_OFFICER_EMAILS:
        return
    labels = ("rol", "beheerder", "actief", "gemeenten")
    lines = [f"- {label}: {old} → {new}" for label, old, new in zip(labels, before, after, strict=True) if old != new]
    body = (
        f"De toegang van gebruiker {user.username} is gewijzigd door {by.username}:\n"
        + "\n".join(lines)
        + "\n\nControleer of deze wijziging klopt; de volledige historie staat in de admin (Gebruikers → Geschiedenis)."
    )
    try:
        send_mail(
            f"jeugdregie: toegang van {user.username} gewijzigd",
            body,
            None,
            settings.PRIVACY_OFFICER_EMAILS,
        )
    except OSError:
        audit.error("could not mail the privacy officer about the access change of user id %s", user.pk)


@admin.register(User)
class UserAdmin(BeheerAdmin, DjangoUserAdmin):
    gemeente_path = "gemeenten"
    list_display = ["username", "first_name", "last_name", "role", "gemeente_list", "is_active", "is_staff"]
    list_filter = ["role", "is_active", "is_staff", UserGemeenteFilter]
    search_fields = ["username", "first_name", "last_name", "email"]
    filter_horizontal = []
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Persoonlijke gegevens", {"fields": ["first_name", "last_name", "email"]}),
        ("Rol en gemeenten", {"fields": ["role", "gemeenten"]}),
        ("Toegang", {"fields": ["is_active", "is_staff"]}),
        ("Belangrijke datums", {"fields": ["last_login", "date_joined"]}),
    ]
    superuser_fieldset = ("Rechten voor superusers", {"fields": ["is_superuser", "user_permissions"]})
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "usable_password", "password1", "password2"]}),
        ("Rol en gemeenten", {"fields": ["role", "gemeenten", "is_staff"]}),
        ("Persoonlijke gegevens", {"fields": ["first_name", "last_name", "email"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["reassign_children", "reset_two_factor"]
    # Separation of duties: nobody widens their own access. Another beheerder (or a superuser) does it.
    own_access_fields = ["role", "gemeenten", "is_staff", "is_active"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("gemeenten")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk and not request.user.is_superuser:
            fields += self.own_access_fields
        return fields

    def save_related(self, request, form, formsets, change):
        user = form.instance
        before = getattr(form, "_access_before", None)
        super().save_related(request, form, formsets, change)
        after = (user.role, user.is_staff, user.is_active, sorted(user.gemeenten.values_list("code", flat=True)))
        if before != after:
            audit.warning(
                "access of user id %s changed by user id %s: %s -> %s (role, staff, active, gemeenten)",
                user.pk,
                request.user.pk,
                before,
                after,
            )
            report_access_change(user=user, by=request.user, before=before, after=after)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        if obj is None:
            return form_class
        before = (obj.role, obj.is_staff, obj.is_active, sorted(obj.gemeenten.values_list("code", flat=True)))

        class RememberAccess(form_class):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self._access_before = before

        return RememberAccess

    @admin.action(description="Tweestapsverificatie opnieuw laten instellen")
    def reset_two_factor(self, request, queryset):
        """The user lost their phone: remove their authenticator and recovery codes (logged)."""
        done = 0
        for user in queryset:
            if user.pk == request.user.pk or not self.has_change_permission(request, user):
                continue
            TOTPDevice.objects.filter(user=user).delete()
            StaticDevice.objects.filter(user=user).delete()
            self.log_change(request, user, "Tweestapsverificatie opnieuw ingesteld (apparaten verwijderd).")
            audit.warning("2FA reset for user id %s by user id %s", user.pk, request.user.pk)
            done += 1
        messages.info(request, f"Tweestapsverificatie opnieuw in te stellen voor {done} gebruiker(s).")

    @admin.action(description="Dossiers overdragen aan een andere casusregisseur")
    def reassign_children(self, request, queryset):
        """For a worker who leaves: hand all their files (of the beheerder's gemeenten) to a colleague,
        with a reason; one history row per file. The beheerder sees counts only, never the files."""
        served = served_gemeente_ids(request)
        children = Child.objects.filter(owner__in=queryset)
        if served is not None:
            children = children.filter(gemeente_id__in=served)
        form = ReassignAllForm(request.POST if "apply" in request.POST else None, served=served_gemeenten(request))
        if form.is_valid():
            try:
                moved = children_reassign(
                    user=request.user,
                    children=children.select_related("gemeente"),
                    owner=form.cleaned_data["owner"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), level="error")
                return None
            self.message_user(request, f"{moved} dossier(s) overgedragen aan {form.cleaned_data['owner']}.")
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Dossiers overdragen",
            "users": queryset,
            "count": children.count(),
            "form": form,
            "opts": self.model._meta,
            "action": "reassign_children",
        }
        return TemplateResponse(request, "admin/reassign_children.html", context)

    @admin.display(description="gemeenten")
    def gemeente_list(self, user):
        return ", ".join(g.name for g in user.gemeenten.all())

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and request.user.is_superuser:
            return [*fieldsets, self.superuser_fieldset]
        return fieldsets

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or request.user.is_superuser:
            return True
        # Only users who work solely for the beheerder's gemeenten, and never a superuser.
        served = served_gemeente_ids(request)
        if not hasattr(obj, "_beheer_gemeente_ids"):
            obj._beheer_gemeente_ids = set(obj.gemeenten.values_list("pk", flat=True))
        own = obj._beheer_gemeente_ids
        return not obj.is_superuser and bool(own) and own <= served

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "gemeenten":
            kwargs["queryset"] = served_gemeenten(request)
            kwargs["widget"] = forms.CheckboxSelectMultiple
            field = super().formfield_for_manytomany(db_field, request, **kwargs)
            # A user without gemeente would be invisible to every beheerder (and see no cases).
            field.required = served_gemeente_ids(request) is not None
            field.help_text = "U kunt alleen gemeenten toewijzen waarvoor u zelf werkt."
            return field
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Provider)
class ProviderAdmin(BeheerAdmin):
    list_display = ["name", "agb_code", "contracted"]
    list_filter = ["contracted"]
    search_fields = ["name", "agb_code"]


@admin.register(Segment)
class SegmentAdmin(BeheerAdmin):
    list_display = ["number", "name", "financing", "norm_months", "is_residential"]
    list_display_links = ["number", "name"]
    history_list_display = ["norm_months"]


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = [
            "code",
            "description",
            "category",
            "execution_variant",
            "with_stay",
            "segment",
            "financing",
            "unit",
            "tariff",
            "reference_tariff",
            "norm_months",
            "norm_volume",
            "norm_frequency",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Without a norm volume its period does not matter: left out, it stays "per week".
        self.fields["norm_frequency"].required = False

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("norm_frequency"):
            cleaned["norm_frequency"] = Frequency.PER_WEEK
        if cleaned.get("financing") == Financing.TASK and cleaned.get("tariff") is not None:
            self.add_error("tariff", "Taakgerichte bekostiging kent geen prijs per casus: laat het tarief leeg.")
        return cleaned


@admin.register(Product)
class ProductAdmin(BeheerAdmin):
    form = ProductForm
    list_display = [
        "code",
        "description",
        "segment",
        "category",
        "financing",
        "unit",
        "tariff",
        "reference_tariff",
        "norm",
    ]
    list_filter = ["segment", "category", "financing", "active"]
    search_fields = ["code", "description"]
    list_select_related = ["segment"]
    # Each version's own values, so even the first change (catalogue rows have no history) is clear.
    history_list_display = ["tariff", "reference_tariff", "norm_months", "norm_volume", "norm_frequency"]
    fieldsets = [
        (None, {"fields": ["code", "description", "category", "execution_variant", "with_stay"]}),
        (
            "Inkoop",
            {"fields": ["segment", "financing", "unit", "tariff", "reference_tariff", "norm_months", "active"]},
        ),
        # The normenkader's Q (issue 12): above it the toegang gives a reason and the flag "volume" fires.
        ("Volumenorm", {"fields": ["norm_volume", "norm_frequency"]}),
    ]

    @admin.display(description="normduur (mnd)")
    def norm(self, product):
        return product.effective_norm_months

    def get_readonly_fields(self, request, obj=None):
        # These come from the national product code list; the region decides the rest.
        if obj is not None:
            return ["code", "description", "category", "execution_variant", "with_stay"]
        return []


@admin.register(TaskContract)
class TaskContractAdmin(BeheerAdmin):
    """Taakgerichte contracten: the lump sum per provider, segment and year, and how it is paid."""

    gemeente_path = "gemeente"
    list_display = ["provider", "segment", "year", "gemeente", "amount", "payment_schedule", "cost_basis"]
    list_filter = ["year", "segment", ServedGemeenteFilter]
    search_fields = ["provider__name", "provider__agb_code"]
    list_select_related = ["provider", "segment", "gemeente"]
    # A plain select: the admin's autocomplete widget (select2) renders a combobox without an
    # accessible name (axe: aria-input-field-name, serious).
    history_list_display = ["amount", "payment_schedule", "cost_basis"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "gemeente":
            kwargs["queryset"] = served_gemeenten(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The indicative costs of the contract's clients, and with them flags and scores, follow.
        request_gemeente_evaluation(obj.gemeente_id)


class LogUserFilter(admin.RelatedOnlyFieldListFilter):
    """Only users who appear in the (already scoped) log, under a Dutch title."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "gebruiker"


class GemeenteLogAdmin(admin.ModelAdmin):
    """A log of the beheerder's gemeenten: read-only, never added to, changed or deleted here."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        served = served_gemeente_ids(request)
        return queryset if served is None else queryset.filter(gemeente__in=served)

    def has_module_permission(self, request):
        return is_beheerder(request.user)

    def has_view_permission(self, request, obj=None):
        if not is_beheerder(request.user):
            return False
        served = served_gemeente_ids(request)
        return obj is None or served is None or obj.gemeente_id in served

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseAccessLog)
class CaseAccessLogAdmin(GemeenteLogAdmin):
    """The inzagelog for the privacy officer: per dossier, per medewerker, per period, and as CSV.

    Per dossier: search for its dossiernummer (JR-000123) — also the lists it appeared in. Per medewerker:
    the "gebruiker" filter. Per period: the date bar or the "tijdstip" filter. "Exporteren (CSV)" takes
    the same filters. Refused attempts of the beheerder's own users are here too (they name no gemeente).
    """

    list_display = [
        "at",
        "reader",
        "role",
        "action",
        "result",
        "case_number",
        "children_count",
        "gemeente",
        "client_address",
    ]
    list_filter = ["at", "result", ("user", LogUserFilter), ServedGemeenteFilter]
    date_hierarchy = "at"
    search_fields = ["case_number", "user__username"]
    list_select_related = ["user", "gemeente"]
    change_list_template = "admin/cases/caseaccesslog/change_list.html"
    # The child link is left out: the case number says which file, without the child's name.
    fields = [
        "at",
        "user",
        "role",
        "action",
        "result",
        "page",
        "object_ref",
        "case_number",
        "child_ids",
        "gemeente",
        "client_address",
        "session",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        served = served_gemeente_ids(request)
        if served is None:
            return queryset
        # Rows of the served gemeenten, and the refusals (no gemeente) of users who work for them.
        own_users = User.objects.filter(gemeenten__in=served).values("pk")
        return queryset.filter(Q(gemeente__in=served) | Q(gemeente__isnull=True, user__in=own_users))

    def has_view_permission(self, request, obj=None):
        if obj is not None and obj.gemeente_id is None:
            return is_beheerder(request.user) and self.get_queryset(request).filter(pk=obj.pk).exists()
        return super().has_view_permission(request, obj)

    def get_search_results(self, request, queryset, search_term):
        pk = parse_case_number(search_term.strip())
        if pk is not None:
            return queryset.filter(child_ids__contains=f",{pk},"), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="gebruiker", ordering="user__username")
    def reader(self, entry):
        return entry.user

    @admin.display(description="aantal jeugdigen")
    def children_count(self, entry):
        return entry.children_count

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_csv)
        return [path("export.csv", export, name="cases_caseaccesslog_export"), *super().get_urls()]

    def export_csv(self, request):
        """The rows of the changelist as it is filtered now (period, user, dossier, result), as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = self.get_changelist_instance(request).get_queryset(request).select_related("user", "gemeente")
        header = [
            "tijdstip",
            "gebruiker",
            "rol",
            "handeling",
            "resultaat",
            "pagina",
            "gevraagd",
            "dossiernummer",
            "jeugdigen (ids)",
            "gemeente",
            "adres",
            "sessie",
        ]
        lines = (
            [
                timezone.localtime(entry.at).strftime("%d-%m-%Y %H:%M:%S"),
                entry.user.username,
                entry.role,
                entry.action,
                entry.get_result_display(),
                entry.page,
                entry.object_ref,
                entry.case_number,
                entry.child_ids.strip(","),
                entry.gemeente or "",
                entry.client_address or "",
                entry.session,
            ]
            for entry in rows.iterator()
        )
        return csv_response(f"inzagelog-{timezone.localdate():%Y-%m-%d}.csv", header, lines)
