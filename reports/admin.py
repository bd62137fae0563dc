"""The beheerder's pages for the monthly email: its mailing list and its verzendlog."""

from django import forms
from django.contrib import admin

from cases.admin import BeheerAdmin, GemeenteLogAdmin, ServedGemeenteFilter, is_beheerder, served_gemeente_ids
from cases.models import Gemeente, User

from .models import DeliveryStatus, ReportDelivery, ReportSubscription


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
