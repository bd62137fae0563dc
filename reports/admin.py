"""The beheerder's pages for the monthly email: its mailing list and its verzendlog."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from cases.admin import (
    BeheerAdmin,
    GemeenteLogAdmin,
    ServedGemeenteFilter,
    is_beheerder,
    served_gemeente_ids,
    served_gemeenten,
)
from cases.models import Gemeente, User

from .kpis import Period
from .models import DeliveryStatus, KpiSnapshot, KpiSnapshotValue, ReportDelivery, ReportSubscription, SnapshotTrigger
from .snapshots import snapshot_recompute


class ReportSubscriptionForm(forms.ModelForm):
    class Meta:
        model = ReportSubscription
        fields = ["gemeente", "user", "active"]

    def clean(self):
        cleaned = super().clean()
        gemeente, user = cleaned.get("gemeente"), cleaned.get("user")
        if gemeente and user and not user.serves(gemeente.pk):
            self.add_error("user", "Deze gebruiker werkt niet voor deze gemeente en mag de cijfers niet ontvangen.")
        if user and not user.email:
            self.add_error("user", "Deze gebruiker heeft geen e-mailadres.")
        return cleaned


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(BeheerAdmin):
    """The mailing list of the monthly KPI email, per gemeente; users can switch themselves off."""

    form = ReportSubscriptionForm
    gemeente_path = "gemeente"
    list_display = ["user", "user_email", "gemeente", "active"]
    list_filter = ["active", ServedGemeenteFilter]
    list_select_related = ["user", "gemeente"]
    search_fields = ["user__username", "user__email", "user__last_name"]
    history_list_display = ["active"]

    @admin.display(description="e-mailadres", ordering="user__email")
    def user_email(self, subscription):
        return subscription.user.email

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        served = served_gemeente_ids(request)
        if db_field.name == "gemeente" and served is not None:
            kwargs["queryset"] = Gemeente.objects.filter(pk__in=served)
        if db_field.name == "user" and served is not None:
            kwargs["queryset"] = User.objects.filter(gemeenten__in=served, is_active=True).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # A list entry, not master data: the beheerder may take people off it.
        return is_beheerder(request.user) and self.in_scope(request, obj)


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(GemeenteLogAdmin):
    """Verzendlog of the monthly email: what went out, and what failed with which SMTP error."""

    list_display = ["month_label", "gemeente", "email", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "month", ServedGemeenteFilter]
    search_fields = ["email"]
    list_select_related = ["gemeente"]
    fields = ["gemeente", "month", "recipient", "email", "status", "attempts", "last_error", "created_at", "sent_at"]
    readonly_fields = fields
    actions = ["retry_failed"]

    @admin.display(description="maand", ordering="month")
    def month_label(self, delivery):
        return f"{delivery.month:%m-%Y}"

    @admin.action(description="Mislukte en vastgelopen verzendingen opnieuw proberen")
    def retry_failed(self, request, queryset):
        from .delivery import sendable
        from .tasks import retry_report_delivery

        retryable = queryset.filter(sendable()).exclude(status=DeliveryStatus.PENDING)
        failed = list(retryable.values_list("pk", flat=True))
        for pk in failed:
            retry_report_delivery.delay(pk)
        self.message_user(request, f"{len(failed)} mislukte verzending(en) opnieuw in de wachtrij gezet.")

    def has_change_permission(self, request, obj=None):
        # Read-only log; the change permission only lets the retry action run.
        return self.has_view_permission(request, obj) and obj is None


class SnapshotRecomputeForm(forms.Form):
    gemeente = forms.ModelChoiceField(label="Gemeente", queryset=Gemeente.objects.none())
    month = forms.CharField(label="Maand", help_text="Als JJJJ-MM, bijvoorbeeld 2026-02.", max_length=7)
    reason = forms.CharField(
        label="Reden",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Welke correctie de cijfers van die maand verandert; de eerdere cijfers blijven bewaard.",
    )

    def __init__(self, *args, gemeenten, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gemeente"].queryset = gemeenten

    def clean_month(self):
        try:
            period = Period.parse_month(self.cleaned_data["month"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        if period.end >= timezone.localdate():
            raise forms.ValidationError("Die maand is nog niet afgesloten; de lopende maand wordt steeds berekend.")
        return period


class KpiSnapshotValueInline(admin.TabularInline):
    model = KpiSnapshotValue
    fields = ["section", "label", "breakdown", "unit", "value"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(KpiSnapshot)
class KpiSnapshotAdmin(GemeenteLogAdmin):
    """The stored KPI figures per gemeente and month, every earlier snapshot kept; and recomputing a month."""

    list_display = ["month_label", "gemeente", "computed_at", "trigger", "triggered_by", "reason"]
    list_filter = ["month", "trigger", ServedGemeenteFilter]
    list_select_related = ["gemeente", "triggered_by"]
    fields = ["gemeente", "month", "computed_at", "trigger", "triggered_by", "reason"]
    readonly_fields = fields
    inlines = [KpiSnapshotValueInline]

    @admin.display(description="maand", ordering="month")
    def month_label(self, snapshot):
        return f"{snapshot.month:%m-%Y}"

    def get_urls(self):
        recompute = self.admin_site.admin_view(self.recompute_view)
        return [path("herberekenen/", recompute, name="reports_kpisnapshot_recompute"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "recompute_url": reverse("admin:reports_kpisnapshot_recompute")}
        return super().changelist_view(request, extra_context)

    def recompute_view(self, request):
        """A beheerder recomputes one of their own gemeenten's closed months, with the reason."""
        if not is_beheerder(request.user):
            raise PermissionDenied
        # Only the gemeenten the beheerder serves can be chosen: another's is not a valid choice.
        form = SnapshotRecomputeForm(request.POST or None, gemeenten=served_gemeenten(request).order_by("name"))
        if request.method == "POST" and form.is_valid():
            gemeente, period = form.cleaned_data["gemeente"], form.cleaned_data["month"]
            snapshot_recompute(
                gemeente=gemeente,
                period=period,
                user=request.user,
                reason=form.cleaned_data["reason"],
                trigger=SnapshotTrigger.BEHEERDER,
            )
            messages.success(
                request,
                f"De cijfers van {gemeente.name} over {period.label} zijn opnieuw berekend; "
                "de eerdere cijfers blijven bewaard.",
            )
            return redirect(f"{reverse('admin:reports_kpisnapshot_changelist')}?gemeente={gemeente.pk}")
        context = {**self.admin_site.each_context(request), "form": form, "title": "Maand opnieuw berekenen"}
        return render(request, "admin/reports/kpi_recompute.html", context)
