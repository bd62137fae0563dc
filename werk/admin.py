"""Mijn werk in the admin: the warning windows per gemeente, and the verzendlog of the daily digest (what
went out, what failed and why, and a retry)."""

from django.contrib import admin

from cases.admin import BeheerAdmin, ServedGemeenteFilter, is_beheerder, served_gemeente_ids, served_gemeenten

from .digest import deliveries_mark_for_retry
from .models import DigestDelivery, WorkWindows
from .tasks import retry_digest_delivery


class UserGemeenteFilter(ServedGemeenteFilter):
    field_path = "user__gemeenten"


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    """Read-only, scoped to the users of the beheerder's gemeenten; the retry action is the only write."""

    list_display = ["day", "user", "status", "attempts", "sent_at", "error"]
    list_filter = ["status", "day", UserGemeenteFilter]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    date_hierarchy = "day"
    fields = ["user", "day", "status", "attempts", "error", "created_at", "sent_at"]
    readonly_fields = fields
    actions = ["retry"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        served = served_gemeente_ids(request)
        if served is None:
            return queryset
        # A subquery rather than a join keeps one row per delivery (a user has several gemeenten).
        return queryset.filter(pk__in=DigestDelivery.objects.filter(user__gemeenten__in=served).values("pk"))

    @admin.action(description="Opnieuw versturen (mislukt of blijven hangen)")
    def retry(self, request, queryset):
        ids = deliveries_mark_for_retry(queryset=queryset)
        for pk in ids:
            retry_digest_delivery.delay(pk)
        self.message_user(request, f"{len(ids)} samenvatting(en) opnieuw in de wachtrij gezet.")

    def has_module_permission(self, request):
        return is_beheerder(request.user)

    def has_view_permission(self, request, obj=None):
        return is_beheerder(request.user) and (obj is None or self.get_queryset(request).filter(pk=obj.pk).exists())

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Read-only log; the change permission only lets the retry action run on the list.
        return self.has_view_permission(request, obj) and obj is None

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkWindows)
class WorkWindowsAdmin(BeheerAdmin):
    """The warning windows of Mijn werk, per gemeente: the beheerder sets them."""

    gemeente_path = "gemeente"
    list_display = [
        "gemeente",
        "review_days",
        "trajectory_end_days",
        "task_days",
        "referral_outcome_days",
        "follow_up_days",
        "escalation_days",
    ]
    history_list_display = ["review_days", "trajectory_end_days", "task_days"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "gemeente":
            kwargs["queryset"] = served_gemeenten(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return is_beheerder(request.user)
